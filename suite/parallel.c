/* parallel: the registry's suites on several processes at once.
 *
 * Everything is registered once, in this process; then BC_SUITE_JOBS
 * runner processes (default: two per CPU, plus one, since many suites wait
 * on a child more than they compute: on 2 CPUs, 5 runners took 0.78x the
 * wall time of 3; one per CPU under Memcheck) are forked from it, each
 * with the whole registry.  A runner takes the next suite no other runner took (one
 * counter in shared memory), runs it with CU_run_suite under the same
 * handlers and time limits as a sequential run (run.c), and writes the
 * suite's counts back; its stdout and stderr go to a file of that suite's
 * own, which this process prints whole when the suite is done, so that
 * suites never interleave their lines.  Suites are handed out slowest
 * first, by their wall time in the last run (build/bc_suite.times, next to
 * the program; registry order when there is none), so that a long suite
 * does not start last.  The last registered suite (host/unchanged, which
 * compares the host with how it was before everything else ran) runs here,
 * after every runner ended.
 *
 * What this asks of a suite: nothing it did not ask before.  A suite's
 * tests still run in order, in one process, with its init and cleanup;
 * suites may not depend on each other's leftovers (each makes its own
 * scratch directory) and may not take fixed host resources.  A new unit
 * suite is added to main.c's units table and runs in parallel with the
 * others without more.
 *
 * BC_SUITES=PATTERN[,PATTERN...] (fnmatch patterns, as
 * "cases/faults,unit/re?orts") runs only the suites it names, to look at a
 * few; the Run Summary says how many were left out.  (With one job, CUnit
 * runs every suite itself, and BC_SUITES is not read.)
 *
 * A runner that ends with an error (a crash, or Memcheck's exit status 99
 * under make check-valgrind, whose runners are silent after the fork)
 * fails the run and names the suites it ran: run them alone (bc_suite with
 * BC_SUITE_JOBS=1) to see why.  A runner also counts its fds before its
 * first suite and after its last: host/unchanged fails when it ends with
 * more. */
#define _GNU_SOURCE /* O_TMPFILE */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exec/guard.h"
#include "suite.h"

#define MAX_JOBS 16
#define MAX_SUITES 512

enum { WAITING, RUNNING, DONE };

struct slot {
	int state, runner;
	unsigned tests_run, tests_failed, tests_inactive, asserts, asserts_failed, suites_failed;
	int err;
	double wall_s, slowest_s;
	char slowest[256];
};

struct shared {
	unsigned next;
	int fds_before[MAX_JOBS], fds_after[MAX_JOBS];
	int order[MAX_SUITES];
	struct slot slot[MAX_SUITES];
};

static struct shared *sh;
static int left_out;
static CU_pSuite suites[MAX_SUITES];
static int nsuites, out_fd[MAX_SUITES];
static char leak_msg[512];

int bc_suite_jobs(void)
{
	const char *env = getenv("BC_SUITE_JOBS");
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	/* Under Memcheck the suites compute rather than wait: one per CPU. */
	cpus = cpus > 0 ? cpus : 1;
	long n = env && *env ? strtol(env, NULL, 10) : bc_guard_under_valgrind() ? cpus : 2 * cpus + 1;
	return n < 1 ? 1 : n > MAX_JOBS ? MAX_JOBS : (int)n;
}

const char *bc_suite_runner_leaks(void)
{
	return leak_msg[0] ? leak_msg : NULL;
}

/* --- the order: slowest first, as the last run found them ------------------ */

static char times_path[4096];

static double last_time(const char *name)
{
	FILE *f = fopen(times_path, "re");
	char line[512];
	double t = -1;
	size_t k = strlen(name);
	while (f && t < 0 && fgets(line, sizeof(line), f))
		if (strncmp(line, name, k) == 0 && line[k] == '\t')
			t = strtod(line + k + 1, NULL);
	if (f)
		fclose(f);
	return t;
}

static void plan_order(void)
{
	double cost[MAX_SUITES];
	const char *self = bc_suite_self();
	snprintf(times_path, sizeof(times_path), "%s%s", self ? self : "", self ? ".times" : "");
	for (int i = 0; i < nsuites; i++) {
		sh->order[i] = i;
		cost[i] = self ? last_time(suites[i]->pName) : -1;
	}
	/* A stable insertion sort: unknown (new) suites keep registry order,
	 * before the known ones, which go slowest first. */
	for (int i = 1; i < nsuites; i++)
		for (int j = i; j > 0 && cost[sh->order[j]] > cost[sh->order[j - 1]] && cost[sh->order[j - 1]] >= 0; j--) {
			int t = sh->order[j];
			sh->order[j] = sh->order[j - 1];
			sh->order[j - 1] = t;
		}
}

