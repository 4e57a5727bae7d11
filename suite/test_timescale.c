/* --time-scale: a run under emulation (a kernel booted under qemu without
 * KVM) waits N times longer.  Every case's timeout is scaled in one place
 * (bc_runner_timeout_ms), a target's grace and stop times in another
 * (exec/target.c); these tests fail when either is not. */
#define _POSIX_C_SOURCE 200809L
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "exec/pool.h"
#include "exec/runner.h"
#include "exec/steps.h"
#include "suite.h"
#include "table/table.h"

static struct bc_runner runner;
static struct bc_table hostile, late;

/* A target that says "late" 400 ms after it starts, and then waits: with
 * its grace of 100 ms it is stopped before it says it, unless the run's
 * time scale gives it longer.  One process (perl is in every Debian). */
static const char late_table[] = "table late\ntimeout 2s\n"
				 "target late\n    command /usr/bin/perl -e \"select(undef, undef, undef, 0.4); "
				 "print STDOUT qq(late\\n); close STDOUT; sleep 30\"\n"
				 "    needs /usr/bin/perl\n    grace 100ms\n    stop 100ms\n"
				 "scenario up\n  ? run late\n  ? said late\n"
				 "id scenario expect source\n"
				 "said up =running,=yes \"said within its grace time\"\n";

static int setup(void)
{
	bc_runner_init(&runner, "bindcheck");
	runner.pooled = true;
	return bc_suite_read_table("cases/selftest/hostile.tbl", NULL, &hostile, 9) ||
	       bc_suite_read_table("late.tbl", late_table, &late, 1);
}

static int teardown(void)
{
	bc_table_free(&hostile);
	bc_table_free(&late);
	return 0;
}

static void keep(void *arg, int index, const struct bc_case_result *res)
{
	(void)index;
	*(struct bc_case_result *)arg = *res;
}

/* Run one case on a one-worker pool under timeout_ms and scale; its wall
 * time in ms. */
static long run_scaled(const struct bc_case *c, enum bc_isolation iso, int timeout_ms, double scale,
		       struct bc_case_result *res)
{
	struct timespec a, b;
	runner.isolation = iso;
	runner.timeout_ms = timeout_ms;
	runner.time_scale = scale;
	memset(res, 0, sizeof(*res));
	clock_gettime(CLOCK_MONOTONIC, &a);
	bc_run_cases(&runner, &c, 1, 1, keep, res);
	clock_gettime(CLOCK_MONOTONIC, &b);
	runner.isolation = BC_ISO_AUTO;
	runner.timeout_ms = 0;
	runner.time_scale = 0;
	return (b.tv_sec - a.tv_sec) * 1000L + (b.tv_nsec - a.tv_nsec) / 1000000L;
}

static void scaled_ms_is_ms_times_the_scale(void)
{
	CU_ASSERT_EQUAL(bc_scaled_ms(0, 500), 500);   /* none given */
	CU_ASSERT_EQUAL(bc_scaled_ms(1, 500), 500);
	CU_ASSERT_EQUAL(bc_scaled_ms(0.5, 500), 500); /* never shorter */
	CU_ASSERT_EQUAL(bc_scaled_ms(4, 500), 2000);
	CU_ASSERT_EQUAL(bc_scaled_ms(2.5, 333), 833);
	CU_ASSERT_EQUAL(bc_scaled_ms(100, INT_MAX / 2), INT_MAX);
}

/* The hostile hang, with --timeout 200 and --time-scale 3: killed at 600
 * ms, and said so, in place and in the sandbox. */
static void hang_is_killed_at_the_scaled_timeout(void)
{
	static const char *const level[] = {"in place", "in the sandbox"};
	const struct bc_case *c = bc_suite_find_case(&hostile, "hang");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	for (int k = 0; k < 2; k++) {
		struct bc_case_result res;
		long ms = run_scaled(c, k ? BC_ISO_SANDBOX : BC_ISO_AUTO, 200, 3, &res);
		CU_ASSERT_EQUAL(res.j.verdict, BC_ERROR);
		if (strcmp(res.j.reason, "timeout: killed after 600 ms in step 3 (hostile hang 1)") != 0)
			BC_FAILF("hang %s, --timeout 200 --time-scale 3: '%s'", level[k], res.j.reason);
		if (ms < 600 || ms > 1400)
			BC_FAILF("hang %s: killed after %ld ms, wanted about 600 ms", level[k], ms);
	}
}

/* A target's grace time is scaled: unscaled, the target is stopped before
 * it says "late" (the check fails); at 6 times (600 ms) it says it. */
static void target_grace_is_scaled(void)
{
	struct bc_case_result res;
	const struct bc_case *c = bc_suite_find_case(&late, "said");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	run_scaled(c, BC_ISO_AUTO, 0, 1, &res);
	if (res.j.verdict != BC_FAIL || strcmp(res.j.observed_text, "=running,=no") != 0)
		BC_FAILF("unscaled: %s, observed '%s' (%s); wanted a fail, =running,=no",
			 bc_verdict_name(res.j.verdict), res.j.observed_text, res.j.reason);
	run_scaled(c, BC_ISO_AUTO, 0, 6, &res);
	if (res.j.verdict != BC_PASS)
		BC_FAILF("--time-scale 6: %s, observed '%s' (%s)", bc_verdict_name(res.j.verdict), res.j.observed_text,
			 res.j.reason);
}

int bc_suite_timescale(void)
{
	CU_pSuite s = CU_add_suite("unit/time-scale", setup, teardown);
	if (!s || !CU_add_test(s, "scaled_ms_is_ms_times_the_scale", scaled_ms_is_ms_times_the_scale))
		return -1;
	BC_ADD_NETNS(s, hang_is_killed_at_the_scaled_timeout);
	BC_ADD_NETNS(s, target_grace_is_scaled);
	return 0;
}
