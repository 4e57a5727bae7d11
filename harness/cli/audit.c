/* audit: `bindcheck audit [options] -- COMMAND [ARGS...]` (see audit.h):
 * the options, the command checked before anything runs, the two tables
 * run on the pool, the reports. */
#define _GNU_SOURCE /* fnmatch's FNM_CASEFOLD-free use, getopt_long */
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/audit.h"
#include "cli/cli.h"
#include "exec/pool.h"
#include "exec/runner.h"
#include "model/values.h"
#include "report/console.h"
#include "report/results.h"
#include "table/table.h"

static void usage(FILE *out)
{
	fputs("usage: bindcheck audit [--port N] [--family inet|inet6] [--grace MS] [--settle MS] [--only PATTERN] [-j N]\n"
	      "                       [--timeout MS] [--listens ADDR]... [--ready TEXT] [--report-dir DIR]\n"
	      "                       [--json FILE] [--junit FILE] [--markdown FILE] [--html FILE]\n"
	      "                       [--emit-table FILE] [--verbose] -- COMMAND [ARGS...]\n"
	      "Runs COMMAND as a server under test in a hermetic host and judges its bind path: it comes up,\n"
	      "it can be reached, and it handles each failure of getaddrinfo, socket, setsockopt, bind and\n"
	      "listen as bindcheck's server contract says.  {port} in ARGS is the port (--port, default 8080).\n"
	      "COMMAND 'bindcheck' is this bindcheck.  PATTERN is a shell glob over the checks' names.\n"
	      "Exit status: 0 the contract holds, 1 it does not, 2 bad usage.\n",
	      out);
}

static int number(const char *arg, long lo, long hi, const char *name, int *out)
{
	long v;
	if (bc_parse_int(arg, lo, hi, &v) < 0) {
		fprintf(stderr, "bindcheck audit: bad --%s '%s': a number from %ld to %ld\n", name, arg, lo, hi);
		return -1;
	}
	*out = (int)v;
	return 0;
}

static int take(int ch, char *arg, struct audit_opts *o)
{
	switch (ch) {
	case 'p':
		return number(arg, 1, 65535, "port", &o->port);
	case 'F':
		if (strcmp(arg, "inet") != 0 && strcmp(arg, "inet6") != 0) {
			fprintf(stderr, "bindcheck audit: bad --family '%s': inet or inet6\n", arg);
			return -1;
		}
		o->family = arg;
		return 0;
	case 'g':
		return number(arg, 10, 600000, "grace", &o->grace_ms);
	case 'S':
		return number(arg, 10, 60000, "settle", &o->settle_ms);
	case 'o':
		o->only = arg;
		return 0;
	case 'j':
		return number(arg, 1, 64, "jobs", &o->jobs);
	case 't':
		return number(arg, 100, 600000, "timeout", &o->timeout_ms);
	case 'l':
		if (o->nlistens == AUDIT_MAX_LISTENS) {
			fprintf(stderr, "bindcheck audit: at most %d --listens\n", AUDIT_MAX_LISTENS);
			return -1;
		}
		o->listens[o->nlistens++] = arg;
		return 0;
	case 'R':
		o->ready = arg;
		return 0;
	case 'r': o->report_dir = arg; return 0;
	case 'J': o->junit = arg; return 0;
	case 'm': o->markdown = arg; return 0;
	case 'W': o->html = arg; return 0;
	case 1000: o->json = arg; return 0;
	case 'E': o->emit = arg; return 0;
	case 'v': o->verbose = true; return 0;
	case 'h':
		usage(stdout);
		return 1;
	default:
		usage(stderr);
		return -1;
	}
}

/* 0, 1 for --help, -1 for bad usage (said). */
static int parse(int argc, char **argv, struct audit_opts *o)
{
	static const struct option longopts[] = {
		{"port", required_argument, NULL, 'p'},       {"family", required_argument, NULL, 'F'},
		{"grace", required_argument, NULL, 'g'},      {"only", required_argument, NULL, 'o'},
		{"settle", required_argument, NULL, 'S'},
		{"jobs", required_argument, NULL, 'j'},       {"timeout", required_argument, NULL, 't'},
		{"listens", required_argument, NULL, 'l'},    {"ready", required_argument, NULL, 'R'},
		{"report-dir", required_argument, NULL, 'r'}, {"junit", required_argument, NULL, 'J'},
		{"markdown", required_argument, NULL, 'm'},   {"html", required_argument, NULL, 'W'},
		{"json", required_argument, NULL, 1000},      {"emit-table", required_argument, NULL, 'E'},
		{"verbose", no_argument, NULL, 'v'},          {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int ch, rc;
	memset(o, 0, sizeof(*o));
	o->port = 8080;
	o->grace_ms = 3000;
	o->settle_ms = 150;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "+j:vh", longopts, NULL)) != -1)
		if ((rc = take(ch, optarg, o)) != 0)
			return rc;
	if (optind >= argc) {
		fprintf(stderr, "bindcheck audit: no command; hint: bindcheck audit [options] -- COMMAND [ARGS...]\n");
		return -1;
	}
	o->argv = argv + optind;
	o->argc = argc - optind;
	if (o->argc > BC_TARGET_ARGS) {
		fprintf(stderr, "bindcheck audit: at most %d words in the command\n", BC_TARGET_ARGS);
		return -1;
	}
	return 0;
}

