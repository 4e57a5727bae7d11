/* worker: a forked process that enters a fresh network namespace once, with
 * lo up, and then runs the cases the parent sends it, one at a time.  The
 * plan (exec/plan.c) says where each runs:
 *
 *  - in place, right in the worker, with no process or namespace of its
 *    own to make: a case whose sockets free everything when closed, one
 *    whose profile only sets namespace sysctls, lo addresses or lo down (the
 *    worker makes a namespace with the profile applied whenever the next case's
 *    differs from what it has), one that connects (the namespace is renewed
 *    after it: TIME_WAIT and queued connections go with the old one), one
 *    with a target (the target's own process takes the scratch directory and
 *    the profile's names before it execs), and the self-tests' misbehaving
 *    steps (the worker is replaced after them);
 *  - in the full sandbox otherwise (exec/runner.c: its own child, its own
 *    namespaces, its profile).
 *
 * The guards read the same things at both levels (exec/guard.h): fds, heap,
 * processes left behind, output.  A case that trips one in place takes its
 * worker with it: a fresh worker with a fresh namespace replaces it.  The
 * worker sends the facts and the observation; the parent judges.  It
 * holds no table: each case comes over its pipe (exec/case_wire.c). */
#define _GNU_SOURCE
#include "exec/worker.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec/confine.h"
#include "exec/guard.h"
#include "exec/judge.h"
#include "exec/netns.h"
#include "exec/plan.h"
#include "exec/profile.h"
#include "exec/sandbox.h"
#include "exec/scratch.h"

/* The first fd a case run in place gets: 0 to 2 are the worker's stdin and
 * its captured output, and its own pipes sit above BC_GUARD_FD_HIGH. */
#define CASE_FD_FIRST 3

struct worker {
	const struct bc_runner *r;
	struct bc_beat *beat;
	bool own_net;              /* it has a private network namespace to run cases in */
	bool ns_has_prof;          /* that namespace was made for ns_prof */
	bool ns_dirty;             /* the last case left state in it */
	struct bc_profile ns_prof;
	int base_fds;              /* its open fds between cases */
};

/* Does p leave the namespace as the worker makes it (lo up, nothing set)? */
static bool plain_netns(const struct bc_profile *p)
{
	return !p || (!p->nsysctl && !p->naddrs && !p->lo_down);
}

/* Do two such profiles make the same namespace? */
static bool same_netns_setup(const struct bc_profile *a, const struct bc_profile *b)
{
	if (!a || !b)
		return plain_netns(a) && plain_netns(b);
	return a->nsysctl == b->nsysctl && a->naddrs == b->naddrs && a->lo_down == b->lo_down &&
	       memcmp(a->sysctl, b->sysctl, (size_t)a->nsysctl * sizeof(a->sysctl[0])) == 0 &&
	       memcmp(a->addrs, b->addrs, (size_t)a->naddrs * sizeof(a->addrs[0])) == 0;
}

/* A namespace fit for a case under p, made afresh when the one the worker
 * has differs or was used.  false: the case goes to the sandbox, which
 * says what failed. */
static bool prepare_netns(struct worker *w, const struct bc_profile *p)
{
	char why[256];
	if (!w->ns_dirty && same_netns_setup(w->ns_has_prof ? &w->ns_prof : NULL, p))
		return true;
	w->ns_dirty = false;
	/* Only the namespace's part: lo down, sysctls and lo addresses.  With
	 * lo down, bc_profile_apply moves the worker on to a namespace whose lo
	 * never came up, which is then the one its cases run in.  A target's
	 * names are its own (run_in_place), never the worker's, which later
	 * sandboxes are forked from. */
	static struct bc_profile net;
	if (p) {
		net = (struct bc_profile){.nsysctl = p->nsysctl, .naddrs = p->naddrs, .lo_down = p->lo_down};
		memcpy(net.name, p->name, sizeof(net.name));
		memcpy(net.sysctl, p->sysctl, sizeof(net.sysctl));
		memcpy(net.addrs, p->addrs, sizeof(net.addrs));
	}
	struct bc_step_env env = {.home_net = -1, .peer_net = -1};
	bool ok = bc_sandbox_enter_private_net(why, sizeof(why)) == 0 &&
		  bc_profile_apply(p ? &net : NULL, w->r->host_net, &env, why, sizeof(why)) == BC_PROFILE_OK;
	bc_profile_release(&env);
	w->ns_has_prof = ok && p;
	if (w->ns_has_prof)
		w->ns_prof = *p;
	if (!ok)
		w->own_net = bc_sandbox_enter_private_net(why, sizeof(why)) == 0;
	return ok;
}

static void step_beat(void *arg, int i)
{
	((struct bc_beat *)arg)->step = i;
}

/* How many fds the case can hold at once: a handle per step at most, the
 * connections its handshakes steps keep, and a margin for what a library
 * call may open.  A leak lands among the lowest free fds, so it is within
 * that many of the first. */
static int fd_window(const struct bc_case *c)
{
	int n = 16 + 2 * c->nsteps;
	for (int i = 0; i < c->nsteps; i++)
		if (c->steps[i]->verb == BC_V_HANDSHAKES)
			n += c->steps[i]->conn.attempts;
	return n;
}

/* One case in the worker's own process, with the guards' readings around
 * its steps. */
