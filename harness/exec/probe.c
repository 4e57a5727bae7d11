/* probe: what a case's namespace can have here (a private network namespace
 * with lo up, IPv6, net.* sysctls of its own), found once per runner by a
 * throwaway child, which on its way makes bindcheck's first namespace, the
 * base (exec/netns.h): the namespace the probe needs anyway is kept. */
#define _GNU_SOURCE /* unshare, CLONE_NEWNET, vfork */
#include "exec/sandbox.h"

#include "model/platform.h"

#include "exec/netns.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sched.h>
#endif

/* The probe: can a child make a private network namespace with lo up, and
 * does it have IPv6?  A vfork child answers: a fork would copy the page
 * tables of a runner that holds every table, for a few system calls; one
 * started before the tables are read (bc_sandbox_probe_early) is forked,
 * and works while the runner reads them.  The
 * answer is its exit status; why it failed, or the base it made (with its
 * namespaces' fds), comes in one message on a socket (under Valgrind a
 * vfork is a fork: nothing may be passed in memory). */
struct probe_msg {
	char why[200];
	struct bc_netns_base base; /* the fds are the parent's, from the message's SCM_RIGHTS */
};

struct probe_answer {
	bool net, v6, shared_sysctls, v6only_by_socket;
	struct probe_msg msg;
};

#ifdef __linux__
#define PORT_RANGE "/proc/sys/net/ipv4/ip_local_port_range"

static bool read_range(unsigned *lo, unsigned *hi)
{
	char buf[64];
	return bc_netns_read(PORT_RANGE, buf, sizeof(buf)) && sscanf(buf, "%u %u", lo, hi) == 2;
}

static bool write_range(unsigned lo, unsigned hi)
{
	char buf[32];
	int len = snprintf(buf, sizeof(buf), "%u %u", lo, hi);
	int fd = open(PORT_RANGE, O_WRONLY | O_CLOEXEC);
	bool ok = fd >= 0 && write(fd, buf, (size_t)len) == len;
	if (fd >= 0)
		close(fd);
	return ok;
}

/* Whether a net.* sysctl written in this (new) namespace shows in another
 * new one: /proc/sys/net is then not per namespace (gVisor serves its first
 * namespace's there, pkg/sentry/fsimpl/proc/tasks_sys.go newSysNetDir,
 * gvisor.dev/issue/1833).  Only namespaces made here are written to, and the
 * shared value is put back. */
static bool sysctls_shared(void)
{
	unsigned lo, hi, lo2, hi2;
	if (!read_range(&lo, &hi))
		return false;
	unsigned mark = lo == 40000 ? 40002 : 40000;
	if (!write_range(mark, mark + 1))
		return false;
	bool shared = unshare(CLONE_NEWNET) == 0 && read_range(&lo2, &hi2) && lo2 == mark && hi2 == mark + 1;
	if (shared)
		write_range(lo, hi);
	return shared;
}
#else
static bool sysctls_shared(void)
{
	return false;
}
#endif

static bool likely_gvisor(void)
{
	struct utsname u;
	return uname(&u) == 0 && bc_platform_is_gvisor(u.release, u.version, NULL);
}

