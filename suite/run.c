/* run: runs the CUnit registry as CUnit's basic mode does (same output),
 * with a time limit on every test and on every suite's init function.
 *
 * CUnit's basic mode sets its own test handlers, so it cannot be given a
 * timer; these handlers print what basic mode prints and arm one.  When a
 * test passes its limit, SIGALRM records a fatal CUnit failure, which
 * longjmps out of the test (CUnit's setjmp does not save the signal mask,
 * hence SA_NODEFER: the signal must not stay blocked); the test is failed,
 * every child the suite has but those kept (bc_suite_keep_child) is
 * killed, and the run goes on.  A suite's init function (a table's run)
 * is limited through bc_suite_run_limited.  Should the handler itself get
 * stuck, a second expiry ends the process with a message rather than
 * hang `make check`. */
#define _GNU_SOURCE /* __WALL */
#include <CUnit/Basic.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exec/guard.h"
#include "exec/runner.h"
#include "exec/sandbox.h"
#include "suite.h"
#include "table/table.h"

#define DEFAULT_LIMIT_S 300.0
#define STUCK_GRACE_S 10

static double limit_s = DEFAULT_LIMIT_S;
static bool verbose;
static volatile sig_atomic_t expired, in_test;
static sigjmp_buf *volatile limited_jmp;
static pid_t keep[8];
static int nkeep;

/* The slowest test or init function, for the closing lines. */
static double slowest_s;
static char slowest[256];
static struct timespec started;

double bc_suite_limit_s(void)
{
	return limit_s;
}

void bc_suite_keep_child(pid_t pid)
{
	if (pid > 0 && nkeep < (int)(sizeof(keep) / sizeof(keep[0])))
		keep[nkeep++] = pid;
}

/* A bindcheck a test killed leaves its workers to this process (a child
 * subreaper): they end by themselves (PR_SET_PDEATHSIG, their PID
 * namespace's end) and wait here to be reaped.  After every test, those
 * that have ended are; none is killed, and the kept ones are left alone. */
static void reap_ended(void)
{
	pid_t kids[256];
	int n = bc_guard_children(kids, 256);
	for (int i = 0; i < n; i++) {
		bool kept = false;
		for (int k = 0; k < nkeep && !kept; k++)
			kept = keep[k] == kids[i];
		if (!kept)
			waitpid(kids[i], NULL, WNOHANG | __WALL);
	}
}

static void set_timer(double s)
{
	struct itimerval it = {{0, 0}, {(time_t)s, (suseconds_t)((s - (double)(time_t)s) * 1e6)}};
	if (s > 0 && it.it_value.tv_sec == 0 && it.it_value.tv_usec == 0)
		it.it_value.tv_usec = 1;
	setitimer(ITIMER_REAL, &it, NULL);
}

static void on_alarm(int sig)
{
	(void)sig;
	if (expired) {
		static const char msg[] = "\nbc_suite: a test passed its time limit and could not be stopped; giving up\n";
		if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
			_exit(3);
		_exit(3);
	}
	expired = 1;
	set_timer(STUCK_GRACE_S);
	if (limited_jmp)
		siglongjmp(*limited_jmp, 1);
	if (in_test) {
		char msg[128];
		snprintf(msg, sizeof(msg), "the test passed its time limit of %g s (BC_TEST_TIMEOUT_S) and was stopped",
			 limit_s);
		CU_assertImplementation(CU_FALSE, 0, msg, "(time limit)", "", CU_TRUE); /* longjmps */
	}
	/* Between tests: nothing to stop. */
	expired = 0;
	set_timer(0);
}

static double since(const struct timespec *t0)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

static void note_time(const char *suite, const char *test, double s)
{
	if (s > slowest_s) {
		slowest_s = s;
		snprintf(slowest, sizeof(slowest), "%s/%s", suite, test);
	}
}

void bc_suite_note_slowest(const char *name, double s)
{
	if (s > slowest_s) {
		slowest_s = s;
		snprintf(slowest, sizeof(slowest), "%s", name);
	}
}

double bc_suite_slowest(char *name, size_t n)
{
	snprintf(name, n, "%s", slowest);
	return slowest_s;
}

/* After a stopped test or init: its children, and theirs, are killed. */
static void stopped(void)
{
	set_timer(0);
	int n = bc_guard_reap(keep, nkeep);
	if (n)
		printf("\nbc_suite: killed %d process%s the stopped code left\n", n, n == 1 ? "" : "es");
	expired = 0;
}

int bc_suite_run_limited(void (*fn)(void *), void *arg, double extra_s)
{
	sigjmp_buf env;
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (sigsetjmp(env, 1)) {
		limited_jmp = NULL;
		stopped();
		return -1;
	}
	limited_jmp = &env;
	set_timer(limit_s + extra_s);
	fn(arg);
	set_timer(0);
	limited_jmp = NULL;
	CU_pSuite s = CU_get_current_suite();
	note_time(s ? s->pName : "?", "(init)", since(&t0));
	return 0;
}