static void run_in_place(struct worker *w, const struct bc_case *c, const struct bc_plan *pl, int idx,
			 struct bc_observation *obs, struct bc_run_facts *f)
{
	char scratch[BC_SCRATCH_PATH_MAX], why[256];
	struct bc_step_env env = {.home_net = -1, .peer_net = -1, .time_scale = w->r->time_scale};
	long start = bc_now_us();
	if (c->target) {
		/* The target's working directory, and its names. */
		if (bc_scratch_make(scratch, why, sizeof(why)) < 0) {
			bc_facts_refused(f, BC_RUN_FAILED, why);
			return;
		}
		env.target_dir = scratch;
		env.target_names = pl->profile && (pl->profile->hostname[0] || pl->profile->names) ? pl->profile : NULL;
	}
	memset(f, 0, sizeof(*f));
	long heap = bc_guard_heap();
	w->beat->start_us = start;
	w->beat->step = -1;
	__atomic_store_n(&w->beat->idx, idx, __ATOMIC_RELEASE);
	bc_steps_run(c, &env, obs, step_beat, w->beat);
	__atomic_store_n(&w->beat->idx, -1, __ATOMIC_RELEASE);
	f->heap_delta = bc_guard_heap() - heap;
	f->fds_before = w->base_fds;
	f->fds_after = w->base_fds + bc_guard_fds_open_from(CASE_FD_FIRST, fd_window(c));
	if (bc_guard_has_children())
		f->lingering = bc_guard_reap(NULL, 0);
	bc_guard_capture_take(&f->log_total, &f->log_kept);
	if (c->target)
		bc_scratch_remove(scratch);
	f->end = BC_RUN_DONE;
	f->in_place = true;
	f->step = -1;
	f->timeout_ms = bc_runner_timeout_ms(w->r, c);
	f->duration_us = bc_now_us() - start;
}

/* Did the case leave anything in the worker that a fresh worker would not
 * have? */
static bool tripped(const struct bc_run_facts *f)
{
	return f->end != BC_RUN_DONE || f->fds_after != f->fds_before || f->lingering > 0 ||
	       f->heap_delta > BC_HEAP_LEAK_MIN;
}

static void close_from(int first, int last)
{
#ifdef SYS_close_range
	if (syscall(SYS_close_range, (unsigned)first, (unsigned)last, 0u) == 0)
		return;
#endif
	for (int fd = first; fd <= last; fd++)
		close(fd);
}

/* The worker's own fds go high, everything it inherited below them goes,
 * and its output is captured: the fds a case opens in place are then the
 * lowest free ones, which the fd guard counts in one call. */
static void settle_fds(struct worker *w, int *cmd, int *out)
{
	*cmd = bc_guard_fd_high(*cmd);
	*out = bc_guard_fd_high(*out);
	close_from(CASE_FD_FIRST, BC_GUARD_FD_HIGH - 1);
	bc_guard_capture_start();
	w->base_fds = bc_guard_count_fds();
}

/* A worker that cannot be confined runs nothing: each case it is sent is
 * a skip that says why. */
static _Noreturn void unconfined(int cmd, int out, const char *why)
{
	static struct bc_observation obs;
	static struct bc_run_facts f;
	char msg[300];
	snprintf(msg, sizeof(msg), "cannot confine the case: %s", why);
	for (;;) {
		int idx;
		if (!bc_wire_recv_case(cmd, &idx))
			_exit(0);
		memset(&obs, 0, sizeof(obs));
		bc_facts_refused(&f, BC_RUN_UNAVAILABLE, msg);
		struct bc_wire_head h = {idx, false};
		if (!bc_wire_send(out, &h, &f, &obs))
			_exit(0);
	}
}

_Noreturn void bc_worker_main(const struct bc_runner *r, int cmd, int out, struct bc_beat *beat)
{
	char why[256];
	static struct worker w;
	static struct bc_profile merged;
	static struct bc_observation obs;
	static struct bc_run_facts f;
	w = (struct worker){.r = r, .beat = beat};
	/* Its namespaces are made in bindcheck's first one (exec/netns.h). */
	if (r->caps.private_net)
		bc_netns_enter_base();
	/* Every case and target of this worker runs confined (exec/confine.h);
	 * the process that called us stays behind until the worker ends. */
	if (bc_runner_confines(r) && !bc_confined() && bc_confine_enter(&beat->pid, why, sizeof(why)) < 0)
		unconfined(cmd, out, why);
	/* Orphans of this worker's cases come back to it. */
	bc_guard_become_reaper();
	settle_fds(&w, &cmd, &out);
	w.own_net = r->caps.private_net && bc_sandbox_enter_private_net(why, sizeof(why)) == 0;
	for (;;) {
		int idx;
		struct bc_plan pl;
		bool retire = false;
		const struct bc_case *c = bc_wire_recv_case(cmd, &idx);
		if (!c)
			_exit(0);
		if (bc_plan_case(r, c, w.own_net, &merged, &pl, &f) == 0) {
			if (pl.where == BC_WHERE_IN_PLACE && prepare_netns(&w, pl.profile)) {
				run_in_place(&w, c, &pl, idx, &obs, &f);
				w.ns_dirty = pl.reset_after;
				retire = pl.retire_after || tripped(&f);
			} else {
				bc_run_sandboxed(r, c, pl.profile, &obs, &f);
			}
		}
		struct bc_wire_head h = {idx, retire};
		if (!bc_wire_send(out, &h, &f, &obs) || retire)
			_exit(0);
	}
}

void bc_worker_kill(pid_t pid, const struct bc_beat *beat)
{
	siginfo_t si = {0};
	pid_t real = __atomic_load_n(&beat->pid, __ATOMIC_ACQUIRE);
	bool ended = waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid;
	kill(real > 0 && !ended ? real : pid, SIGKILL);
}
