/* guard: the readings behind the guards (see guard.h). */
#define _GNU_SOURCE /* memfd_create, __WALL */
#include "exec/guard.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#ifdef __GLIBC__
#include <malloc.h>
#endif
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h> /* RUNNING_ON_VALGRIND: a client request, a no-op natively */
#define HAVE_VALGRIND_H 1
#endif
#endif


int bc_guard_count_fds(void)
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

int bc_guard_fds_open_from(int first, int n)
{
	static struct pollfd p[BC_GUARD_FD_WINDOW];
	int open = 0;
	n = n < 1 ? 1 : n > BC_GUARD_FD_WINDOW ? BC_GUARD_FD_WINDOW : n;
	for (int i = 0; i < n; i++)
		p[i] = (struct pollfd){.fd = first + i, .events = 0};
	/* With no events asked for, poll answers at once: POLLNVAL for a
	 * closed fd, nothing for an open one.  Its cost grows with n. */
	if (poll(p, (nfds_t)n, 0) < 0)
		return -1;
	for (int i = 0; i < n; i++)
		open += !(p[i].revents & POLLNVAL);
	return open;
}

int bc_guard_fd_high(int fd)
{
	int hi = fcntl(fd, F_DUPFD_CLOEXEC, BC_GUARD_FD_HIGH);
	if (hi < 0)
		return fd;
	close(fd);
	return hi;
}

/* Under Memcheck, malloc is Memcheck's: it answers mallinfo() (Valgrind
 * 3.19 does not intercept mallinfo2, which then reads glibc's unused
 * arena), so a leak in a case run in place shows there too. */
static long heap_under_valgrind(void)
{
#if defined(HAVE_VALGRIND_H) && defined(__GLIBC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
	struct mallinfo mi = mallinfo();
#pragma GCC diagnostic pop
	return (long)(unsigned)mi.uordblks + (long)(unsigned)mi.hblkhd;
#else
	return 0;
#endif
}

bool bc_guard_under_valgrind(void)
{
#ifdef HAVE_VALGRIND_H
	return RUNNING_ON_VALGRIND;
#else
	return false;
#endif
}

long bc_guard_heap(void)
{
#ifdef HAVE_VALGRIND_H
	if (RUNNING_ON_VALGRIND)
		return heap_under_valgrind();
#endif
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
	struct mallinfo2 mi = mallinfo2();
	return (long)mi.uordblks + (long)mi.hblkhd;
#else
	return 0;
#endif
}

bool bc_guard_has_children(void)
{
	siginfo_t si;
	si.si_pid = 0;
	/* ECHILD: none at all; otherwise there is one, ended or not. */
	return waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT | __WALL) == 0;
}

/* The children of pid, from /proc/PID/task/PID/children (Linux 3.5 on). */
static int children_of(pid_t pid, pid_t *out, int max)
{
	char path[64];
	int n = 0;
	long v;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	while (n < max && fscanf(f, "%ld", &v) == 1)
		out[n++] = (pid_t)v;
	fclose(f);
	return n;
}

int bc_guard_children(pid_t *out, int max)
{
	return children_of(getpid(), out, max);
}

int bc_guard_descendants(pid_t pid)
{
	pid_t seen[1024];
	int n = children_of(pid, seen, 1024);
	for (int i = 0; i < n && n < 1024; i++)
		n += children_of(seen[i], seen + n, 1024 - n);
	return n;
}

static bool in_list(pid_t pid, const pid_t *list, int n)
{
	for (int i = 0; i < n; i++)
		if (list[i] == pid)
			return true;
	return false;
}

int bc_guard_reap(const pid_t *keep, int nkeep)
{
	int total = 0;
	for (int round = 0; round < 64; round++) {
		pid_t kids[256];
		int n = children_of(getpid(), kids, 256), killed = 0;
		for (int i = 0; i < n; i++) {
			if (in_list(kids[i], keep, nkeep))
				continue;
			kill(kids[i], SIGKILL);
			waitpid(kids[i], NULL, __WALL);
			killed++;
		}
		total += killed;
		if (!killed)
			break;
	}
	return total;
}

bool bc_guard_become_reaper(void)
{
#ifdef PR_SET_CHILD_SUBREAPER
	return prctl(PR_SET_CHILD_SUBREAPER, 1L, 0L, 0L, 0L) == 0;
#else
	return false;
#endif
}

static int capture_fd = -1;

bool bc_guard_capture_start(void)
{
#ifdef MFD_CLOEXEC
	int fd = memfd_create("bindcheck-case-output", MFD_CLOEXEC);
	if (fd < 0)
		return false;
	fflush(NULL);
	/* 1 and 2 share one open file, and so one offset: the offset is
	 * what was written. */
	if (dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0) {
		close(fd);
		return false;
	}
	capture_fd = bc_guard_fd_high(fd);
	return true;
#else
	return false;
#endif
}

void bc_guard_capture_take(size_t *total, size_t *kept)
{
	*total = *kept = 0;
	if (capture_fd < 0)
		return;
	off_t n = lseek(STDOUT_FILENO, 0, SEEK_CUR);
	if (n <= 0)
		return;
	*total = (size_t)n;
	*kept = *total < BC_GUARD_OUT_MAX ? *total : BC_GUARD_OUT_MAX;
	if (ftruncate(capture_fd, 0) == 0)
		lseek(STDOUT_FILENO, 0, SEEK_SET);
}
