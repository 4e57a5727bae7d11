/* results_count: how many cases a results file holds, for the report tests
 * (test_reports.c).  Under Memcheck, reading a 3 MB results.json takes
 * seconds: there the count comes from this program started again, which
 * Memcheck does not follow (`bc_suite --results-cases PATH`), natively. */
#define _DEFAULT_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec/guard.h"
#include "report/check.h"
#include "suite.h"

static long cases_here(const char *path)
{
	json_error_t err;
	char why[256];
	json_t *root = json_load_file(path, 0, &err);
	long n = root && bc_results_check(root, why, sizeof(why)) == 0 ? (long)json_array_size(json_object_get(root, "cases")) : -1;
	json_decref(root);
	return n;
}

int bc_suite_results_cases_main(int argc, char **argv)
{
	if (argc != 3 || strcmp(argv[1], "--results-cases") != 0)
		return -1;
	printf("%ld\n", cases_here(argv[2]));
	return 0;
}

long bc_suite_results_cases(const char *path, const char *dir)
{
	char *end = NULL;
	const char *self = bc_guard_under_valgrind() ? bc_suite_self() : NULL;
	if (!self)
		return cases_here(path);
	char *argv[] = {(char *)self, "--results-cases", (char *)path, NULL};
	struct bc_suite_out r = bc_suite_exec(dir, argv, NULL, NULL);
	long n = r.status == 0 ? strtol(r.out, &end, 10) : -2;
	if (r.status != 0 || end == r.out || *end != '\n')
		n = -2;
	bc_suite_out_free(&r);
	return n;
}
