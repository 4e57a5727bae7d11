/* watch: the socket watcher behind host/unchanged (test_host.c).  It runs
 * in a network namespace (the host's, for the suite) and reports every
 * socket that appears in /proc/net/{tcp,tcp6,udp,udp6} and belongs to a
 * process of its session.
 *
 * Reading those four tables costs milliseconds (their size follows the
 * host's TCP hash table, not the sockets in it), so the watcher does not
 * read them at every look.  Every WATCH_PERIOD_MS it reads the namespace's
 * own socket counters instead ("inuse" of TCP and UDP in /proc/net/sockstat,
 * of TCP6 and UDP6 in sockstat6: the sockets the four tables list, counted
 * per namespace), and scans the tables only when one of them changed.  A
 * socket opened while another closed leaves the counters as they were: the
 * tables are scanned every `every`th look anyway, the safety net.  The
 * machine-wide figures in those files ("sockets: used", "alloc", "mem")
 * move with every case in every namespace and are not read. */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* One pass over the namespace's socket tables; new sockets of session sid
 * are written to report.  baseline: only record what is there. */
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

/* Appends the "inuse N" figures of the lines of path that start with one
 * of the given protocol names to out. */
static void inuse(const char *path, const char *const *protos, size_t nprotos, char *out, size_t n)
{
	char buf[2048];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t len = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (fd >= 0)
		close(fd);
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
	out[0] = '\0';
	inuse("/proc/net/sockstat", v4, 2, out, n);
	inuse("/proc/net/sockstat6", v6, 2, out, n);
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
