/* spawn: start a program for a test, its stdout and stderr each in a file
 * (see suite.h).  The CLI tests, the input tests and the install tests all
 * run bindcheck this way, each with its own preparation in the child. */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "suite.h"

pid_t bc_suite_spawn(const char *out, const char *err, char *const *argv, int (*prep)(void *), void *arg)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	int o = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int e = open(err, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
		_exit(126);
	/* These tests check what the command does; the tables suite runs the
	 * fault targets under Memcheck in make check-valgrind, and once is
	 * enough. */
	unsetenv("BC_TARGET_VALGRIND");
	int rc = prep ? prep(arg) : 0;
	if (rc)
		_exit(rc);
	execv(argv[0], argv);
	_exit(127);
}
