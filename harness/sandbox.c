/* sandbox: fork, isolate, run, collect.  Linux gets a private network
 * namespace (through a user namespace when not root); elsewhere the case runs
 * in a plain child and cases that need a namespace are skipped by the caller. */
#define _GNU_SOURCE /* unshare, CLONE_NEWNET */
#include "sandbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sched.h>
#endif

#define EXIT_UNAVAILABLE 77 /* the child could not isolate itself; its output says why */
#define REPORT_FD_MIN 900   /* keep the report pipe away from fds a case names */
#define TRAILER "\n#bc-fds "

static long now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000L + ts.tv_nsec / 1000;
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;
	if (!d)
		d = opendir("/dev/fd");
	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n - 3; /* ".", ".." and the directory's own fd */
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
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
 * which they are root, owning a new network namespace. */
static int enter_private_net(char *why, size_t n)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	char map[64];
	if (unshare(CLONE_NEWNET) == 0)
		return 0;
	if (errno != EPERM) {
		snprintf(why, n, "cannot create a network namespace: unshare(CLONE_NEWNET): %s", strerror(errno));
		return -1;
	}
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0) {
		snprintf(why, n, "needs CAP_SYS_ADMIN or unprivileged user namespaces: unshare: %s", strerror(errno));
		return -1;
	}
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

/* A new namespace's lo is down; until it is up, any IPv4 bind succeeds
 * because there is no local routing table yet. */
