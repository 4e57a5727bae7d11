/* audit_card: the audit's report card (one line per check; for a failure
 * what the program did and a one-line fix), its summary, and the table
 * --emit-table writes. */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/audit.h"
#include "model/values.h"
#include "model/verdict.h"

/* What one check's run showed, by step. */
struct seen_row {
	const char *run, *names, *listening, *leaked, *reach;
	long binds; /* its bind calls (an unchecked step), -1 unknown */
};

static void row_values(const struct bc_case_result *res, struct seen_row *v)
{
	memset(v, 0, sizeof(*v));
	v->binds = -1;
	for (int i = 0; res->ran && i < res->obs.nsteps && i < res->c->nsteps; i++) {
		const struct bc_step_obs *so = &res->obs.steps[i];
		const char *val = so->ran && so->out.kind == BC_OUT_VALUE ? so->out.value : NULL;
		switch (res->c->steps[i]->verb) {
		case BC_V_RUN: v->run = val; break;
		case BC_V_NAMES: v->names = val; break;
		case BC_V_LISTENING: v->listening = val; break;
		case BC_V_LEAKED: v->leaked = val; break;
		case BC_V_REACH: v->reach = val; break;
		case BC_V_CALLS: v->binds = val && strcmp(val, "?") != 0 ? strtol(val, NULL, 10) : -1; break;
		default: break;
		}
	}
}

/* A finding: what the program did, and a fix, each one line. */
struct finding {
	char did[400];
	const char *fix;
};

__attribute__((format(printf, 3, 4))) static void did(struct finding *f, const char *fix, const char *fmt, ...)
{
	va_list ap;
	size_t n = strlen(f->did);
	if (n && n < sizeof(f->did) - 2)
		n += (size_t)snprintf(f->did + n, sizeof(f->did) - n, "; ");
	va_start(ap, fmt);
	if (n < sizeof(f->did))
		vsnprintf(f->did + n, sizeof(f->did) - n, fmt, ap);
	va_end(ap);
	if (!f->fix)
		f->fix = fix;
}

static bool is_loopback(const char *addr)
{
	return strncmp(addr, "127.", 4) == 0 || strncmp(addr, "[::1]", 5) == 0 || strncmp(addr, "[::ffff:127.", 12) == 0;
}

/* reach peer missed: each listener it missed, and why. */
static void peer_finding(const struct audit_seen *s, const struct seen_row *v, struct finding *f)
{
	for (int i = 0; i < s->nlisten; i++) {
		const char *a = s->addr[i];
		if ((v->reach && strstr(v->reach, a)) || strncmp(a, "udp:", 4) == 0)
			continue;
		if (strncmp(a, "127.0.1.1:", 10) == 0)
			did(f, "bind the wildcard address (0.0.0.0 or [::]) or the host's network address, not the address of gethostname()",
			    "another host cannot connect to %s: a loopback address (the host name box resolves to 127.0.1.1, as Debian's /etc/hosts has it)%s",
			    a, "");
		else if (is_loopback(a))
			did(f, "listen on the wildcard address (0.0.0.0 or [::]) or a network address to serve other hosts",
			    "another host cannot connect to %s: a loopback address", a);
		else
			did(f, "check what stops a connection to it (its accept queue, a filter)",
			    "another host could not connect to %s", a);
	}
}

static const char *call_of(const struct bc_case *c)
{
	return c->nfaults ? c->faults[0].call : "bind";
}

/* An error said only as its number ("errno: 97", as redis does): true,
 * and said so. */
static bool by_number(const struct bc_case *c, const char *out, struct finding *f)
{
	if (!c->nfaults || c->faults[0].result.kind != BC_OUT_ERRNO)
		return false;
	int code = c->faults[0].result.code;
	char pat[32];
	static const char *const forms[] = {"errno: ", "errno ", "errno=", "error ", "error: ", "("};
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		snprintf(pat, sizeof(pat), "%s%d", forms[i], code);
		const char *hit = strstr(out, pat);
		if (hit && !isdigit((unsigned char)hit[strlen(pat)])) {
			did(f, "print strerror(errno) beside the number: the number differs between systems, the text does not",
			    "named the error only by its number (\"%s\" for %s)", pat, bc_errno_name(code));
			return true;
		}
	}
	return false;
}

