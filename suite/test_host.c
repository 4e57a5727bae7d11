/* host: nothing the suite does reaches the machine it runs on.  The state a
 * profile could change if it escaped its namespaces (the network sysctls,
 * the host name, the name-service files, the interfaces and their addresses)
 * is recorded when the suite starts and compared after every table ran; this
 * suite is registered last.  While the suite runs, a watcher process in the
 * host's network namespace looks every few milliseconds (watch.c): a socket
 * that appears in /proc/net/{tcp,tcp6,udp,udp6} and belongs to a process of
 * this run (same session) is a socket that escaped its case's namespace.
 * The watcher itself is tested in a private namespace, where a socket is
 * made on purpose.  Also: a profile refuses to apply in the host's network
 * namespace, whatever it is asked. */
#define _DEFAULT_SOURCE /* getifaddrs, if_nameindex */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <CUnit/CUnit.h>
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec/profile.h"
#include "exec/guard.h"
#include "exec/sandbox.h"
#include "suite.h"

/* The watcher scans the tables at least every this many looks. */
#define WATCH_EVERY 100

static const char *const files[] = {
	"/proc/sys/net/ipv4/ip_unprivileged_port_start", "/proc/sys/net/ipv6/bindv6only",
	"/proc/sys/net/ipv4/ip_nonlocal_bind",          "/proc/sys/net/ipv6/ip_nonlocal_bind",
	"/proc/sys/net/core/somaxconn",                 "/proc/sys/net/ipv4/ip_local_port_range",
	"/proc/sys/net/ipv4/ip_local_reserved_ports",   "/proc/sys/net/ipv4/ip_autobind_reuse",
	"/proc/sys/net/ipv6/conf/all/disable_ipv6",     "/proc/sys/net/ipv6/conf/default/disable_ipv6",
	"/proc/sys/net/ipv6/conf/lo/disable_ipv6",      "/etc/hosts",
	"/etc/nsswitch.conf",                           "/etc/gai.conf",
	"/etc/host.conf",                               "/etc/resolv.conf",
};

#define SNAP_MAX (256 * 1024)

/* "== tag a b" lines, and lines of files as they are. */
static void append(char *buf, size_t *off, const char *a, const char *b, const char *c)
{
	if (*off < SNAP_MAX)
		*off += (size_t)snprintf(buf + *off, SNAP_MAX - *off, "%s%s%s", a, b, c);
}

/* Everything a profile could touch, as one text. */
static char *snapshot(void)
{
	char *buf = calloc(1, SNAP_MAX), line[4096], host[256] = "";
	size_t off = 0;
	if (!buf)
		return NULL;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		FILE *f = fopen(files[i], "r");
		append(buf, &off, "== ", files[i], f ? "\n" : " (absent)\n");
		while (f && fgets(line, sizeof(line), f))
			append(buf, &off, line, "", "");
		if (f)
			fclose(f);
	}
	gethostname(host, sizeof(host) - 1);
	append(buf, &off, "== hostname ", host, "\n");
	struct if_nameindex *ifs = if_nameindex();
	for (struct if_nameindex *i = ifs; i && i->if_index; i++)
		append(buf, &off, "== link ", i->if_name, "\n");
	if (ifs)
		if_freenameindex(ifs);
	struct ifaddrs *ia = NULL;
	getifaddrs(&ia);
	for (struct ifaddrs *a = ia; a; a = a->ifa_next) {
		char text[INET6_ADDRSTRLEN] = "";
		if (!a->ifa_addr || (a->ifa_addr->sa_family != AF_INET && a->ifa_addr->sa_family != AF_INET6))
			continue;
		if (a->ifa_addr->sa_family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *)a->ifa_addr)->sin_addr, text, sizeof(text));
		else
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)a->ifa_addr)->sin6_addr, text, sizeof(text));
		append(buf, &off, "== addr ", a->ifa_name, " ");
		append(buf, &off, text, "\n", "");
	}
	freeifaddrs(ia);
	return buf;
}

static char *before;
static int fds_at_start = -1;


/* --- the socket watcher (watch.c) ----------------------------------------- */

