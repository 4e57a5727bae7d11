/* watch: the socket watcher behind host/unchanged (test_host.c).  It runs
 * in a network namespace (the host's, for the suite) and reports every
 * TCP and UDP socket, IPv4 or IPv6, that appears there and belongs to a
 * process of its session.
 *
 * It lists them with NETLINK_SOCK_DIAG (inet_diag, every state), which
 * costs little where the namespace has few sockets; /proc/net/{tcp,tcp6,
 * udp,udp6}, the fallback where a kernel has no sock_diag, costs
 * milliseconds however few there are (their size follows the host's TCP
 * hash table).  Even so it does not list them at every look.  Every
 * WATCH_PERIOD_MS it reads the namespace's own socket counters instead
 * ("inuse" of TCP and UDP in /proc/net/sockstat, of TCP6 and UDP6 in
 * sockstat6: counted per namespace, from files it keeps open), and lists
 * the sockets only when one of them changed.  A socket opened while
 * another closed leaves the counters as they were: the sockets are listed
 * every `every`th look anyway, the safety net.  The machine-wide figures
 * in those files ("sockets: used", "alloc", "mem") move with every case in
 * every namespace and are not read. */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "exec/listeners.h"
#include "suite.h"

#define WATCH_PERIOD_MS 3
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

/* A socket seen for the first time: reported when it is of session sid. */
static void found(pid_t sid, int report, const char *proto, const char *local, unsigned long ino)
{
	if (ino == 0 || was_seen(ino))
		return;
	pid_t owner = socket_owner(ino);
	if (owner > 0 && getsid(owner) == sid) {
		char msg[200];
		int n = snprintf(msg, sizeof(msg), "%s %s (pid %d)\n", proto, local, (int)owner);
		if (write(report, msg, (size_t)n) < 0)
			return;
	}
}

static const struct {
	const char *name, *proc;
	int family, proto;
} kinds[] = {
	{"tcp", "/proc/net/tcp", AF_INET, IPPROTO_TCP},
	{"tcp6", "/proc/net/tcp6", AF_INET6, IPPROTO_TCP},
	{"udp", "/proc/net/udp", AF_INET, IPPROTO_UDP},
	{"udp6", "/proc/net/udp6", AF_INET6, IPPROTO_UDP},
};

struct scanning {
	size_t k;
	pid_t sid;
	int report;
	bool baseline;
};

static void one_socket(void *arg, const struct inet_diag_msg *m)
{
	const struct scanning *s = arg;
	char addr[INET6_ADDRSTRLEN], local[80];
	if (!inet_ntop(kinds[s->k].family, m->id.idiag_src, addr, sizeof(addr)))
		return;
	snprintf(local, sizeof(local), kinds[s->k].family == AF_INET6 ? "[%s]:%u" : "%s:%u", addr,
		 (unsigned)ntohs(m->id.idiag_sport));
	if (s->baseline)
		was_seen(m->idiag_inode);
	else
		found(s->sid, s->report, kinds[s->k].name, local, m->idiag_inode);
}

/* Every socket of one kind, in every state, from sock_diag: 0, or -1 when
 * the kernel cannot say. */
static int diag_scan(int sk, size_t k, pid_t sid, int report, bool baseline)
{
	struct scanning s = {k, sid, report, baseline};
	return bc_sock_diag_dump(sk, kinds[k].family, kinds[k].proto, ~0u, one_socket, &s);
}

/* A local address as /proc/net shows it (each 32-bit word of the address
 * as the kernel holds it, in hex, then the port) as sock_diag's are shown. */
static void proc_local(int family, const char *hex, char *out, size_t n)
{
	unsigned char a[16];
	unsigned w[4], port = 0;
	int words = family == AF_INET6 ? 4 : 1;
	char addr[INET6_ADDRSTRLEN];
	for (int i = 0; i < words; i++)
		if (sscanf(hex + 8 * i, "%8X", &w[i]) != 1) {
			snprintf(out, n, "%s", hex);
			return;
		}
	sscanf(hex + 8 * words, ":%X", &port);
	for (int i = 0; i < words; i++)
		memcpy(a + 4 * i, &w[i], 4);
	if (!inet_ntop(family, a, addr, sizeof(addr)))
		snprintf(out, n, "%s", hex);
	else
		snprintf(out, n, family == AF_INET6 ? "[%s]:%u" : "%s:%u", addr, port);
}