/* CPU time of this process and of the children it waited for. */
static double cpu_s(void)
{
	struct rusage self, kids;
	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	return (double)(self.ru_utime.tv_sec + self.ru_stime.tv_sec + kids.ru_utime.tv_sec + kids.ru_stime.tv_sec) +
	       (double)(self.ru_utime.tv_usec + self.ru_stime.tv_usec + kids.ru_utime.tv_usec + kids.ru_stime.tv_usec) / 1e6;
}

static double cpu_started;

static void test_start(const CU_pTest test, const CU_pSuite suite)
{
	static CU_pSuite last;
	if (verbose) {
		if (suite != last)
			printf("\nSuite: %s", suite->pName);
		printf("\n  Test: %s ...", test->pName);
	}
	last = suite;
	clock_gettime(CLOCK_MONOTONIC, &started);
	cpu_started = verbose ? cpu_s() : 0;
	expired = 0;
	in_test = 1;
	set_timer(limit_s);
}

/* Progress: one line per suite as it ends, with its own counts and wall
 * time (its init function, where a table runs, included). */
static struct timespec suite_started, run_started;
static unsigned suite_failed, suite_index;
static bool dangling; /* CUnit's failure lines end where the next begins */

void bc_suite_set_index(unsigned i)
{
	suite_index = i - 1;
}

static void suite_start(const CU_pSuite suite)
{
	(void)suite;
	suite_failed = 0;
	suite_index++;
	clock_gettime(CLOCK_MONOTONIC, &suite_started);
}

static void suite_complete(const CU_pSuite suite, const CU_pFailureRecord failures)
{
	unsigned skipped = 0, total = CU_get_registry()->uiNumberOfSuites;
	(void)failures;
	for (CU_pTest t = suite->pTest; t; t = t->pNext)
		skipped += !t->fActive;
	printf("%s[%*u/%u] %-30s %4u tests, %u failed, %u skipped %7.1f s\n", dangling || verbose ? "\n" : "",
	       total >= 100 ? 3 : 2, suite_index, total, suite->pName, suite->uiNumberOfTests, suite_failed, skipped,
	       since(&suite_started));
	dangling = false;
}

static void test_complete(const CU_pTest test, const CU_pSuite suite, const CU_pFailureRecord failures)
{
	suite_failed += failures != NULL;
	dangling |= failures != NULL;
	in_test = 0;
	set_timer(0);
	reap_ended();
	note_time(suite->pName, test->pName, since(&started));
	if (expired)
		stopped();
	if (!failures) {
		if (verbose)
			printf("passed (%.2f s, CPU %.2f s)", since(&started), cpu_s() - cpu_started);
		return;
	}
	if (verbose)
		printf("FAILED");
	else
		printf("\nSuite %s, Test %s had failures:", suite->pName, test->pName);
	int i = 1;
	for (CU_pFailureRecord f = failures; f; f = f->pNext, i++)
		printf("\n    %d. %s:%u  - %s", i, f->strFileName ? f->strFileName : "", f->uiLineNumber,
		       f->strCondition ? f->strCondition : "");
}

static void all_complete(const CU_pFailureRecord failures)
{
	(void)failures;
	printf("\n\n");
	CU_print_run_results(stdout);
	printf("\n");
}

static void init_failed(const CU_pSuite suite)
{
	printf("\nWARNING - Suite initialization failed for '%s'.", suite->pName);
	dangling = true;
}

static void cleanup_failed(const CU_pSuite suite)
{
	printf("\nWARNING - Suite cleanup failed for '%s'.", suite->pName);
	dangling = true;
}

int bc_suite_limit_init(void)
{
	const char *env = getenv("BC_TEST_TIMEOUT_S");
	if (env && *env) {
		char *end;
		double v = strtod(env, &end);
		if (*end || !(v > 0) || v > 86400) {
			fprintf(stderr, "bc_suite: bad BC_TEST_TIMEOUT_S '%s'; hint: seconds, as 300 or 0.5\n", env);
			return -1;
		}
		limit_s = v;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sa.sa_flags = SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGALRM, &sa, NULL);
}

/* The closing table, as CUnit's basic mode prints it (CU_print_run_results),
 * of every suite's counts added up. */
static void print_totals(const struct bc_suite_totals *t)
{
	unsigned suites = CU_get_registry()->uiNumberOfSuites, tests = CU_get_registry()->uiNumberOfTests;
	printf("\n\nRun Summary:    Type  Total    Ran Passed Failed Inactive\n");
	printf("%20s%7u%7u%7s%7u%9u\n", "suites", suites, t->suites_run, "n/a", t->suites_failed, suites - t->suites_run);
	if (bc_suite_left_out())
		printf("%20s%7d (BC_SUITES)\n", "left out", bc_suite_left_out());
	printf("%20s%7u%7u%7u%7u%9u\n", "tests", tests, t->tests_run, t->tests_run - t->tests_failed, t->tests_failed,
	       t->tests_inactive);
	printf("%20s%7u%7u%7u%7u%9s\n\n", "asserts", t->asserts, t->asserts, t->asserts - t->asserts_failed,
	       t->asserts_failed, "n/a");
}

