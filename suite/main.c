/* bc_suite: runs the harness's unit tests and every case table as CUnit
 * tests.  Usage: bc_suite [TABLE|DIR ...] (default: cases).  Exit status 0
 * when every test passed, 1 when one failed, 2 when CUnit or a suite's
 * init function failed; CUnit itself never sets one.  A test that cannot
 * run here is inactive (skipped), never passed.  BC_TEST_TIMEOUT_S sets
 * the time limit of each test (run.c).  bc_suite --limit-selftest runs
 * only the deliberately hanging tests that unit/limit checks.
 *
 * Suites run BC_SUITE_JOBS at a time on runner processes (parallel.c);
 * BC_SUITES=PATTERN,... runs only those named (BC_SUITE_JOBS > 1).
 * Adding a unit suite: a file test_NAME.c whose bc_suite_NAME() registers
 * one CUnit suite (its tests run in order, in one process), declared in
 * suite.h and added to the units table below.  Nothing more: it runs in parallel with the
 * others, so it keeps its files in a scratch directory of its own (as
 * mkdtemp("/tmp/bc-NAME-XXXXXX")), and takes no fixed host resource. */
#define _POSIX_C_SOURCE 200809L
#include <CUnit/Basic.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/runner.h"
#include "suite.h"
#include "table/table.h"

void bc_failf(unsigned line, const char *file, const char *fmt, ...)
{
	char msg[8192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	CU_assertImplementation(CU_FALSE, line, msg, file, "", CU_FALSE);
}


int bc_suite_read_table(const char *path, const char *text, struct bc_table *t, int ncases)
{
	struct bc_diags d = {0};
	int n = text ? bc_table_parse(path, text, strlen(text), t, &d) : bc_table_load(path, t, &d);
	bc_diags_print(&d, stderr);
	bc_diags_free(&d);
	return n || t->ncases != ncases;
}

const struct bc_case *bc_suite_find_case(const struct bc_table *t, const char *id)
{
	for (int i = 0; i < t->ncases; i++)
		if (strcmp(t->cases[i].id, id) == 0)
			return &t->cases[i];
	return NULL;
}

/* Append to b what the indented line l of a failure block says, when it
 * is one of the lines that tell why. */
static void detail(FILE *b, const char *l, int len)
{
	static const char *const keys[] = {"why:", "expected:", "observed:"};
	while (len > 0 && *l == ' ')
		l++, len--;
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		if (strncmp(l, keys[k], strlen(keys[k])) == 0)
			fprintf(b, "; %.*s", len, l);
}

int bc_suite_failing_cases(const char *out, char *buf, size_t n)
{
	static const char *const bad[] = {"FAIL ", "ERROR ", "XPASS "};
	int count = 0;
	bool in_block = false;
	if (n < 2)
		return -1;
	buf[0] = buf[n - 1] = '\0';
	FILE *b = fmemopen(buf, n - 1, "w");
	if (!b)
		return -1;
	for (const char *l = out; *l; l += strcspn(l, "\n") + (l[strcspn(l, "\n")] == '\n')) {
		int len = (int)strcspn(l, "\n");
		if (l[0] == ' ') {
			if (in_block)
				detail(b, l, len);
			continue;
		}
		in_block = false;
		for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++)
			if (strncmp(l, bad[k], strlen(bad[k])) == 0)
				in_block = true;
		if (in_block)
			fprintf(b, "%s%.*s", count++ ? "\n        " : "", len, l);
	}
	fclose(b);
	return count;
}

/* The unit and self-test suites, in the order they run; the tables' suites
 * and the host check follow them. */
static int (*const units[])(void) = {
	bc_suite_values,    bc_suite_table,    bc_suite_verdict,   bc_suite_gvisor,   bc_suite_sandbox,
	bc_suite_netns,     bc_suite_results,  bc_suite_matrix,    bc_suite_runner,   bc_suite_cli,
	bc_suite_reports,   bc_suite_input,    bc_suite_profile,   bc_suite_hostile,  bc_suite_confine,
	bc_suite_escape,    bc_suite_timescale, bc_suite_kernels,  bc_suite_generated, bc_suite_manual,
	bc_suite_install,   bc_suite_audit,    bc_suite_target,
};

static int register_all(int argc, char **argv)
{
	static char *defaults[] = {"cases"};
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (units[i]() < 0)
			return -1;
	return bc_suite_limit(argv[0]) < 0 ||
			       bc_suite_tables(argc > 1 ? argv + 1 : defaults, argc > 1 ? argc - 1 : 1) < 0 ||
			       bc_suite_host() < 0
		       ? -1
		       : 0;
}

int main(int argc, char **argv)
{
	const char *verbose = getenv("BC_VERBOSE");
	bool selftest = argc == 2 && strcmp(argv[1], "--limit-selftest") == 0;
	int rc;

	if (bc_suite_watch_main(argc, argv) == 0)
		return 0;
	if ((rc = bc_suite_sandbox_main(argc, argv)) >= 0 || (rc = bc_suite_results_cases_main(argc, argv)) >= 0)
		return rc;
	if (bc_suite_limit_init() < 0)
		return 2;
	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "bc_suite: %s\n", CU_get_error_msg());
		return 2;
	}
	if ((selftest ? bc_suite_limit_selftest() : register_all(argc, argv)) < 0) {
		fprintf(stderr, "bc_suite: cannot register tests: %s\n", CU_get_error_msg());
		CU_cleanup_registry();
		return 2;
	}
	struct bc_suite_totals tot;
	bc_suite_run(verbose && *verbose == '1', bc_suite_jobs(), &tot);
	unsigned failed = tot.tests_failed, ran = tot.tests_run, skipped = tot.tests_inactive;
	/* A suite whose init failed ran none of its tests, which must not
	 * pass quietly. */
	rc = tot.framework_error || tot.suites_failed ? 2 : failed ? 1 : 0;
	/* The closing line: CI reads it.  A skip is never counted as passed. */
	printf("\nbc_suite: %u passed, %u failed, %u skipped\n", ran - failed, failed, skipped);
	CU_cleanup_registry();
	if (!selftest)
		bc_suite_tables_done();
	return rc;
}
