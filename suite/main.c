/* bc_suite: runs the harness's unit tests and every case table as CUnit
 * tests.  Usage: bc_suite [TABLE|DIR ...] (default: cases).  Exit status 0
 * when every test passed; CUnit itself never sets one. */
#define _POSIX_C_SOURCE 200809L
#include <CUnit/Basic.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/sandbox.h"
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

int bc_suite_add_netns_test(CU_pSuite s, const char *name, CU_TestFunc fn)
{
	static struct bc_sandbox_caps caps;
	static bool probed;
	if (!probed) {
		bc_sandbox_probe(&caps);
		probed = true;
	}
	CU_pTest t = CU_add_test(s, name, fn);
	if (!t)
		return -1;
	if (!caps.private_net) {
		CU_set_test_active(t, CU_FALSE);
		printf("skip %s/%s: %s\n", s->pName, name, caps.reason);
	}
	return 0;
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

int main(int argc, char **argv)
{
	static char *defaults[] = {"cases"};
	const char *verbose = getenv("BC_VERBOSE");
	int rc;

	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "bc_suite: %s\n", CU_get_error_msg());
		return 2;
	}
	if (bc_suite_values() < 0 || bc_suite_table() < 0 || bc_suite_verdict() < 0 || bc_suite_sandbox() < 0 ||
	    bc_suite_results() < 0 || bc_suite_runner() < 0 || bc_suite_cli() < 0 || bc_suite_profile() < 0 || bc_suite_hostile() < 0 || bc_suite_tables(argc > 1 ? argv + 1 : defaults, argc > 1 ? argc - 1 : 1) < 0 ||
	    bc_suite_host() < 0) {
		fprintf(stderr, "bc_suite: cannot register tests: %s\n", CU_get_error_msg());
		CU_cleanup_registry();
		return 2;
	}
	CU_basic_set_mode(verbose && *verbose == '1' ? CU_BRM_VERBOSE : CU_BRM_NORMAL);
	CU_basic_run_tests();
	unsigned failed = CU_get_number_of_tests_failed();
	unsigned ran = CU_get_number_of_tests_run();
	unsigned skipped = CU_get_run_summary()->nTestsInactive + bc_suite_runtime_skips();
	/* A test skipped by making it inactive leaves CUE_TEST_INACTIVE behind:
	 * that is a skip, not a framework error. */
	CU_ErrorCode err = CU_get_error();
	rc = err != CUE_SUCCESS && err != CUE_TEST_INACTIVE ? 2 : failed ? 1 : 0;
	printf("\nbc_suite: %u passed, %u failed, %u skipped\n", ran - failed - bc_suite_runtime_skips(), failed, skipped);
	CU_cleanup_registry();
	bc_suite_tables_done();
	return rc;
}
