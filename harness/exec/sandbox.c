/* sandbox: fork, isolate, run, collect.  Linux gets a private network
 * namespace (through a user namespace when not root); elsewhere the case runs
 * in a plain child and cases that need a namespace are skipped by the caller. */
#define _GNU_SOURCE /* unshare, CLONE_NEWNET */
#include "exec/sandbox.h"

#include "exec/confine.h"
#include "exec/netlink.h"
#include "exec/netns.h"
#include "exec/wire.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sched.h>
#endif

#define EXIT_UNAVAILABLE 77 /* the child could not isolate itself; its output says why */
#define REPORT_FD_MIN 900   /* keep the report pipe away from fds a case names */
#define TRAILER "\n#bc-fds "

bool bc_sandbox_write(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

#ifdef __linux__
static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* Root gets a plain new network namespace; anyone else a user namespace in
 * which they are root, owning a new network namespace.  Either way with a
 * small TCP table for the namespaces made from it (exec/netns.h). */
static int enter_private_net(char *why, size_t n)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	if (unshare(CLONE_NEWNET) == 0) {
		bc_netns_tables();
		return 0;
	}
	if (errno != EPERM) {
		snprintf(why, n, "cannot create a network namespace: unshare(CLONE_NEWNET): %s", strerror(errno));
		return -1;
	}
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0) {
		snprintf(why, n, "needs CAP_SYS_ADMIN or unprivileged user namespaces: unshare: %s", strerror(errno));
		return -1;
	}
	if (bc_sandbox_map_self(uid, gid, why, n) < 0)
		return -1;
	bc_netns_tables();
	return 0;
}