/* Send m, with nfd fds attached. */
static void send_msg(int sock, const struct probe_msg *m, const int *fds, int nfd)
{
	union {
		char buf[CMSG_SPACE(2 * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {(void *)m, sizeof(*m)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	memset(&u, 0, sizeof(u));
	if (nfd > 0) {
		mh.msg_control = u.buf;
		mh.msg_controllen = CMSG_SPACE((size_t)nfd * sizeof(int));
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN((size_t)nfd * sizeof(int));
		memcpy(CMSG_DATA(c), fds, (size_t)nfd * sizeof(int));
	}
	if (sendmsg(sock, &mh, MSG_NOSIGNAL) < 0)
		_exit(1);
}

static ino_t ns_ino(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 ? sb.st_ino : 0;
}

/* In the namespace the child made: the base, with its namespaces' fds (its
 * user namespace's too when it made one: not the caller's, user_ino). */
static int make_base(struct probe_msg *m, ino_t user_ino, int fds[2])
{
	int nfd = 0;
	if (!bc_netns_base_setup(&m->base))
		return 0;
	fds[nfd++] = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (ns_ino("/proc/self/ns/user") != user_ino)
		fds[nfd++] = open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC);
	for (int i = 0; i < nfd; i++)
		if (fds[i] < 0)
			m->base.small = false;
	return m->base.small ? nfd : 0;
}

/* Exit status: 1 no private namespace; else 2, plus 1 with IPv6, plus 4
 * when net.* sysctls are not per namespace, plus 8 when IPv6 works but
 * net.ipv6.bindv6only cannot be set for a namespace (absent, or shared). */
static __attribute__((noinline)) void probe_child(int sock, bool private_net, ino_t user_ino)
{
	struct probe_msg m;
	int fds[2], nfd = 0;
	memset(&m, 0, sizeof(m));
	if (private_net && bc_sandbox_enter_private_net(m.why, sizeof(m.why)) < 0) {
		send_msg(sock, &m, fds, 0);
		_exit(1);
	}
	int s = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int st = s >= 0 ? 3 : 2;
	if (s >= 0)
		close(s);
	/* Only gVisor is known to serve one /proc/sys/net to every namespace;
	 * on Linux it is per namespace (since 2.6.24), and finding out costs
	 * a namespace. */
	if (private_net && likely_gvisor() && sysctls_shared())
		st |= 4;
	if (private_net && s >= 0 && ((st & 4) || access("/proc/sys/net/ipv6/bindv6only", F_OK) < 0))
		st |= 8;
	if (private_net && !(st & 4))
		nfd = make_base(&m, user_ino, fds);
	send_msg(sock, &m, fds, nfd);
	_exit(st);
}

/* The child's message, and the fds that came with it. */
static void take_msg(int sock, struct probe_msg *m)
{
	union {
		char buf[CMSG_SPACE(2 * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {m, sizeof(*m)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
	int fds[2] = {-1, -1};
	ssize_t n = recvmsg(sock, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	struct cmsghdr *c = n > 0 ? CMSG_FIRSTHDR(&mh) : NULL;
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && c->cmsg_len >= CMSG_LEN(sizeof(int))) {
		size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		memcpy(fds, CMSG_DATA(c), (k > 2 ? 2 : k) * sizeof(int));
	}
	if (n != (ssize_t)sizeof(*m)) {
		memset(m, 0, sizeof(*m));
		if (n > 0)
			snprintf(m->why, sizeof(m->why), "the probe's answer was cut short");
	}
	m->why[sizeof(m->why) - 1] = '\0';
	m->base.net = fds[0];
	m->base.user = fds[1];
	if (!m->base.small || fds[0] < 0) {
		m->base.small = false;
		for (int i = 0; i < 2; i++)
			if (fds[i] >= 0)
				close(fds[i]);
		m->base.net = m->base.user = -1;
	}
}

/* A probe on its way: its child, and the parent's end of the socket. */
struct pending {
	pid_t pid;
	int sock;
	bool private_net;
	char why[200]; /* why it could not start */
};

/* Start the child: vfork when the caller waits for it at once, fork when
 * it goes on meanwhile (bc_sandbox_probe_early). */
static void probe_begin(struct pending *p, bool private_net, bool wait_now)
{
	int sv[2];
	*p = (struct pending){.pid = -1, .sock = -1, .private_net = private_net};
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		snprintf(p->why, sizeof(p->why), "cannot make a socket pair: %s", strerror(errno));
		return;
	}
	ino_t user_ino = ns_ino("/proc/self/ns/user");
	fflush(NULL);
	pid_t pid = wait_now ? vfork() : fork();
	if (pid == 0)
		probe_child(sv[1], private_net, user_ino);
	close(sv[1]);
	if (pid < 0) {
		snprintf(p->why, sizeof(p->why), "cannot start a process: %s", strerror(errno));
		close(sv[0]);
		return;
	}
	p->pid = pid;
	p->sock = sv[0];
}

static void probe_end(struct pending *p, struct probe_answer *a)
{
	int st = 0;
	memset(a, 0, sizeof(*a));
	a->msg.base.net = a->msg.base.user = -1;
	if (p->pid < 0) {
		snprintf(a->msg.why, sizeof(a->msg.why), "%s", p->why);
		return;
	}
	while (waitpid(p->pid, &st, 0) < 0 && errno == EINTR)
		;
	take_msg(p->sock, &a->msg);
	close(p->sock);
	int code = WIFEXITED(st) ? WEXITSTATUS(st) : 0;
	a->net = code >= 2 && code <= 15 && p->private_net;
	a->v6 = a->net && (code & 1);
	a->shared_sysctls = a->net && (code & 4);
	a->v6only_by_socket = a->net && (code & 8);
	p->pid = -1;
}

static void probe_once(struct probe_answer *a, bool private_net)
{
	static struct pending p;
	probe_begin(&p, private_net, true);
	probe_end(&p, a);
}

/* The probe bc_sandbox_probe_early started, if any. */
static struct pending early = {.pid = -1, .sock = -1};
static pid_t early_parent;

void bc_sandbox_probe_early(void)
{
	if (early.pid >= 0)
		return;
	probe_begin(&early, true, false);
	early_parent = getpid();
}

void bc_sandbox_probe(struct bc_sandbox_caps *caps)
{
	static struct probe_answer a;
	memset(caps, 0, sizeof(*caps));
	/* An early probe is this process's own child: a process forked since
	 * cannot wait for it, and asks its own. */
	if (early.pid >= 0 && early_parent == getpid())
		probe_end(&early, &a);
	else
		probe_once(&a, true);
	if (a.net) {
		caps->private_net = true;
	} else {
		snprintf(caps->reason, sizeof(caps->reason), "%s", a.msg.why[0] ? a.msg.why : "sandbox probe failed");
		/* IPv6 still matters to a run allowed onto the host's network. */
		probe_once(&a, false);
	}
	/* Kept (or forgotten, with no private namespace) by this process, and
	 * inherited by the workers it forks. */
	bc_netns_base_keep(a.net ? &a.msg.base : NULL);
	caps->small_tables = bc_netns_small();
	if (caps->small_tables) {
		caps->tw_buckets = a.msg.base.tw_buckets;
		caps->syn_backlog = a.msg.base.syn_backlog;
	}
	caps->ipv6 = a.v6;
	caps->shared_sysctls = a.shared_sysctls;
	caps->v6only_by_socket = a.v6only_by_socket;
	if (caps->private_net && !caps->ipv6)
		snprintf(caps->reason, sizeof(caps->reason), "no IPv6: socket(AF_INET6) fails in a fresh namespace");
	else if (caps->shared_sysctls || caps->v6only_by_socket)
		snprintf(caps->reason, sizeof(caps->reason), "%s%s",
			 caps->shared_sysctls ? "/proc/sys/net is not per network namespace here (a value written in one "
						"new namespace shows in another): a profile's net.* sysctl is a skip, and "
						"=ADDR:ephemeral reads the range every namespace starts with, which no case "
						"changes. " : "",
			 caps->v6only_by_socket ? "net.ipv6.bindv6only cannot be set for a namespace here: a profile's "
						  "value is given instead as IPV6_V6ONLY to every AF_INET6 socket a case's "
						  "socket steps create (the sysctl is that option's default, ipv6(7)); a "
						  "case with a target, whose sockets are not the steps', is a skip" : "");
}
