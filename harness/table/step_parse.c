/* step_parse: the words of one scenario step, after the row's cells were put
 * in, into a bc_step.  Each verb is a row of the table below. */
#define _POSIX_C_SOURCE 200809L
#include "fault/faults.h"
#include "table/reader.h"

#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const hostile_names[] = {"hang", "crash", "leakfd", "leakmem", "linger", "escape", "spew"};

/* The grammar of each verb, from model/verbs.def. */
struct verb {
	const char *name;
	enum bc_verb verb;
	int min, max;          /* positional arguments */
	enum bc_arg args[BC_VERB_MAX_ARGS];
	unsigned opts;
};

static const struct verb verbs[] = {
#define BC_ARGS(...) {__VA_ARGS__}
#define BC_VERB(id, name, place, min, max, args, opts, exec) {name, id, min, max, args, opts},
#include "model/verbs.def"
#undef BC_VERB
#undef BC_ARGS
};

/* resolve's flag words: AI_* flags, and "nohints" for hints == NULL. */
static const struct {
	const char *name;
	int flag;
} ai_flags[] = {
	{"passive", AI_PASSIVE},       {"canonname", AI_CANONNAME}, {"numerichost", AI_NUMERICHOST},
	{"numericserv", AI_NUMERICSERV}, {"v4mapped", AI_V4MAPPED}, {"all", AI_ALL},
	{"addrconfig", AI_ADDRCONFIG},
};

#define NVERBS (sizeof(verbs) / sizeof(verbs[0]))

static const struct verb *find_verb(const char *name)
{
	for (size_t i = 0; i < NVERBS; i++)
		if (strcmp(verbs[i].name, name) == 0)
			return &verbs[i];
	return NULL;
}

bool bc_step_verb_known(const char *word)
{
	return find_verb(word) != NULL;
}

static const char *suggest_verb(const char *word)
{
	const char *names[NVERBS];
	for (size_t i = 0; i < NVERBS; i++)
		names[i] = verbs[i].name;
	return bc_suggest_from(word, names, NVERBS);
}

/* "socket, setsockopt, ..., listening": every verb, for a hint. */
static const char *verb_list(char *buf, size_t n)
{
	size_t off = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < NVERBS && off < n; i++)
		off += (size_t)snprintf(buf + off, n - off, "%s%s", i ? ", " : "", verbs[i].name);
	return buf;
}

static int name_index(const struct bc_names *n, const char *name)
{
	for (int i = 0; i < n->n; i++)
		if (strcmp(n->v[i], name) == 0)
			return i;
	return -1;
}

static bool is_name(const char *s)
{
	return strlen(s) < BC_NAME_MAX && bc_is_identifier(s);
}

static int define(struct bc_names *n, const char *name, int cap)
{
	int i = name_index(n, name);
	if (i >= 0)
		return i;
	if (n->n >= cap)
		return -1;
	snprintf(n->v[n->n], sizeof(n->v[0]), "%s", name);
	return n->n++;
}

#define FAIL(w, ...)                                                        \
	do {                                                                \
		bc_diag_add(d, file, (w)->line, (w)->col, __VA_ARGS__);     \
		return -1;                                                  \
	} while (0)

static int lookup_list(const char *file, struct bc_word *w, const char *name, struct bc_scope *scope, bool dry,
		       struct bc_diags *d)
{
	int idx = name_index(&scope->lists, name);
	if (idx < 0 && !dry)
		FAIL(w, "resolve result '%s' is used before a resolve step fills it; hint: 'resolve %s HOST SERVICE'", name, name);
	return idx;
}

