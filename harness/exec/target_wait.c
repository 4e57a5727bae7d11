/* target_wait: a started target's life, between its start and the reading
 * of what it left (target.c).  It is up at its ready text, once it listens
 * on every address its "listens" names, or once the listeners it opened
 * have stayed the same for its settle time; else at the end of its grace.
 * The process that starts it is a child subreaper (worker.c, sandbox.c), so
 * whatever it forks comes back here when its parent ends: a program whose
 * first process exits 0 while others remain has daemonized, and those are
 * waited for as the program would be.  Whatever remains of it at the end
 * is stopped, SIGTERM then SIGKILL, and the run's note says so. */
#define _GNU_SOURCE /* __WALL */
#include "exec/step_ctx.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exec/guard.h"

#define MAX_KIDS 256

static long mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

static bool in_list(pid_t pid, const pid_t *list, int n)
{
	for (int i = 0; i < n; i++)
		if (list[i] == pid)
			return true;
	return false;
}

void bc_target_life_begin(struct bc_target_life *L)
{
	memset(L, 0, sizeof(*L));
	L->nbefore = bc_guard_children(L->before, BC_LIFE_BEFORE_MAX);
	bc_target_listeners(L->base, sizeof(L->base));
	L->out_open = true;
}

/* Our children that the target brought (orphans of its processes; the
 * target itself once excepted), the ended ones reaped.  How many live. */
static int kids(struct bc_target_life *L, pid_t *out, int max)
{
	pid_t all[MAX_KIDS];
	int n = bc_guard_children(all, MAX_KIDS), k = 0;
	for (int i = 0; i < n; i++) {
		if (in_list(all[i], L->before, L->nbefore) || all[i] == L->pid)
			continue;
		int ws;
		if (waitpid(all[i], &ws, WNOHANG | __WALL) == all[i]) {
			L->ended_kids++;
			continue;
		}
		if (k < max)
			out[k++] = all[i];
	}
	return k;
}

/* One look at the output: poll up to ms, keep what came.  After its last
 * writer closed it, a plain wait. */
static void look(struct bc_target_life *L, struct bc_step_run *r, int ms)
{
	if (!L->out_open) {
		poll(NULL, 0, ms);
		return;
	}
	struct pollfd p = {L->out, POLLIN, 0};
	if (poll(&p, 1, ms) > 0 && bc_target_drain(L->out, r) == 0)
		L->out_open = false;
}

/* The listeners now less those there before the target: "" for none. */
static void own_listeners(const struct bc_target_life *L, const char *now, char *mine, size_t n)
{
	size_t off = 0;
	mine[0] = '\0';
	char copy[BC_VALUE_MAX * 2];
	snprintf(copy, sizeof(copy), "%s", now);
	for (char *save = NULL, *a = strtok_r(copy, "+", &save); a; a = strtok_r(NULL, "+", &save)) {
		if (strcmp(a, "none") == 0 || bc_listener_in(L->base, a))
			continue;
		off += (size_t)snprintf(mine + off, off < n ? n - off : 0, "%s%s", off ? "+" : "", a);
	}
}

/* Up by its listeners: every "listens" address present, or its own set
 * non-empty and unchanged for settle_ms. */
static bool up_by_listeners(const struct bc_target *t, struct bc_target_life *L, long settle_ms)
{
	char now[BC_VALUE_MAX * 2], mine[BC_VALUE_MAX * 2];
	bc_target_listeners(now, sizeof(now));
	bool all = t->nlistens > 0;
	for (int i = 0; all && i < t->nlistens; i++)
		all = bc_listener_in(now, t->listens[i]);
	if (all || settle_ms < 0)
		return all;
	own_listeners(L, now, mine, sizeof(mine));
	if (!mine[0] || strcmp(mine, L->stable) != 0) {
		snprintf(L->stable, sizeof(L->stable), "%s", mine);
		L->stable_since = mono_ms();
		return false;
	}
	return mono_ms() - L->stable_since >= settle_ms;
}

static void note_left_ended(struct bc_step_run *r)
{
	snprintf(r->note, sizeof(r->note), "its first process exited 0; the processes it left ended before it was up");
}

/* The first process ended with ws: ended for good, or daemonized? */
static enum bc_life_end first_ended(struct bc_target_life *L, struct bc_step_run *r, int ws)
{
	pid_t left[MAX_KIDS];
	L->main_alive = false;
	if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0)
		return BC_LIFE_ENDED;
	/* A process it left that ended while we looked handed its own
	 * children to us as it did: look again until a look reaps none. */
	int n, reaped;
	do {
		reaped = L->ended_kids;
		n = kids(L, left, MAX_KIDS);
	} while (n == 0 && L->ended_kids != reaped);
	if (n == 0) {
		int reaper = 0;
		if (L->ended_kids)
			note_left_ended(r);
		else if (prctl(PR_GET_CHILD_SUBREAPER, &reaper, 0L, 0L, 0L) < 0 || !reaper)
			snprintf(r->note, sizeof(r->note), "its first process exited 0; what it may have left running cannot "
				 "be followed here (no child subreaper)");
		return BC_LIFE_ENDED;
	}
	L->daemonized = true;
	return BC_LIFE_UP;
}

