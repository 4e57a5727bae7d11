/* host: nothing the suite does reaches the machine it runs on.  The state a
 * profile could change if it escaped its namespaces (the network sysctls,
 * the host name, the name-service files, the interfaces and their addresses)
 * is recorded when the suite starts and compared after every table ran; this
 * suite is registered last.  While the suite runs, a watcher process in the
 * host's network namespace reads /proc/net/{tcp,tcp6,udp,udp6} every few
 * milliseconds: a socket that appears there and belongs to a process of this
 * run (same session) is a socket that escaped its case's namespace.  Also: a
 * profile refuses to apply in the host's network namespace, whatever it is
 * asked. */
#define _DEFAULT_SOURCE /* getifaddrs, if_nameindex */
#include <dirent.h>
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


/* --- the /proc/net watcher ------------------------------------------------ */

#define MAX_SEEN 65536

static unsigned long seen[MAX_SEEN];
static int nseen;

static bool was_seen(unsigned long ino)
{
	for (int i = 0; i < nseen; i++)
		if (seen[i] == ino)
			return true;
	if (nseen < MAX_SEEN)
		seen[nseen++] = ino;
	return false;
}

/* The process holding socket inode ino, or 0. */
static pid_t socket_owner(unsigned long ino)
{
	char want[64], path[600], link[64];
	snprintf(want, sizeof(want), "socket:[%lu]", ino);
	DIR *proc = opendir("/proc");
	pid_t found = 0;
	for (struct dirent *p; proc && !found && (p = readdir(proc));) {
		if (p->d_name[0] < '1' || p->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fd", p->d_name);
		DIR *fds = opendir(path);
		for (struct dirent *f; fds && !found && (f = readdir(fds));) {
			snprintf(path, sizeof(path), "/proc/%s/fd/%s", p->d_name, f->d_name);
			ssize_t n = readlink(path, link, sizeof(link) - 1);
			if (n > 0 && (link[n] = '\0', strcmp(link, want) == 0))
				found = (pid_t)atoi(p->d_name);
		}
		if (fds)
			closedir(fds);
	}
	if (proc)
		closedir(proc);
	return found;
}

/* One pass over the host's socket tables; new sockets of this session are
 * written to report.  baseline: only record what is there. */
static void scan(pid_t sid, int report, bool baseline)
{
	static const char *const tables[] = {"/proc/net/tcp", "/proc/net/tcp6", "/proc/net/udp", "/proc/net/udp6"};
	char line[512];
	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
		FILE *f = fopen(tables[t], "re");
		if (!f)
			continue;
		if (!fgets(line, sizeof(line), f)) { /* the header */
			fclose(f);
			continue;
		}
		while (fgets(line, sizeof(line), f)) {
			char local[64];
			unsigned long ino;
			if (sscanf(line, "%*s %63s %*s %*s %*s %*s %*s %*s %*s %lu", local, &ino) != 2 || ino == 0 ||
			    was_seen(ino) || baseline)
				continue;
			pid_t owner = socket_owner(ino);
			if (owner > 0 && getsid(owner) == sid) {
				char msg[200];
				int n = snprintf(msg, sizeof(msg), "%s %s (pid %d)\n", tables[t] + 10, local, (int)owner);
				if (write(report, msg, (size_t)n) < 0)
					return;
			}
		}
		fclose(f);
	}
}

static pid_t watcher = -1;
static int watch_stop = -1, watch_report = -1;

/* Runs until the suite closes stop; writes what it found, then "scans N". */
static void start_watcher(void)
{
	int stop[2], rep[2];
	if (pipe(stop) < 0 || pipe(rep) < 0)
		return;
	fflush(NULL);
	watcher = fork();
	if (watcher == 0) {
		pid_t sid = getsid(0);
		long scans = 0;
		close(stop[1]);
		close(rep[0]);
		scan(sid, rep[1], true);
		for (;;) {
			struct pollfd p = {stop[0], POLLIN, 0};
			if (poll(&p, 1, 3) > 0)
				break;
			scan(sid, rep[1], false);
			scans++;
		}
		char msg[64];
		int n = snprintf(msg, sizeof(msg), "scans %ld\n", scans);
		if (write(rep[1], msg, (size_t)n) < 0)
			_exit(1);
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
	const char *scans = strstr(buf, "scans ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(scans);
	CU_ASSERT(atol(scans + 6) > 0);
	if (scans != buf)
		BC_FAILF("sockets of this run appeared in the host's network namespace:\n%.*s", (int)(scans - buf), buf);
}

/* Everything the suite ran, the runner's own code included, closed what it
 * opened: the process has the fds it started with. */
static void no_fd_leaked_by_the_harness(void)
{
	int now = bc_guard_count_fds();
	if (now != fds_at_start)
		BC_FAILF("the suite started with %d open fds and ends with %d", fds_at_start, now);
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
	BC_ADD(s, host_unchanged);
	BC_ADD(s, no_socket_reached_the_host);
	BC_ADD(s, no_fd_leaked_by_the_harness);
	return 0;
}
