/* pool: the parallel runner.  Each worker is a forked process that enters a
 * fresh network namespace once, with lo up, and then takes cases one at a
 * time from the parent:
 *
 *  - a case that cannot leave state behind (its sockets never connect, so
 *    closing them frees everything) runs right in the worker, in the
 *    worker's namespace: no fork, no namespace to make and tear down.  A
 *    profile that only sets namespace sysctls and lo addresses does not
 *    stop that: the worker makes a fresh namespace with the profile applied
 *    whenever the next case's differs from what its namespace has (cases of
 *    one table mostly share one).  A case that makes connections runs in
 *    place too, and the worker makes a fresh namespace before its next case
 *    (TIME_WAIT and queued connections go with the old one).  Afterwards
 *    the worker checks it got its fds back; if not it reports the leak and
 *    exits, and a fresh worker with a fresh namespace takes its place.  A
 *    case that hangs in place is killed with its worker, and reported with
 *    the step it was in (the worker notes it in memory the parent shares).
 *    A case with a target runs in place as well: the target's own process
 *    (a vfork child) takes the scratch directory and the profile's names
 *    before it execs, and the worker kills what it left and renews its
 *    namespace;
 *  - every other case goes through the full sandbox (its own child, its own
 *    namespaces, profile, timeout), as bc_run_case always does.
 *
 * The parent hands out cases as workers finish, kills a worker that does not
 * answer within the case's timeout (and replaces it), and gives the results
 * to the caller in case order. */
#define _GNU_SOURCE
#include "exec/pool.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exec/profile.h"
#include "exec/sandbox.h"

/* Can the steps run in a worker's own process?  IN_PLACE_NO when they
 * change identity, touch files, resolve names or start a program;
 * IN_PLACE_CLEAN when closing their sockets frees everything; IN_PLACE_RESET
 * when they make connections, which leave TIME_WAIT and queued state in the
 * namespace: the worker then makes a fresh namespace before its next case. */
enum in_place { IN_PLACE_NO, IN_PLACE_CLEAN, IN_PLACE_RESET };

static enum in_place steps_in_place(const struct bc_case *c)
{
	/* A case with a target needs its scratch directory for the target
	 * alone (it is the target's working directory): its own steps touch
	 * no file.  It always leaves a used namespace behind. */
	enum in_place k = c->target ? IN_PLACE_RESET : IN_PLACE_CLEAN;
	if ((c->needs & BC_NEEDS_SCRATCH) && !c->target)
		return IN_PLACE_NO;
	for (int i = 0; i < c->nsteps; i++) {
		if (bc_step_addr(&c->steps[i]) && bc_step_addr(&c->steps[i])->family == AF_UNIX)
			return IN_PLACE_NO; /* a relative path would land in the worker's directory */
		switch (c->steps[i].verb) {
		case BC_V_SOCKET:
			if (c->steps[i].sock.in_peer)
				return IN_PLACE_NO;
			break;
		case BC_V_RUN: /* the target sets up its own directory and names */
		case BC_V_NAMES:
		case BC_V_SAID:
		case BC_V_CALLS:
		case BC_V_LEAKED:
		case BC_V_LISTENING:
			if (!c->target)
				return IN_PLACE_NO;
			break;
		case BC_V_SETSOCKOPT:
		case BC_V_GETSOCKOPT:
		case BC_V_BIND:
		case BC_V_LISTEN:
		case BC_V_CLOSE:
		case BC_V_SHUTDOWN:
		case BC_V_GETSOCKNAME:
		case BC_V_QUEUE:
			break;
		case BC_V_CONNECT:
		case BC_V_ACCEPT:
		case BC_V_HANDSHAKES:
			k = IN_PLACE_RESET;
			break;
		default:
			return IN_PLACE_NO; /* identity, files, resolution, programs */
		}
	}
	return k;
}

bool bc_pool_inprocess_ok(const struct bc_case *c)
{
	return !c->profile && steps_in_place(c) == IN_PLACE_CLEAN;
}

bool bc_pool_profile_inplace_ok(const struct bc_profile *p)
{
	return !p || (!p->set_uid && p->caps == BC_CAPS_DEFAULT && !p->hostname[0] && !p->names && !p->nhosts && !p->peer);
}

/* A case with a target may also have a host name and name files: only its
 * target looks names up, and the target sets them up for itself. */