enum bc_life_end bc_target_wait(const struct bc_target *t, double scale, struct bc_target_life *L,
				 struct bc_step_run *r, int *ws)
{
	long deadline = mono_ms() + bc_scaled_ms(scale, t->grace_ms > 0 ? t->grace_ms : 500);
	/* A ready text says what up is; settle then only when asked for. */
	long settle = !t->ready[0] || t->settle_ms > 0
			      ? bc_scaled_ms(scale, t->settle_ms > 0 ? t->settle_ms : BC_TARGET_SETTLE_MS)
			      : -1;
	bool by_listeners = t->nlistens || settle >= 0;
	int tick = t->nlistens ? 2 : 5; /* ms between looks at the listeners */
	pid_t left[MAX_KIDS];
	L->main_alive = true;
	for (long rest; (rest = deadline - mono_ms()) > 0;) {
		look(L, r, rest > tick ? tick : (int)rest);
		if (L->main_alive && waitpid(L->pid, ws, WNOHANG) == L->pid && first_ended(L, r, *ws) == BC_LIFE_ENDED)
			return BC_LIFE_ENDED;
		if (!L->main_alive && kids(L, left, MAX_KIDS) == 0) {
			/* What it left ended too: its exit stands. */
			L->daemonized = false;
			note_left_ended(r);
			return BC_LIFE_ENDED;
		}
		if ((t->ready[0] && strstr(r->out, t->ready)) || (by_listeners && up_by_listeners(t, L, settle)))
			return BC_LIFE_UP;
	}
	return BC_LIFE_UP; /* its grace passed and it still runs */
}

/* SIGTERM to every process of the tree below us that the target brought
 * and has not had one; how many got one now. */
static int term_tree(struct bc_target_life *L, pid_t *sent, int *nsent, int max)
{
	pid_t tree[MAX_KIDS];
	int n = kids(L, tree, MAX_KIDS), got = 0;
	for (int i = 0; i < n && n < MAX_KIDS; i++) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)tree[i], (int)tree[i]);
		FILE *f = fopen(path, "re");
		for (long v; f && n < MAX_KIDS && fscanf(f, "%ld", &v) == 1;)
			tree[n++] = (pid_t)v;
		if (f)
			fclose(f);
	}
	for (int i = 0; i < n; i++) {
		if (in_list(tree[i], sent, *nsent) || *nsent == max)
			continue;
		kill(tree[i], SIGTERM);
		sent[(*nsent)++] = tree[i];
		got++;
	}
	return got;
}

/* What the target left after its first process ended: SIGTERM, the stop
 * time to end, then SIGKILL.  How many processes there were. */
static int stop_left(struct bc_target_life *L, struct bc_step_run *r, long stop_ms, bool *killed)
{
	pid_t sent[MAX_KIDS], left[MAX_KIDS];
	int nsent = 0;
	long until = mono_ms() + stop_ms;
	if (kids(L, left, MAX_KIDS) == 0)
		return 0;
	do {
		term_tree(L, sent, &nsent, MAX_KIDS);
		look(L, r, 5);
	} while (kids(L, left, MAX_KIDS) > 0 && mono_ms() < until);
	*killed = kids(L, left, MAX_KIDS) > 0;
	for (int round = 0; round < 64; round++) {
		int n = kids(L, left, MAX_KIDS);
		for (int i = 0; i < n; i++) {
			kill(left[i], SIGKILL);
			waitpid(left[i], NULL, __WALL);
		}
		if (!n)
			break;
	}
	return nsent;
}

void bc_target_stop(const struct bc_target *t, double scale, struct bc_target_life *L, struct bc_step_run *r,
		    int *ws)
{
	/* 5 s by default: a Memcheck run checks for leaks at exit */
	long stop_ms = bc_scaled_ms(scale, t->stop_ms > 0 ? t->stop_ms : 5000);
	bool main_killed = false, left_killed = false;
	if (L->main_alive) {
		kill(L->pid, SIGTERM);
		long until = mono_ms() + stop_ms;
		while (L->main_alive && mono_ms() < until) {
			if (waitpid(L->pid, ws, WNOHANG) == L->pid)
				L->main_alive = false;
			else
				look(L, r, 5);
		}
		if (L->main_alive) {
			kill(L->pid, SIGKILL);
			waitpid(L->pid, ws, 0);
			L->main_alive = false;
			main_killed = true;
		}
	}
	int n = stop_left(L, r, stop_ms, &left_killed), reaper = 0;
	if (prctl(PR_GET_CHILD_SUBREAPER, &reaper, 0L, 0L, 0L) < 0 || !reaper) {
		int k = bc_target_strays_kill(L->mark, L->dir);
		if (k) {
			snprintf(r->note, sizeof(r->note), "it left %d process%s running that could not be followed (no child "
				 "subreaper); found by its environment or directory and killed (SIGKILL)", k, k == 1 ? "" : "es");
			return;
		}
	}
	if (L->daemonized)
		snprintf(r->note, sizeof(r->note), "daemonized: its first process exited 0 and left %d process%s running; stopped with SIGTERM%s",
			 n, n == 1 ? "" : "es", left_killed ? ", then SIGKILL" : "");
	else if (n)
		snprintf(r->note, sizeof(r->note), "%d process%s it started outlived it; stopped with SIGTERM%s", n,
			 n == 1 ? "" : "es", left_killed ? ", then SIGKILL" : "");
	else if (main_killed)
		snprintf(r->note, sizeof(r->note), "did not end within %ld ms of SIGTERM; killed (SIGKILL)", stop_ms);
}

void bc_target_keep(struct bc_step_run *run, struct bc_observation *obs)
{
	if (!run->done)
		return;
	obs->has_target = true;
	snprintf(obs->target_note, sizeof(obs->target_note), "%s", run->note);
	obs->target_out_total = run->outtotal;
	obs->target_out_len = run->outlen < BC_OBS_OUT_MAX ? (unsigned)run->outlen : BC_OBS_OUT_MAX;
	memcpy(obs->target_out, run->out, obs->target_out_len);
	obs->target_out[obs->target_out_len] = '\0';
	run->done = false;
}
