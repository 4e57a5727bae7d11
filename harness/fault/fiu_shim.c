/* bc_fiu.so: the fault-injection preload a case's target runs with, loaded
 * before libfiu's POSIX preload (BC_FIU_SHIM, then BC_FIU_PRELOAD).
 *
 * It reads the case's faults from BC_FAULTS and arms them through libfiu
 * with counting callbacks, so that "the Nth call fails" is exact.  Its own
 * socket, bind, listen, accept, connect and close note what the call is
 * about (family, address) and call libfiu's wrapper, whose fail point asks
 * decide(), which matches each rule's selector against that note.  It adds
 * fail points for the two calls libfiu's preload does not wrap, getaddrinfo
 * and setsockopt.  At exit each process writes its report to a file of its
 * own in BC_REPORT_DIR.  fault/protocol.h states the rules' format, the
 * calls and the report.
 *
 * The environment is inherited: every process image of the target (after
 * an exec) arms the rules afresh; a forked child counts from zero; each
 * process reports on its own. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <fiu-control.h>
#include <fiu.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* Built alone, without the harness's include path (Makefile). */
#include "protocol.h"

#define CALL_ID(call, point) C_##call,
enum { BC_FAULT_CALLS(CALL_ID) NCALLS };
#undef CALL_ID
#define CALL_NAME(call, point) #call,
static const char *const call_names[] = {BC_FAULT_CALLS(CALL_NAME)};
#undef CALL_NAME
#define CALL_POINT(call, point) point,
static const char *const fiu_names[] = {BC_FAULT_CALLS(CALL_POINT)};
#undef CALL_POINT

enum { W_NTH, W_FROM, W_ALWAYS, W_PROB };

struct rule {
	int call;
	char sel;                /* 0, or BC_FAULT_SEL_FAMILY, _ADDR, _OPT */
	int family;              /* FAMILY, ADDR */
	unsigned char addr[16];  /* ADDR */
	int port;                /* ADDR: -1 for any */
	int level, name;         /* OPT */
	int when;
	unsigned long n;         /* NTH, FROM */
	double p;                /* PROB */
	int result;              /* errno, or EAI code */
	int sys_errno;           /* getaddrinfo EAI_SYSTEM */
	unsigned long seen;      /* the calls it counted in this process */
};

/* What the call being made is about, as its wrapper saw it. */
struct note {
	bool set;
	int family;              /* -1: not a socket, or not known */
	bool has_addr;
	struct sockaddr_storage addr;
	int level, name;         /* setsockopt */
};

static struct rule rules[BC_FAULT_RULES_MAX];
static int nrules;
static unsigned long counts[NCALLS];
static pid_t owner;          /* the process the counts are of */
static bool reporting;       /* the report is being written: nothing fails */
static char report_dir[PATH_MAX];
static unsigned long long seeded = 0x9e3779b97f4a7c15ull, prng;
static __thread struct note now;

static double next_random(void)
{
	/* xorshift64*: the same seed gives the same decisions in every run. */
	prng ^= prng >> 12;
	prng ^= prng << 25;
	prng ^= prng >> 27;
	return (double)((prng * 2685821657736338717ull) >> 11) / 9007199254740992.0;
}

/* A forked child inherited its parent's counts: it starts its own from
 * zero, and its draws from the seed, as the parent did.  Run by fork()
 * (pthread_atfork), not by a vfork: a vfork child shares its parent's
 * memory until it execs, and what it counts is the parent's to keep. */
static void adopt(void)
{
	owner = getpid();
	memset(counts, 0, sizeof(counts));
	for (int i = 0; i < nrules; i++)
		rules[i].seen = 0;
	prng = seeded;
}

static bool addr_matches(const struct rule *r)
{
	const struct sockaddr_storage *ss = &now.addr;
	if (!now.has_addr || ss->ss_family != r->family)
		return false;
	if (r->family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
		return memcmp(&sin->sin_addr, r->addr, 4) == 0 && (r->port < 0 || ntohs(sin->sin_port) == r->port);
	}
	if (r->family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;
		return memcmp(&sin6->sin6_addr, r->addr, 16) == 0 && (r->port < 0 || ntohs(sin6->sin6_port) == r->port);
	}
	return false;
}

