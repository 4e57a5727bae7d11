/* background: work a test or a suite's init does in a child of its own
 * while it goes on with other work, such as a table's run with
 * --isolation sandbox beside the run in place (tables.c), or a hung case
 * beside the same case at the other level (test_hostile.c).  The child
 * writes what it found to memory it shares with the caller, then ends;
 * it asserts nothing (CUnit lives in the caller).
 *
 * The child is a child of the calling process: a test or init stopped at
 * its time limit kills it with the others (run.c).  It becomes a child
 * subreaper itself, as the runner that forked it is, so that what its
 * cases leave behind comes back to it and not to the caller.
 *
 * Under Memcheck every process computes far more than it waits, and a
 * second one would only take CPU from its caller and push cases past
 * their timeouts: there bc_suite_bg_start declines, and the caller does
 * the work itself, as it would without a child.  bc_suite_bg_exec starts
 * this program again instead, which Memcheck does not follow: the child
 * then runs natively, and shares the memory through a memfd. */
#define _GNU_SOURCE /* memfd_create */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec/guard.h"
#include "suite.h"

void *bc_suite_bg_start(struct bc_suite_bg *bg, size_t n, void (*fn)(void *arg, void *mem), void *arg)
{
	bg->pid = -1;
	bg->mem = NULL;
	bg->n = n ? n : 1;
	if (bc_guard_under_valgrind())
		return NULL;
	bg->mem = mmap(NULL, bg->n, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (bg->mem == MAP_FAILED) {
		bg->mem = NULL;
		return NULL;
	}
	fflush(NULL);
	bg->pid = fork();
	if (bg->pid == 0) {
		bc_guard_become_reaper();
		fn(arg, bg->mem);
		fflush(NULL);
		_exit(0);
	}
	if (bg->pid < 0) {
		munmap(bg->mem, bg->n);
		bg->mem = NULL;
		return NULL;
	}
	return bg->mem;
}

void *bc_suite_bg_exec(struct bc_suite_bg *bg, size_t n, const char *const *args)
{
	char fdnum[16];
	const char *argv[16], *self = bc_suite_self();
	int k = 0;
	bg->pid = -1;
	bg->mem = NULL;
	bg->n = n ? n : 1;
	int fd = self ? memfd_create("bc_suite-bg", 0) : -1; /* inherited across the exec */
	if (fd < 0 || ftruncate(fd, (off_t)bg->n) < 0) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	bg->mem = mmap(NULL, bg->n, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (bg->mem == MAP_FAILED) {
		bg->mem = NULL;
		close(fd);
		return NULL;
	}
	snprintf(fdnum, sizeof(fdnum), "%d", fd);
	argv[k++] = self;
	for (int i = 0; args[i] && k < 14; i++)
		argv[k++] = args[i];
	argv[k++] = fdnum;
	argv[k] = NULL;
	fflush(NULL);
	bg->pid = fork();
	if (bg->pid == 0) {
		execv(self, (char *const *)argv);
		_exit(127);
	}
	close(fd);
	if (bg->pid < 0) {
		bc_suite_bg_free(bg);
		return NULL;
	}
	return bg->mem;
}

void *bc_suite_bg_attach(const char *fd, size_t n)
{
	char *end;
	struct stat st;
	long v = strtol(fd, &end, 10);
	if (*end || v < 0 || v > 1023)
		return NULL;
	/* Smaller than asked (a table that grew since the caller read it):
	 * a store past its end would be a SIGBUS; say no instead. */
	if (fstat((int)v, &st) < 0 || (size_t)st.st_size < (n ? n : 1)) {
		close((int)v);
		return NULL;
	}
	void *mem = mmap(NULL, n ? n : 1, PROT_READ | PROT_WRITE, MAP_SHARED, (int)v, 0);
	close((int)v);
	return mem == MAP_FAILED ? NULL : mem;
}

int bc_suite_bg_wait(struct bc_suite_bg *bg)
{
	int ws = 0;
	pid_t got;
	if (bg->pid <= 0)
		return -1;
	while ((got = waitpid(bg->pid, &ws, 0)) < 0 && errno == EINTR)
		;
	bg->pid = -1;
	return got > 0 && WIFEXITED(ws) && WEXITSTATUS(ws) == 0 ? 0 : -1;
}

void bc_suite_bg_free(struct bc_suite_bg *bg)
{
	if (bg->mem)
		munmap(bg->mem, bg->n);
	bg->mem = NULL;
}
