/* Unit tests of the sandbox: timeouts, crashes, leaks, bounded output,
 * lingering processes, and that a case's sockets never reach the host's
 * network namespace. */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "exec/netlink.h"
#include "exec/sandbox.h"
#include "suite.h"

#ifdef __linux__
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#endif

static struct bc_sandbox_cfg cfg(int timeout_ms, bool net)
{
	struct bc_sandbox_cfg c = {.timeout_ms = timeout_ms, .private_net = net};
	return c;
}

static int fn_sleep(void *arg, int fd)
{
	(void)arg;
	(void)fd;
	sleep(30);
	return 0;
}

static int fn_segv(void *arg, int fd)
{
	(void)arg;
	(void)fd;
	signal(SIGSEGV, SIG_DFL); /* a sanitizer's handler would turn the crash into an exit */
	raise(SIGSEGV);
	return 0;
}

static int fn_exit5(void *arg, int fd)
{
	(void)arg;
	(void)write(fd, "hello", 5);
	return 5;
}

static int fn_leak_fd(void *arg, int fd)
{
	(void)fd;
	int leaked = open("/dev/null", O_RDONLY);
	if (*(int *)arg == 0 && leaked >= 0)
		close(leaked);
	return 0;
}

static int fn_flood(void *arg, int fd)
{
	static char buf[65536];
	(void)arg;
	memset(buf, 'x', sizeof(buf));
	for (int i = 0; i < 16; i++)
		if (write(fd, buf, sizeof(buf)) < 0)
			return 1;
	return 0;
}

static int fn_grandchild(void *arg, int fd)
{
	(void)arg;
	pid_t pid = fork();
	if (pid == 0) {
		sleep(30);
		_exit(0);
	}
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d", (int)pid);
	(void)write(fd, buf, (size_t)n);
	return 0;
}

static void timeout_kills(void)
{
	struct bc_sandbox_cfg c = cfg(200, false);
	struct bc_sandbox_result r;
	bc_sandbox_run(&c, fn_sleep, NULL, &r);
	CU_ASSERT_EQUAL(r.end, BC_SB_TIMEOUT);
	CU_ASSERT(r.duration_us >= 200000);
	CU_ASSERT(r.duration_us < 3000000);
	bc_sandbox_result_free(&r);
}

static void crash_is_reported(void)
{
	struct bc_sandbox_cfg c = cfg(5000, false);
	struct bc_sandbox_result r;
	bc_sandbox_run(&c, fn_segv, NULL, &r);
	CU_ASSERT_EQUAL(r.end, BC_SB_SIGNALED);
	CU_ASSERT_EQUAL(r.status, SIGSEGV);
	bc_sandbox_result_free(&r);
}

static void exit_status_and_output(void)
{
	struct bc_sandbox_cfg c = cfg(5000, false);
	struct bc_sandbox_result r;
	bc_sandbox_run(&c, fn_exit5, NULL, &r);
	CU_ASSERT_EQUAL(r.end, BC_SB_EXITED);
	CU_ASSERT_EQUAL(r.status, 5);
	CU_ASSERT_EQUAL(r.outlen, 5);
	CU_ASSERT_STRING_EQUAL(r.out, "hello");
	bc_sandbox_result_free(&r);
}

static void fd_leak_is_counted(void)
{
	struct bc_sandbox_cfg c = cfg(5000, false);
	struct bc_sandbox_result r;
	int leak = 1, no_leak = 0;
	bc_sandbox_run(&c, fn_leak_fd, &leak, &r);
	CU_ASSERT_EQUAL(r.end, BC_SB_EXITED);
	CU_ASSERT(r.fds_before >= 0);
	CU_ASSERT_EQUAL(r.fds_after, r.fds_before + 1);
	bc_sandbox_result_free(&r);
	bc_sandbox_run(&c, fn_leak_fd, &no_leak, &r);
	CU_ASSERT(r.fds_before >= 0);
	CU_ASSERT_EQUAL(r.fds_after, r.fds_before);
	bc_sandbox_result_free(&r);
}

static void output_is_bounded(void)
{
	struct bc_sandbox_cfg c = cfg(5000, false);
	struct bc_sandbox_result r;
	bc_sandbox_run(&c, fn_flood, NULL, &r);
	CU_ASSERT_EQUAL(r.end, BC_SB_EXITED);
	CU_ASSERT_EQUAL(r.status, 0);
	/* 1 MiB written: the capture is full to its bound and says it dropped the rest. */
	CU_ASSERT(r.out_truncated);
	CU_ASSERT_EQUAL(r.outlen, BC_SANDBOX_OUT_MAX - 1);
	bc_sandbox_result_free(&r);
}

static bool process_gone(pid_t pid)
{
	char path[64], buf[256];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return true;
	bool zombie = fgets(buf, sizeof(buf), f) && strstr(buf, ") Z ");
	fclose(f);
	return zombie;
}

