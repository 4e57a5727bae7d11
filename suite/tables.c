/* tables: every case table as a CUnit suite, every row as a CUnit test.
 * One function serves all rows; it finds its row by the running test's
 * name.  Rows this platform cannot run are registered inactive (CUnit's
 * "skipped"), with the reason printed.  A table's rows run the way
 * `bindcheck run` runs them, on the worker pool (in place or sandboxed,
 * in parallel), in its suite's init function, under the suite's time
 * limit; rows that come back skipped are then made inactive, before
 * CUnit reaches them, so that they count as skipped and never as passed.
 * Each row's test then judges its own row's result.  The table then runs a
 * second time with --isolation sandbox (every case in a process of its
 * own), and one more test per table wants the same verdicts and
 * observations from both: the fast path may not be the weak path. */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "exec/guard.h"
#include "exec/pool.h"
#include "exec/runner.h"
#include "report/console.h"
#include "suite.h"
#include "table/table.h"

#define SUITE_PREFIX "cases/"
#define READ_TEST "(table reads without errors)"
#define SAME_TEST "(same verdicts with --isolation sandbox)"

/* CUnit glue state: the loaded tables, the runner, and the read errors. */
static struct bc_runner runner;
static struct bc_table *tables;
static int ntables;
static struct bc_diags diags;

static const struct bc_table *current_table(void)
{
	const char *name = CU_get_current_suite()->pName + strlen(SUITE_PREFIX);
	for (int t = 0; t < ntables; t++)
		if (strcmp(tables[t].name, name) == 0)
			return &tables[t];
	return NULL;
}

static void table_reads_cleanly(void)
{
	const struct bc_table *t = current_table();
	char msg[4096];
	size_t off = 0;
	int n = 0;
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	for (int i = 0; i < diags.n; i++) {
		if (strcmp(diags.v[i].file, t->path) != 0)
			continue;
		n++;
		if (off < sizeof(msg))
			off += (size_t)snprintf(msg + off, sizeof(msg) - off, "\n      %s:%d:%d: %s", diags.v[i].file,
						diags.v[i].line, diags.v[i].col, diags.v[i].msg);
	}
	if (n)
		BC_FAILF("%d input error%s in %s:%s", n, n == 1 ? "" : "s", t->path, msg);
}

/* The results of the table whose rows are being tested; stopped when its
 * run passed the time limit. */
static const struct bc_table *ran_table;
static struct bc_case_result *ran, *ran_sandbox;
static bool stopped, stopped_sandbox;

static void keep_result(void *arg, int index, const struct bc_case_result *res)
{
	((struct bc_case_result *)arg)[index] = *res;
}

struct table_run {
	const struct bc_table *t;
	const struct bc_case **list;
	struct bc_case_result *into;
};

