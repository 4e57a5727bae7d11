/* pool: the parallel runner's parent.  It starts N workers (exec/worker.c;
 * the zygote makes them when the runner started one, exec/zygote.h, else
 * they are forked here), sends them cases over their pipes (exec/wire.h)
 * as they finish, a few queued per worker, kills a worker
 * that does not answer within the case's timeout (and replaces it), makes
 * each case's result from what the worker sent (exec/judge.c, the only
 * place a verdict is made), and gives the results to the caller in case
 * order. */
#define _GNU_SOURCE
#include "exec/pool.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec/guard.h"
#include "exec/judge.h"
#include "exec/plan.h"
#include "exec/sandbox.h"
#include "exec/wire.h"
#include "exec/worker.h"
#include "exec/zygote.h"

/* Each worker has a few cases queued, so that it goes from one to the next
 * without waiting for the parent: on a small VM a wake-up costs more than an
 * in-place case. */
#define DEPTH 4
#define MAX_JOBS BC_ZYGOTE_SLOTS
/* A case in a worker's own sandbox is timed by the sandbox; the parent
 * steps in only when the worker itself stops answering, this much later. */
#define SANDBOX_SLACK_US 2000000L
/* The parent looks at the clock at least this often while cases run, so
 * that a case that hangs in place is killed close to its own timeout. */
#define TICK_MS 100

struct worker {
	pid_t pid;
	int cmd, res;
	int q[DEPTH];    /* the cases sent to it, oldest first */
	int nq;
	long head_since; /* when q[0] became the oldest */
	struct bc_beat *beat;
};

struct pool {
	const struct bc_runner *r;
	const struct bc_case *const *cases;
	int n, jobs;
	struct worker ws[MAX_JOBS];
	struct bc_beat *beats;
	bool own_beats;                 /* mapped here, not the zygote's */
	int retry[MAX_JOBS * DEPTH], nretry;
	int next, reported, ring;
	struct bc_case_result *results; /* ring of finished results, by index % ring */
	bool *have;
	pid_t before[256];              /* the caller's own children: never the pool's to kill */
	int nbefore;
	void (*done)(void *, int, const struct bc_case_result *);
	void *arg;
};