static void lingering_grandchild_is_killed(void)
{
	struct bc_sandbox_cfg c = cfg(5000, false);
	struct bc_sandbox_result r;
	bc_sandbox_run(&c, fn_grandchild, NULL, &r);
	CU_ASSERT_EQUAL(r.end, BC_SB_EXITED);
	CU_ASSERT(r.duration_us < 4000000); /* not held until the timeout */
	pid_t gc = (pid_t)atoi(r.out ? r.out : "0");
	CU_ASSERT_FATAL(gc > 0);
	bool gone = false;
	for (int i = 0; i < 200 && !gone; i++) {
		struct timespec ts = {0, 5000000};
		gone = process_gone(gc);
		if (!gone)
			nanosleep(&ts, NULL);
	}
	CU_ASSERT(gone);
	bc_sandbox_result_free(&r);
}

/* Is a socket with this inode listed in a /proc/.../net/tcp file? */
static int listed(const char *path, unsigned long inode)
{
	FILE *f = fopen(path, "r");
	char line[512];
	int found = 0;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long ino;
		/* sl local rem st tx:rx tr:when retrnsmt uid timeout inode */
		if (sscanf(line, "%*s %*s %*s %*s %*s %*s %*s %*s %*s %lu", &ino) == 1 && ino == inode)
			found = 1;
	}
	fclose(f);
	return found;
}

static int fn_isolation(void *arg, int fd)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct stat st;
	char host[64], msg[128];
	int s = socket(AF_INET, SOCK_STREAM, 0), n;
	(void)arg;
	if (s < 0 || bind(s, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(s, 1) < 0 || fstat(s, &st) < 0)
		n = snprintf(msg, sizeof(msg), "setup: %s", strerror(errno));
	else {
		snprintf(host, sizeof(host), "/proc/%d/net/tcp", (int)getppid());
		n = snprintf(msg, sizeof(msg), "own=%d host=%d", listed("/proc/self/net/tcp", st.st_ino), listed(host, st.st_ino));
	}
	if (s >= 0)
		close(s);
	(void)write(fd, msg, (size_t)n);
	return 0;
}

static void sockets_stay_out_of_the_host(void)
{
	struct bc_sandbox_cfg c = cfg(5000, true);
	struct bc_sandbox_result r;
	bc_sandbox_run(&c, fn_isolation, NULL, &r);
	CU_ASSERT_EQUAL(r.end, BC_SB_EXITED);
	/* Seen in the case's own namespace, absent from the host's. */
	if (!r.out || strcmp(r.out, "own=1 host=0") != 0)
		BC_FAILF("listener visibility: %s", r.out ? r.out : "(no output)");
	bc_sandbox_result_free(&r);
}

/* lo is brought up as `ip link set lo up` does: RTM_NEWLINK on the
 * link's index, ifi_flags IFF_UP, ifi_change IFF_UP, acknowledged. */
static void setlink_request(void)
{
#ifdef __linux__
	struct bc_nlreq r;
	size_t len = bc_nl_build_setlink(&r, 7, IFF_UP, IFF_UP);
	const struct nlmsghdr *h = (const struct nlmsghdr *)(const void *)r.raw;
	const struct ifinfomsg *ifi = NLMSG_DATA(h);
	CU_ASSERT_EQUAL(len, NLMSG_LENGTH(sizeof(struct ifinfomsg)));
	CU_ASSERT_EQUAL(h->nlmsg_len, len);
	CU_ASSERT_EQUAL(h->nlmsg_type, RTM_NEWLINK);
	CU_ASSERT_EQUAL(h->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	CU_ASSERT_EQUAL(ifi->ifi_family, AF_UNSPEC);
	CU_ASSERT_EQUAL(ifi->ifi_index, 7);
	CU_ASSERT_EQUAL(ifi->ifi_flags, IFF_UP);
	CU_ASSERT_EQUAL(ifi->ifi_change, IFF_UP);
	/* Down: the flag cleared, still the one that changes. */
	bc_nl_build_setlink(&r, 1, 0, IFF_UP);
	CU_ASSERT_EQUAL(ifi->ifi_flags, 0);
	CU_ASSERT_EQUAL(ifi->ifi_change, IFF_UP);
	/* Flags outside change are not sent. */
	bc_nl_build_setlink(&r, 1, IFF_UP | IFF_NOARP, IFF_UP);
	CU_ASSERT_EQUAL(ifi->ifi_flags, IFF_UP);
	/* An attribute goes after the aligned header and grows the length. */
	CU_ASSERT_PTR_NOT_NULL(bc_nl_add_attr(&r, IFLA_IFNAME, "lo", 3));
	CU_ASSERT_EQUAL(h->nlmsg_len, NLMSG_ALIGN(len) + RTA_SPACE(3));
#endif
}

int bc_suite_sandbox(void)
{
	CU_pSuite s = CU_add_suite("unit/sandbox", NULL, NULL);
	if (!s)
		return -1;
	BC_ADD(s, setlink_request);
	BC_ADD(s, timeout_kills);
	BC_ADD(s, crash_is_reported);
	BC_ADD(s, exit_status_and_output);
	BC_ADD(s, fd_leak_is_counted);
	BC_ADD(s, output_is_bounded);
	BC_ADD(s, lingering_grandchild_is_killed);
	BC_ADD_NETNS(s, sockets_stay_out_of_the_host);
	return 0;
}