static int parse_arg(const char *file, enum bc_arg kind, struct bc_word *w, struct bc_step *st, struct bc_scope *scope,
		     bool dry, struct bc_diags *d)
{
	struct bc_names *handles = &scope->handles, *vars = &scope->vars;
	char err[256];
	long n;
	int idx;
	if (dry && (strstr(w->s, BC_ANY_VALUE) || kind == BC_ARG_HANDLE))
		return 0;
	switch (kind) {
	case BC_ARG_NONE:
		return 0;
	case BC_ARG_HANDLE:
		if (bc_parse_int(w->s, INT_MIN, INT_MAX, &n) == 0) {
			st->handle = -1;
			st->fd_literal = (int)n;
			return 0;
		}
		idx = name_index(handles, w->s);
		if (idx < 0)
			FAIL(w, "handle '%s' is used before a step creates it; hint: create it with socket, open or accept", w->s);
		st->handle = idx;
		return 0;
	case BC_ARG_NEWHANDLE:
	case BC_ARG_NEWCONN:
		if (!is_name(w->s))
			FAIL(w, "bad handle name '%s'; hint: a name is letters, digits and '_'", w->s);
		idx = define(handles, w->s, BC_MAX_HANDLES);
		if (idx < 0)
			FAIL(w, "more than %d handles in one scenario", BC_MAX_HANDLES);
		if (st->verb == BC_V_ACCEPT)
			st->handle2 = idx;
		else
			st->handle = idx;
		return 0;
	case BC_ARG_FAMILY: {
		struct bc_addr a;
		if (bc_family_from_name(w->s, &st->family) == 0)
			return 0;
		/* "R.N": the family of a resolve result, known when the step runs. */
		if (bc_is_identifier(w->s) || strchr(w->s, '.')) {
			if (bc_addr_parse(w->s, &a, err, sizeof(err)) == 0 && a.list[0] && !a.list_port) {
				st->family_list = lookup_list(file, w, a.list, scope, dry, d);
				if (st->family_list < 0 && !dry)
					return -1;
				st->family_list_idx = a.list_idx;
				return 0;
			}
		}
		/* A bare address ("[::]", "127.0.0.1") names its family. */
		char with_port[BC_VALUE_MAX + 4];
		snprintf(with_port, sizeof(with_port), "%s:0", w->s);
		if (bc_addr_parse(with_port, &a, err, sizeof(err)) == 0 && !a.null && a.family != AF_UNIX &&
		    !a.port_var[0]) {
			st->family = a.family;
			return 0;
		}
		FAIL(w, "unknown family '%s'; hint: inet, inet6, unix, unspec, or an address", w->s);
	}
	case BC_ARG_TYPE:
		if (bc_socktype_from_name(w->s, &st->type) < 0)
			FAIL(w, "unknown socket type '%s'; hint: stream, dgram, seqpacket or raw", w->s);
		return 0;
	case BC_ARG_PROTO:
		if (strcmp(w->s, "-") == 0) { /* an empty cell: the default protocol */
			st->proto = 0;
			return 0;
		}
		if (bc_proto_from_name(w->s, &st->proto) < 0)
			FAIL(w, "unknown protocol '%s'; hint: 0, tcp, udp, udplite, sctp, icmp, icmpv6 or a number", w->s);
		return 0;
	case BC_ARG_ADDR:
		if (bc_addr_parse(w->s, &st->addr, err, sizeof(err)) < 0)
			FAIL(w, "%s", err);
		st->addr_var = -1;
		if (st->addr.list[0]) {
			st->list_use = lookup_list(file, w, st->addr.list, scope, dry, d);
			if (st->list_use < 0 && !dry)
				return -1;
		}
		if (st->addr.port_var[0]) {
			st->addr_var = name_index(vars, st->addr.port_var);
			if (st->addr_var < 0 && !dry)
				FAIL(w, "port variable '%s' is not set; hint: set it first with 'getsockname HANDLE %s'",
				     st->addr.port_var, st->addr.port_var);
		}
		return 0;
	case BC_ARG_OPT: {
		if (strcmp(w->s, "-") == 0) {
			if (st->verb == BC_V_GETSOCKOPT)
				FAIL(w, "getsockopt needs an option name");
			st->no_option = true;
			return 0;
		}
		if (bc_sockopt_from_name(w->s, &st->level, &st->optname) == 0)
			return 0;
		const char *s = bc_suggest_sockopt(w->s);
		if (s)
			FAIL(w, "unknown socket option '%s'; hint: did you mean %s?", w->s, s);
		FAIL(w, "unknown socket option '%s'; hint: see cases/README.md for the list", w->s);
	}
	case BC_ARG_OPTVAL:
		if (bc_parse_int(w->s, INT_MIN, INT_MAX, &n) < 0)
			FAIL(w, "bad integer '%s'", w->s);
		st->optval = (int)n;
		return 0;
	case BC_ARG_BACKLOG:
		if (bc_parse_int(w->s, INT_MIN, INT_MAX, &n) < 0)
			FAIL(w, "bad backlog '%s'; hint: an integer, negative ones included", w->s);
		st->backlog = (int)n;
		return 0;
	case BC_ARG_HOW:
		if (bc_shutdown_from_name(w->s, &st->how) < 0)
			FAIL(w, "unknown shutdown mode '%s'; hint: rd, wr or rdwr", w->s);
		return 0;
	case BC_ARG_NEWVAR:
		if (!is_name(w->s))
			FAIL(w, "bad variable name '%s'", w->s);
		st->var = define(vars, w->s, BC_MAX_VARS);
		if (st->var < 0)
			FAIL(w, "more than %d variables in one scenario", BC_MAX_VARS);
		return 0;
	case BC_ARG_UID:
		if (bc_parse_int(w->s, 0, 0x7fffffff, &n) < 0)
			FAIL(w, "bad uid '%s'", w->s);
		st->optval = (int)n;
		return 0;
	case BC_ARG_PATH:
	case BC_ARG_LINKTARGET: {
		char *dst = kind == BC_ARG_PATH ? st->path : st->path2;
		if (w->s[0] == '\0')
			FAIL(w, "empty path");
		if (strlen(w->s) >= sizeof(st->path))
			FAIL(w, "path of %zu bytes, longer than the %zu a step may name", strlen(w->s), sizeof(st->path) - 1);
		snprintf(dst, sizeof(st->path), "%s", w->s);
		return 0;
	}
	case BC_ARG_NEWLIST:
		if (!is_name(w->s))
			FAIL(w, "bad result name '%s'; hint: a name is letters, digits and '_'", w->s);
		st->list = define(&scope->lists, w->s, BC_MAX_LISTS);
		if (st->list < 0)
			FAIL(w, "more than %d resolve results in one scenario", BC_MAX_LISTS);
		return 0;
	case BC_ARG_HOST:
		if (strlen(w->s) >= sizeof(st->host))
			FAIL(w, "host name too long");
		st->host_null = strcmp(w->s, "null") == 0;
		st->host_is_hostname = strcmp(w->s, "@hostname") == 0;
		snprintf(st->host, sizeof(st->host), "%s", st->host_null ? "" : w->s);
		return 0;
	case BC_ARG_SERVICE:
		if (strlen(w->s) >= sizeof(st->service))
			FAIL(w, "service name too long");
		st->service_null = strcmp(w->s, "null") == 0;
		snprintf(st->service, sizeof(st->service), "%s", st->service_null ? "" : w->s);
		return 0;
	case BC_ARG_COUNT:
	case BC_ARG_MIB:
		if (bc_parse_int(w->s, 1, 256, &n) < 0)
			FAIL(w, "bad count '%s'; hint: 1 to 256 connections", w->s);
		st->count = (int)n;
		return 0;
	case BC_ARG_HOSTILE:
		for (size_t i = 0; i < sizeof(hostile_names) / sizeof(hostile_names[0]); i++) {
			if (strcmp(w->s, hostile_names[i]) == 0) {
				st->hostile = (int)i;
				return 0;
			}
		}
		FAIL(w, "unknown misbehaviour '%s'; hint: hang, crash, leakfd, leakmem, linger, escape or spew", w->s);
	case BC_ARG_TARGET:
		if (!is_name(w->s))
			FAIL(w, "bad target name '%s'; hint: a name is letters, digits and '_'", w->s);
		snprintf(st->path, sizeof(st->path), "%s", w->s);
		return 0;
	case BC_ARG_RESULTNAME: {
		struct bc_outcome o;
		char e2[128];
		if (strcmp(w->s, "@fault") != 0 && (bc_outcome_parse(w->s, &o, e2, sizeof(e2)) < 0 ||
						    (o.kind != BC_OUT_ERRNO && o.kind != BC_OUT_EAI)))
			FAIL(w, "bad name '%s'; hint: an errno or EAI_* name, or @fault for the row's injected result", w->s);
		snprintf(st->path, sizeof(st->path), "%s", w->s);
		return 0;
	}
	case BC_ARG_TEXT:
		if (!w->s[0] || strlen(w->s) >= sizeof(st->path))
			FAIL(w, "bad text '%s'; hint: 1 to %zu bytes", w->s, sizeof(st->path) - 1);
		snprintf(st->path, sizeof(st->path), "%s", w->s);
		return 0;
	case BC_ARG_CALL:
		if (!bc_fault_call_known(w->s))
			FAIL(w, "unknown call '%s'; hint: socket, bind, listen, accept, connect, close, setsockopt or getaddrinfo", w->s);
		snprintf(st->path, sizeof(st->path), "%s", w->s);
		return 0;
	case BC_ARG_MODE: {
		char *end;
		unsigned long m = strtoul(w->s, &end, 8);
		if (!w->s[0] || *end || m > 07777)
			FAIL(w, "bad mode '%s'; hint: octal, like 0755", w->s);
		st->mode = (int)m;
		return 0;
	}
	}
	return 0;
}

