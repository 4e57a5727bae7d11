/* bc_fiu.so: the fault-injection preload a case's target runs with, loaded
 * after libfiu's POSIX preload (BC_FIU_PRELOAD, then BC_FIU_SHIM).
 *
 * It reads the case's faults from BC_FAULTS and arms them through libfiu
 * with counting callbacks, so that "the Nth call fails" is exact.  It adds
 * fail points for the two calls libfiu's preload does not wrap, getaddrinfo
 * and setsockopt.  At exit it writes its report to the fd BC_REPORT_FD
 * names.  fault/protocol.h states the rules' format, the calls and the
 * report; every call listed there is counted, faulted or not.
 *
 * The environment is inherited: every process image of the target (after
 * an exec, or forked) arms the rules afresh and reports on its own. */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fiu-control.h>
#include <fiu.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

/* Built alone, without the harness's include path (Makefile). */
#include "protocol.h"

struct point {
	const char *call;
	const char *fiu_name;
	unsigned long calls;
	int when;          /* 0: never fails */
	unsigned long n;   /* NTH, FROM */
	double p;          /* PROB */
	int result;        /* errno, or EAI code */
	int sys_errno;     /* getaddrinfo EAI_SYSTEM */
};

enum { W_NEVER, W_NTH, W_FROM, W_ALWAYS, W_PROB };

#define POINT(call, fiu_name) {#call, fiu_name, 0, 0, 0, 0, 0, 0},
static struct point points[] = {BC_FAULT_CALLS(POINT)};
#undef POINT
#define NPOINTS (sizeof(points) / sizeof(points[0]))

static unsigned long long prng = 0x9e3779b97f4a7c15ull;
static int report_fd = -1;

static double next_random(void)
{
	/* xorshift64*: the same seed gives the same decisions in every run. */
	prng ^= prng >> 12;
	prng ^= prng << 25;
	prng ^= prng >> 27;
	return (double)((prng * 2685821657736338717ull) >> 11) / 9007199254740992.0;
}

static struct point *find(const char *fiu_name)
{
	for (size_t i = 0; i < NPOINTS; i++)
		if (strcmp(points[i].fiu_name, fiu_name) == 0)
			return &points[i];
	return NULL;
}

/* Called by libfiu for every call through an armed point. */
static int decide(const char *name, int *failnum, void **failinfo, unsigned int *flags)
{
	(void)flags;
	struct point *p = find(name);
	if (!p)
		return 0;
	unsigned long k = ++p->calls;
	int fail = p->when == W_ALWAYS || (p->when == W_NTH && k == p->n) || (p->when == W_FROM && k >= p->n) ||
		   (p->when == W_PROB && next_random() < p->p);
	if (!fail)
		return 0;
	if (strcmp(p->call, "getaddrinfo") == 0) {
		*failnum = p->result;
		*failinfo = (void *)(long)p->sys_errno;
	} else {
		*failnum = 1;
		*failinfo = (void *)(long)p->result;
	}
	return 1;
}

static int parse_rule(char *rule)
{
	char *call = strtok(rule, BC_FAULT_FIELD_SEP), *when = strtok(NULL, BC_FAULT_FIELD_SEP), *result = strtok(NULL, "");
	struct point *p = NULL;
	if (!call || !when || !result)
		return -1;
	for (size_t i = 0; i < NPOINTS; i++)
		if (strcmp(points[i].call, call) == 0)
			p = &points[i];
	if (!p)
		return -1;
	char *end;
	if (strcmp(when, "*") == 0) {
		p->when = W_ALWAYS;
	} else if (when[0] == 'p') {
		p->when = W_PROB;
		p->p = strtod(when + 1, &end);
	} else {
		p->n = strtoul(when, &end, 10);
		p->when = *end == '+' ? W_FROM : W_NTH;
	}
	p->result = (int)strtol(result, &end, 10);
	if (*end == '/')
		p->sys_errno = (int)strtol(end + 1, NULL, 10);
	return 0;
}