/* The same kind from /proc/net, where sock_diag cannot say. */
static void proc_scan(size_t k, pid_t sid, int report, bool baseline)
{
	char line[512];
	FILE *f = fopen(kinds[k].proc, "re");
	if (!f)
		return;
	if (fgets(line, sizeof(line), f)) { /* the header */
		while (fgets(line, sizeof(line), f)) {
			char hex[64], local[80];
			unsigned long ino;
			if (sscanf(line, "%*s %63s %*s %*s %*s %*s %*s %*s %*s %lu", hex, &ino) != 2)
				continue;
			proc_local(kinds[k].family, hex, local, sizeof(local));
			if (baseline)
				was_seen(ino);
			else
				found(sid, report, kinds[k].name, local, ino);
		}
	}
	fclose(f);
}

/* One pass over the namespace's TCP and UDP sockets; new sockets of
 * session sid are written to report.  baseline: only record what is there. */
static void scan(pid_t sid, int report, bool baseline)
{
	int sk = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if (sk < 0 || diag_scan(sk, k, sid, report, baseline) < 0)
			proc_scan(k, sid, report, baseline);
	if (sk >= 0)
		close(sk);
}

/* Appends the "inuse N" figures of the lines of path that start with one
 * of the given protocol names to out. */
static void inuse(int *fd, const char *path, const char *const *protos, size_t nprotos, char *out, size_t n)
{
	char buf[2048];
	/* Opened once: a read from the start shows the counters as they are now. */
	if (*fd < 0)
		*fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t len = *fd < 0 ? -1 : pread(*fd, buf, sizeof(buf) - 1, 0);
	buf[len > 0 ? len : 0] = '\0';
	for (const char *l = buf; *l; l += strcspn(l, "\n") + (l[strcspn(l, "\n")] == '\n'))
		for (size_t p = 0; p < nprotos; p++) {
			size_t k = strlen(protos[p]);
			if (strncmp(l, protos[p], k) == 0 && l[k] == ':') {
				size_t at = strlen(out);
				snprintf(out + at, n - at, "%s %ld ", protos[p], strtol(l + k + strlen(": inuse"), NULL, 10));
			}
		}
}

/* The namespace's counts of the sockets the four tables list, as text. */
static void counters(char *out, size_t n)
{
	static const char *const v4[] = {"TCP", "UDP"}, *const v6[] = {"TCP6", "UDP6"};
	static int fd4 = -1, fd6 = -1;
	out[0] = '\0';
	inuse(&fd4, "/proc/net/sockstat", v4, 2, out, n);
	inuse(&fd6, "/proc/net/sockstat6", v6, 2, out, n);
}

void bc_suite_watch(int stop, int report, int ready, int every)
{
	pid_t sid = getsid(0);
	long looks = 0, scans = 0;
	char last[256], now[256];
	counters(last, sizeof(last));
	scan(sid, report, true);
	if (ready >= 0) {
		if (write(ready, "ready\n", 6) < 0)
			return;
		close(ready);
	}
	for (;;) {
		struct pollfd p = {stop, POLLIN, 0};
		if (poll(&p, 1, WATCH_PERIOD_MS) > 0)
			break;
		looks++;
		counters(now, sizeof(now));
		/* Counted before the scan: a socket made during it moves them again. */
		bool changed = strcmp(now, last) != 0;
		if (changed)
			memcpy(last, now, sizeof(last));
		if (changed || (every > 0 && looks % every == 0)) {
			scan(sid, report, false);
			scans++;
		}
	}
	char msg[64];
	int n = snprintf(msg, sizeof(msg), "looks %ld scans %ld\n", looks, scans);
	if (write(report, msg, (size_t)n) < 0)
		return;
}
