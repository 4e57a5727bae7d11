/* Hostile cases (cases/selftest/hostile.tbl): each misbehaves on purpose;
 * the harness must report it as intended, keep the run going, and leave no
 * process of the case alive.  Every test runs its case both ways: on the
 * pool as `bindcheck run` does (in place in a worker, where the plan puts
 * these steps) and with --isolation sandbox (a process of its own), and
 * wants the same report from both: a guard missing at either level fails
 * here. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exec/guard.h"
#include "exec/pool.h"
#include "exec/runner.h"
#include "exec/sandbox.h"
#include "suite.h"
#include "table/table.h"

#define HOSTILE_TABLE "cases/selftest/hostile.tbl"

static struct bc_runner runner;
static struct bc_table table;

static int setup(void)
{
	bc_runner_init(&runner, "bindcheck");
	runner.pooled = true;
	return bc_suite_read_table(HOSTILE_TABLE, NULL, &table, 9);
}

static int teardown(void)
{
	bc_table_free(&table);
	return 0;
}

static void keep(void *arg, int index, const struct bc_case_result *res)
{
	(void)index;
	*(struct bc_case_result *)arg = *res;
}

/* Run case c on a one-worker pool, in place or sandboxed. */
static void run_case_as(const struct bc_case *c, enum bc_isolation iso, struct bc_case_result *res)
{
	runner.isolation = iso;
	memset(res, 0, sizeof(*res));
	bc_run_cases(&runner, &c, 1, 1, keep, res);
	runner.isolation = BC_ISO_AUTO;
}

/* A sandboxed run in a child of its own (background.c), with its wall
 * time, while the same case runs in place here. */
struct timed {
	struct bc_case_result res;
	long us;
	bool done;
};

static long now_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000L + t.tv_nsec / 1000;
}

static void sandboxed(void *arg, void *mem)
{
	struct timed *t = mem;
	long t0 = now_us();
	run_case_as(arg, BC_ISO_SANDBOX, &t->res);
	t->us = now_us() - t0;
	t->done = true;
}

/* Case id at both levels at once: res[0] in place, res[1] sandboxed, with
 * their wall times in us[] (when not NULL).  The two cannot see each
 * other: each has its namespaces. */
static void run_both_timed(const char *id, struct bc_case_result res[2], long us[2])
{
	struct bc_suite_bg bg;
	const struct bc_case *c = bc_suite_find_case(&table, id);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	struct timed *sb = bc_suite_bg_start(&bg, sizeof(*sb), sandboxed, (void *)c);
	long t0 = now_us();
	run_case_as(c, BC_ISO_AUTO, &res[0]);
	if (us)
		us[0] = now_us() - t0;
	if (!sb) { /* no child: one after the other */
		t0 = now_us();
		run_case_as(c, BC_ISO_SANDBOX, &res[1]);
		if (us)
			us[1] = now_us() - t0;
		return;
	}
	int rc = bc_suite_bg_wait(&bg);
	if (rc != 0 || !sb->done)
		BC_FAILF("%s: the sandboxed run's child did not end normally", id);
	res[1] = sb->res;
	if (us)
		us[1] = sb->us;
	bc_suite_bg_free(&bg);
}

static const char *const level_name[] = {"in place", "in the sandbox"};

/* The two runs, and a check that each ran at the level it was meant to. */
static void run_both(const char *id, struct bc_case_result res[2])
{
	run_both_timed(id, res, NULL);
	if (!res[0].in_place)
		BC_FAILF("%s: did not run in place (%s)", id, res[0].j.reason);
	if (res[1].in_place)
		BC_FAILF("%s: ran in place under --isolation sandbox", id);
}

static void expect(const char *id, enum bc_verdict v, const char *reason)
{
	struct bc_case_result res[2];
	run_both(id, res);
	for (int k = 0; k < 2; k++)
		if (res[k].j.verdict != v || !strstr(res[k].j.reason, reason))
			BC_FAILF("%s %s: verdict %s, reason '%s'; wanted %s with '%s'", id, level_name[k],
				 bc_verdict_name(res[k].j.verdict), res[k].j.reason, bc_verdict_name(v), reason);
	if (strcmp(res[0].j.reason, res[1].j.reason) != 0)
		BC_FAILF("%s: in place '%s', in the sandbox '%s'", id, res[0].j.reason, res[1].j.reason);
}

/* How many processes on the machine carry the name a linger or escape
 * step gives the process it leaves (the pid it reports is its PID
 * namespace's, not one the suite can look up). */
static int left_behind(void)
{
	char path[300], comm[32];
	int n = 0;
	DIR *d = opendir("/proc");
	for (struct dirent *e; d && (e = readdir(d));) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
		FILE *f = fopen(path, "re");
		if (f && fgets(comm, sizeof(comm), f) && strncmp(comm, BC_HOSTILE_LEFT_NAME "\n", sizeof(comm)) == 0)
			n++;
		if (f)
			fclose(f);
	}
	if (d)
		closedir(d);
	return n;
}

/* What a linger or escape step left is gone after the case. */
static void process_is_gone(const char *id, int step, const char *reason)
{
	struct bc_case_result res[2];
	expect(id, BC_ERROR, reason);
	run_both(id, res);
	for (int k = 0; k < 2; k++)
		if (res[k].ran && atoi(res[k].obs.steps[step].out.value) <= 1)
			BC_FAILF("%s %s: no pid reported by step %d", id, level_name[k], step + 1);
	int n = left_behind();
	if (n)
		BC_FAILF("%s: %d process(es) named %s still alive", id, n, BC_HOSTILE_LEFT_NAME);
}