/* Open fds below the soft limit: Valgrind keeps its own above the limit
 * it gives the program, and those are not the program's. */
static int count_fds(void)
{
	struct rlimit rl;
	DIR *d = opendir("/proc/self/fd");
	int n = 0;
	if (!d)
		return -1;
	long lim = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY ? (long)rl.rlim_cur : 1L << 30;
	for (struct dirent *e; (e = readdir(d));)
		if (e->d_name[0] != '.' && atol(e->d_name) < lim)
			n++;
	closedir(d);
	return n - 1; /* the directory's own fd */
}

__attribute__((constructor)) static void arm(void)
{
	/* Valgrind's launcher passes the environment on to the program it
	 * runs, which is where the faults belong. */
	if (strstr(program_invocation_short_name, "valgrind"))
		return;
	const char *rules = getenv(BC_ENV_FAULTS), *seed = getenv(BC_ENV_FAULT_SEED), *rfd = getenv(BC_ENV_REPORT_FD);
	report_fd = rfd ? atoi(rfd) : -1;
	if (seed)
		prng ^= strtoull(seed, NULL, 10) * 0x2545f4914f6cdd1dull;
	if (rules) {
		char *copy = strdup(rules);
		for (char *save = NULL, *r = copy ? strtok_r(copy, BC_FAULT_RULE_SEP, &save) : NULL; r;
		     r = strtok_r(NULL, BC_FAULT_RULE_SEP, &save))
			parse_rule(r);
		free(copy);
	}
	fiu_init(0);
	for (size_t i = 0; i < NPOINTS; i++)
		fiu_enable_external(points[i].fiu_name, 1, NULL, 0, decide);
	/* The environment stays: what the target execs (a wrapper script
	 * exec'ing the real program) or forks is part of the system under
	 * test and gets the same rules, each process image counting its own
	 * calls and writing its own report. */
}

/* At exit: the counts, and the fds still open besides stdin, stdout,
 * stderr and the report pipe itself. */
__attribute__((destructor)) static void report(void)
{
	char buf[512];
	size_t off = 0;
	if (report_fd < 0)
		return;
	for (size_t i = 0; i < NPOINTS; i++)
		fiu_disable(points[i].fiu_name);
	off += (size_t)snprintf(buf + off, sizeof(buf) - off, BC_REPORT_PID_FMT BC_REPORT_CALLS, (int)getpid());
	for (size_t i = 0; i < NPOINTS; i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, BC_REPORT_CALL_FMT, points[i].call, points[i].calls);
	int fds = count_fds();
	off += (size_t)snprintf(buf + off, sizeof(buf) - off, BC_REPORT_FDS_FMT, fds < 0 ? -1 : fds - 4);
	if (write(report_fd, buf, off) < 0)
		return;
}

/* The two calls libfiu's preload leaves alone. */
int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints, struct addrinfo **res)
{
	static int (*real)(const char *, const char *, const struct addrinfo *, struct addrinfo **);
	int code = fiu_fail("bindcheck/net/getaddrinfo");
	if (code) {
		int e = (int)(long)fiu_failinfo();
		if (code == EAI_SYSTEM)
			errno = e;
		return code;
	}
	if (!real)
		real = (int (*)(const char *, const char *, const struct addrinfo *, struct addrinfo **))dlsym(RTLD_NEXT, "getaddrinfo");
	return real(node, service, hints, res);
}

int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	static int (*real)(int, int, int, const void *, socklen_t);
	if (fiu_fail("bindcheck/net/setsockopt")) {
		errno = (int)(long)fiu_failinfo();
		return -1;
	}
	if (!real)
		real = (int (*)(int, int, int, const void *, socklen_t))dlsym(RTLD_NEXT, "setsockopt");
	return real(fd, level, name, val, len);
}