/* Does r count the call being made?  bind_path: it is not on an AF_UNIX or
 * AF_NETLINK socket. */
static bool matches(const struct rule *r, bool bind_path)
{
	switch (r->sel) {
	case BC_FAULT_SEL_FAMILY:
		return now.set && now.family == r->family;
	case BC_FAULT_SEL_ADDR:
		return now.set && addr_matches(r);
	case BC_FAULT_SEL_OPT:
		return bind_path && now.set && now.level == r->level && now.name == r->name;
	default:
		return bind_path;
	}
}

static bool fires(struct rule *r)
{
	unsigned long k = ++r->seen;
	switch (r->when) {
	case W_NTH:
		return k == r->n;
	case W_FROM:
		return k >= r->n;
	case W_PROB:
		return next_random() < r->p;
	default:
		return true;
	}
}

/* Called by libfiu for every call through an armed point. */
static int decide(const char *name, int *failnum, void **failinfo, unsigned int *flags)
{
	(void)flags;
	int c = 0;
	while (c < NCALLS && strcmp(fiu_names[c], name) != 0)
		c++;
	if (c == NCALLS || reporting)
		return 0;
	bool bind_path = !now.set || (now.family != AF_UNIX && now.family != AF_NETLINK);
	if (bind_path)
		counts[c]++;
	const struct rule *hit = NULL;
	/* Every rule that counts the call counts it (and draws), failing or not. */
	for (int i = 0; i < nrules; i++)
		if (rules[i].call == c && matches(&rules[i], bind_path) && fires(&rules[i]) && !hit)
			hit = &rules[i];
	if (!hit)
		return 0;
	if (c == C_getaddrinfo) {
		*failnum = hit->result;
		*failinfo = (void *)(long)hit->sys_errno;
	} else {
		*failnum = 1;
		*failinfo = (void *)(long)hit->result;
	}
	return 1;
}

static int hexval(char ch)
{
	return ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
}

/* "aF.HEX[.P]": the address's bytes in hex. */
static int parse_addr(const char *s, struct rule *r)
{
	char *end;
	r->family = (int)strtol(s, &end, 10);
	size_t want = r->family == AF_INET ? 4 : r->family == AF_INET6 ? 16 : 0;
	if (*end != '.' || !want)
		return -1;
	s = end + 1;
	for (size_t i = 0; i < want; i++, s += 2) {
		int hi = hexval(s[0]), lo = hi < 0 ? -1 : hexval(s[1]);
		if (lo < 0)
			return -1;
		r->addr[i] = (unsigned char)(hi * 16 + lo);
	}
	r->port = *s == '.' ? (int)strtol(s + 1, NULL, 10) : -1;
	return 0;
}

static int parse_sel(char *sel, struct rule *r)
{
	char *end;
	r->sel = sel[0];
	switch (sel[0]) {
	case BC_FAULT_SEL_FAMILY:
		r->family = (int)strtol(sel + 1, NULL, 10);
		return 0;
	case BC_FAULT_SEL_ADDR:
		return parse_addr(sel + 1, r);
	case BC_FAULT_SEL_OPT:
		r->level = (int)strtol(sel + 1, &end, 10);
		if (*end != '.')
			return -1;
		r->name = (int)strtol(end + 1, NULL, 10);
		return 0;
	default:
		return -1;
	}
}