/* A skipped (inactive) test leaves CUE_TEST_INACTIVE behind: that is a
 * skip, not a framework error; a suite whose init failed is counted in
 * suites_failed. */
void bc_suite_totals_add(struct bc_suite_totals *tot, const CU_RunSummary *r, CU_ErrorCode err)
{
	tot->suites_run += r->nSuitesRun;
	tot->suites_failed += r->nSuitesFailed;
	tot->tests_run += r->nTestsRun;
	tot->tests_failed += r->nTestsFailed;
	tot->tests_inactive += r->nTestsInactive;
	tot->asserts += r->nAsserts;
	tot->asserts_failed += r->nAssertsFailed;
	tot->framework_error |= err != CUE_SUCCESS && err != CUE_TEST_INACTIVE && err != CUE_SINIT_FAILED;
}

void bc_suite_run(bool be_verbose, int jobs, struct bc_suite_totals *tot)
{
	memset(tot, 0, sizeof(*tot));
	verbose = be_verbose;
	setvbuf(stdout, NULL, _IONBF, 0);
	setvbuf(stderr, NULL, _IONBF, 0);
	printf("\n\n     CUnit - A unit testing framework for C - Version " CU_VERSION "\n     http://cunit.sourceforge.net/\n\n");
	if (jobs > 1)
		printf("bc_suite: %d suites at a time (BC_SUITE_JOBS), each printed whole as it ends\n", jobs);
	clock_gettime(CLOCK_MONOTONIC, &run_started);
	CU_set_suite_start_handler(suite_start);
	CU_set_suite_complete_handler(suite_complete);
	CU_set_test_start_handler(test_start);
	CU_set_test_complete_handler(test_complete);
	CU_set_all_test_complete_handler(jobs > 1 ? NULL : all_complete);
	CU_set_suite_init_failure_handler(init_failed);
	CU_set_suite_cleanup_failure_handler(cleanup_failed);
	if (jobs > 1 && bc_suite_run_parallel(jobs, tot) == 0) {
		print_totals(tot);
	} else {
		if (jobs > 1)
			printf("bc_suite: cannot run suites in parallel (%s); one at a time\n", strerror(errno));
		CU_set_all_test_complete_handler(all_complete);
		CU_run_all_tests();
		bc_suite_totals_add(tot, CU_get_run_summary(), CU_get_error());
	}
	printf("bc_suite: wall time %.1f s, CPU time %.1f s (this process and the children it waited for)\n",
	       since(&run_started), cpu_s());
	if (slowest[0])
		printf("bc_suite: slowest: %s, %.1f s (the limit is %g s)\n", slowest, slowest_s, limit_s);
}

void bc_suite_skip(CU_pTest test, const char *suite, const char *why)
{
	CU_set_test_active(test, CU_FALSE);
	/* During the run CUnit's lines end where the next begins. */
	printf("%sskip %s/%s: %s\n", CU_is_test_running() ? "\n" : "", suite, test->pName, why);
}

int bc_suite_add_test_unless(CU_pSuite s, const char *name, CU_TestFunc fn, const char *why)
{
	CU_pTest t = CU_add_test(s, name, fn);
	if (!t)
		return -1;
	if (why)
		bc_suite_skip(t, s->pName, why);
	return 0;
}

int bc_suite_skip_by_name(const char *suite, const char *name, const char *why)
{
	CU_pSuite s = CU_get_suite_by_name(suite, CU_get_registry());
	CU_pTest t = s ? CU_get_test_by_name(name, s) : NULL;
	if (!t) {
		fprintf(stderr, "bc_suite: no test %s/%s to skip\n", suite, name);
		return -1;
	}
	if (t->fActive)
		bc_suite_skip(t, suite, why);
	return 0;
}

int bc_suite_add_netns_test(CU_pSuite s, const char *name, CU_TestFunc fn)
{
	static struct bc_sandbox_caps caps;
	static bool probed;
	if (!probed) {
		bc_sandbox_probe(&caps);
		probed = true;
	}
	return bc_suite_add_test_unless(s, name, fn, caps.private_net ? NULL : caps.reason);
}

const char *bc_suite_row_skip(const char *path, const char *id, char *why, size_t n)
{
	struct bc_runner r;
	struct bc_table t;
	struct bc_diags d = {0};
	const char *skip = "the row is not in its table";
	bc_runner_init(&r, "bindcheck");
	bc_table_load(path, &t, &d);
	for (int i = 0; i < t.ncases; i++)
		if (strcmp(t.cases[i].id, id) == 0)
			skip = bc_runner_skip_reason(&r, &t.cases[i], why, n);
	bc_table_free(&t);
	bc_diags_free(&d);
	return skip;
}