static pid_t watcher = -1;
static int watch_stop = -1, watch_report = -1;

/* Runs until the suite closes stop; writes what it found, then how often
 * it looked and scanned. */
static void start_watcher(void)
{
	int stop[2], rep[2];
	if (pipe(stop) < 0 || pipe(rep) < 0)
		return;
	fflush(NULL);
	watcher = fork();
	if (watcher == 0) {
		close(stop[1]);
		close(rep[0]);
		/* Under Memcheck, the watcher is this program again (exec'd, so
		 * native: Valgrind does not follow it), not a forked copy that
		 * Memcheck would slow down at every look all run long. */
		char a[16], b[16];
		const char *self = bc_guard_under_valgrind() ? bc_suite_self() : NULL;
		if (self) {
			snprintf(a, sizeof(a), "%d", stop[0]);
			snprintf(b, sizeof(b), "%d", rep[1]);
			execl(self, self, "--watch", a, b, (char *)NULL);
		}
		bc_suite_watch(stop[0], rep[1], -1, WATCH_EVERY);
		_exit(0);
	}
	close(stop[0]);
	close(rep[1]);
	if (watcher < 0) {
		close(stop[1]);
		close(rep[0]);
		return;
	}
	watch_stop = stop[1];
	watch_report = rep[0];
	bc_suite_keep_child(watcher); /* a test stopped at its time limit must not take the watcher with it */
}

int bc_suite_watch_main(int argc, char **argv)
{
	if (argc != 4 || strcmp(argv[1], "--watch") != 0)
		return -1;
	bc_suite_watch(atoi(argv[2]), atoi(argv[3]), -1, WATCH_EVERY);
	return 0;
}

static void no_socket_reached_the_host(void)
{
	char buf[8192];
	size_t len = 0;
	ssize_t n;
	if (watcher <= 0) {
		BC_FAILF("the /proc/net watcher could not be started");
		return;
	}
	close(watch_stop);
	watch_stop = -1;
	while (len < sizeof(buf) - 1 && (n = read(watch_report, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	close(watch_report);
	waitpid(watcher, NULL, 0);
	watcher = -1;
	const char *looks = strstr(buf, "looks ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(looks);
	long nlooks = 0, nscans = 0;
	CU_ASSERT(sscanf(looks, "looks %ld scans %ld", &nlooks, &nscans) == 2 && nlooks > 0 && nscans > 0);
	if (looks != buf)
		BC_FAILF("sockets of this run appeared in the host's network namespace:\n%.*s", (int)(looks - buf), buf);
}

/* Everything the suite ran, the runner's own code included, closed what it
 * opened: the process has the fds it started with. */
static void no_fd_leaked_by_the_harness(void)
{
	int now = bc_guard_count_fds();
	if (now != fds_at_start)
		BC_FAILF("the suite started with %d open fds and ends with %d", fds_at_start, now);
	/* Where suites ran on runner processes (parallel.c), in each of them. */
	if (bc_suite_runner_leaks())
		BC_FAILF("%s", bc_suite_runner_leaks());
}

static void host_unchanged(void)
{
	char *after = snapshot();
	CU_ASSERT_PTR_NOT_NULL_FATAL(before);
	CU_ASSERT_PTR_NOT_NULL_FATAL(after);
	if (strcmp(before, after) != 0) {
		/* Name the first line that differs. */
		const char *a = before, *b = after;
		while (*a && *a == *b)
			a++, b++;
		while (a > before && a[-1] != '\n')
			a--, b--;
		BC_FAILF("the host changed during the run: before '%.*s', after '%.*s'", (int)strcspn(a, "\n"), a,
			 (int)strcspn(b, "\n"), b);
	}
	free(after);
}

/* The refusal comes before anything is applied.  Even so the profile names
 * a sysctl that does not exist, so that a broken check could not change the
 * host either: it would fail with another message. */
static void profile_refuses_host_namespace(void)
{
	struct bc_profile p;
	struct bc_step_env env;
	char why[256] = "";
	memset(&p, 0, sizeof(p));
	p.nsysctl = 1;
	snprintf(p.sysctl[0].name, sizeof(p.sysctl[0].name), "net.bindcheck.absent");
	snprintf(p.sysctl[0].value, sizeof(p.sysctl[0].value), "1");
	CU_ASSERT_EQUAL(bc_profile_apply(&p, bc_profile_net_id(), &env, why, sizeof(why)), BC_PROFILE_UNAVAILABLE);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "refusing to change the host's"));
	/* An unknown host namespace is treated the same way. */
	why[0] = '\0';
	CU_ASSERT_EQUAL(bc_profile_apply(&p, 0, &env, why, sizeof(why)), BC_PROFILE_UNAVAILABLE);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "refusing to change the host's"));
	bc_profile_release(&env);
}

