/* spawn: start a program for a test, its stdout and stderr each in a file
 * (see suite.h).  The CLI tests, the input tests and the install tests all
 * run bindcheck this way, each with its own preparation in the child.  And
 * the python3 the tests of the ci/ scripts run. */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* The interpreter "python3" on PATH runs, asked once: a version manager's
 * shim (pyenv) costs a shell and several programs at every start, which
 * the tests that run the ci/ scripts would pay at each call.  NULL when
 * there is no python3. */
const char *bc_suite_python(void)
{
	static char exe[4096];
	static bool asked;
	if (asked)
		return exe[0] ? exe : NULL;
	asked = true;
	fflush(NULL);
	FILE *p = popen("python3 -c 'import sys; print(sys.executable)' 2>/dev/null", "r");
	if (!p)
		return NULL;
	if (!fgets(exe, sizeof(exe), p))
		exe[0] = '\0';
	exe[strcspn(exe, "\n")] = '\0';
	int st = pclose(p);
	if (st != 0 || exe[0] != '/' || access(exe, X_OK) < 0)
		exe[0] = '\0';
	return exe[0] ? exe : NULL;
}