static int ai_flag(const char *word)
{
	for (size_t i = 0; i < sizeof(ai_flags) / sizeof(ai_flags[0]); i++)
		if (strcmp(ai_flags[i].name, word) == 0)
			return ai_flags[i].flag;
	return 0;
}

/* Is word an option of v rather than a positional argument? */
static bool is_option(const struct verb *v, const char *word)
{
	if ((v->opts & (BC_OPT_ADDR | BC_OPT_HINTS)) && strchr(word, '='))
		return true;
	if ((v->opts & BC_OPT_NONBLOCK) && strcmp(word, "nonblock") == 0)
		return true;
	if ((v->opts & BC_OPT_PEER) && strcmp(word, "peer") == 0)
		return true;
	if (!(v->opts & BC_OPT_HINTS))
		return false;
	/* Every comma-separated part a flag, "nohints" or "-". */
	for (const char *p = word; *p;) {
		size_t n = strcspn(p, ",");
		char part[32];
		if (n == 0 || n >= sizeof(part))
			return false;
		memcpy(part, p, n);
		part[n] = '\0';
		if (!ai_flag(part) && strcmp(part, "nohints") != 0 && strcmp(part, "-") != 0)
			return false;
		p += n + (p[n] == ',');
	}
	return true;
}

static int parse_hint_word(const char *file, struct bc_word *w, const char *word, struct bc_step *st,
			   struct bc_diags *d)
{
	const char *eq = strchr(word, '=');
	if (strcmp(word, "-") == 0)
		return 0;
	if (ai_flag(word)) {
		st->ai_flags |= ai_flag(word);
		return 0;
	}
	if (strcmp(word, "nohints") == 0) {
		st->hints_flags |= BC_AI_NOHINTS;
		return 0;
	}
	if (strncmp(word, "family=", 7) == 0) {
		if (bc_family_from_name(eq + 1, &st->ai_family) < 0)
			FAIL(w, "unknown family '%s'; hint: inet, inet6 or unspec", eq + 1);
		return 0;
	}
	if (strncmp(word, "type=", 5) == 0) {
		if (bc_socktype_from_name(eq + 1, &st->ai_socktype) < 0)
			FAIL(w, "unknown socket type '%s'; hint: stream, dgram, seqpacket or raw", eq + 1);
		return 0;
	}
	if (strncmp(word, "proto=", 6) == 0) {
		if (bc_proto_from_name(eq + 1, &st->ai_protocol) < 0)
			FAIL(w, "unknown protocol '%s'", eq + 1);
		return 0;
	}
	const char *names[sizeof(ai_flags) / sizeof(ai_flags[0])];
	for (size_t i = 0; i < sizeof(ai_flags) / sizeof(ai_flags[0]); i++)
		names[i] = ai_flags[i].name;
	const char *near = bc_suggest_from(word, names, sizeof(names) / sizeof(names[0]));
	if (near)
		FAIL(w, "unknown resolve option '%s'; hint: did you mean %s?", word, near);
	FAIL(w, "unknown resolve option '%s'; hint: family=F, type=T, proto=P, nohints, or a flag: passive, canonname, numerichost, numericserv, v4mapped, all, addrconfig",
	     word);
}