static int parse_rule(char *text)
{
	char *save = NULL, *call = strtok_r(text, BC_FAULT_FIELD_SEP, &save), *when = strtok_r(NULL, BC_FAULT_FIELD_SEP, &save),
	     *result = strtok_r(NULL, "", &save), *end;
	if (!call || !when || !result || nrules == BC_FAULT_RULES_MAX)
		return -1;
	struct rule *r = &rules[nrules];
	memset(r, 0, sizeof(*r));
	char *at = strchr(call, BC_FAULT_SEL_SEP[0]);
	if (at) {
		*at = '\0';
		if (parse_sel(at + 1, r) < 0)
			return -1;
	}
	for (r->call = 0; r->call < NCALLS && strcmp(call_names[r->call], call) != 0;)
		r->call++;
	if (r->call == NCALLS)
		return -1;
	if (strcmp(when, "*") == 0) {
		r->when = W_ALWAYS;
	} else if (when[0] == 'p') {
		r->when = W_PROB;
		r->p = strtod(when + 1, &end);
	} else {
		r->n = strtoul(when, &end, 10);
		r->when = *end == '+' ? W_FROM : W_NTH;
	}
	r->result = (int)strtol(result, &end, 10);
	if (*end == '/')
		r->sys_errno = (int)strtol(end + 1, NULL, 10);
	nrules++;
	return 0;
}

/* Open fds above stderr and below the soft limit: Valgrind keeps its own
 * above the limit it gives the program, and those are not the program's. */
static int count_fds(void)
{
	struct rlimit rl;
	DIR *d = opendir("/proc/self/fd");
	int n = 0;
	if (!d)
		return -1;
	long lim = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY ? (long)rl.rlim_cur : 1L << 30;
	for (struct dirent *e; (e = readdir(d));) {
		long fd = atol(e->d_name);
		if (e->d_name[0] != '.' && fd > 2 && fd < lim && fd != dirfd(d))
			n++;
	}
	closedir(d);
	return n;
}

__attribute__((constructor)) static void arm(void)
{
	/* Valgrind's launcher passes the environment on to the program it
	 * runs, which is where the faults belong. */
	if (strstr(program_invocation_short_name, "valgrind"))
		return;
	const char *rules_text = getenv(BC_ENV_FAULTS), *seed = getenv(BC_ENV_FAULT_SEED), *dir = getenv(BC_ENV_REPORT_DIR);
	/* Kept now: what the program does to its environment later changes
	 * nothing. */
	if (dir && dir[0] == '/' && strlen(dir) < sizeof(report_dir) - 32)
		memcpy(report_dir, dir, strlen(dir) + 1);
	if (seed)
		seeded ^= strtoull(seed, NULL, 10) * 0x2545f4914f6cdd1dull;
	prng = seeded;
	owner = getpid();
	pthread_atfork(NULL, NULL, adopt);
	if (rules_text) {
		char copy[2048];
		snprintf(copy, sizeof(copy), "%s", rules_text);
		for (char *save = NULL, *r = strtok_r(copy, BC_FAULT_RULE_SEP, &save); r; r = strtok_r(NULL, BC_FAULT_RULE_SEP, &save))
			parse_rule(r);
	}
	fiu_init(0);
	for (int i = 0; i < NCALLS; i++)
		fiu_enable_external(fiu_names[i], 1, NULL, 0, decide);
	/* The environment stays: what the target execs (a wrapper script
	 * exec'ing the real program) or forks is part of the system under
	 * test and gets the same rules, each process counting its own calls
	 * and writing its own report. */
}

/* At exit: the counts, and the fds still open above stderr, into a file of
 * this process's own, opened only now. */
__attribute__((destructor)) static void report(void)
{
	char buf[512], tmp[sizeof(report_dir) + 32], path[sizeof(report_dir) + 32];
	size_t off = 0;
	if (!report_dir[0])
		return;
	reporting = true;
	/* A child made by a clone that copied the memory without fork's
	 * handlers: the counts it has are its parent's. */
	if (getpid() != owner)
		adopt();
	int fds = count_fds();
	off += (size_t)snprintf(buf + off, sizeof(buf) - off, BC_REPORT_PID_FMT BC_REPORT_CALLS, (int)owner, (int)getppid());
	for (int i = 0; i < NCALLS; i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, BC_REPORT_CALL_FMT, call_names[i], counts[i]);
	off += (size_t)snprintf(buf + off, sizeof(buf) - off, BC_REPORT_FDS_FMT, fds);
	snprintf(tmp, sizeof(tmp), "%s/" BC_REPORT_TMP_PREFIX "%d.tmp", report_dir, (int)owner);
	snprintf(path, sizeof(path), "%s/%d", report_dir, (int)owner);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return;
	/* Whatever the program's umask: the harness may read it as another uid. */
	bool whole = fchmod(fd, 0644) == 0 && write(fd, buf, off) == (ssize_t)off;
	whole = close(fd) == 0 && whole;
	if (!whole || rename(tmp, path) < 0)
		unlink(tmp);
}