static int workers(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

static void run_cases(void *arg)
{
	struct table_run *tr = arg;
	bc_run_cases(&runner, tr->list, tr->t->ncases, workers(), keep_result, tr->into);
}

/* Runs every row of t at the given isolation into a fresh array of results
 * (NULL when out of memory); *was_stopped when the run passed the limit. */
static struct bc_case_result *run_table_as(const struct bc_table *t, enum bc_isolation iso, bool *was_stopped)
{
	struct table_run tr = {t, calloc((size_t)(t->ncases ? t->ncases : 1), sizeof(*tr.list)),
			       calloc((size_t)(t->ncases ? t->ncases : 1), sizeof(*tr.into))};
	*was_stopped = false;
	if (!tr.list || !tr.into) {
		free(tr.list);
		free(tr.into);
		return NULL;
	}
	for (int i = 0; i < t->ncases; i++)
		tr.list[i] = &t->cases[i];
	/* The limit, plus the time the cases may take by their own timeouts
	 * (the runner stops each at its timeout): what is stopped is a run
	 * that hangs beyond them. */
	double own = 0;
	for (int i = 0; i < t->ncases; i++)
		own += t->cases[i].timeout_ms / 1000.0;
	/* Under make check-valgrind the reference path's targets run under
	 * Memcheck (BC_TARGET_VALGRIND) in the run in place; the run with
	 * --isolation sandbox starts the same program with the same faults,
	 * which Memcheck has seen, and compares verdicts: natively. */
	const char *vg = iso == BC_ISO_SANDBOX ? getenv("BC_TARGET_VALGRIND") : NULL;
	char *saved = vg ? strdup(vg) : NULL;
	if (saved)
		unsetenv("BC_TARGET_VALGRIND");
	runner.isolation = iso;
	*was_stopped = bc_suite_run_limited(run_cases, &tr, own / workers()) < 0;
	runner.isolation = BC_ISO_AUTO;
	if (saved)
		setenv("BC_TARGET_VALGRIND", saved, 1);
	free(saved);
	free(tr.list);
	return tr.into;
}

/* What the run with --isolation sandbox leaves in the memory it shares with
 * the suite: whether it was stopped, how many rows its table had, then one
 * result per row. */
struct sandbox_run {
	bool stopped;
	int ncases;
	struct bc_case_result res[];
};

static void run_sandboxed(void *arg, void *mem)
{
	const struct bc_table *t = arg;
	struct sandbox_run *into = mem;
	struct bc_case_result *res = run_table_as(t, BC_ISO_SANDBOX, &into->stopped);
	if (res)
		memcpy(into->res, res, (size_t)t->ncases * sizeof(*res));
	else
		into->stopped = true;
	into->ncases = t->ncases;
	free(res);
}

/* Under Memcheck the run with --isolation sandbox is this program started
 * again, natively (bc_suite_bg_exec): a case child forked under Memcheck
 * translates afresh all the code it runs, some 60 ms a case, and the
 * sandbox's own code is Memcheck's in unit/runner, selftest/hostile and
 * selftest/confine.  It reads the table from its file and runs it as
 * run_sandboxed does; the suite's time limit is kept by the caller, which
 * kills it. */
static struct sandbox_run *start_native(struct bc_suite_bg *bg, const struct bc_table *t, size_t n)
{
	const char *args[] = {"--sandbox-run", t->path, NULL};
	return bc_suite_bg_exec(bg, n, args);
}

int bc_suite_sandbox_main(int argc, char **argv)
{
	static struct bc_table t;
	struct bc_diags d = {0};
	if (argc != 4 || strcmp(argv[1], "--sandbox-run") != 0)
		return -1;
	bc_runner_init(&runner, "build/bindcheck");
	if (bc_suite_limit_init() < 0 || bc_table_load(argv[2], &t, &d) < 0)
		return 2;
	struct sandbox_run *into = bc_suite_bg_attach(argv[3], sizeof(*into) + (size_t)t.ncases * sizeof(into->res[0]));
	if (!into)
		return 2;
	run_sandboxed(&t, into);
	bc_table_free(&t);
	bc_diags_free(&d);
	return 0;
}

struct waited {
	struct bc_suite_bg *bg;
	int rc;
};

static void wait_for(void *arg)
{
	struct waited *w = arg;
	w->rc = bc_suite_bg_wait(w->bg);
}

/* Runs every row of t both ways and keeps the results (ran_table = t).
 * The run with --isolation sandbox goes on in a child of its own
 * (background.c) while the table runs here as bindcheck run would: the
 * two cannot see each other (each case has its namespaces), and a table
 * whose cases mostly wait (targets starting, timeouts) takes half the
 * time. */
static void run_table(const struct bc_table *t)
{
	struct bc_suite_bg bg;
	free(ran);
	free(ran_sandbox);
	ran_table = t;
	ran_sandbox = NULL;
	size_t n = sizeof(struct sandbox_run) + (size_t)t->ncases * sizeof(struct bc_case_result);
	struct sandbox_run *sb = bc_guard_under_valgrind() ? start_native(&bg, t, n)
							   : bc_suite_bg_start(&bg, n, run_sandboxed, (void *)t);
	ran = run_table_as(t, BC_ISO_AUTO, &stopped);
	if (!sb) { /* no child: one run after the other */
		ran_sandbox = run_table_as(t, BC_ISO_SANDBOX, &stopped_sandbox);
		return;
	}
	double own = 0;
	for (int i = 0; i < t->ncases; i++)
		own += t->cases[i].timeout_ms / 1000.0;
	/* A child that did not end normally (stopped, or killed) left no
	 * results: zeroed memory is not a result. */
	struct waited w = {&bg, -1};
	stopped_sandbox = bc_suite_run_limited(wait_for, &w, own / workers()) < 0 || w.rc != 0 || sb->stopped ||
			  sb->ncases != t->ncases;
	if (bg.pid > 0)
		bc_suite_bg_wait(&bg); /* stopped: killed by run.c; reaped here */
	ran_sandbox = calloc((size_t)(t->ncases ? t->ncases : 1), sizeof(*ran_sandbox));
	if (ran_sandbox)
		memcpy(ran_sandbox, sb->res, (size_t)t->ncases * sizeof(*ran_sandbox));
	/* Pointers from another process (the native run) are its own: the
	 * case is ours, and the clause is not read here. */
	for (int i = 0; ran_sandbox && i < t->ncases; i++) {
		ran_sandbox[i].c = &t->cases[i];
		ran_sandbox[i].j.expected = NULL;
	}
	bc_suite_bg_free(&bg);
}

/* The suite's init function: runs the table, then makes the rows that
 * turned out skipped inactive, with the reason. */
static int table_init(void)
{
	const struct bc_table *t = current_table();
	CU_pSuite s = CU_get_current_suite();
	if (!t || !s)
		return 0; /* the rows' tests fail on it */
	run_table(t);
	for (int i = 0; ran && !stopped && i < t->ncases; i++) {
		if (ran[i].j.verdict != BC_SKIP)
			continue;
		CU_pTest test = CU_get_test_by_name(t->cases[i].id, s);
		if (test && test->fActive)
			bc_suite_skip(test, s->pName, ran[i].j.reason);
	}
	return 0;
}

/* A result's observation and reason with the numbers of four digits or
 * more (ephemeral ports, pids, byte counts) masked. */
static void masked(const char *in, char *out, size_t n)
{
	size_t o = 0;
	for (const char *p = in; *p && o + 2 < n;) {
		size_t k = strspn(p, "0123456789");
		if (k >= 4) {
			out[o++] = '#';
			p += k;
		} else if (k) {
			size_t take = k < n - o - 1 ? k : n - o - 1;
			memcpy(out + o, p, take);
			o += take;
			p += k;
		} else {
			out[o++] = *p++;
		}
	}
	out[o] = '\0';
}

static bool same_result(const struct bc_case_result *a, const struct bc_case_result *b)
{
	char x[1024], y[1024];
	if (a->j.verdict != b->j.verdict)
		return false;
	masked(a->j.observed_text, x, sizeof(x));
	masked(b->j.observed_text, y, sizeof(y));
	if (strcmp(x, y) != 0)
		return false;
	masked(a->j.reason, x, sizeof(x));
	masked(b->j.reason, y, sizeof(y));
	return strcmp(x, y) == 0;
}

/* Every row gave the same verdict, observation and reason in the sandbox
 * as it did where the plan put it. */
static void same_in_the_sandbox(void)
{
	const struct bc_table *t = current_table();
	char msg[8192];
	size_t off = 0;
	int differ = 0;
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	if (ran_table != t || !ran || !ran_sandbox || stopped || stopped_sandbox) {
		BC_FAILF("%s: the table did not run both ways", t->name);
		return;
	}
	for (int i = 0; i < t->ncases; i++) {
		const struct bc_case_result *a = &ran[i], *b = &ran_sandbox[i];
		if (b->in_place)
			BC_FAILF("%s/%s ran in place under --isolation sandbox", t->name, t->cases[i].id);
		if (same_result(a, b))
			continue;
		differ++;
		if (off < sizeof(msg))
			off += (size_t)snprintf(msg + off, sizeof(msg) - off,
						"\n      %s/%s: %s: %s %s [%s]; sandbox: %s %s [%s]", t->name, t->cases[i].id,
						a->in_place ? "in place" : "sandbox", bc_verdict_name(a->j.verdict),
						a->j.observed_text, a->j.reason, bc_verdict_name(b->j.verdict),
						b->j.observed_text, b->j.reason);
	}
	if (differ)
		BC_FAILF("%d row%s of %s differ with --isolation sandbox:%s", differ, differ == 1 ? "" : "s", t->name, msg);
}

static void row_test(void)
{
	const struct bc_table *t = current_table();
	const char *id = CU_get_current_test()->pName;
	const struct bc_case *c = NULL;
	int at = -1;
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	for (int i = 0; t && i < t->ncases && !c; i++)
		if (strcmp(t->cases[i].id, id) == 0)
			c = &t->cases[at = i];
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	if (ran_table != t || !ran) {
		BC_FAILF("%s/%s: the table did not run", c->table, c->id);
		return;
	}
	if (stopped) {
		BC_FAILF("%s/%s: the table's run passed its time limit (%g s and its cases' own timeouts) and was stopped",
			 c->table, c->id, bc_suite_limit_s());
		return;
	}
	const struct bc_case_result res = ran[at];
	if (res.j.verdict == BC_SKIP) { /* init makes skipped rows inactive: this one was missed */
		BC_FAILF("%s/%s was skipped (%s), but its test was not made inactive", c->table, c->id, res.j.reason);
		return;
	}
	if (!bc_verdict_is_failure(res.j.verdict))
		return;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f) {
		BC_FAILF("%s/%s: %s (%s)", c->table, c->id, bc_verdict_name(res.j.verdict), res.j.reason);
		return;
	}
	bc_console_print_result(runner.prog, &res, f);
	fclose(f);
	BC_FAILF("%s", text);
	free(text);
}