/* A check that expected it to give up found it still running. */
static void still_running(const struct bc_case *c, const struct audit_seen *s, const struct seen_row *v,
			  const char *fix, struct finding *f)
{
	if (v->listening && strcmp(v->listening, "none") == 0)
		did(f, "exit non-zero when no address is left to listen on", "kept running with nothing to listen on");
	else if (v->listening && strcmp(v->listening, s->listening) == 0)
		did(f, "if the retry is meant, say so: every failure must be named",
		    "recovered without a word: it listens on %s as without the fault (it retried %s(), or did not need it)",
		    v->listening, call_of(c));
	else if (v->names && strcmp(v->names, "no") == 0)
		did(f, "say what failed when it falls back: the call and strerror(errno)", "fell back to %s without a word",
		    v->listening);
	else
		did(f, fix, "kept running (listening on %s)", v->listening);
}

/* A check that expected it to give up: exit non-zero, say why, leave nothing. */
static void fatal_finding(const struct bc_case *c, const struct audit_seen *s, const struct seen_row *v,
			  const char *out, struct finding *f)
{
	const char *run = v->run ? v->run : "?";
	static char fix[160];
	snprintf(fix, sizeof(fix), "check %s()'s result; when no address is left, say why and exit non-zero", call_of(c));
	if (strcmp(run, "running") == 0)
		still_running(c, s, v, fix, f);
	else if (strcmp(run, "exit:0") == 0)
		did(f, "exit with a non-zero status when it cannot serve, so that a service manager sees it",
		    "exited with status 0 although it could not serve");
	else if (strncmp(run, "signal:", 7) == 0)
		did(f, fix, "crashed (%s)", run + 7);
	if (v->names && strcmp(v->names, "no") == 0 && !strstr(f->did, "without a word") && !by_number(c, out, f))
		did(f, strcmp(call_of(c), "getaddrinfo") == 0 ? "print gai_strerror()'s text for the code getaddrinfo() returned"
							   : "print the failing call and strerror(errno)",
		    "did not name the error");
	if (strcmp(run, "running") != 0 && v->listening && strcmp(v->listening, "none") != 0 && c->nfaults)
		did(f, "let no process of it keep a listener once it gives up", "left a listener behind: %s", v->listening);
	if (strcmp(run, "running") == 0)
		return; /* a program stopped by SIGTERM may give no account of its fds */
	if (v->leaked && strcmp(v->leaked, "?") == 0)
		did(f, "let the process exit normally (exit(), not _exit() or a signal) so that its fds can be counted",
		    "left no account of its fds at exit");
	else if (v->leaked && strcmp(v->leaked, "0") != 0)
		did(f, "close each socket on the error path before it exits",
		    "left %s fd%s open at exit (%ld when no socket could be made)", v->leaked,
		    strcmp(v->leaked, "1") == 0 ? "" : "s", s->base_fds);
}

/* Did the checked step of verb give one of the results its expectation
 * allows?  (The judgement's texts: one item per checked step, joined by
 * ',', each item's alternatives by '|'.) */
static bool step_held(const struct bc_case_result *res, enum bc_verb verb)
{
	int k = 0;
	for (int i = 0; i < res->c->nsteps && res->c->steps[i]->verb != verb; i++)
		k += res->c->steps[i]->checked;
	const char *e = res->j.expected_text, *o = res->j.observed_text;
	for (int i = 0; i < k && e && o; i++) {
		e = strchr(e, ','), o = strchr(o, ',');
		e = e ? e + 1 : NULL, o = o ? o + 1 : NULL;
	}
	if (!e || !o)
		return false;
	size_t on = strcspn(o, ","), en = strcspn(e, ",");
	for (const char *a = e; a < e + en;) {
		size_t an = strcspn(a, "|,");
		if (an == on && strncmp(a, o, on) == 0)
			return true;
		a += an + 1;
	}
	return false;
}

/* Is list (as listening writes it) L with exactly one listener less? */
static bool one_less(const struct audit_seen *s, const char *list)
{
	int n = 0;
	char copy[200];
	snprintf(copy, sizeof(copy), "%s", list);
	for (char *save = NULL, *a = strtok_r(copy, "+", &save); a; a = strtok_r(NULL, "+", &save), n++) {
		bool known = false;
		for (int i = 0; i < s->nlisten; i++)
			known = known || strcmp(s->addr[i], a) == 0;
		if (!known)
			return false;
	}
	return n == s->nlisten - 1;
}