/* Can COMMAND be run?  A path must be an executable file; a bare name is
 * looked up in PATH.  "bindcheck" is this bindcheck. */
static bool runnable(const char *cmd)
{
	struct stat sb;
	if (strcmp(cmd, "bindcheck") == 0)
		return true;
	if (strchr(cmd, '/'))
		return stat(cmd, &sb) == 0 && S_ISREG(sb.st_mode) && access(cmd, X_OK) == 0;
	const char *path = getenv("PATH");
	char dir[4096];
	for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
		size_t n = strcspn(p, ":");
		snprintf(dir, sizeof(dir), "%.*s/%s", (int)n, p, cmd);
		if (stat(dir, &sb) == 0 && S_ISREG(sb.st_mode) && access(dir, X_OK) == 0)
			return true;
		p += n + (p[n] == ':');
	}
	return false;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The results of one table's cases, kept for the card. */
struct collect {
	struct bc_case_result *res;
	int n;
	json_t *root;
	const struct bc_run_info *info;
};

static void one_done(void *arg, int index, const struct bc_case_result *res)
{
	struct collect *k = arg;
	k->res[index] = *res;
	k->n = index + 1 > k->n ? index + 1 : k->n;
	if (k->root)
		bc_results_add_case(k->root, k->info, res);
}

/* Parse text as the table "audit.tbl"; -1 (said) when it does not read:
 * a command word the reader refuses, as a quote it cannot hold. */
static int load(const char *text, size_t len, struct bc_table *t)
{
	struct bc_diags d = {0};
	bc_table_parse("audit.tbl", text, len, t, &d);
	int bad = d.n;
	if (bad) {
		fprintf(stderr, "bindcheck audit: the command cannot be written as a case table:\n");
		bc_diags_print(&d, stderr);
	}
	bc_diags_free(&d);
	return bad ? -1 : 0;
}

/* Run the cases of t that --only selects (all when only is NULL); their
 * results in *res, in order.  The number run. */
static int run_table(const struct bc_runner *r, const struct bc_table *t, const char *only, int jobs,
		     struct collect *k)
{
	const struct bc_case **list = calloc((size_t)(t->ncases ? t->ncases : 1), sizeof(*list));
	int n = 0;
	k->res = calloc((size_t)(t->ncases ? t->ncases : 1), sizeof(*k->res));
	k->n = 0;
	if (!list || !k->res) {
		free(list);
		return -1;
	}
	for (int i = 0; i < t->ncases; i++)
		if (!only || fnmatch(only, t->cases[i].id, 0) == 0)
			list[n++] = &t->cases[i];
	if (n)
		bc_run_cases(r, list, n, jobs, one_done, k);
	free(list);
	return k->n;
}

/* The start of what the program printed, indented, on stderr. */
static void said(const struct bc_case_result *res)
{
	const char *out = res->obs.target_out;
	int lines = 0;
	for (const char *l = out; *l && lines < 8; l += strcspn(l, "\n") + (l[strcspn(l, "\n")] == '\n'), lines++)
		fprintf(stderr, "%s%.*s\n", lines ? "       " : "  said: ", (int)strcspn(l, "\n"), l);
}

/* The first run: what it listens on and how often it makes each call;
 * 0, or the exit status (said) when there is nothing to audit. */