static bool profile_in_place(const struct bc_case *c, const struct bc_profile *p)
{
	if (!p || bc_pool_profile_inplace_ok(p))
		return true;
	return c->target && !p->set_uid && p->caps == BC_CAPS_DEFAULT && !p->peer;
}

/* Do two such profiles make the same namespace? */
static bool same_netns_setup(const struct bc_profile *a, const struct bc_profile *b)
{
	if (!a || !b)
		return a == b || (!a ? !b->nsysctl && !b->naddrs : !a->nsysctl && !a->naddrs);
	return a->nsysctl == b->nsysctl && a->naddrs == b->naddrs &&
	       memcmp(a->sysctl, b->sysctl, (size_t)a->nsysctl * sizeof(a->sysctl[0])) == 0 &&
	       memcmp(a->addrs, b->addrs, (size_t)a->naddrs * sizeof(a->addrs[0])) == 0;
}

static long now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000L + ts.tv_nsec / 1000;
}

/* The lowest free fd: what a case left open shows as a higher one. */
static int lowest_free_fd(void)
{
	int fd = dup(0);
	if (fd >= 0)
		close(fd);
	return fd;
}

static bool read_all(int fd, void *buf, size_t n)
{
	char *p = buf;
	while (n) {
		ssize_t k = read(fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return false;
		p += k;
		n -= (size_t)k;
	}
	return true;
}

/* A result goes to the parent without the unused part of its step table:
 * the fixed head, the steps that ran, the tail (a third of the bytes for a
 * typical case, and the parent reads every one of them). */
#define HEAD offsetof(struct bc_case_result, obs.steps)
#define TAIL offsetof(struct bc_case_result, obs.ports)

/* The bytes of the steps that ran (nsteps, kept in bounds). */
static size_t steps_bytes(const struct bc_case_result *res)
{
	int ns = res->obs.nsteps < 0 ? 0 : res->obs.nsteps > BC_MAX_STEPS ? BC_MAX_STEPS : res->obs.nsteps;
	return (size_t)ns * sizeof(res->obs.steps[0]);
}

static bool send_result(int fd, int idx, const struct bc_case_result *res)
{
	struct iovec v[4] = {
		{&idx, sizeof(idx)},
		{(void *)res, HEAD},
		{(void *)res->obs.steps, steps_bytes(res)},
		{(char *)res + TAIL, sizeof(*res) - TAIL},
	};
	/* One call, as a rule; what a signal or a full pipe leaves unwritten
	 * goes after it. */
	size_t total = 0;
	for (int i = 0; i < 4; i++)
		total += v[i].iov_len;
	ssize_t k;
	while ((k = writev(fd, v, 4)) < 0 && errno == EINTR)
		;
	if (k < 0)
		return false;
	size_t done = (size_t)k;
	for (int i = 0; i < 4 && done < total; i++) {
		if (done >= v[i].iov_len) {
			done -= v[i].iov_len;
			continue;
		}
		if (!bc_sandbox_write(fd, (const char *)v[i].iov_base + done, v[i].iov_len - done))
			return false;
		done = 0;
	}
	return true;
}

static bool recv_result(int fd, struct bc_case_result *res)
{
	char *p = (char *)res;
	if (!read_all(fd, p, HEAD))
		return false;
	return read_all(fd, res->obs.steps, steps_bytes(res)) &&
	       read_all(fd, p + TAIL, sizeof(*res) - TAIL);
}

/* Where a worker is, in memory it shares with the parent: the case it
 * runs in place and the step it is in, so that a case that hangs in place
 * is reported with its step, as the sandbox reports it. */
struct beat {
	volatile int idx;  /* -1: none in place */
	volatile int step;
};

static void step_beat(void *arg, int i)
{
	((struct beat *)arg)->step = i;
}

/* In the worker: one case, without a process of its own. */
static bool run_inprocess(const struct bc_runner *r, const struct bc_case *c, const struct bc_profile *p, int idx,
			  struct beat *beat, struct bc_case_result *res)
{
	int before = lowest_free_fd();
	long start = now_us();
	char scratch[64];
	struct bc_step_env env = {.home_net = -1, .peer_net = -1};
	memset(res, 0, sizeof(*res));
	res->c = c;
	if (c->target) {
		/* The target's working directory, and its names. */
		const char *tmp = getenv("TMPDIR");
		snprintf(scratch, sizeof(scratch), "%s/bindcheck-XXXXXX", tmp && *tmp && strlen(tmp) < 40 ? tmp : "/tmp");
		if (!mkdtemp(scratch) || chmod(scratch, 01777) < 0) {
			res->j.verdict = BC_ERROR;
			res->j.posix = -1;
			res->j.slot = -1;
			snprintf(res->j.reason, sizeof(res->j.reason), "cannot create a scratch directory: %s", strerror(errno));
			return true;
		}
		env.target_dir = scratch;
		env.target_names = p && (p->hostname[0] || p->names) ? p : NULL;
	}
	beat->step = -1;
	beat->idx = idx;
	bc_steps_run(c, &env, &res->obs, step_beat, beat);
	beat->idx = -1;
	if (c->target) {
		/* Whatever the target left running goes, and its directory. */
		bc_sandbox_reap_children(NULL, 0);
		bc_runner_remove_scratch(scratch);
	}
	res->duration_us = now_us() - start;
	res->ran = true;
	res->in_place = true;
	bc_judge(c, &r->platform, &res->obs, &res->j);
	int after = lowest_free_fd();
	if (after != before) {
		res->j.verdict = BC_ERROR;
		res->j.posix = -1;
		snprintf(res->j.reason, sizeof(res->j.reason), "fd leak: the lowest free fd was %d before the steps, %d after",
			 before, after);
		return false; /* this worker's namespace may hold the socket: replace it */
	}
	return true;
}

/* The profile a case runs under: the platform's, then the case's own on
 * top; NULL for none, or when the two cannot be merged (the sandbox then
 * says why). */
static const struct bc_profile *effective_profile(const struct bc_runner *r, const struct bc_case *c,
						 struct bc_profile *merged)
{
	char err[128];
	if (!r->run_profile)
		return c->profile;
	*merged = *r->run_profile;
	if (c->profile && bc_profile_merge(merged, c->profile, err, sizeof(err)) < 0)
		return NULL;
	return merged;
}

static void worker_main(const struct bc_runner *r, const struct bc_case *const *cases, int n, int cmd, int out,
			struct beat *beat)
{
	char why[256];
	/* Orphans of this worker's case children come back to it. */
	bc_sandbox_become_reaper();
	bool own_net = r->caps.private_net && bc_sandbox_enter_private_net(why, sizeof(why)) == 0;
	/* What this worker's namespace was set up with: none yet.  A case
	 * whose profile sets namespace sysctls and lo addresses runs in place
	 * in a namespace made for that profile; the worker makes a fresh one
	 * when the next case's profile differs, or when the last case left
	 * connections or a target's sockets behind (ns_dirty). */
	static struct bc_profile ns_prof, want;
	bool ns_has_prof = false, ns_dirty = false;
	static struct bc_case_result res;
	for (;;) {
		int idx;
		if (!read_all(cmd, &idx, sizeof(idx)) || idx < 0 || idx >= n)
			_exit(0);
		const struct bc_case *c = cases[idx];
		char skip[512];
		enum in_place kind = own_net ? steps_in_place(c) : IN_PLACE_NO;
		bool keep = true, inplace = kind != IN_PLACE_NO && !bc_runner_skip_reason(r, c, skip, sizeof(skip));
		const struct bc_profile *p = inplace ? effective_profile(r, c, &want) : NULL;
		if (inplace && (c->profile || r->run_profile) && (!p || !profile_in_place(c, p)))
			inplace = false;
		if (inplace && (ns_dirty || !same_netns_setup(ns_has_prof ? &ns_prof : NULL, p))) {
			ns_dirty = false;
			/* Only the namespace's part: sysctls and lo addresses.  A
			 * target's names are its own (run_inprocess), never the
			 * worker's, which later sandboxes are forked from. */
			static struct bc_profile net;
			if (p) {
				net = (struct bc_profile){.nsysctl = p->nsysctl, .naddrs = p->naddrs};
				memcpy(net.name, p->name, sizeof(net.name));
				memcpy(net.sysctl, p->sysctl, sizeof(net.sysctl));
				memcpy(net.addrs, p->addrs, sizeof(net.addrs));
			}
			struct bc_step_env env = {.home_net = -1, .peer_net = -1};
			inplace = bc_sandbox_enter_private_net(why, sizeof(why)) == 0 &&
				  bc_profile_apply(p ? &net : NULL, r->host_net, &env, why, sizeof(why)) == BC_PROFILE_OK;
			bc_profile_release(&env);
			ns_has_prof = inplace && p;
			if (ns_has_prof)
				ns_prof = *p;
			if (!inplace) /* the sandbox runs it, and says what failed */
				own_net = bc_sandbox_enter_private_net(why, sizeof(why)) == 0;
		}
		if (inplace) {
			keep = run_inprocess(r, c, p, idx, beat, &res);
			ns_dirty = kind == IN_PLACE_RESET;
		} else {
			bc_run_case(r, c, &res);
		}
		if (!send_result(out, idx, &res) || !keep)
			_exit(0);
	}
}

/* Each worker has a few cases queued, so that it goes from one to the next
 * without waiting for the parent: on a small VM a wake-up costs more than an
 * in-place case. */
#define DEPTH 4

struct worker {
	pid_t pid;
	int cmd, res;
	int q[DEPTH];   /* the cases sent to it, oldest first */
	int nq;
	long deadline;  /* when the oldest must have answered */
	struct beat *beat;
};

static int spawn(struct worker *w, const struct bc_runner *r, const struct bc_case *const *cases, int n,
		 const struct worker *all, int nall)
{
	int c[2], o[2];
	if (pipe2(c, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(o, O_CLOEXEC) < 0) {
		close(c[0]);
		close(c[1]);
		return -1;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		/* Only this worker's own pipes stay open in it. */
		for (int i = 0; i < nall; i++) {
			if (all[i].pid > 0 && &all[i] != w) {
				close(all[i].cmd);
				close(all[i].res);
			}
		}
		close(c[1]);
		close(o[0]);
		worker_main(r, cases, n, c[0], o[1], w->beat);
		_exit(0);
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

/* Stop a worker; returns how it ended (a wait status). */
static int retire(struct worker *w)
{
	int status = 0;
	if (w->pid <= 0)
		return 0;
	close(w->cmd);
	close(w->res);
	kill(w->pid, SIGKILL);
	waitpid(w->pid, &status, 0);
	w->pid = -1;
	return status;
}

static long case_timeout_us(const struct bc_runner *r, const struct bc_case *c)
{
	long t = r->timeout_ms > 0 ? r->timeout_ms : c->timeout_ms;
	return (t + 2000) * 1000L;
}

/* The case could not get an answer: an error, with why. */
static void set_lost(struct bc_case_result *res, const struct bc_runner *r, const struct bc_case *c, bool hung,
		     int status, int step)
{
	memset(res, 0, sizeof(*res));
	res->c = c;
	res->j.verdict = BC_ERROR;
	res->j.posix = -1;
	res->j.slot = -1;
	if (hung && step >= 0 && step < c->nsteps)
		snprintf(res->j.reason, sizeof(res->j.reason), "timeout: killed after %d ms in step %d (%s)",
			 r->timeout_ms > 0 ? r->timeout_ms : c->timeout_ms, step + 1, c->steps[step].text);
	else if (hung)
		snprintf(res->j.reason, sizeof(res->j.reason), "timeout: the worker running it did not answer within its timeout");
	else if (WIFSIGNALED(status))
		snprintf(res->j.reason, sizeof(res->j.reason), "the worker running it died of signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(res->j.reason, sizeof(res->j.reason), "the worker running it ended (status %d) without an answer",
			 WEXITSTATUS(status));
}

int bc_pool_run(const struct bc_runner *r, const struct bc_case *const *cases, int n, int jobs,
		void (*done)(void *arg, int index, const struct bc_case_result *res), void *arg)
{
	struct worker ws[64];
	/* Cases go out in order, DEPTH at a time per worker, and come back in
	 * order per worker; a case that lost its worker goes out again first.
	 * So no finished case is more than RING ahead of the next to report. */
	int retry[64 * DEPTH], nretry = 0;
	int next = 0, reported = 0, running = 0;
	if (jobs < 1)
		jobs = 1;
	if (jobs > 64)
		jobs = 64;
	if (jobs > n)
		jobs = n ? n : 1;
	const int RING = jobs * DEPTH + 16;
	struct beat *beats = mmap(NULL, (size_t)jobs * sizeof(*beats), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (beats == MAP_FAILED)
		return -1;
	for (int i = 0; i < jobs; i++) {
		beats[i].idx = -1;
		ws[i].beat = &beats[i];
		ws[i].pid = -1; /* spawn() looks at the others' */
	}
	struct bc_case_result *results = calloc((size_t)RING, sizeof(*results));
	bool *have = calloc((size_t)RING, sizeof(*have));
	if (!results || !have) {
		free(results);
		free(have);
		munmap(beats, (size_t)jobs * sizeof(*beats));
		return -1;
	}
	signal(SIGPIPE, SIG_IGN);
	for (int i = 0; i < jobs; i++) {
		ws[i].pid = -1;
		if (spawn(&ws[i], r, cases, n, ws, jobs) == 0)
			running++;
	}
	if (running == 0) {
		free(results);
		free(have);
		munmap(beats, (size_t)jobs * sizeof(*beats));
		return -1;
	}
	while (reported < n) {
		/* Keep every worker's queue full. */
		for (int i = 0; i < jobs; i++) {
			bool more = nretry || (next < n && next < reported + RING);
			if (ws[i].pid <= 0 && more && spawn(&ws[i], r, cases, n, ws, jobs) < 0)
				continue;
			while (ws[i].pid > 0 && ws[i].nq < DEPTH && (nretry || (next < n && next < reported + RING))) {
				int idx = nretry ? retry[--nretry] : next++;
				if (!bc_sandbox_write(ws[i].cmd, &idx, sizeof(idx))) {
					/* It died while idle: the case waits for a fresh one. */
					retry[nretry++] = idx;
					for (int k = 0; k < ws[i].nq; k++)
						retry[nretry++] = ws[i].q[k];
					retire(&ws[i]);
					ws[i].nq = 0;
					break;
				}
				if (ws[i].nq == 0)
					ws[i].deadline = now_us() + case_timeout_us(r, cases[idx]);
				ws[i].q[ws[i].nq++] = idx;
			}
		}
		struct pollfd p[64];
		int np = 0, map[64];
		long soonest = -1;
		for (int i = 0; i < jobs; i++) {
			if (ws[i].pid <= 0 || ws[i].nq == 0)
				continue;
			p[np] = (struct pollfd){ws[i].res, POLLIN, 0};
			map[np++] = i;
			if (soonest < 0 || ws[i].deadline < soonest)
				soonest = ws[i].deadline;
		}
		if (np == 0)
			break; /* nothing runs and nothing could be started */
		long wait_ms = (soonest - now_us()) / 1000;
		if (poll(p, (nfds_t)np, wait_ms < 0 ? 0 : wait_ms > 60000 ? 60000 : (int)wait_ms) < 0 && errno != EINTR)
			break;
		for (int k = 0; k < np; k++) {
			struct worker *w = &ws[map[k]];
			int idx = w->q[0], got;
			struct bc_case_result *slot = &results[idx % RING];
			bool answered = (p[k].revents & (POLLIN | POLLHUP | POLLERR)) && read_all(w->res, &got, sizeof(got)) &&
					got == idx && recv_result(w->res, slot);
			if (answered) {
				memmove(w->q, w->q + 1, (size_t)(w->nq - 1) * sizeof(w->q[0]));
				if (--w->nq)
					w->deadline = now_us() + case_timeout_us(r, cases[w->q[0]]);
			} else if (p[k].revents || now_us() >= w->deadline) {
				/* It died, or hung past the case's timeout: that case is
				 * an error, the cases queued behind it go out again, and
				 * a fresh worker takes its place. */
				bool hung = !p[k].revents;
				int lost_step = w->beat->idx == idx ? w->beat->step : -1;
				int status = retire(w);
				for (int q = w->nq - 1; q >= 1; q--)
					retry[nretry++] = w->q[q];
				w->nq = 0;
				set_lost(slot, r, cases[idx], hung, status, lost_step);
				/* Whatever that worker left running goes too. */
				int keep[64], nk = 0;
				for (int i = 0; i < jobs; i++)
					if (ws[i].pid > 0)
						keep[nk++] = (int)ws[i].pid;
				bc_sandbox_reap_children(keep, nk);
			} else {
				continue;
			}
			slot->c = cases[idx];
			have[idx % RING] = true;
			while (reported < n && have[reported % RING]) {
				done(arg, reported, &results[reported % RING]);
				have[reported % RING] = false;
				reported++;
			}
		}
	}
	for (int i = 0; i < jobs; i++)
		retire(&ws[i]);
	int rc = reported == n ? 0 : -1;
	free(results);
	free(have);
	munmap(beats, (size_t)jobs * sizeof(*beats));
	return rc;
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
	for (int i = k.reported; i < n; i++) {
		static struct bc_case_result res;
		bc_run_case(r, cases[i], &res);
		done(arg, i, &res);
	}
}