/* A check that expected it to keep serving on what remains. */
static void degraded_finding(const struct bc_case_result *res, const struct audit_seen *s, const struct seen_row *v,
			     const char *out, struct finding *f)
{
	const struct bc_case *c = res->c;
	const char *run = v->run ? v->run : "?";
	bool family = c->nfaults && strcmp(c->faults[0].call, "socket") == 0 && c->faults[0].result.code == EAFNOSUPPORT;
	if (strcmp(run, "running") != 0 && family && s->ntcp == 1) {
		did(f, "binds only the first getaddrinfo result; try each in turn",
		    "gave up (%s) although the other family's address remained", run);
	} else if (strcmp(run, "running") != 0) {
		did(f, "treats one failed address as fatal: serve on the addresses that remain and say which failed",
		    "gave up (%s) although other addresses remained", run);
	} else if (v->listening && strcmp(v->listening, s->listening) == 0 && c->nfaults) {
		static char fix[160];
		snprintf(fix, sizeof(fix), "check %s()'s result and drop that address instead of carrying on", call_of(c));
		did(f, fix, "carried on as if %s() had not failed (still listening on %s)", call_of(c), v->listening);
	} else if (v->listening && strcmp(v->listening, "none") == 0) {
		did(f, "exit non-zero when no address is left", "kept running with nothing to listen on");
	} else if (v->listening && !one_less(s, v->listening) && !step_held(res, BC_V_LISTENING)) {
		did(f, "drop only the address whose call failed", "listened on %s afterwards", v->listening);
	}
	if (v->names && strcmp(v->names, "no") == 0 && !by_number(c, out, f))
		did(f, "say which address it dropped and why: the call and strerror(errno)", "did not name the error");
}

static void up_finding(const struct bc_case *c, const struct audit_seen *s, const struct seen_row *v,
		       struct finding *f)
{
	const char *prof = c->profile ? c->profile->name : "";
	const char *fix = strcmp(prof, "noipv6") == 0 ? "binds only the first getaddrinfo result; try each in turn"
			  : strcmp(prof, "default") == 0 ? "it must come up the same way every time"
							  : "resolve a listening address without AI_ADDRCONFIG (it ignores loopback addresses)";
	if (v->run && strcmp(v->run, "running") != 0)
		did(f, fix, "did not come up (%s)%s", v->run, "");
	else if (v->listening && strcmp(v->listening, s->listening) != 0)
		did(f, fix, "listened on %s instead of %s", v->listening, s->listening);
}

static void in_use_finding(const struct bc_case *c, const struct seen_row *v, struct finding *f)
{
	bool all = strcmp(c->id, "in-use.all") == 0;
	const char *run = v->run ? v->run : "?";
	if (all && strcmp(run, "running") == 0)
		did(f, "check bind()'s result; when its address is in use, say so and exit non-zero",
		    "kept running while another process held its addresses");
	else if (all && strcmp(run, "exit:0") == 0)
		did(f, "exit with a non-zero status when it cannot serve", "exited with status 0");
	else if (!all && strcmp(run, "running") != 0)
		did(f, "drop the address in use, serve on the rest, and say which failed",
		    "gave up (%s) when one of its addresses was in use", run);
	if (v->names && strcmp(v->names, "no") == 0)
		did(f, "print bind()'s error with strerror(errno) (\"Address already in use\")",
		    "did not say that the address is in use");
}