static int spawn(struct pool *p, struct worker *w)
{
	int c[2], o[2];
	pid_t warm;
	if (bc_zygote_take((int)(w - p->ws), &warm, &w->cmd, &w->res)) {
		/* Started before the tables were read (bc_zygote_warm). */
		w->pid = warm;
		w->nq = 0;
		return 0;
	}
	if (pipe2(c, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(o, O_CLOEXEC) < 0) {
		close(c[0]);
		close(c[1]);
		return -1;
	}
	w->beat->pid = 0; /* before the fork: the new worker writes it */
	/* Made by the zygote, which holds no table; forked here without one. */
	pid_t pid = bc_zygote_spawn((int)(w - p->ws), c[0], o[1]);
	if (pid < 0) {
		fflush(NULL);
		pid = fork();
	}
	if (pid == 0) {
		/* Only this worker's own pipes stay open in it. */
		for (int i = 0; i < p->jobs; i++) {
			if (p->ws[i].pid > 0 && &p->ws[i] != w) {
				close(p->ws[i].cmd);
				close(p->ws[i].res);
			}
		}
		close(c[1]);
		close(o[0]);
		bc_worker_main(p->r, c[0], o[1], w->beat);
	}
	close(c[0]);
	close(o[1]);
	if (pid < 0) {
		close(c[1]);
		close(o[0]);
		return -1;
	}
	w->pid = pid;
	w->beat->idx = -1;
	w->cmd = c[1];
	w->res = o[0];
	w->nq = 0;
	return 0;
}

/* Stop a worker (exec/worker.h says how); retire() waits for it. */
static void stop(struct worker *w)
{
	if (w->pid <= 0 || w->res < 0)
		return;
	if (w->cmd >= 0)
		close(w->cmd);
	close(w->res);
	w->cmd = w->res = -1;
	bc_worker_kill(w->pid, w->beat);
}

static int retire(struct worker *w)
{
	int status = 0;
	if (w->pid <= 0)
		return 0;
	stop(w);
	waitpid(w->pid, &status, 0);
	w->pid = -1;
	return status;
}

/* When the oldest case of a busy worker is overdue: its own timeout from
 * when it started, if it runs in place; a little more from when it became
 * the oldest, if the worker's sandbox times it. */
static long deadline(const struct pool *p, const struct worker *w)
{
	int idx = w->q[0];
	long t = (long)bc_runner_timeout_ms(p->r, p->cases[idx]) * 1000L;
	if (__atomic_load_n(&w->beat->idx, __ATOMIC_ACQUIRE) == idx)
		return w->beat->start_us + t;
	return w->head_since + t + SANDBOX_SLACK_US;
}

static bool more_to_send(const struct pool *p)
{
	return p->nretry || (p->next < p->n && p->next < p->reported + p->ring);
}

/* Keep every worker's queue full, starting workers where one is missing. */
static void fill_queues(struct pool *p)
{
	for (int i = 0; i < p->jobs; i++) {
		struct worker *w = &p->ws[i];
		if (w->pid <= 0 && more_to_send(p) && spawn(p, w) < 0)
			continue;
		while (w->pid > 0 && w->nq < DEPTH && more_to_send(p)) {
			int idx = p->nretry ? p->retry[--p->nretry] : p->next++;
			if (!bc_wire_send_case(w->cmd, idx, p->cases[idx])) {
				/* It died while idle: its cases wait for a fresh one. */
				p->retry[p->nretry++] = idx;
				for (int k = 0; k < w->nq; k++)
					p->retry[p->nretry++] = w->q[k];
				retire(w);
				w->nq = 0;
				break;
			}
			if (w->nq == 0)
				w->head_since = bc_now_us();
			w->q[w->nq++] = idx;
		}
	}
}

/* Hand out, in order, every result that is ready. */
static void flush(struct pool *p)
{
	while (p->reported < p->n && p->have[p->reported % p->ring]) {
		p->done(p->arg, p->reported, &p->results[p->reported % p->ring]);
		p->have[p->reported % p->ring] = false;
		p->reported++;
	}
}

/* The run stops: every result that is ready goes out, in order, past
 * the ones that never finished. */
static void flush_finished(struct pool *p)
{
	for (int i = p->reported; i < p->n && i < p->reported + p->ring; i++) {
		if (p->have[i % p->ring]) {
			p->done(p->arg, i, &p->results[i % p->ring]);
			p->have[i % p->ring] = false;
		}
	}
}

/* A worker died, or its oldest case hung: that case's facts, the cases
 * queued behind it go out again, and whatever it left running goes. */
static void lose(struct pool *p, struct worker *w, bool hung, struct bc_run_facts *f)
{
	int idx = w->q[0];
	bool here = __atomic_load_n(&w->beat->idx, __ATOMIC_ACQUIRE) == idx; /* it ran in place */
	int step = here ? w->beat->step : -1;
	/* What a case that hangs in place started ends with its worker's PID
	 * namespace; counted first, it is reported as the sandbox reports it.
	 * The namespace's pid 1 descends to the worker and then its processes:
	 * the worker itself is not counted. */
	pid_t real = __atomic_load_n(&w->beat->pid, __ATOMIC_ACQUIRE);
	int below = hung && here && real > 0 ? bc_guard_descendants(real) : 0;
	int left = below > 1 ? below - 1 : 0;
	int status = retire(w);
	for (int q = w->nq - 1; q >= 1; q--)
		p->retry[p->nretry++] = w->q[q];
	w->nq = 0;
	memset(f, 0, sizeof(*f));
	f->step = step;
	f->timeout_ms = bc_runner_timeout_ms(p->r, p->cases[idx]);
	f->in_place = here;
	f->end = hung ? BC_RUN_TIMEOUT : WIFSIGNALED(status) ? BC_RUN_SIGNALED : BC_RUN_LOST;
	f->status = WIFSIGNALED(status) ? WTERMSIG(status) : status;
	pid_t keep[MAX_JOBS + 256];
	int nk = 0;
	for (int i = 0; i < p->jobs; i++)
		if (p->ws[i].pid > 0)
			keep[nk++] = p->ws[i].pid;
	for (int i = 0; i < p->nbefore; i++)
		keep[nk++] = p->before[i];
	f->lingering = left + bc_guard_reap(keep, nk);
}

/* One worker's oldest case: answered, lost, or still running (false). */
static bool collect(struct pool *p, struct worker *w, short revents)
{
	static struct bc_run_facts f;
	int idx = w->q[0];
	struct bc_wire_head h;
	struct bc_case_result *slot = &p->results[idx % p->ring];
	bool answered = (revents & (POLLIN | POLLHUP | POLLERR)) && bc_wire_read(w->res, &h, sizeof(h)) &&
			h.idx == idx && bc_wire_recv(w->res, &f, &slot->obs);
	if (answered) {
		memmove(w->q, w->q + 1, (size_t)(w->nq - 1) * sizeof(w->q[0]));
		if (--w->nq)
			w->head_since = bc_now_us();
		if (h.retiring) {
			/* It ends after this case: the rest of its queue goes to
			 * a fresh worker. */
			for (int q = w->nq - 1; q >= 0; q--)
				p->retry[p->nretry++] = w->q[q];
			w->nq = 0;
			retire(w);
		}
	} else if (revents || bc_now_us() >= deadline(p, w)) {
		lose(p, w, !revents, &f);
	} else {
		return false;
	}
	bc_result_make(p->r, p->cases[idx], &slot->obs, &f, slot);
	p->have[idx % p->ring] = true;
	flush(p);
	return true;
}

/* Wait for answers or the next deadline, and take what came.  false when
 * nothing runs and nothing can be started. */
static bool wait_and_collect(struct pool *p)
{
	struct pollfd pf[MAX_JOBS];
	int np = 0, map[MAX_JOBS];
	long soonest = -1;
	for (int i = 0; i < p->jobs; i++) {
		struct worker *w = &p->ws[i];
		if (w->pid <= 0 || w->nq == 0)
			continue;
		pf[np] = (struct pollfd){w->res, POLLIN, 0};
		map[np++] = i;
		long d = deadline(p, w);
		if (soonest < 0 || d < soonest)
			soonest = d;
	}
	if (np == 0)
		return false;
	long wait_ms = (soonest - bc_now_us()) / 1000;
	wait_ms = wait_ms < 0 ? 0 : wait_ms > TICK_MS ? TICK_MS : wait_ms;
	if (poll(pf, (nfds_t)np, (int)wait_ms) < 0 && errno != EINTR)
		return false;
	for (int k = 0; k < np; k++)
		collect(p, &p->ws[map[k]], pf[k].revents);
	return true;
}

/* Idle workers, at the end of a run, are told to end: their command pipe
 * closes, and a worker exits when it reads the end.  Each of its processes
 * is then waited for by its parent, so that what the worker and its cases
 * used of the CPU counts in the runner's (getrusage, time(1)); a worker
 * killed through its PID namespace's pid 1 takes that with it.  One that
 * has not ended within END_WAIT_MS is killed by pool_free. */
#define END_WAIT_MS 1000
static void end_idle(struct pool *p)
{
	struct pollfd pf[MAX_JOBS];
	int np = 0, left = 0, map[MAX_JOBS];
	for (int i = 0; i < p->jobs; i++) {
		struct worker *w = &p->ws[i];
		if (w->pid <= 0 || w->nq > 0 || w->res < 0)
			continue;
		close(w->cmd);
		w->cmd = -1;
		pf[np] = (struct pollfd){w->res, POLLIN, 0};
		map[np++] = i;
	}
	long until = bc_now_us() + END_WAIT_MS * 1000L;
	for (left = np; left > 0;) {
		long ms = (until - bc_now_us()) / 1000;
		if (ms <= 0 || poll(pf, (nfds_t)np, (int)ms) <= 0)
			return;
		for (int k = 0; k < np; k++) {
			char b;
			struct worker *w = &p->ws[map[k]];
			if (pf[k].fd < 0 || !pf[k].revents || read(pf[k].fd, &b, 1) > 0)
				continue;
			/* It has ended: its pid 1, then the process we forked,
			 * end after it. */
			close(w->res);
			w->res = pf[k].fd = -1;
			waitpid(w->pid, NULL, 0);
			w->pid = -1;
			left--;
		}
	}
}

static void pool_free(struct pool *p, bool idle)
{
	/* Not under Valgrind: a worker that exits there has Memcheck check
	 * its whole heap for leaks first, which takes longer than the run's
	 * last case; killed, it does not. */
	if (idle && !bc_guard_under_valgrind())
		end_idle(p);
	/* Every other worker is killed before any is waited for: their
	 * namespaces are taken down side by side. */
	for (int i = 0; i < p->jobs; i++)
		stop(&p->ws[i]);
	for (int i = 0; i < p->jobs; i++)
		retire(&p->ws[i]);
	free(p->results);
	free(p->have);
	if (p->beats && p->own_beats)
		munmap(p->beats, (size_t)p->jobs * sizeof(*p->beats));
}

int bc_pool_run(const struct bc_runner *r, const struct bc_case *const *cases, int n, int jobs,
		void (*done)(void *arg, int index, const struct bc_case_result *res), void *arg)
{
	static struct pool p;
	int running = 0;
	jobs = jobs < 1 ? 1 : jobs > MAX_JOBS ? MAX_JOBS : jobs;
	if (jobs > n)
		jobs = n ? n : 1;
	p = (struct pool){.r = r, .cases = cases, .n = n, .jobs = jobs, .done = done, .arg = arg};
	/* Cases go out in order, DEPTH at a time per worker, and come back in
	 * order per worker; a case that lost its worker goes out again first.
	 * So no finished case is more than ring ahead of the next to report. */
	p.ring = jobs * DEPTH + 16;
	p.nbefore = bc_guard_children(p.before, 256);
	p.beats = bc_zygote_beats();
	if (!p.beats) {
		p.own_beats = true;
		p.beats = mmap(NULL, (size_t)jobs * sizeof(*p.beats), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	}
	p.results = calloc((size_t)p.ring, sizeof(*p.results));
	p.have = calloc((size_t)p.ring, sizeof(*p.have));
	if (p.beats == MAP_FAILED)
		p.beats = NULL;
	for (int i = 0; i < jobs; i++)
		p.ws[i].pid = -1; /* spawn() looks at the others' */
	if (p.beats && p.results && p.have) {
		signal(SIGPIPE, SIG_IGN);
		for (int i = 0; i < jobs; i++) {
			p.ws[i].beat = &p.beats[i];
			p.beats[i].idx = -1;
			running += spawn(&p, &p.ws[i]) == 0;
		}
	}
	while (running && p.reported < n && !bc_runner_stopped(r)) {
		fill_queues(&p);
		if (!wait_and_collect(&p))
			break; /* nothing runs and nothing could be started */
	}
	int rc = running && p.reported == n ? 0 : -1;
	bool stopped = bc_runner_stopped(r);
	if (stopped)
		flush_finished(&p);
	pool_free(&p, !stopped);
	return rc;
}

void bc_run_case(const struct bc_runner *r, const struct bc_case *c, struct bc_case_result *res)
{
	static struct bc_profile merged;
	static struct bc_observation obs;
	struct bc_run_facts f;
	struct bc_plan pl;
	if (bc_plan_case(r, c, false, &merged, &pl, &f) == 0)
		bc_run_sandboxed(r, c, pl.profile, &obs, &f);
	bc_result_make(r, c, &obs, &f, res);
}

/* Counts the cases the pool reported, so that a fallback takes up where it
 * stopped. */
struct counted {
	void (*done)(void *, int, const struct bc_case_result *);
	void *arg;
	int reported;
};

static void count_done(void *arg, int index, const struct bc_case_result *res)
{
	struct counted *k = arg;
	k->reported = index + 1;
	k->done(k->arg, index, res);
}

void bc_run_cases(const struct bc_runner *r, const struct bc_case *const *cases, int n, int jobs,
		  void (*done)(void *arg, int index, const struct bc_case_result *res), void *arg)
{
	struct counted k = {done, arg, 0};
	if (n > 0 && bc_pool_run(r, cases, n, jobs, count_done, &k) == 0)
		return;
	/* No worker could start (or all were lost): the rest run here. */
	for (int i = k.reported; i < n && !bc_runner_stopped(r); i++) {
		static struct bc_case_result res;
		bc_run_case(r, cases[i], &res);
		done(arg, i, &res);
	}
}
