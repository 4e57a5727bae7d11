/* judge: run facts and an observation into a result (see judge.h).  The
 * guards are judged here, once, in the same order for every isolation
 * level: a case whose steps gave the expected results still fails when it
 * left an fd open, a process running or its heap grown. */
#define _GNU_SOURCE /* strsignal */
#include "exec/judge.h"

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "exec/guard.h"

static void set_error(struct bc_case_result *res, enum bc_verdict v, const char *reason)
{
	res->j.verdict = v;
	res->j.posix = -1; /* conformance speaks only of cases judged on their results */
	snprintf(res->j.reason, sizeof(res->j.reason), "%s", reason);
}

static const char *plural(int n)
{
	return n == 1 ? "" : "es";
}

static void timeout_reason(const struct bc_case *c, const struct bc_run_facts *f, char *why, size_t n)
{
	if (f->step >= 0 && f->step < c->nsteps)
		snprintf(why, n, "timeout: killed after %d ms in step %d (%s)", f->timeout_ms, f->step + 1,
			 c->steps[f->step]->text);
	else
		snprintf(why, n, "timeout: killed after %d ms", f->timeout_ms);
	if (f->lingering > 0)
		snprintf(why + strlen(why), n - strlen(why), "; %d process%s that had left its process group killed too",
			 f->lingering, plural(f->lingering));
}

/* The guards, after the steps ran. */
static void judge_guards(const struct bc_run_facts *f, struct bc_case_result *res)
{
	char why[512];
	if (f->fds_before != f->fds_after) {
		/* The difference, not the counts: what else is open differs
		 * between a worker and a sandbox. */
		int d = f->fds_after - f->fds_before;
		if (d > 0)
			snprintf(why, sizeof(why), "fd leak: %d fd%s left open by its steps", d, d == 1 ? "" : "s");
		else
			snprintf(why, sizeof(why), "fd leak: %d fd%s closed by its steps that it had not opened", -d,
				 d == -1 ? "" : "s");
		set_error(res, BC_ERROR, why);
	} else if (f->lingering > 0) {
		snprintf(why, sizeof(why), "left %d process%s running after its steps (killed)", f->lingering,
			 plural(f->lingering));
		set_error(res, BC_ERROR, why);
	} else if (f->heap_delta > BC_HEAP_LEAK_MIN) {
		snprintf(why, sizeof(why), "memory leak: the heap grew by %ld bytes during the steps", f->heap_delta);
		set_error(res, BC_ERROR, why);
	}
}

void bc_result_make(const struct bc_runner *r, const struct bc_case *c, const struct bc_observation *obs,
		    const struct bc_run_facts *f, struct bc_case_result *res)
{
	char why[512];
	/* obs may be res's own (a result read straight into place). */
	memset(&res->j, 0, sizeof(res->j));
	res->c = c;
	res->ran = false;
	res->j.posix = -1;
	res->j.slot = -1;
	res->in_place = f->in_place;
	res->log_total = f->log_total;
	res->log_kept = f->log_kept;
	res->duration_us = f->duration_us;
	switch (f->end) {
	case BC_RUN_DONE:
		res->ran = true;
		if (obs != &res->obs)
			res->obs = *obs;
		bc_judge(c, &r->platform, &res->obs, &res->j);
		judge_guards(f, res);
		return;
	case BC_RUN_TIMEOUT:
		timeout_reason(c, f, why, sizeof(why));
		break;
	case BC_RUN_SIGNALED:
		snprintf(why, sizeof(why), "signal %d (%s)", f->status, strsignal(f->status));
		break;
	case BC_RUN_VALGRIND:
		snprintf(why, sizeof(why), "valgrind reported errors in the case child (exit %d)", f->status);
		break;
	case BC_RUN_EXITED:
		snprintf(why, sizeof(why), "the case child exited with status %d", f->status);
		break;
	case BC_RUN_LOST:
		snprintf(why, sizeof(why), "the worker running it ended (status %d) without an answer",
			 WIFEXITED(f->status) ? WEXITSTATUS(f->status) : f->status);
		break;
	case BC_RUN_UNAVAILABLE:
		set_error(res, BC_SKIP, f->detail);
		return;
	case BC_RUN_FAILED:
	default:
		snprintf(why, sizeof(why), "%s", f->detail);
		break;
	}
	set_error(res, BC_ERROR, why);
}