static void save_times(void)
{
	char tmp[4200];
	if (!times_path[0])
		return;
	snprintf(tmp, sizeof(tmp), "%s.%d", times_path, (int)getpid());
	FILE *f = fopen(tmp, "we");
	for (int i = 0; f && i < nsuites; i++)
		if (sh->slot[i].state == DONE)
			fprintf(f, "%s\t%.3f\n", suites[i]->pName, sh->slot[i].wall_s);
	if (f && fclose(f) == 0 && rename(tmp, times_path) == 0)
		return;
	unlink(tmp);
}

/* --- a runner -------------------------------------------------------------- */

static void run_one(int k, int i)
{
	struct slot *s = &sh->slot[i];
	struct timespec t0, t1;
	s->runner = k;
	__atomic_store_n(&s->state, RUNNING, __ATOMIC_SEQ_CST);
	fflush(NULL);
	dup2(out_fd[i], STDOUT_FILENO);
	dup2(out_fd[i], STDERR_FILENO);
	bc_suite_set_index((unsigned)i + 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	s->err = CU_run_suite(suites[i]);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	const CU_pRunSummary r = CU_get_run_summary();
	s->tests_run = r->nTestsRun;
	s->tests_failed = r->nTestsFailed;
	s->tests_inactive = r->nTestsInactive;
	s->asserts = r->nAsserts;
	s->asserts_failed = r->nAssertsFailed;
	s->suites_failed = r->nSuitesFailed;
	s->wall_s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	s->slowest_s = bc_suite_slowest(s->slowest, sizeof(s->slowest));
	fflush(NULL);
	__atomic_store_n(&s->state, DONE, __ATOMIC_SEQ_CST);
}

static void runner(int k, int done)
{
	/* Orphans of this runner's tests come back to it (as they came to
	 * the one process before), and the runner's tests may rely on it. */
	bc_guard_become_reaper();
	sh->fds_before[k] = bc_guard_count_fds();
	for (;;) {
		unsigned n = __atomic_fetch_add(&sh->next, 1, __ATOMIC_SEQ_CST);
		if (n >= (unsigned)nsuites)
			break;
		int i = sh->order[n];
		run_one(k, i);
		if (write(done, &i, sizeof(i)) != (ssize_t)sizeof(i))
			break;
	}
	sh->fds_after[k] = bc_guard_count_fds();
	_exit(0);
}

/* --- this process ---------------------------------------------------------- */

static void print_suite(int i)
{
	char buf[65536];
	ssize_t n;
	off_t at = 0;
	while ((n = pread(out_fd[i], buf, sizeof(buf), at)) > 0) {
		at += n;
		for (ssize_t w = 0, m; w < n; w += m)
			if ((m = write(STDOUT_FILENO, buf + w, (size_t)(n - w))) <= 0)
				break;
	}
	close(out_fd[i]);
	out_fd[i] = -1;
}

/* The suites runner k had taken, for the message about how it ended. */
static void runner_ended(int k, int ws, struct bc_suite_totals *tot)
{
	char names[2048] = "";
	size_t off = 0;
	if (WIFEXITED(ws) && WEXITSTATUS(ws) == 0)
		return;
	for (int i = 0; i < nsuites; i++) {
		if (sh->slot[i].state == WAITING || sh->slot[i].runner != k)
			continue;
		if (off < sizeof(names))
			off += (size_t)snprintf(names + off, sizeof(names) - off, " %s", suites[i]->pName);
		if (sh->slot[i].state == RUNNING) {
			sh->slot[i].suites_failed = 1;
			sh->slot[i].state = DONE;
			print_suite(i);
		}
	}
	printf("\nbc_suite: the process that ran%s ended with %s %d%s\n", names, WIFEXITED(ws) ? "status" : "signal",
	       WIFEXITED(ws) ? WEXITSTATUS(ws) : WTERMSIG(ws),
	       WIFEXITED(ws) && WEXITSTATUS(ws) == 99 ? " (Memcheck found errors: run those suites with BC_SUITE_JOBS=1)" : "");
	tot->framework_error = true;
}

static void add_up(struct bc_suite_totals *tot)
{
	for (int i = 0; i < nsuites; i++) {
		const struct slot *s = &sh->slot[i];
		if (s->state != DONE) {
			printf("\nbc_suite: %s did not run\n", suites[i]->pName);
			tot->framework_error = true;
			continue;
		}
		tot->suites_run++;
		tot->suites_failed += s->suites_failed;
		tot->tests_run += s->tests_run;
		tot->tests_failed += s->tests_failed;
		tot->tests_inactive += s->tests_inactive;
		tot->asserts += s->asserts;
		tot->asserts_failed += s->asserts_failed;
		tot->framework_error |= s->err != CUE_SUCCESS && s->err != CUE_TEST_INACTIVE && s->err != CUE_SINIT_FAILED;
		bc_suite_note_slowest(s->slowest, s->slowest_s);
	}
}

/* Is the suite named by BC_SUITES (or is there no BC_SUITES)? */
static bool chosen(const char *name)
{
	const char *env = getenv("BC_SUITES");
	char pat[256];
	if (!env || !*env)
		return true;
	for (const char *p = env; *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] == ',')) {
		snprintf(pat, sizeof(pat), "%.*s", (int)strcspn(p, ","), p);
		if (fnmatch(pat, name, 0) == 0)
			return true;
	}
	return false;
}