static int bring_lo_up(char *why, size_t n)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(why, n, "cannot bring lo up: socket: %s", strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0 || (ifr.ifr_flags |= IFF_UP, ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)) {
		snprintf(why, n, "cannot bring lo up: %s", strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}
#else
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

static void child(const struct bc_sandbox_cfg *cfg, bc_sandbox_fn fn, void *arg, int wfd)
{
	char why[200], trailer[64];
	int out_fd, rc, before, after;
	setpgid(0, 0);
	out_fd = fcntl(wfd, F_DUPFD_CLOEXEC, REPORT_FD_MIN);
	if (out_fd < 0)
		out_fd = wfd;
	else
		close(wfd);
	if (cfg->private_net && (enter_private_net(why, sizeof(why)) < 0 || bring_lo_up(why, sizeof(why)) < 0)) {
		write_all(out_fd, why, strlen(why));
		_exit(EXIT_UNAVAILABLE);
	}
	before = count_fds();
	rc = fn(arg, out_fd);
	after = count_fds();
	snprintf(trailer, sizeof(trailer), TRAILER "%d %d\n", before, after);
	write_all(out_fd, trailer, strlen(trailer));
	_exit(rc);
}

/* Reads what the child writes until EOF, the child's exit, or the deadline. */
static void collect(int rfd, pid_t pid, long deadline, struct bc_sandbox_result *res, int *wstatus, bool *reaped)
{
	size_t cap = 4096;
	res->out = malloc(cap);
	for (;;) {
		long left = (deadline - now_us()) / 1000;
		struct pollfd p = {rfd, POLLIN, 0};
		if (left <= 0)
			return;
		int pr = poll(&p, 1, left < 20 ? (int)left : 20);
		if (pr > 0) {
			char buf[4096];
			ssize_t n = read(rfd, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				return; /* EOF: the child and anything it forked closed the pipe */
			if (res->out && res->outlen + (size_t)n + 1 > cap && cap < BC_SANDBOX_OUT_MAX) {
				size_t ncap = cap * 4 > BC_SANDBOX_OUT_MAX ? BC_SANDBOX_OUT_MAX : cap * 4;
				char *o = realloc(res->out, ncap);
				if (o)
					res->out = o, cap = ncap;
			}
			size_t room = res->out && cap > res->outlen + 1 ? cap - res->outlen - 1 : 0;
			size_t take = (size_t)n < room ? (size_t)n : room;
			if (take)
				memcpy(res->out + res->outlen, buf, take);
			res->outlen += take;
			res->out_truncated |= take < (size_t)n;
		} else if (!*reaped && waitpid(pid, wstatus, WNOHANG) == pid) {
			/* The child is gone but the pipe is still open: a process it
			 * left behind holds it.  End the group; EOF follows. */
			*reaped = true;
			kill(-pid, SIGKILL);
		}
	}
}

int bc_sandbox_run(const struct bc_sandbox_cfg *cfg, bc_sandbox_fn fn, void *arg, struct bc_sandbox_result *res)
{
	int fds[2], wstatus = 0;
	bool reaped = false;
	long start = now_us(), deadline;
	pid_t pid;

	memset(res, 0, sizeof(*res));
	res->fds_before = res->fds_after = -1;
	if (pipe2(fds, O_CLOEXEC) < 0) {
		res->end = BC_SB_FAILED;
		snprintf(res->detail, sizeof(res->detail), "pipe: %s", strerror(errno));
		return -1;
	}
	fflush(NULL); /* a buffered line must not be printed by both processes */
	pid = fork();
	if (pid < 0) {
		res->end = BC_SB_FAILED;
		snprintf(res->detail, sizeof(res->detail), "fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		close(fds[0]);
		child(cfg, fn, arg, fds[1]);
	}
	setpgid(pid, pid); /* also done by the child: whichever runs first wins */
	close(fds[1]);
	deadline = start + (long)cfg->timeout_ms * 1000;
	collect(fds[0], pid, deadline, res, &wstatus, &reaped);
	while (!reaped) {
		pid_t w = waitpid(pid, &wstatus, WNOHANG);
		if (w == pid) {
			reaped = true;
			break;
		}
		if (w < 0 && errno != EINTR)
			break;
		if (now_us() >= deadline) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &wstatus, 0);
			res->end = BC_SB_TIMEOUT;
			snprintf(res->detail, sizeof(res->detail), "timeout after %d ms", cfg->timeout_ms);
			break;
		}
		struct timespec ts = {0, 100000};
		nanosleep(&ts, NULL);
	}
	kill(-pid, SIGKILL); /* nothing of the case outlives it */
	close(fds[0]);
	res->duration_us = now_us() - start;
	if (res->out)
		res->out[res->outlen] = '\0';
	if (res->end == BC_SB_TIMEOUT)
		return 0;

	/* Split off the fd trailer the child appends after fn returns. */
	/* The output may be binary: search it with memmem, keep the last match. */
	char *t = NULL;
	for (char *p = res->out; p && p < res->out + res->outlen;) {
		char *m = memmem(p, res->outlen - (size_t)(p - res->out), TRAILER, strlen(TRAILER));
		if (!m)
			break;
		t = m;
		p = m + 1;
	}
	if (t) {
		if (sscanf(t + strlen(TRAILER), "%d %d", &res->fds_before, &res->fds_after) == 2) {
			*t = '\0';
			res->outlen = (size_t)(t - res->out);
		}
	}
	if (WIFSIGNALED(wstatus)) {
		res->end = BC_SB_SIGNALED;
		res->status = WTERMSIG(wstatus);
		snprintf(res->detail, sizeof(res->detail), "signal %d (%s)", res->status, strsignal(res->status));
	} else if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == EXIT_UNAVAILABLE && res->fds_before < 0) {
		res->end = BC_SB_UNAVAILABLE;
		snprintf(res->detail, sizeof(res->detail), "%s", res->out ? res->out : "isolation unavailable");
	} else {
		res->end = BC_SB_EXITED;
		res->status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
	}
	return 0;
}

void bc_sandbox_result_free(struct bc_sandbox_result *res)
{
	free(res->out);
	res->out = NULL;
}

static int probe_fn(void *arg, int out_fd)
{
	(void)arg;
	int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	char c = fd >= 0 ? '6' : '4';
	if (fd >= 0)
		close(fd);
	write_all(out_fd, &c, 1);
	return 0;
}

void bc_sandbox_probe(struct bc_sandbox_caps *caps)
{
	struct bc_sandbox_cfg cfg = {.timeout_ms = 5000, .private_net = true};
	struct bc_sandbox_result res;
	memset(caps, 0, sizeof(*caps));
	bc_sandbox_run(&cfg, probe_fn, NULL, &res);
	if (res.end == BC_SB_EXITED && res.status == 0 && res.outlen >= 1) {
		caps->private_net = true;
		caps->ipv6 = res.out[0] == '6';
		if (!caps->ipv6)
			snprintf(caps->reason, sizeof(caps->reason), "no IPv6: socket(AF_INET6) fails in a fresh namespace");
	} else {
		snprintf(caps->reason, sizeof(caps->reason), "%s", res.detail[0] ? res.detail : "sandbox probe failed");
	}
	bc_sandbox_result_free(&res);
}