int bc_sandbox_map_self(uid_t uid, gid_t gid, char *why, size_t n)
{
	char map[64];
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
	if (write_file("/proc/self/setgroups", "deny") < 0 || write_file("/proc/self/uid_map", map) < 0) {
		snprintf(why, n, "cannot map the user namespace: %s", strerror(errno));
		return -1;
	}
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
	if (write_file("/proc/self/gid_map", map) < 0) {
		snprintf(why, n, "cannot map the user namespace's group: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Flags are read with SIOCGIFFLAGS and set through rtnetlink (RTM_NEWLINK,
 * exec/netlink.c), as `ip link set` does, and only when they change:
 * SIOCSIFFLAGS is not implemented by every Linux network stack (gVisor's
 * answers ENOTTY), and gVisor, whose new namespaces have lo up already,
 * does not take RTM_NEWLINK either (EOPNOTSUPP). */
int bc_sandbox_link_flags(const char *dev, short set, short *now)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = 0;
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		rc = -errno;
	close(fd);
	if (rc == 0 && (set & ~ifr.ifr_flags)) {
		rc = set == IFF_UP ? bc_nl_link_up(dev, 1) : -EINVAL;
		ifr.ifr_flags |= set;
	}
	if (now)
		*now = ifr.ifr_flags;
	return rc;
}

/* A new namespace's lo is down; until it is up, any IPv4 bind succeeds
 * because there is no local routing table yet. */
static int bring_lo_up(char *why, size_t n)
{
	int rc = bc_sandbox_link_flags("lo", IFF_UP, NULL);
	if (rc < 0)
		snprintf(why, n, "cannot bring lo up: %s", strerror(-rc));
	return rc < 0 ? -1 : 0;
}
#else
int bc_sandbox_link_flags(const char *dev, short set, short *now)
{
	(void)dev, (void)set, (void)now;
	return -ENOSYS;
}

static int enter_private_net(char *why, size_t n)
{
	snprintf(why, n, "private network namespaces exist only on Linux");
	return -1;
}

static int bring_lo_up(char *why, size_t n)
{
	(void)why;
	(void)n;
	return 0;
}
#endif

int bc_sandbox_enter_private_net(char *why, size_t n)
{
	return enter_private_net(why, n) < 0 || bring_lo_up(why, n) < 0 ? -1 : 0;
}

static void child(const struct bc_sandbox_cfg *cfg, bc_sandbox_fn fn, void *arg, int wfd, int logfd)
{
	char why[200], trailer[96];
	int out_fd, rc, before, after, lingering;
	long heap;
	setpgid(0, 0);
	out_fd = fcntl(wfd, F_DUPFD_CLOEXEC, REPORT_FD_MIN);
	if (out_fd < 0)
		out_fd = wfd;
	else
		close(wfd);
	/* stdout and stderr of the case and of all it starts go to the log
	 * pipe, which the parent keeps bounded. */
	fflush(NULL);
	dup2(logfd, STDOUT_FILENO);
	dup2(logfd, STDERR_FILENO);
	close(logfd);
	/* Orphans of the case's own processes come back to it, whatever
	 * session or group they moved to, and are killed below. */
	bc_guard_become_reaper();
	/* Outside a worker (which has entered it already): into the base, so
	 * that the case's namespace has a small table. */
	if (cfg->confine && cfg->private_net)
		bc_netns_enter_base();
	if (cfg->confine && bc_confine_enter(NULL, why, sizeof(why)) < 0) {
		bc_sandbox_write(out_fd, why, strlen(why));
		_exit(EXIT_UNAVAILABLE);
	}
	if (cfg->private_net && (enter_private_net(why, sizeof(why)) < 0 || bring_lo_up(why, sizeof(why)) < 0)) {
		bc_sandbox_write(out_fd, why, strlen(why));
		_exit(EXIT_UNAVAILABLE);
	}
	before = bc_guard_count_fds();
	heap = bc_guard_heap();
	rc = fn(arg, out_fd);
	heap = bc_guard_heap() - heap;
	after = bc_guard_count_fds();
	lingering = bc_guard_reap(NULL, 0);
	snprintf(trailer, sizeof(trailer), TRAILER "%d %d %ld %d\n", before, after, heap, lingering);
	bc_sandbox_write(out_fd, trailer, strlen(trailer));
	_exit(rc);
}

#if defined(__linux__) && defined(SYS_pidfd_open)
/* Not under Valgrind, whose 3.19 does not know the call (it warns, then
 * says ENOSYS): there the child is looked at every millisecond instead. */
static int open_pidfd(pid_t pid)
{
	if (bc_guard_under_valgrind())
		return -1;
	return (int)syscall(SYS_pidfd_open, pid, 0);
}
#else
static int open_pidfd(pid_t pid)
{
	(void)pid;
	return -1;
}
#endif

struct watch {
	pid_t pid;
	int rfd;         /* the report pipe */
	int lfd;         /* the log pipe (stdout, stderr) */
	bool leof;
	int pidfd;       /* readable when the child ends; -1 where there is none */
	long deadline;
	bool eof;
	bool reaped;
	int wstatus;
	size_t cap;
};

static void take_output(struct watch *w, struct bc_sandbox_result *res)
{
	char buf[4096];
	ssize_t n = read(w->rfd, buf, sizeof(buf));
	if (n < 0 && errno == EINTR)
		return;
	if (n <= 0) {
		w->eof = true; /* the child and anything it forked closed the pipe */
		return;
	}
	if (res->outlen + (size_t)n + 1 > w->cap && w->cap < BC_SANDBOX_OUT_MAX) {
		size_t ncap = w->cap * 4 > BC_SANDBOX_OUT_MAX ? BC_SANDBOX_OUT_MAX : w->cap * 4;
		char *o = realloc(res->out, ncap);
		if (o) {
			res->out = o;
			w->cap = ncap;
		}
	}
	size_t room = w->cap > res->outlen + 1 ? w->cap - res->outlen - 1 : 0;
	size_t take = (size_t)n < room ? (size_t)n : room;
	memcpy(res->out + res->outlen, buf, take);
	res->outlen += take;
	res->out_truncated |= take < (size_t)n;
}

/* The log is kept up to BC_SANDBOX_OUT_MAX bytes; the rest is read and
 * counted, so that a case that writes without end never blocks. */
static void take_log(struct watch *w, struct bc_sandbox_result *res)
{
	char buf[16384];
	ssize_t n = read(w->lfd, buf, sizeof(buf));
	if (n < 0 && errno == EINTR)
		return;
	if (n <= 0) {
		w->leof = true;
		return;
	}
	if (!res->log)
		res->log = calloc(1, BC_SANDBOX_OUT_MAX + 1);
	size_t room = res->log ? BC_SANDBOX_OUT_MAX - res->loglen : 0;
	size_t take = (size_t)n < room ? (size_t)n : room;
	if (take)
		memcpy(res->log + res->loglen, buf, take);
	res->loglen += take;
	res->log_total += (size_t)n;
}

/* Waits for the child's output and its end, whichever order they come in,
 * until the deadline.  Returns false at the deadline. */
static bool watch_child(struct watch *w, struct bc_sandbox_result *res)
{
	while (!w->eof || !w->leof || !w->reaped) {
		struct pollfd p[3];
		int n = 0, wait_ms, li = -1;
		long left = (w->deadline - bc_now_us() + 999) / 1000;
		if (left <= 0)
			return false;
		wait_ms = left > INT_MAX ? INT_MAX : (int)left;
		if (!w->eof)
			p[n++] = (struct pollfd){w->rfd, POLLIN, 0};
		if (!w->leof) {
			li = n;
			p[n++] = (struct pollfd){w->lfd, POLLIN, 0};
		}
		if (!w->reaped && w->pidfd >= 0)
			p[n++] = (struct pollfd){w->pidfd, POLLIN, 0};
		else if (!w->reaped && wait_ms > 1)
			wait_ms = 1; /* no pidfd: look at the child every millisecond */
		if (poll(p, (nfds_t)n, wait_ms) < 0 && errno != EINTR)
			return false;
		if (!w->eof && (p[0].revents & (POLLIN | POLLHUP | POLLERR)))
			take_output(w, res);
		if (li >= 0 && (p[li].revents & (POLLIN | POLLHUP | POLLERR)))
			take_log(w, res);
		siginfo_t si;
		si.si_pid = 0;
		if (!w->reaped && waitid(P_PID, (id_t)w->pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == w->pid) {
			/* Whatever the child left behind ends with it; the pipe
			 * then reaches EOF even if a grandchild held it.  The
			 * child is still unreaped, so its pid, which names the
			 * group, cannot have been reused. */
			kill(-w->pid, SIGKILL);
			waitpid(w->pid, &w->wstatus, 0);
			w->reaped = true;
		}
	}
	return true;
}

/* After the child ended on its own: split off the fd trailer it appends
 * after fn returns, and say how it ended. */
static void classify(struct bc_sandbox_result *res, int wstatus)
{
	/* The output may be binary: search it with memmem, keep the last match. */
	char *t = NULL;
	for (char *p = res->out; p < res->out + res->outlen;) {
		char *m = memmem(p, res->outlen - (size_t)(p - res->out), TRAILER, strlen(TRAILER));
		if (!m)
			break;
		t = m;
		p = m + 1;
	}
	if (t && sscanf(t + strlen(TRAILER), "%d %d %ld %d", &res->fds_before, &res->fds_after, &res->heap_delta,
			&res->lingering) == 4) {
		*t = '\0';
		res->outlen = (size_t)(t - res->out);
	}
	if (WIFSIGNALED(wstatus)) {
		res->end = BC_SB_SIGNALED;
		res->status = WTERMSIG(wstatus);
		snprintf(res->detail, sizeof(res->detail), "signal %d (%s)", res->status, strsignal(res->status));
	} else if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == EXIT_UNAVAILABLE && res->fds_before < 0) {
		res->end = BC_SB_UNAVAILABLE;
		snprintf(res->detail, sizeof(res->detail), "%s", res->outlen ? res->out : "isolation unavailable");
	} else {
		res->end = BC_SB_EXITED;
		res->status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
	}
}

int bc_sandbox_run(const struct bc_sandbox_cfg *cfg, bc_sandbox_fn fn, void *arg, struct bc_sandbox_result *res)
{
	int fds[2], logp[2];
	long start = bc_now_us();
	struct watch w = {.cap = 4096};
	pid_t pid;

	memset(res, 0, sizeof(*res));
	res->fds_before = res->fds_after = -1;
	res->out = malloc(w.cap);
	if (!res->out || pipe2(fds, O_CLOEXEC) < 0) {
		res->end = BC_SB_FAILED;
		snprintf(res->detail, sizeof(res->detail), "pipe: %s", strerror(errno));
		return -1;
	}
	if (pipe2(logp, O_CLOEXEC) < 0) {
		res->end = BC_SB_FAILED;
		snprintf(res->detail, sizeof(res->detail), "pipe: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	/* The caller's own children (other than the case) are left alone by
	 * the orphan sweep below. */
	pid_t before_kids[256];
	int nbefore = cfg->reap_orphans ? bc_guard_children(before_kids, 256) : 0;
	fflush(NULL); /* a buffered line must not be printed by both processes */
	pid = fork();
	if (pid < 0) {
		res->end = BC_SB_FAILED;
		snprintf(res->detail, sizeof(res->detail), "fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		close(logp[0]);
		close(logp[1]);
		return -1;
	}
	if (pid == 0) {
		close(fds[0]);
		close(logp[0]);
		child(cfg, fn, arg, fds[1], logp[1]);
	}
	setpgid(pid, pid); /* also done by the child: whichever runs first wins */
	close(fds[1]);
	close(logp[1]);
	w.pid = pid;
	w.rfd = fds[0];
	w.lfd = logp[0];
	w.pidfd = open_pidfd(pid);
	w.deadline = start + (long)cfg->timeout_ms * 1000;
	if (!watch_child(&w, res)) {
		/* Nothing of the case outlives its timeout.  Once the child is
		 * reaped its group is already dead (see watch_child). */
		if (!w.reaped) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &w.wstatus, 0);
		}
		res->end = BC_SB_TIMEOUT;
		snprintf(res->detail, sizeof(res->detail), "timeout after %d ms", cfg->timeout_ms);
	}
	close(fds[0]);
	close(logp[0]);
	if (w.pidfd >= 0)
		close(w.pidfd);
	/* A process that left the case's group before the group was killed
	 * (setsid) was orphaned to us: it goes now. */
	if (cfg->reap_orphans)
		res->lingering += bc_guard_reap(before_kids, nbefore);
	res->duration_us = bc_now_us() - start;
	res->out[res->outlen] = '\0';
	if (res->end == BC_SB_TIMEOUT)
		return 0;

	classify(res, w.wstatus);
	return 0;
}

void bc_sandbox_result_free(struct bc_sandbox_result *res)
{
	free(res->out);
	free(res->log);
	res->out = NULL;
	res->log = NULL;
}