/* In a namespace of its own (never the host's), a watcher that scans only
 * when the counters change (no safety net) reports a socket made after it
 * started, with its owner: what escapes a case is still caught. */
static void watch_in_private_net(int result)
{
	char why[256], buf[1024] = "";
	int stop[2], rep[2], ready[2];
	if (bc_sandbox_enter_private_net(why, sizeof(why)) < 0 || pipe(stop) < 0 || pipe(rep) < 0 || pipe(ready) < 0)
		_exit(2);
	pid_t w = fork();
	if (w == 0) {
		close(stop[1]);
		close(rep[0]);
		close(ready[0]);
		bc_suite_watch(stop[0], rep[1], ready[1], 0);
		_exit(0);
	}
	close(stop[0]);
	close(rep[1]);
	close(ready[1]);
	int s = -1;
	if (w > 0 && read(ready[0], buf, sizeof(buf)) > 0)
		s = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	if (s >= 0 && bind(s, (struct sockaddr *)&a, sizeof(a)) == 0) {
		struct pollfd p = {rep[0], POLLIN, 0};
		poll(&p, 1, 5000); /* the first report, or give up */
	}
	close(stop[1]);
	size_t len = 0;
	ssize_t n;
	while (len < sizeof(buf) - 1 && (n = read(rep[0], buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	waitpid(w, NULL, 0);
	if (write(result, buf, len) < 0)
		_exit(1);
	_exit(0);
}

static void watcher_catches_a_socket(void)
{
	int p[2];
	char buf[1024], want[64];
	CU_ASSERT_FATAL(pipe(p) == 0);
	fflush(NULL);
	pid_t kid = fork();
	if (kid == 0) {
		close(p[0]);
		watch_in_private_net(p[1]);
	}
	close(p[1]);
	size_t len = 0;
	ssize_t n;
	while (len < sizeof(buf) - 1 && (n = read(p[0], buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	close(p[0]);
	int ws = 0;
	CU_ASSERT_FATAL(kid > 0 && waitpid(kid, &ws, 0) == kid);
	CU_ASSERT(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
	snprintf(want, sizeof(want), "udp 127.0.0.1:");
	long looks = 0, scans = 0;
	const char *tail = strstr(buf, "looks ");
	if (!strstr(buf, want) || !tail || sscanf(tail, "looks %ld scans %ld", &looks, &scans) != 2)
		BC_FAILF("the watcher did not report the socket made in its namespace: '%s'", buf);
	snprintf(want, sizeof(want), "(pid %d)\n", (int)kid);
	if (!strstr(buf, want))
		BC_FAILF("the watcher did not name the socket's owner, pid %d: '%s'", (int)kid, buf);
	/* Without a safety net, it scanned because the counters moved. */
	CU_ASSERT(scans >= 1 && scans <= looks);
}

static int teardown(void)
{
	free(before);
	before = NULL;
	return 0;
}

int bc_suite_host(void)
{
	fds_at_start = bc_guard_count_fds();
	before = snapshot();
	start_watcher();
	CU_pSuite s = CU_add_suite("host/unchanged", NULL, teardown);
	if (!s)
		return -1;
	BC_ADD(s, profile_refuses_host_namespace);
	BC_ADD_NETNS(s, watcher_catches_a_socket);
	BC_ADD(s, host_unchanged);
	BC_ADD(s, no_socket_reached_the_host);
	BC_ADD(s, no_fd_leaked_by_the_harness);
	return 0;
}