static void hang_is_killed_at_its_timeout(void)
{
	struct bc_case_result res[2];
	long us[2];
	run_both_timed("hang", res, us);
	for (int k = 0; k < 2; k++) {
		CU_ASSERT_EQUAL(res[k].j.verdict, BC_ERROR);
		if (strcmp(res[k].j.reason, "timeout: killed after 1000 ms in step 3 (hostile hang 1)") != 0)
			BC_FAILF("hang %s: '%s'", level_name[k], res[k].j.reason);
		/* Killed at its own timeout (1 s), not long after. */
		if (us[k] < 1000000 || us[k] > 1800000)
			BC_FAILF("hang %s: killed after %ld us, wanted about 1 s", level_name[k], us[k]);
	}
}

static void crash_is_an_error_with_the_signal(void)
{
	expect("crash", BC_ERROR, "signal 11 (Segmentation fault)");
}

static void fd_leak_is_reported(void)
{
	expect("leakfd", BC_ERROR, "fd leak: 1 fd left open by its steps");
}

/* Natively the heap's growth shows it; under Valgrind, Memcheck's definite
 * leak does (the child exits 99). */
static void memory_leak_is_reported(void)
{
	struct bc_case_result res[2];
	run_both("leakmem", res);
	for (int k = 0; k < 2; k++) {
		CU_ASSERT_EQUAL(res[k].j.verdict, BC_ERROR);
		if (!strstr(res[k].j.reason, "memory leak: the heap grew by ") &&
		    !strstr(res[k].j.reason, "valgrind reported errors"))
			BC_FAILF("leakmem %s: reason '%s'", level_name[k], res[k].j.reason);
	}
}

static void lingering_process_is_killed(void)
{
	process_is_gone("linger", 2, "left 1 process running after its steps (killed)");
}

static void escaped_process_is_killed(void)
{
	process_is_gone("escape", 2, "left 1 process running after its steps (killed)");
}

static void escaped_process_of_a_hung_case_is_killed(void)
{
	expect("hang-escape", BC_ERROR, "1 process that had left its process group killed too");
}

static void megabytes_of_output_stay_bounded(void)
{
	struct bc_case_result res[2];
	run_both("spew", res);
	for (int k = 0; k < 2; k++) {
		CU_ASSERT_EQUAL(res[k].j.verdict, BC_PASS);
		if (res[k].log_total != (size_t)8 << 20 || res[k].log_kept != (size_t)BC_SANDBOX_OUT_MAX)
			BC_FAILF("spew %s: %zu bytes written, %zu kept", level_name[k], res[k].log_total, res[k].log_kept);
	}
}

static void run_goes_on(void)
{
	expect("after", BC_PASS, "");
}

/* The reference path's broken variant leaks a socket on a failed listen():
 * its row, which states the contract, must fail on exactly that. */
static void broken_reference_path_is_caught(void)
{
	struct bc_table t;
	struct bc_diags d = {0};
	struct bc_case_result res;
	CU_ASSERT_EQUAL_FATAL(bc_table_load("cases/selftest/broken.tbl", &t, &d), 0);
	CU_ASSERT_EQUAL_FATAL(t.ncases, 1);
	bc_run_case(&runner, &t.cases[0], &res);
	CU_ASSERT_EQUAL(res.j.verdict, BC_FAIL);
	if (strcmp(res.j.observed_text, "=exit:1,=yes,=2,=none") != 0)
		BC_FAILF("broken variant: observed %s (%s), wanted 2 leaked fds", res.j.observed_text, res.j.reason);
	bc_table_free(&t);
	bc_diags_free(&d);
}

/* Register fn, inactive with why when it is given or no private network
 * namespace can be made here. */
static int add_unless(CU_pSuite s, const char *name, CU_TestFunc fn, const char *why)
{
	return why ? bc_suite_add_test_unless(s, name, fn, why) : bc_suite_add_netns_test(s, name, fn);
}

/* Why the broken reference path's row cannot run here (no libfiu, an
 * AddressSanitizer build), or NULL. */
static const char *broken_row_skip(void)
{
	static char why[512];
	return bc_suite_row_skip("cases/selftest/broken.tbl", "leak-on-listen", why, sizeof(why));
}

int bc_suite_hostile(void)
{
	CU_pSuite s = CU_add_suite("selftest/hostile", setup, teardown);
	if (!s)
		return -1;
#if defined(__SANITIZE_ADDRESS__)
	const char *asan = "under AddressSanitizer the heap is ASan's; LeakSanitizer and Memcheck find leaks there";
#else
	const char *asan = NULL;
#endif
	BC_ADD_NETNS(s, hang_is_killed_at_its_timeout);
	BC_ADD_NETNS(s, crash_is_an_error_with_the_signal);
	BC_ADD_NETNS(s, fd_leak_is_reported);
	if (add_unless(s, "memory_leak_is_reported", memory_leak_is_reported, asan) < 0)
		return -1;
	BC_ADD_NETNS(s, lingering_process_is_killed);
	BC_ADD_NETNS(s, escaped_process_is_killed);
	if (add_unless(s, "escaped_process_of_a_hung_case_is_killed",
				     escaped_process_of_a_hung_case_is_killed,
				     bc_guard_become_reaper() ? NULL : "this process cannot be a child subreaper") < 0)
		return -1;
	BC_ADD_NETNS(s, megabytes_of_output_stay_bounded);
	BC_ADD_NETNS(s, run_goes_on);
	if (add_unless(s, "broken_reference_path_is_caught", broken_reference_path_is_caught,
				     broken_row_skip()) < 0)
		return -1;
	return 0;
}