static void diagnose(const struct audit_seen *s, const struct bc_case_result *res, struct finding *f)
{
	struct seen_row v;
	const struct bc_case *c = res->c;
	memset(f, 0, sizeof(*f));
	row_values(res, &v);
	if (res->j.verdict == BC_ERROR && res->j.reason[0]) {
		did(f, "see the check's report (--report-dir) for its steps", "the check could not be judged: %s",
		    res->j.reason);
		return;
	}
	if (!res->ran) {
		did(f, "see the case's report (--report-dir) for why it could not run", "could not be run: %s%s",
		    res->j.reason[0] ? res->j.reason : res->j.observed_text, "");
		return;
	}
	if (strcmp(c->scenario, "reach_peer") == 0)
		peer_finding(s, &v, f);
	else if (strcmp(c->scenario, "reach_local") == 0)
		did(f, "accept connections on every address it listens on", "this host reached only %s of %s", v.reach,
		    s->tcp);
	else if (strncmp(c->scenario, "fatal", 5) == 0)
		fatal_finding(c, s, &v, res->obs.target_out, f);
	else if (strcmp(c->scenario, "degraded") == 0)
		degraded_finding(res, s, &v, res->obs.target_out, f);
	else if (strncmp(c->scenario, "occupy", 6) == 0)
		in_use_finding(c, &v, f);
	else
		up_finding(c, s, &v, f);
	/* A retry is worth knowing whatever came of it (nginx retries each
	 * listener five times, half a second apart). */
	if (v.binds > s->calls[3] && !s->counts_assumed && s->calls[3] > 0 && bc_verdict_is_failure(res->j.verdict))
		did(f, "retry only what can succeed, and within the time a service manager gives it",
		    "retried bind(): %ld calls where a clean start makes %ld", v.binds, s->calls[3]);
	if (!f->did[0])
		did(f, "compare with the contract in cases/faults.tbl", "gave %s where the contract says %s",
		    res->j.observed_text, res->j.expected_text);
}

/* The fixes the failures call for, each once, with how many checks and
 * the first of them. */
struct fixes {
	int n;
	struct {
		char fix[200];
		const char *first;
		int count;
	} v[24];
};

static void fixes_add(struct fixes *x, const char *fix, const char *id)
{
	for (int i = 0; i < x->n; i++) {
		if (strcmp(x->v[i].fix, fix) == 0) {
			x->v[i].count++;
			return;
		}
	}
	if (x->n < (int)(sizeof(x->v) / sizeof(x->v[0]))) {
		snprintf(x->v[x->n].fix, sizeof(x->v[0].fix), "%s", fix);
		x->v[x->n].first = id;
		x->v[x->n++].count = 1;
	}
}

static void fixes_print(const struct fixes *x)
{
	if (!x->n)
		return;
	printf("fixes, each once (checks that call for it, the first of them):\n");
	for (int i = 0; i < x->n; i++)
		printf("  %3d  %s (%s)\n", x->v[i].count, x->v[i].fix, x->v[i].first);
}

/* The line of what it printed that most likely says what went wrong (one
 * that speaks of an error), else its last line; "" when it said nothing. */
static void said_line(const char *out, char *buf, size_t n)
{
	static const char *const words[] = {"rror", "fail", "errno", "denied", "in use", "annot", "can't", "not "};
	const char *best = NULL, *last = NULL;
	size_t bestlen = 0, lastlen = 0;
	buf[0] = '\0';
	for (const char *l = out; *l; l += strcspn(l, "\n") + (l[strcspn(l, "\n")] == '\n')) {
		size_t len = strcspn(l, "\n");
		if (len == 0)
			continue;
		last = l, lastlen = len;
		for (size_t w = 0; !best && w < sizeof(words) / sizeof(words[0]); w++) {
			const char *hit = strstr(l, words[w]);
			if (hit && hit < l + len)
				best = l, bestlen = len;
		}
	}
	if (!best)
		best = last, bestlen = lastlen;
	if (best)
		snprintf(buf, n, "%.*s%s", (int)(bestlen > 160 ? 160 : bestlen), best, bestlen > 160 ? "..." : "");
}

