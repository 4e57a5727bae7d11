/* target: the run step.  It starts the case's target (vfork, its
 * environment, the fault preloads, Memcheck under make check-valgrind),
 * waits until it is up or has ended, stops it and keeps what it said and
 * what the preload reported, for the steps that ask (target_obs.c). */
#define _GNU_SOURCE /* execvpe, pipe2, vfork */
#include "exec/step_ctx.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <dirent.h>
#include <unistd.h>

#include "exec/confine.h"
#include "exec/paths.h"
#include "exec/profile.h"
#include "exec/scratch.h"
#include "fault/faults.h"
#include "fault/protocol.h"

void bc_exe_dir(char *buf, size_t n)
{
	ssize_t k = readlink("/proc/self/exe", buf, n - 1);
	buf[k > 0 ? k : 0] = '\0';
	char *slash = strrchr(buf, '/');
	if (slash)
		*slash = '\0';
	else
		snprintf(buf, n, ".");
}
/* One read of the target's output: the first 64 KiB are kept, the rest
 * is read, counted and dropped.  Returns what read() returned. */
ssize_t bc_target_drain(int fd, struct bc_step_run *r)
{
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf));
	if (n <= 0)
		return n;
	r->outtotal += (size_t)n;
	size_t take = (size_t)n < sizeof(r->out) - 1 - r->outlen ? (size_t)n : sizeof(r->out) - 1 - r->outlen;
	memcpy(r->out + r->outlen, buf, take);
	r->outlen += take;
	r->out[r->outlen] = '\0';
	return n;
}

static const char *signal_name(int sig)
{
	static const struct {
		int sig;
		const char *name;
	} names[] = {{SIGSEGV, "SIGSEGV"}, {SIGABRT, "SIGABRT"}, {SIGBUS, "SIGBUS"}, {SIGFPE, "SIGFPE"},
		     {SIGILL, "SIGILL"},   {SIGKILL, "SIGKILL"}, {SIGTERM, "SIGTERM"}, {SIGINT, "SIGINT"},
		     {SIGPIPE, "SIGPIPE"}, {SIGHUP, "SIGHUP"}, {SIGTRAP, "SIGTRAP"}};
	static char other[16];
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].sig == sig)
			return names[i].name;
	snprintf(other, sizeof(other), "%d", sig);
	return other;
}

bool bc_target_memcheck(const struct bc_case *c)
{
	/* A sweep makes one case per result a call can fail with.  The
	 * reference path does not branch on which result it got (only on
	 * EAI_SYSTEM, for its message: see bindpath.c), so under Memcheck one
	 * result per call and EAI_SYSTEM cover every path it can take; the
	 * rest run natively.  Memcheck's start-up alone is half a second. */
	bool eai_system = c->nfaults && c->faults[0].result.kind == BC_OUT_EAI && c->faults[0].result.code == EAI_SYSTEM;
	return c->sweep_rank == 0 || eai_system;
}

bool bc_target_under_memcheck(const struct bc_case *c)
{
	const char *vg = getenv("BC_TARGET_VALGRIND");
	return c->target && strcmp(c->target->argv[0], "@bindcheck") == 0 && vg && *vg && bc_target_memcheck(c);
}

double bc_target_slowdown(const struct bc_case *c)
{
	return bc_target_under_memcheck(c) ? BC_MEMCHECK_SLOWDOWN : 1.0;
}

/* What the target is started with, made before the vfork so that the
 * child only moves fds and execs: a fork would copy the page tables of a
 * process holding every table, and on a VM that is most of a fault case. */
struct launch {
	char *argv[BC_TARGET_ARGS + 8];
	char *envp[512];
	char self[1100], preload[2400], faults[1100], vgopts[512];
	char repdir[sizeof(BC_ENV_REPORT_DIR) + BC_SCRATCH_PATH_MAX];
};

static void env_set(struct launch *l, int *n, const char *kv)
{
	size_t k = strcspn(kv, "=") + 1;
	for (int i = 0; i < *n; i++) {
		if (strncmp(l->envp[i], kv, k) == 0) {
			l->envp[i] = (char *)kv;
			return;
		}
	}
	if (*n < (int)(sizeof(l->envp) / sizeof(l->envp[0])) - 1)
		l->envp[(*n)++] = (char *)kv;
}