/* The family of the socket fd, -1 when it is none; errno as it was. */
static int fd_family(int fd)
{
	int e = errno, d;
	socklen_t len = sizeof(d);
	int rc = getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &d, &len);
	errno = e;
	return rc == 0 ? d : -1;
}

static void note_addr(const struct sockaddr *sa, socklen_t len)
{
	now.has_addr = sa && len >= sizeof(sa_family_t);
	if (now.has_addr)
		memcpy(&now.addr, sa, len < sizeof(now.addr) ? len : sizeof(now.addr));
}

/* A call on a socket fd: its family, and its address as given (given) or
 * its own (getsockname). */
static struct note note_fd(int fd, const struct sockaddr *given, socklen_t len)
{
	struct note was = now;
	memset(&now, 0, sizeof(now));
	now.set = true;
	now.family = fd_family(fd);
	if (given) {
		note_addr(given, len);
	} else if (now.family == AF_INET || now.family == AF_INET6) {
		int e = errno;
		socklen_t l = sizeof(now.addr);
		now.has_addr = getsockname(fd, (struct sockaddr *)&now.addr, &l) == 0;
		errno = e;
	}
	return was;
}

#define NEXT(fn)                                                       \
	static __typeof__(fn) *next_##fn;                              \
	if (!next_##fn)                                                \
		next_##fn = (__typeof__(fn) *)dlsym(RTLD_NEXT, #fn)

int socket(int domain, int type, int protocol)
{
	NEXT(socket);
	struct note was = now;
	memset(&now, 0, sizeof(now));
	now.set = true;
	now.family = domain;
	int rc = next_socket(domain, type, protocol);
	now = was;
	return rc;
}

int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	NEXT(bind);
	struct note was = note_fd(fd, addr, len);
	int rc = next_bind(fd, addr, len);
	now = was;
	return rc;
}

int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	NEXT(connect);
	struct note was = note_fd(fd, addr, len);
	int rc = next_connect(fd, addr, len);
	now = was;
	return rc;
}

int listen(int fd, int backlog)
{
	NEXT(listen);
	struct note was = note_fd(fd, NULL, 0);
	int rc = next_listen(fd, backlog);
	now = was;
	return rc;
}

int accept(int fd, struct sockaddr *addr, socklen_t *len)
{
	NEXT(accept);
	struct note was = note_fd(fd, NULL, 0);
	int rc = next_accept(fd, addr, len);
	now = was;
	return rc;
}

int close(int fd)
{
	NEXT(close);
	struct note was = note_fd(fd, NULL, 0);
	int rc = next_close(fd);
	now = was;
	return rc;
}

/* The two calls libfiu's preload leaves alone. */
int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints, struct addrinfo **res)
{
	NEXT(getaddrinfo);
	struct note was = now;
	memset(&now, 0, sizeof(now));
	now.set = true;
	now.family = -1;
	int code = fiu_fail("bindcheck/net/getaddrinfo");
	now = was;
	if (code) {
		int e = (int)(long)fiu_failinfo();
		if (code == EAI_SYSTEM)
			errno = e;
		return code;
	}
	return next_getaddrinfo(node, service, hints, res);
}

int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	NEXT(setsockopt);
	struct note was = note_fd(fd, NULL, 0);
	now.level = level;
	now.name = name;
	int fail = fiu_fail("bindcheck/net/setsockopt");
	now = was;
	if (fail) {
		errno = (int)(long)fiu_failinfo();
		return -1;
	}
	return next_setsockopt(fd, level, name, val, len);
}