static int observe(const struct bc_runner *r, const struct audit_opts *o, struct audit_seen *s)
{
	struct audit_buf b = {0};
	struct bc_table t = {0};
	struct collect k = {0};
	int rc = 0;
	bc_audit_table_observe(o, &b);
	if (b.oom || load(b.s, b.len, &t) < 0) {
		free(b.s);
		return BC_EXIT_BAD_INPUT;
	}
	if (run_table(r, &t, NULL, o->jobs > 0 ? o->jobs : 2, &k) != 3) {
		rc = 1;
		fprintf(stderr, "bindcheck audit: the command could not be started\n");
	} else if (bc_audit_read_seen(&k.res[0], s), !k.res[0].ran) {
		rc = 1;
		fprintf(stderr, "bindcheck audit: the command could not be run here:\n");
		bc_console_print_result(r->prog, &k.res[0], stderr);
	} else if (strcmp(s->run, "running") != 0 && strcmp(s->run, "daemonized") != 0) {
		rc = 1;
		fprintf(stderr, "bindcheck audit: %s ended (%s) before it came up; nothing to audit.\n",
			o->argv[0], s->run[0] ? s->run : "did not start");
		said(&k.res[0]);
		fprintf(stderr, "  hint: it must keep running and listen; check its arguments ({port} is %d)\n", o->port);
	} else if (s->nlisten == 0) {
		rc = 1;
		fprintf(stderr, "bindcheck audit: %s listened on no TCP address within its grace (%d ms); nothing to audit.\n"
				"  hint: give it more time (--grace MS), or check its arguments ({port} is %d)\n",
			o->argv[0], o->grace_ms, o->port);
	}
	if (rc == 0)
		bc_audit_read_baseline(&k.res[1], &k.res[2], s);
	free(k.res);
	bc_table_free(&t);
	free(b.s);
	return rc;
}

static void report_files(const struct audit_opts *o, struct bc_report_files *f)
{
	*f = (struct bc_report_files){.json = o->json, .markdown = o->markdown, .junit = o->junit, .html = o->html,
				      .dir = o->report_dir};
}

/* The checks: run, the card, the reports, the table.  The exit status. */
static int checks(const struct bc_runner *r, const struct audit_opts *o, const struct audit_seen *s, double t0)
{
	struct audit_buf b = {0};
	struct bc_table t = {0};
	struct bc_run_info info;
	struct bc_report_files files;
	bc_audit_table_checks(o, s, NULL, NULL, &b);
	if (b.oom || load(b.s, b.len, &t) < 0) {
		free(b.s);
		return BC_EXIT_BAD_INPUT;
	}
	bc_runner_describe(r, &info);
	report_files(o, &files);
	json_t *root = bc_report_files_any(&files) ? bc_results_new(&info) : NULL;
	if (root)
		bc_results_add_table(root, &t);
	struct collect k = {.root = root, .info = &info};
	int jobs = o->jobs > 0 ? o->jobs : (int)sysconf(_SC_NPROCESSORS_ONLN);
	int n = run_table(r, &t, o->only, jobs, &k);
	int rc = 0;
	if (n <= 0) {
		fprintf(stderr, n == 0 ? "bindcheck audit: no check matches --only '%s'\n" : "bindcheck audit: out of memory\n",
			o->only ? o->only : "");
		rc = BC_EXIT_BAD_INPUT;
	} else {
		rc = bc_audit_card(o, s, k.res, n, now_s() - t0) ? 1 : 0;
		bc_cli_flush_stdout();
		if (o->emit && bc_audit_emit(o, s, b.s, k.res, n) < 0)
			rc = BC_EXIT_BAD_INPUT;
	}
	int sig = bc_cli_interrupted_by();
	if (sig)
		fprintf(stderr, "bindcheck audit: interrupted by %s after %d of %d checks; the card and the reports hold those\n",
			bc_cli_signal_name(sig), n > 0 ? n : 0, t.ncases);
	if (root) {
		bc_results_finish(root);
		if (sig)
			bc_results_mark_interrupted(root, bc_cli_signal_name(sig), n);
		if (bc_report_write_run(root, &files) < 0)
			rc = BC_EXIT_BAD_INPUT;
		json_decref(root);
	}
	free(k.res);
	bc_table_free(&t);
	free(b.s);
	return sig ? 128 + sig : rc;
}

int bc_cli_audit(int argc, char **argv, const char *prog)
{
	struct audit_opts o;
	struct audit_seen s;
	struct bc_runner r;
	int rc = parse(argc, argv, &o);
	if (rc)
		return rc > 0 ? 0 : BC_EXIT_BAD_INPUT;
	if (!runnable(o.argv[0])) {
		fprintf(stderr, "bindcheck audit: %s: %s; hint: give a path, or a program in PATH\n", o.argv[0],
			strchr(o.argv[0], '/') ? "no such executable file" : "command not found");
		return BC_EXIT_BAD_INPUT;
	}
	double t0 = now_s();
	bc_runner_init(&r, prog);
	r.timeout_ms = o.timeout_ms;
	r.time_scale = 1.0;
	r.pooled = true;
	r.isolation = BC_ISO_AUTO;
	r.stop = bc_cli_catch_interrupts();
	if ((rc = observe(&r, &o, &s)) != 0)
		return rc;
	return checks(&r, &o, &s, t0);
}