static void launch_prepare(const struct bc_case *c, const char *repdir, struct launch *l)
{
	const struct bc_target *t = c->target;
	char dir[1024];
	int a = 0, n = 0;
	bc_exe_dir(dir, sizeof(dir));
	snprintf(l->self, sizeof(l->self), "%s/bindcheck", dir);
	const char *vg = getenv("BC_TARGET_VALGRIND");
	bool ours = strcmp(t->argv[0], "@bindcheck") == 0;
	if (bc_target_under_memcheck(c)) {
		/* make check-valgrind: the reference path runs under Memcheck,
		 * with the options BC_TARGET_VALGRIND adds (blank-separated). */
		static char *const vgargs[] = {"valgrind", "-q", "--error-exitcode=99", "--leak-check=full",
					       "--errors-for-leak-kinds=definite"};
		for (size_t i = 0; i < sizeof(vgargs) / sizeof(vgargs[0]); i++)
			l->argv[a++] = vgargs[i];
		snprintf(l->vgopts, sizeof(l->vgopts), "%s", vg);
		for (char *save = NULL, *o = strtok_r(l->vgopts, " ", &save); o && a < 7; o = strtok_r(NULL, " ", &save))
			l->argv[a++] = o;
	}
	for (int i = 0; i < t->argc; i++)
		l->argv[a++] = i == 0 && ours ? l->self : (char *)t->argv[i];
	l->argv[a] = NULL;
	for (char **e = environ; *e && n < (int)(sizeof(l->envp) / sizeof(l->envp[0])) - 16; e++)
		l->envp[n++] = *e;
	char shim[1100];
	bc_paths_fiu_shim(shim, sizeof(shim));
	/* bc_fiu.so first: its wrappers note each call's arguments before
	 * libfiu's ask it whether the call fails (fault/protocol.h). */
	snprintf(l->preload, sizeof(l->preload), "LD_PRELOAD=%s " BC_FIU_PRELOAD, shim);
	env_set(l, &n, l->preload);
	static const char faults_eq[] = BC_ENV_FAULTS "=";
	memcpy(l->faults, faults_eq, sizeof(faults_eq));
	bc_fault_env(c->faults, c->nfaults, l->faults + sizeof(faults_eq) - 1, sizeof(l->faults) - (sizeof(faults_eq) - 1));
	env_set(l, &n, l->faults);
	/* One fixed seed: a probability fails the same calls in every run. */
	env_set(l, &n, BC_ENV_FAULT_SEED "=0");
	snprintf(l->repdir, sizeof(l->repdir), BC_ENV_REPORT_DIR "=%s", repdir);
	env_set(l, &n, l->repdir);
	env_set(l, &n, BC_ENV_FIU_CTRL "=");
	/* An instrumented bindcheck accepts preloads ahead of its runtime. */
	env_set(l, &n, "ASAN_OPTIONS=verify_asan_link_order=0");
	l->envp[n] = NULL;
}

/* The child side of the vfork: fds, exec.  Nothing here may touch memory
 * the case child still uses. */
static __attribute__((noinline)) void launch_exec(const struct launch *l, const struct bc_step_env *env, int outfd)
{
	static const char msg[] = "bindcheck: cannot run the target's command\n";
	char why[256];
	int null = open("/dev/null", O_RDONLY);
	dup2(null, 0);
	dup2(outfd, 1);
	dup2(outfd, 2);
	/* In place, the target takes the case's directory and names itself
	 * (in the sandbox the whole case child has them). */
	if (env && env->target_dir && chdir(env->target_dir) < 0)
		_exit(126);
	if (env && env->target_names && bc_profile_apply_names(env->target_names, why, sizeof(why)) != BC_PROFILE_OK) {
		if (write(2, why, strlen(why)) < 0 || write(2, "\n", 1) < 0)
			_exit(126);
		_exit(126);
	}
	/* Last, with the names set: nothing that would let a program run as
	 * root leave the case's confinement (exec/confine.h). */
	if (bc_confine_target() < 0) {
		static const char nocap[] = "bindcheck: cannot drop the target's capabilities\n";
		if (write(2, nocap, sizeof(nocap) - 1) < 0)
			_exit(126);
		_exit(126);
	}
	/* The case's sockets stay ours: the target gets 0, 1 and 2 alone.  One
	 * call where the kernel has it (Linux 5.9): a thousand closes cost a
	 * millisecond. */
#ifdef SYS_close_range
	if (syscall(SYS_close_range, 3U, ~0U, 0U) < 0)
#endif
		for (int fd = 3; fd < 1024; fd++)
			close(fd);
	execvpe(l->argv[0], l->argv, l->envp);
	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(127);
	_exit(127);
}

/* The target as it runs: its pid, the read end of its output, and the
 * directory its processes write their reports to. */
struct running {
	pid_t pid;
	int out;
	char repdir[BC_SCRATCH_PATH_MAX];
};

/* Start the target with its output on a pipe and a fresh directory for its
 * reports (fault/protocol.h: BC_REPORT_DIR). */
static int start(struct bc_step_ctx *x, struct running *tr)
{
	int outp[2];
	char why[256];
	if (bc_scratch_make(tr->repdir, why, sizeof(why)) < 0)
		return -1;
	if (pipe2(outp, O_CLOEXEC) < 0) {
		int e = errno;
		bc_scratch_remove(tr->repdir);
		errno = e;
		return -1;
	}
	static struct launch l;
	launch_prepare(x->c, tr->repdir, &l);
	fflush(NULL);
	pid_t pid = vfork();
	if (pid == 0)
		launch_exec(&l, x->env, outp[1]);
	close(outp[1]);
	if (pid < 0) {
		int e = errno;
		close(outp[0]);
		bc_scratch_remove(tr->repdir);
		errno = e;
		return -1;
	}
	tr->pid = pid;
	tr->out = outp[0];
	return 0;
}

