/* spawn: start a program for a test, its stdout and stderr each in a file
 * (see suite.h).  The CLI tests, the input tests and the install tests all
 * run bindcheck this way, each with its own preparation in the child
 * (bc_suite_exec waits for it and reads what it wrote).  And
 * the python3 the tests of the ci/ scripts run. */
#define _POSIX_C_SOURCE 200809L
#include <sys/wait.h>
#include <time.h>
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

char *bc_suite_slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL, chunk[4096];
	size_t len = 0, k;
	if (!f)
		return NULL;
	FILE *m = open_memstream(&buf, &len);
	if (!m) {
		fclose(f);
		return NULL;
	}
	while ((k = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, k, m);
	fclose(m);
	fclose(f);
	return buf;
}

static char *slurp_or_empty(const char *path)
{
	char *s = bc_suite_slurp(path);
	return s ? s : strdup("");
}

struct bc_suite_out bc_suite_exec(const char *dir, char *const *argv, int (*prep)(void *), void *arg)
{
	char opath[512], epath[512];
	struct bc_suite_out r = {-1, NULL, NULL, 0};
	struct timespec a, b;
	int ws;
	snprintf(opath, sizeof(opath), "%s/out", dir);
	snprintf(epath, sizeof(epath), "%s/err", dir);
	clock_gettime(CLOCK_MONOTONIC, &a);
	pid_t pid = bc_suite_spawn(opath, epath, argv, prep, arg);
	if (pid > 0 && waitpid(pid, &ws, 0) == pid && WIFEXITED(ws))
		r.status = WEXITSTATUS(ws);
	clock_gettime(CLOCK_MONOTONIC, &b);
	r.seconds = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	r.out = slurp_or_empty(opath);
	r.err = slurp_or_empty(epath);
	return r;
}

void bc_suite_out_free(struct bc_suite_out *r)
{
	free(r->out);
	free(r->err);
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

const char *bc_suite_self(void)
{
	static char self[4096];
	static int known; /* 0 not read yet, 1 read, -1 unknown */
	if (!known) {
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		known = n > 0 ? 1 : -1;
		self[n > 0 ? n : 0] = '\0';
	}
	return known > 0 ? self : NULL;
}
