/* suite: the CUnit program behind `make check`.  Each file registers one
 * CUnit suite of unit tests; tables.c registers one suite per case table. */
#ifndef BC_SUITE_H
#define BC_SUITE_H

#include <CUnit/CUnit.h>

#include "model/case.h"

int bc_suite_values(void);
int bc_suite_table(void);
int bc_suite_verdict(void);
int bc_suite_sandbox(void);
int bc_suite_results(void);
int bc_suite_runner(void);
int bc_suite_cli(void);
int bc_suite_profile(void);
int bc_suite_hostile(void);
/* Registered last: compares the host's state with the one at start. */
int bc_suite_host(void);
/* One CUnit suite per table found under the given paths; one test per row. */
int bc_suite_tables(char *const *paths, int npaths);
void bc_suite_tables_done(void);
/* Rows that turned out skipped only when they ran (CUnit counts them passed). */
unsigned bc_suite_runtime_skips(void);

/* A failing assertion whose message is built at run time (CU_ASSERT would
 * only print the expression). */
void bc_failf(unsigned line, const char *file, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
#define BC_FAILF(...) bc_failf(__LINE__, __FILE__, __VA_ARGS__)

/* A test that runs cases: where no private network namespace can be made
 * it is registered inactive (CUnit's skip, not a pass) and says why.  The
 * sandbox is probed once for all suites. */
int bc_suite_add_netns_test(CU_pSuite s, const char *name, CU_TestFunc fn);
#define BC_ADD_NETNS(suite, fn)                                           \
	do {                                                              \
		if (bc_suite_add_netns_test((suite), #fn, (fn)) < 0)      \
			return -1;                                        \
	} while (0)

/* The case with this id in t, NULL when there is none. */
const struct bc_case *bc_suite_find_case(const struct bc_table *t, const char *id);
/* A suite's own table: text, or the file at path when text is NULL.  Its
 * diagnostics are printed; 0 when it read cleanly into exactly ncases. */
int bc_suite_read_table(const char *path, const char *text, struct bc_table *t, int ncases);

#define BC_ADD(suite, fn)                                 \
	do {                                              \
		if (!CU_add_test((suite), #fn, (fn)))     \
			return -1;                        \
	} while (0)

#endif