int bc_suite_left_out(void)
{
	return left_out;
}

static int start_runners(int jobs, pid_t *pid, int done[2])
{
	for (int i = 0; i < nsuites; i++)
		out_fd[i] = -1;
	for (int i = 0; i < nsuites; i++) {
		out_fd[i] = open("/tmp", O_TMPFILE | O_RDWR | O_APPEND | O_CLOEXEC, 0600);
		if (out_fd[i] < 0)
			break;
	}
	if ((nsuites && out_fd[nsuites - 1] < 0) || pipe2(done, O_CLOEXEC) < 0) {
		int e = errno;
		for (int i = 0; i < nsuites; i++)
			if (out_fd[i] >= 0)
				close(out_fd[i]);
		errno = e;
		return -1; /* nothing started: the caller runs the suites one at a time */
	}
	fflush(NULL);
	for (int k = 0; k < jobs; k++) {
		pid[k] = fork();
		if (pid[k] == 0) {
			close(done[0]);
			runner(k, done[1]);
		}
	}
	close(done[1]);
	return 0;
}

int bc_suite_run_parallel(int jobs, struct bc_suite_totals *tot)
{
	pid_t pid[MAX_JOBS];
	int done[2], i;
	CU_pSuite last = NULL;
	for (CU_pSuite s = CU_get_registry()->pSuite; s; s = s->pNext)
		if (!chosen(s->pName))
			left_out++;
		else if (s->pNext && nsuites < MAX_SUITES)
			suites[nsuites++] = s;
		else
			last = s;
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return -1;
	plan_order();
	if (jobs > nsuites)
		jobs = nsuites > 0 ? nsuites : 1;
	if (start_runners(jobs, pid, done) < 0) {
		munmap(sh, sizeof(*sh));
		return -1;
	}
	while (read(done[0], &i, sizeof(i)) == (ssize_t)sizeof(i))
		if (i >= 0 && i < nsuites && out_fd[i] >= 0)
			print_suite(i);
	close(done[0]);
	for (int k = 0; k < jobs; k++) {
		int ws = 0;
		while (pid[k] > 0 && waitpid(pid[k], &ws, 0) < 0 && errno == EINTR)
			;
		runner_ended(k, ws, tot);
		if (sh->fds_after[k] > sh->fds_before[k] && strlen(leak_msg) < sizeof(leak_msg) / 2)
			snprintf(leak_msg + strlen(leak_msg), sizeof(leak_msg) - strlen(leak_msg),
				 "%sa runner process started its suites with %d open fds and ended with %d", leak_msg[0] ? "; " : "",
				 sh->fds_before[k], sh->fds_after[k]);
	}
	for (i = 0; i < nsuites; i++)
		if (out_fd[i] >= 0)
			close(out_fd[i]);
	add_up(tot);
	save_times();
	munmap(sh, sizeof(*sh));
	if (last) {
		bc_suite_set_index((unsigned)nsuites + 1);
		CU_ErrorCode err = CU_run_suite(last);
		bc_suite_totals_add(tot, CU_get_run_summary(), err);
	}
	return 0;
}
