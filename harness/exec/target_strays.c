/* target_strays: what a target left running where bindcheck cannot be a
 * child subreaper (gVisor's runsc refuses PR_SET_CHILD_SUBREAPER), so that
 * an orphan is not handed back to it (target_wait.c follows it there).
 * Such a process is found by what it inherited from this run alone: the
 * report directory in its environment (fault/protocol.h BC_REPORT_DIR,
 * made afresh for every run), or a working directory inside this run's
 * case directory (a daemon that rewrites its environment for its process
 * title, as nginx does, still has it).  It is killed with SIGKILL. */
#define _GNU_SOURCE
#include "exec/step_ctx.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Does the NUL-separated environment env[0..n) hold the entry mark? */
static bool env_has(const char *env, size_t n, const char *mark)
{
	size_t m = strlen(mark);
	for (size_t i = 0; i < n; i += strnlen(env + i, n - i) + 1)
		if (n - i > m && memcmp(env + i, mark, m) == 0 && env[i + m] == '\0')
			return true;
	return false;
}

static bool is_stray(pid_t pid, const char *mark, const char *dir)
{
	char path[64], cwd[4096];
	static char env[65536];
	snprintf(path, sizeof(path), "/proc/%d/environ", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = read(fd, env, sizeof(env));
		close(fd);
		if (n > 0 && env_has(env, (size_t)n, mark))
			return true;
	}
	if (!dir[0])
		return false;
	snprintf(path, sizeof(path), "/proc/%d/cwd", (int)pid);
	ssize_t k = readlink(path, cwd, sizeof(cwd) - 1);
	size_t d = strlen(dir);
	if (k <= 0)
		return false;
	cwd[k] = '\0';
	return strncmp(cwd, dir, d) == 0 && (cwd[d] == '\0' || cwd[d] == '/');
}

/* The strays already killed: a process that has had SIGKILL may still be
 * dying (its environment still readable, kill() still 0) on the next pass,
 * and is not counted twice. */
struct killed {
	pid_t pid[256];
	int n;
};

static bool already(const struct killed *k, pid_t pid)
{
	for (int i = 0; i < k->n; i++)
		if (k->pid[i] == pid)
			return true;
	return false;
}

/* One pass over /proc: every stray not yet killed is; how many were. */
static int kill_pass(const char *mark, const char *dir, struct killed *k)
{
	DIR *d = opendir("/proc");
	int n = 0;
	if (!d)
		return 0;
	for (struct dirent *e; (e = readdir(d));) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		if (*end || pid <= 1 || pid == (long)getpid() || pid == (long)getppid() || already(k, (pid_t)pid))
			continue;
		if (is_stray((pid_t)pid, mark, dir) && kill((pid_t)pid, SIGKILL) == 0) {
			n++;
			if (k->n < (int)(sizeof(k->pid) / sizeof(k->pid[0])))
				k->pid[k->n++] = (pid_t)pid;
		}
	}
	closedir(d);
	return n;
}

int bc_target_strays_kill(const char *mark, const char *dir)
{
	struct killed k = {.n = 0};
	int total = 0;
	/* A stray may fork while it is looked for: again until none is left. */
	for (int round = 0; round < 16; round++) {
		int n = kill_pass(mark, dir, &k);
		if (!n)
			break;
		total += n;
		usleep(1000);
	}
	return total;
}
