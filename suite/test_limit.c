/* The per-test time limit (run.c).  unit/limit runs this program again as
 * `bc_suite --limit-selftest` with a limit of 0.3 s: that mode registers a
 * test that hangs (after starting a child that hangs too), a test that
 * passes, and a suite whose init function hangs.  The hung test and the
 * hung init must fail, the run must go on to the end and say so in its
 * closing line, and the hung child must be gone: one suite at a time, and
 * with the suites on runner processes (BC_SUITE_JOBS=2). */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec/guard.h"
#include "suite.h"

#define SELFTEST_LIMIT "0.3"
#define SELFTEST_WAIT_MS 10000

/* --- what --limit-selftest runs ------------------------------------------ */

static void hang_with_a_child(void)
{
	fflush(NULL);
	pid_t kid = fork();
	if (kid == 0) {
		close(STDOUT_FILENO); /* so that the reader's EOF does not wait for it */
		for (;;)
			pause();
	}
	printf("\nhung child %d\n", (int)kid);
	for (;;)
		pause();
}

static void runs_after_the_hang(void)
{
	CU_PASS("the run went on");
}

static bool init_stopped;

static void hang(void *arg)
{
	(void)arg;
	for (;;)
		pause();
}

/* As a table's init does: run (here: hang), then make a test that turned
 * out not to apply inactive. */
static int hanging_init(void)
{
	init_stopped = bc_suite_run_limited(hang, NULL, 0) < 0;
	CU_pSuite s = CU_get_current_suite();
	CU_pTest t = s ? CU_get_test_by_name("skipped_by_init", s) : NULL;
	if (t)
		bc_suite_skip(t, s->pName, "found not to apply when the suite's init ran");
	return 0;
}

static void init_was_stopped(void)
{
	if (init_stopped)
		BC_FAILF("the init function was stopped at its time limit");
}

static void must_not_run(void)
{
	BC_FAILF("an inactive test ran");
}

int bc_suite_limit_selftest(void)
{
	bc_guard_become_reaper();
	CU_pSuite s = CU_add_suite("limit/test", NULL, NULL), i;
	if (!s || !CU_add_test(s, "hangs", hang_with_a_child) || !CU_add_test(s, "runs_after_the_hang", runs_after_the_hang) ||
	    bc_suite_add_test_unless(s, "skipped_at_registration", must_not_run, "cannot run here") < 0)
		return -1;
	i = CU_add_suite("limit/init", hanging_init, NULL);
	return i && CU_add_test(i, "init_was_stopped", init_was_stopped) && CU_add_test(i, "skipped_by_init", must_not_run)
		       ? 0
		       : -1;
}

/* --- the test ------------------------------------------------------------- */

static const char *self;