/* resolve's options; one word may hold several, joined with ',' (a cell
 * such as "passive,addrconfig"), and '-' is none. */
static int parse_hint(const char *file, struct bc_word *w, struct bc_step *st, struct bc_diags *d)
{
	char buf[BC_VALUE_MAX];
	if (strlen(w->s) >= sizeof(buf))
		FAIL(w, "resolve options too long");
	snprintf(buf, sizeof(buf), "%s", w->s);
	for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (parse_hint_word(file, w, tok, st, d) < 0)
			return -1;
	return 0;
}

static int parse_option(const char *file, const struct verb *v, struct bc_word *w, struct bc_step *st, bool dry,
			struct bc_diags *d)
{
	if (dry && strstr(w->s, BC_ANY_VALUE))
		return 0;
	const char *eq = strchr(w->s, '=');
	if (v->opts & BC_OPT_HINTS)
		return parse_hint(file, w, st, d);
	if ((v->opts & BC_OPT_NONBLOCK) && strcmp(w->s, "nonblock") == 0) {
		st->nonblock = true;
		return 0;
	}
	if ((v->opts & BC_OPT_PEER) && strcmp(w->s, "peer") == 0) {
		st->in_peer = true;
		return 0;
	}
	if ((v->opts & BC_OPT_ADDR) && eq && strncmp(w->s, "len=", 4) == 0) {
		if (bc_parse_int(eq + 1, INT_MIN, INT_MAX, &st->len) < 0)
			FAIL(w, "bad length '%s'", eq + 1);
		st->has_len = true;
		return 0;
	}
	if ((v->opts & BC_OPT_ADDR) && eq && strncmp(w->s, "family=", 7) == 0) {
		if (bc_family_from_name(eq + 1, &st->family_override) < 0)
			FAIL(w, "unknown family '%s'; hint: inet, inet6, unix or unspec", eq + 1);
		st->has_family = true;
		return 0;
	}
	FAIL(w, "unexpected argument '%s' to %s%s", w->s, v->name,
	     (v->opts & BC_OPT_ADDR) ? "; hint: options are len=N and family=F" : "");
}