static int by_pid(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return (x > y) - (x < y);
}

/* The reports in dir, in pid order, one after the other into buf: only
 * the finished ones (named by a pid), only regular files. */
static void read_reports(const char *dir, char *buf, size_t n)
{
	long pids[256];
	size_t np = 0, got = 0;
	DIR *d = opendir(dir);
	buf[0] = '\0';
	if (!d)
		return;
	for (struct dirent *e; (e = readdir(d)) && np < sizeof(pids) / sizeof(pids[0]);) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9' && !*end && pid > 0 && pid < INT32_MAX)
			pids[np++] = pid;
	}
	closedir(d);
	qsort(pids, np, sizeof(pids[0]), by_pid);
	for (size_t i = 0; i < np && got < n - 1; i++) {
		char path[BC_SCRATCH_PATH_MAX + 24];
		struct stat st;
		snprintf(path, sizeof(path), "%s/%ld", dir, pids[i]);
		char one[1024]; /* a report is at most 512 bytes (fiu_shim.c) */
		ssize_t k = 0;
		int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
			k = read(fd, one, sizeof(one));
		close(fd);
		/* Whole reports only: a cut one would give a wrong count. */
		if (k > 0 && (size_t)k < sizeof(one) && got + (size_t)k < n) {
			memcpy(buf + got, one, (size_t)k);
			got += (size_t)k;
		}
	}
	buf[got] = '\0';
}

/* The rest of what the ended target wrote, and its processes' reports. */
static void collect(const struct running *tr, struct bc_step_run *r)
{
	for (struct pollfd p = {tr->out, POLLIN, 0}; poll(&p, 1, 0) > 0 && bc_target_drain(tr->out, r) > 0;)
		;
	read_reports(tr->repdir, r->report, sizeof(r->report));
	bc_scratch_remove(tr->repdir);
	r->pid = (int)tr->pid;
	close(tr->out);
	r->done = true;
}

/* What marks this run's processes for target_strays.c: the report
 * directory in their environment, and the case directory the target works
 * in, but only one inside the directory scratch directories are made in
 * (never "/", or a directory the worker shares). */
static void mark(const struct bc_step_ctx *x, const struct running *tr, struct bc_target_life *L)
{
	char cwd[BC_SCRATCH_PATH_MAX], root[BC_SCRATCH_PATH_MAX];
	const char *dir = x->env && x->env->target_dir ? x->env->target_dir : getcwd(cwd, sizeof(cwd));
	snprintf(L->mark, sizeof(L->mark), BC_ENV_REPORT_DIR "=%s", tr->repdir);
	snprintf(root, sizeof(root), "%s", tr->repdir);
	char *slash = strrchr(root, '/');
	size_t n = slash ? (size_t)(slash - root) : 0;
	L->dir[0] = '\0';
	if (dir && n > 0 && strncmp(dir, root, n) == 0 && dir[n] == '/' && dir[n + 1])
		snprintf(L->dir, sizeof(L->dir), "%s", dir);
}

/* run T: start the target with the case's faults armed, wait until it is
 * up or has ended, note what listens, stop it and whatever it left, and
 * keep what it said. */
int bc_exec_run(struct bc_step_ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	const struct bc_target *t = x->c->target;
	struct running tr;
	static struct bc_target_life life;
	int ws = 0;
	(void)fd, (void)st;
	if (!t || !x->run) {
		errno = ENOEXEC;
		return -1;
	}
	struct bc_step_run *r = x->run;
	memset(r, 0, sizeof(*r));
	snprintf(r->listening, sizeof(r->listening), "none");
	bc_target_life_begin(&life);
	if (start(x, &tr) < 0)
		return -1;
	life.pid = tr.pid;
	life.out = tr.out;
	mark(x, &tr, &life);
	/* --time-scale, and the slowdown of a target under Memcheck: its grace
	 * is a time to come up, not a test of speed. */
	double scale = (x->env && x->env->time_scale > 0 ? x->env->time_scale : 1.0) * bc_target_slowdown(x->c);
	bool up = bc_target_wait(t, scale, &life, r, &ws) == BC_LIFE_UP;
	if (up) {
		bc_target_listeners(r->listening, sizeof(r->listening));
		bc_target_reach(x, r);
	}
	bc_target_stop(t, scale, &life, r, &ws);
	collect(&tr, r);
	out->kind = BC_OUT_VALUE;
	if (up && life.daemonized)
		snprintf(out->value, sizeof(out->value), "daemonized");
	else if (up)
		snprintf(out->value, sizeof(out->value), "running");
	else if (WIFSIGNALED(ws))
		snprintf(out->value, sizeof(out->value), "signal:%s", signal_name(WTERMSIG(ws)));
	else
		snprintf(out->value, sizeof(out->value), "exit:%d", WIFEXITED(ws) ? WEXITSTATUS(ws) : -1);
	return 0;
}