/* What finding the tables went wrong with; empty when it went well. */
static char find_problem[2048];

static void tables_found(void)
{
	if (find_problem[0])
		BC_FAILF("%s", find_problem);
}

int bc_suite_tables(char *const *paths, int npaths)
{
	char **files;
	int nfiles = bc_table_find(paths, npaths, &files, &diags);
	bc_runner_init(&runner, "build/bindcheck");
	bc_diags_print(&diags, stderr);
	if (nfiles < 0)
		return -1;
	/* A missing or empty cases directory must fail, not pass with no rows. */
	size_t off = 0;
	for (int i = 0; i < diags.n && off < sizeof(find_problem); i++)
		off += (size_t)snprintf(find_problem + off, sizeof(find_problem) - off, "%s:%d:%d: %s\n", diags.v[i].file,
					diags.v[i].line, diags.v[i].col, diags.v[i].msg);
	if (nfiles == 0 && !diags.n)
		snprintf(find_problem, sizeof(find_problem), "no case tables were found");
	CU_pSuite found = CU_add_suite("cases", NULL, NULL);
	if (!found || !CU_add_test(found, "(case tables found)", tables_found))
		return -1;
	tables = calloc((size_t)(nfiles ? nfiles : 1), sizeof(*tables));
	if (!tables)
		return -1;
	for (int i = 0; i < nfiles; i++) {
		int before = diags.n;
		bc_table_load(files[i], &tables[i], &diags);
		ntables++;
		for (int k = before; k < diags.n; k++)
			fprintf(stderr, "%s:%d:%d: %s\n", diags.v[k].file, diags.v[k].line, diags.v[k].col, diags.v[k].msg);
	}
	bc_table_files_free(files, nfiles);

	for (int t = 0; t < ntables; t++) {
		char name[BC_ID_MAX + 16];
		snprintf(name, sizeof(name), SUITE_PREFIX "%s", tables[t].name);
		CU_pSuite s = CU_add_suite(name, table_init, NULL);
		if (!s || !CU_add_test(s, READ_TEST, table_reads_cleanly) ||
		    bc_suite_add_netns_test(s, SAME_TEST, same_in_the_sandbox) < 0)
			return -1;
		for (int i = 0; i < tables[t].ncases; i++) {
			const struct bc_case *c = &tables[t].cases[i];
			char why[256];
			const char *skip = bc_runner_skip_reason(&runner, c, why, sizeof(why));
			if (bc_suite_add_test_unless(s, c->id, row_test, skip) < 0)
				return -1;
		}
	}
	return 0;
}

void bc_suite_tables_done(void)
{
	free(ran);
	free(ran_sandbox);
	for (int t = 0; t < ntables; t++)
		bc_table_free(&tables[t]);
	free(tables);
	bc_diags_free(&diags);
}