int bc_audit_card(const struct audit_opts *o, const struct audit_seen *s, const struct bc_case_result *res, int n,
		  double seconds)
{
	int counts[BC_VERDICT_COUNT] = {0}, failed = 0;
	struct fixes fx = {0};
	printf("bindcheck audit:");
	for (int i = 0; i < o->argc; i++)
		printf(" %s", o->argv[i][0] ? o->argv[i] : "''");
	printf("\n  up: listening on %s; calls getaddrinfo %ld, socket %ld, setsockopt %ld, bind %ld, listen %ld%s\n",
	       s->listening, s->calls[0], s->calls[1], s->calls[2], s->calls[3], s->calls[4],
	       s->counts_assumed  ? " (some assumed: it was stopped before it could count them)"
	       : s->counts_partly ? " (some from a run in which no bind succeeded: it was stopped before it could count them)"
				  : "");
	for (int i = 0; i < n; i++) {
		const struct bc_case_result *r = &res[i];
		enum bc_verdict v = r->j.verdict;
		counts[v]++;
		bool bad = bc_verdict_is_failure(v);
		failed += bad;
		printf("%-5s %-38s %s%s%s\n", bc_verdict_name(v), r->c->id, r->c->note ? r->c->note : "",
		       r->c->fault_text ? ": " : "", r->c->fault_text ? r->c->fault_text : "");
		if (!bad) {
			struct seen_row sv;
			row_values(r, &sv);
			/* Passing, but worth knowing (nginx retries a listener
			 * that is in use five times, half a second apart, then
			 * gives up: later than the check looks). */
			if (sv.binds > s->calls[3] && !s->counts_assumed && s->calls[3] > 0)
				printf("      note: retried bind(): %ld calls where a clean start makes %ld\n", sv.binds,
				       s->calls[3]);
			continue;
		}
		struct finding f;
		diagnose(s, r, &f);
		char said[200];
		said_line(r->obs.target_out, said, sizeof(said));
		printf("      did: %s\n", f.did);
		if (said[0] && r->ran)
			printf("      said: %s\n", said);
		printf("      fix: %s\n", f.fix);
		fixes_add(&fx, f.fix, r->c->id);
		if (o->verbose)
			printf("      expected %s, observed %s\n", r->j.expected_text, r->j.observed_text);
	}
	fixes_print(&fx);
	printf("summary: %d checks: %d pass, %d fail, %d skip, %d error; the contract %s (%.1f s)\n", n, counts[BC_PASS],
	       counts[BC_FAIL] + counts[BC_XPASS], counts[BC_SKIP], counts[BC_ERROR], failed ? "does not hold" : "holds",
	       seconds);
	return failed;
}

struct emit_ctx {
	const struct audit_seen *s;
	const struct bc_case_result *res;
	int n;
	char seen[600], finding[600];
};

/* The finding for row id, and what was seen, when its check failed. */
static const char *annot(void *arg, const char *id, const char **observed)
{
	struct emit_ctx *e = arg;
	for (int i = 0; i < e->n; i++) {
		const struct bc_case_result *r = &e->res[i];
		if (strcmp(r->c->id, id) != 0 || r->j.verdict != BC_FAIL || !r->ran)
			continue;
		struct finding f;
		diagnose(e->s, r, &f);
		snprintf(e->seen, sizeof(e->seen), "%s", r->j.observed_text);
		/* A deviation is one quoted cell: no quote or backslash in it. */
		size_t k = 0;
		for (const char *p = f.did; *p && k < sizeof(e->finding) - 1; p++)
			e->finding[k++] = *p == '"' || *p == '\\' ? '\'' : *p;
		e->finding[k] = '\0';
		*observed = e->seen;
		return e->finding;
	}
	return NULL;
}

int bc_audit_emit(const struct audit_opts *o, const struct audit_seen *s, const char *text,
		  const struct bc_case_result *res, int n)
{
	struct emit_ctx e = {.s = s, .res = res, .n = n};
	struct audit_buf b = {0};
	struct audit_opts named = *o;
	char name[64];
	(void)text;
	/* The table is named after its file, as a table without a name is,
	 * so that audits of several programs can sit side by side. */
	const char *base = strrchr(o->emit, '/') ? strrchr(o->emit, '/') + 1 : o->emit;
	size_t len = strcspn(base, ".");
	snprintf(name, sizeof(name), "%.*s", (int)(len < sizeof(name) ? len : sizeof(name) - 1), base);
	bool ok = name[0] != '\0';
	for (const char *p = name; *p; p++)
		ok = ok && (isalnum((unsigned char)*p) || strchr("_-+", *p));
	named.table_name = ok ? name : NULL;
	bc_audit_table_checks(&named, s, annot, &e, &b);
	if (b.oom) {
		fprintf(stderr, "bindcheck audit: out of memory\n");
		return -1;
	}
	FILE *fp = fopen(o->emit, "w");
	int rc = 0;
	bool wrote = fp && fwrite(b.s, 1, b.len, fp) == b.len;
	if (fp && fclose(fp) != 0)
		wrote = false;
	if (!wrote) {
		fprintf(stderr, "bindcheck audit: cannot write %s: %s\n", o->emit, strerror(errno));
		rc = -1;
	} else {
		printf("table: %s (each failing check is a row with its finding as a known deviation)\n", o->emit);
	}
	free(b.s);
	return rc;
}