int bc_step_parse(const char *file, struct bc_word *w, int nw, bool checked, struct bc_step *st,
		  struct bc_scope *scope, bool dry, struct bc_diags *d)
{
	const struct verb *v = find_verb(w[0].s);
	memset(st, 0, sizeof(*st));
	st->checked = checked;
	st->handle = st->handle2 = st->var = st->addr_var = st->family_list = st->list = st->list_use = -1;
	st->optval = 1;
	st->mode = 0755;
	st->count = 1;
	if (!v) {
		const char *s = suggest_verb(w[0].s);
		if (s)
			FAIL(&w[0], "unknown step '%s'; hint: did you mean %s?", w[0].s, s);
		char all[512];
		FAIL(&w[0], "unknown step '%s'; hint: steps are %s", w[0].s, verb_list(all, sizeof(all)));
	}
	st->verb = v->verb;
	int pos = 0;
	for (int i = 1; i < nw; i++) {
		bool is_opt = v->opts && pos >= v->min &&
			      (is_option(v, w[i].s) || (dry && pos >= v->max && strstr(w[i].s, BC_ANY_VALUE)));
		if (is_opt) {
			if (parse_option(file, v, &w[i], st, dry, d) < 0)
				return -1;
			continue;
		}
		if (pos == v->max && (v->opts & BC_OPT_HINTS)) {
			if (parse_hint(file, &w[i], st, d) < 0) /* says what is wrong with it */
				return -1;
			continue;
		}
		if (pos == v->max)
			FAIL(&w[i], "too many arguments to %s (at most %d)", v->name, v->max);
		if (parse_arg(file, v->args[pos], &w[i], st, scope, dry, d) < 0)
			return -1;
		pos++;
	}
	if (pos < v->min)
		FAIL(&w[nw - 1], "%s needs %d argument%s, got %d", v->name, v->min, v->min == 1 ? "" : "s", pos);
	return 0;
}

char *bc_step_text(const struct bc_word *w, int nw)
{
	size_t n = 1;
	for (int i = 0; i < nw; i++)
		n += strlen(w[i].s) + 1;
	char *t = malloc(n), *p = t;
	for (int i = 0; t && i < nw; i++) {
		size_t k = strlen(w[i].s);
		if (i)
			*p++ = ' ';
		memcpy(p, w[i].s, k);
		p += k;
	}
	if (t)
		*p = '\0';
	return t;
}