static char *run_selftest(int *rc, const char *jobs)
{
	int p[2];
	char *buf = NULL;
	size_t len = 0;
	*rc = -1;
	if (pipe(p) < 0)
		return NULL;
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(p[1], STDOUT_FILENO);
		close(p[0]);
		close(p[1]);
		setenv("BC_TEST_TIMEOUT_S", SELFTEST_LIMIT, 1);
		unsetenv("BC_VERBOSE"); /* the lines looked for below are those of the plain output */
		unsetenv("BC_SUITES");
		setenv("BC_SUITE_JOBS", jobs, 1);
		execl(strchr(self, '/') ? self : "/proc/self/exe", self, "--limit-selftest", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	/* The self-test takes well under a second; a broken limit would hang
	 * it, so it gets SELFTEST_WAIT_MS and is killed after that. */
	FILE *m = open_memstream(&buf, &len);
	struct pollfd pf = {p[0], POLLIN, 0};
	char chunk[4096];
	ssize_t n = 1;
	bool late = false;
	while (m && pid > 0 && n > 0 && !(late = poll(&pf, 1, SELFTEST_WAIT_MS) == 0))
		if ((n = read(p[0], chunk, sizeof(chunk))) > 0)
			fwrite(chunk, 1, (size_t)n, m);
	close(p[0]);
	if (late) {
		kill(pid, SIGKILL);
		fprintf(m, "\n(killed: the self-test did not end within %d ms)\n", SELFTEST_WAIT_MS);
	}
	if (m)
		fclose(m);
	int ws;
	if (pid > 0 && waitpid(pid, &ws, 0) == pid && WIFEXITED(ws))
		*rc = WEXITSTATUS(ws);
	return buf;
}

/* The self-test's runs, made once by the suite's init function: one suite
 * at a time, and on two runner processes (parallel.c), where the first
 * suite runs on a runner and the last in the first process. */
static const char *const jobs[] = {"1", "2"};
static char *out[2];
static int status[2];

static int selftest_init(void)
{
	for (int j = 0; j < 2; j++)
		out[j] = run_selftest(&status[j], jobs[j]);
	return 0;
}

static int selftest_cleanup(void)
{
	for (int j = 0; j < 2; j++) {
		free(out[j]);
		out[j] = NULL;
	}
	return 0;
}

static void hung_test_fails_and_the_run_goes_on(void)
{
	for (int j = 0; j < 2; j++) {
		const char *o = out[j];
		CU_ASSERT_PTR_NOT_NULL_FATAL(o);
		CU_ASSERT_EQUAL(status[j], 1);
		CU_ASSERT_PTR_NOT_NULL(strstr(o, "Suite limit/test, Test hangs had failures:"));
		CU_ASSERT_PTR_NOT_NULL(strstr(o, "the test passed its time limit of " SELFTEST_LIMIT " s"));
		CU_ASSERT_PTR_NOT_NULL(strstr(o, "Suite limit/init, Test init_was_stopped had failures:"));
		CU_ASSERT_PTR_NULL(strstr(o, "Test runs_after_the_hang had failures"));
		/* The hung test's child was killed with it. */
		const char *kid = strstr(o, "hung child ");
		CU_ASSERT_PTR_NOT_NULL_FATAL(kid);
		pid_t pid = (pid_t)atoi(kid + strlen("hung child "));
		CU_ASSERT_FATAL(pid > 1);
		if (kill(pid, 0) == 0 || errno != ESRCH) {
			BC_FAILF("BC_SUITE_JOBS=%s: the hung test's child %d is still alive", jobs[j], (int)pid);
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0); /* it came back to this process, the reaper */
		}
	}
}

/* A test made inactive at registration or by its suite's init function is
 * skipped, in the Run Summary and in the closing line, never passed. */
static void skips_are_counted_as_skips(void)
{
	for (int j = 0; j < 2; j++) {
		const char *o = out[j];
		CU_ASSERT_PTR_NOT_NULL_FATAL(o);
		CU_ASSERT_PTR_NOT_NULL(strstr(o, "skip limit/test/skipped_at_registration: cannot run here\n"));
		CU_ASSERT_PTR_NOT_NULL(strstr(o, "skip limit/init/skipped_by_init: found not to apply when the suite's init ran\n"));
		CU_ASSERT_PTR_NULL(strstr(o, "an inactive test ran"));
		CU_ASSERT_PTR_NOT_NULL(strstr(o, "               tests      5      3      1      2        2\n"));
		if (!strstr(o, "\nbc_suite: 1 passed, 2 failed, 2 skipped\n"))
			BC_FAILF("the self-test's run with BC_SUITE_JOBS=%s:\n%s", jobs[j], o);
	}
}

int bc_suite_limit(const char *argv0)
{
	self = argv0;
	CU_pSuite s = CU_add_suite("unit/limit", selftest_init, selftest_cleanup);
	if (!s)
		return -1;
	BC_ADD(s, hung_test_fails_and_the_run_goes_on);
	BC_ADD(s, skips_are_counted_as_skips);
	return 0;
}
