/* profile: apply a case's environment in its child.  Everything here acts on
 * namespaces the child made for itself (network, UTS, mount), so nothing can
 * reach the host; bc_profile_apply refuses to run in the host's network
 * namespace at all.  Order: sysctls, addresses and links, host name, name
 * files, and the identity last, since it gives up the rights the rest needs. */
#define _GNU_SOURCE /* unshare, setns, memfd_create, setresuid */
#include "exec/profile.h"

#include "exec/netlink.h"
#include "exec/netns.h"
#include "exec/sandbox.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool shared_sysctls, v6only_by_socket; /* bc_profile_set_platform */

void bc_profile_set_platform(bool shared, bool v6only_socket)
{
	shared_sysctls = shared;
	v6only_by_socket = v6only_socket;
}

unsigned long bc_profile_net_id(void)
{
	struct stat sb;
	return stat("/proc/self/ns/net", &sb) == 0 ? (unsigned long)sb.st_ino : 0;
}

void bc_profile_release(struct bc_step_env *env)
{
	if (env->home_net >= 0)
		close(env->home_net);
	if (env->peer_net >= 0)
		close(env->peer_net);
	env->home_net = env->peer_net = -1;
}

#ifdef __linux__
#include <grp.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <sched.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>

#define WHY(rc, ...)                              \
	do {                                      \
		snprintf(why, n, __VA_ARGS__);    \
		return (rc);                      \
	} while (0)

/* --- sysctls ------------------------------------------------------------ */

static enum bc_profile_rc set_sysctl(const struct bc_sysctl *s, char *why, size_t n)
{
	char path[128];
	/* net.ipv6.bindv6only is only the default of IPV6_V6ONLY for the
	 * AF_INET6 sockets made later (ipv6(7)): where it cannot be set for
	 * the namespace, the socket steps give that option to each socket
	 * they create (bc_steps_set_v6only; targets are skipped,
	 * exec/runner.c). */
	if (v6only_by_socket && strcmp(s->name, BC_SYSCTL_BINDV6ONLY) == 0) {
		bc_steps_set_v6only(strcmp(s->value, "0") != 0);
		return BC_PROFILE_OK;
	}
	size_t len = strlen(s->value);
	snprintf(path, sizeof(path), "/proc/sys/%s", s->name);
	for (char *p = path + 10; *p; p++)
		if (*p == '.')
			*p = '/';
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		WHY(BC_PROFILE_UNAVAILABLE, "sysctl %s does not exist on this kernel", s->name);
	if (fd < 0)
		WHY(BC_PROFILE_UNAVAILABLE, "cannot open sysctl %s: %s", s->name, strerror(errno));
	/* Where /proc/sys/net is not the namespace's own (gVisor's is its
	 * first namespace's, pkg/sentry/fsimpl/proc/tasks_sys.go newSysNetDir,
	 * gvisor.dev/issue/1833), a write would change another namespace and
	 * leave the case's as it was. */
	if (shared_sysctls && strncmp(s->name, "net.", 4) == 0) {
		close(fd);
		WHY(BC_PROFILE_UNAVAILABLE, "sysctl %s cannot be set for the case's namespace: /proc/sys/net is not "
		    "per network namespace here", s->name);
	}
	ssize_t w = write(fd, s->value, len);
	int e = errno;
	close(fd);
	/* Linux answers a value it refuses with EINVAL; EIO is a file that
	 * takes no writes at all (gVisor's /proc/sys, pkg/sentry/fsimpl/proc). */
	if (w < 0 && e == EIO)
		WHY(BC_PROFILE_UNAVAILABLE, "sysctl %s cannot be set here: its file takes no writes (EIO)", s->name);
	if (w != (ssize_t)len)
		WHY(BC_PROFILE_FAILED, "cannot set sysctl %s to '%s': %s", s->name, s->value,
		    w < 0 ? strerror(e) : "short write");
	return BC_PROFILE_OK;
}

/* --- rtnetlink: addresses and the veth pair (exec/netlink.c) ------------- */

static int add_address(const struct bc_ifaddr *a)
{
	struct bc_nlreq r;
	struct nlmsghdr *h = (struct nlmsghdr *)(void *)r.raw;
	struct ifaddrmsg *ifa;
	unsigned char flags = IFA_F_NODAD; /* usable at once: no duplicate address detection */
	unsigned idx = if_nametoindex(a->dev);
	size_t alen = a->family == AF_INET ? 4 : 16;
	if (!idx)
		return -errno;
	memset(&r, 0, sizeof(r));
	h->nlmsg_len = NLMSG_LENGTH(sizeof(*ifa));
	h->nlmsg_type = RTM_NEWADDR;
	h->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	ifa = NLMSG_DATA(h);
	ifa->ifa_family = (unsigned char)a->family;
	ifa->ifa_prefixlen = (unsigned char)a->prefix;
	ifa->ifa_index = idx;
	ifa->ifa_flags = (unsigned char)flags;
	/* Host scope for 127/8, as `ip addr add` gives it (iproute2
	 * ip/ipaddress.c default_scope): on a lo that is up, 127.0.0.1/8 is
	 * there already, the new address becomes its secondary, and
	 * __inet_insert_ifa (net/ipv4/devinet.c) refuses a secondary whose
	 * scope differs from its primary's with EINVAL.  IPv6 derives the
	 * scope from the address itself. */
	if (a->family == AF_INET && a->addr[0] == 127)
		ifa->ifa_scope = RT_SCOPE_HOST;
	/* No IFA_FLAGS attribute: IFA_F_NODAD fits ifa_flags, and gVisor
	 * refuses any attribute but IFA_LOCAL and IFA_ADDRESS (EOPNOTSUPP). */
	if (!bc_nl_add_attr(&r, IFA_LOCAL, a->addr, alen) || !bc_nl_add_attr(&r, IFA_ADDRESS, a->addr, alen))
		return -ENOBUFS;
	return bc_nl_talk(&r);
}

/* veth0 here, veth1 in the namespace peer_fd names. */
static int add_veth(int peer_fd)
{
	struct bc_nlreq r;
	struct nlmsghdr *h = (struct nlmsghdr *)(void *)r.raw;
	struct ifinfomsg *ifi, peer_ifi;
	void *info, *data, *peer;
	memset(&r, 0, sizeof(r));
	h->nlmsg_len = NLMSG_LENGTH(sizeof(*ifi));
	h->nlmsg_type = RTM_NEWLINK;
	h->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	ifi = NLMSG_DATA(h);
	ifi->ifi_family = AF_UNSPEC;
	memset(&peer_ifi, 0, sizeof(peer_ifi));
	/* Distinct interface numbers.  Both namespaces are new, so both ends
	 * would otherwise be number 2, and a link whose peer has its own number
	 * is not "urgent" to the kernel's link watcher, which then delays the
	 * carrier by up to a second (net/core/link_watch.c). */
	ifi->ifi_index = 10;
	peer_ifi.ifi_index = 11;
	if (!bc_nl_add_attr(&r, IFLA_IFNAME, "veth0", 6) || !(info = bc_nl_add_attr(&r, IFLA_LINKINFO, NULL, 0)) ||
	    !bc_nl_add_attr(&r, IFLA_INFO_KIND, "veth", 5) || !(data = bc_nl_add_attr(&r, IFLA_INFO_DATA, NULL, 0)) ||
	    !(peer = bc_nl_add_attr(&r, VETH_INFO_PEER, &peer_ifi, sizeof(peer_ifi))) ||
	    !bc_nl_add_attr(&r, IFLA_IFNAME, "veth1", 6) || !bc_nl_add_attr(&r, IFLA_NET_NS_FD, &peer_fd, sizeof(peer_fd)))
		return -ENOBUFS;
	bc_nl_end_nest(&r, peer);
	bc_nl_end_nest(&r, data);
	bc_nl_end_nest(&r, info);
	return bc_nl_talk(&r);
}


/* A veth end carries traffic once the kernel's link watcher has seen the
 * carrier and attached a queue to it, shortly after both ends are up; until
 * then packets are dropped.  Wait for IFF_RUNNING (up to 2 s). */
static int wait_running(const char *dev)
{
	struct timespec ms = {0, 1000000};
	for (int i = 0; i < 2000; i++) {
		short f = 0;
		int rc = bc_sandbox_link_flags(dev, 0, &f);
		if (rc < 0)
			return rc;
		if (f & IFF_RUNNING)
			return 0;
		nanosleep(&ms, NULL);
	}
	return -ETIMEDOUT;
}

static enum bc_profile_rc add_addresses(const struct bc_profile *p, const char *dev, char *why, size_t n)
{
	for (int i = 0; i < p->naddrs; i++) {
		const struct bc_ifaddr *a = &p->addrs[i];
		if (strcmp(a->dev, dev) != 0)
			continue;
		int rc = add_address(a);
		if (rc < 0)
			WHY(BC_PROFILE_FAILED, "cannot add an address to %s: %s", a->dev, strerror(-rc));
	}
	return BC_PROFILE_OK;
}

/* A second namespace, "another host", joined to this one by veth0/veth1. */
static enum bc_profile_rc make_peer(const struct bc_profile *p, struct bc_step_env *env, char *why, size_t n)
{
	int rc;
	env->home_net = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (env->home_net < 0)
		WHY(BC_PROFILE_UNAVAILABLE, "cannot open the case's network namespace: %s", strerror(errno));
	if (unshare(CLONE_NEWNET) < 0)
		WHY(BC_PROFILE_UNAVAILABLE, "cannot create the peer's network namespace: %s", strerror(errno));
	bc_netns_tables();
	env->peer_net = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	rc = env->peer_net < 0 ? -errno : bc_sandbox_link_flags("lo", IFF_UP, NULL);
	if (setns(env->home_net, CLONE_NEWNET) < 0)
		WHY(errno == EOPNOTSUPP || errno == ENOSYS ? BC_PROFILE_UNAVAILABLE : BC_PROFILE_FAILED,
		    "cannot return to the case's namespace: setns: %s", strerror(errno));
	if (rc < 0)
		WHY(BC_PROFILE_FAILED, "cannot set up the peer's namespace: %s", strerror(-rc));
	if ((rc = add_veth(env->peer_net)) < 0)
		WHY(BC_PROFILE_UNAVAILABLE, "cannot create a veth pair: %s", strerror(-rc));
	enum bc_profile_rc prc = add_addresses(p, "veth0", why, n);
	if (prc != BC_PROFILE_OK)
		return prc;
	if ((rc = bc_sandbox_link_flags("veth0", IFF_UP, NULL)) < 0)
		WHY(BC_PROFILE_FAILED, "cannot bring veth0 up: %s", strerror(-rc));
	if (setns(env->peer_net, CLONE_NEWNET) < 0)
		WHY(BC_PROFILE_FAILED, "cannot enter the peer's namespace: %s", strerror(errno));
	prc = add_addresses(p, "veth1", why, n);
	rc = prc == BC_PROFILE_OK ? bc_sandbox_link_flags("veth1", IFF_UP, NULL) : 0;
	if (rc == 0 && prc == BC_PROFILE_OK)
		rc = wait_running("veth1");
	if (setns(env->home_net, CLONE_NEWNET) < 0)
		WHY(BC_PROFILE_FAILED, "cannot return to the case's namespace: %s", strerror(errno));
	if (prc != BC_PROFILE_OK)
		return prc;
	if (rc == 0)
		rc = wait_running("veth0");
	if (rc < 0)
		WHY(BC_PROFILE_FAILED, "the veth pair did not come up: %s", strerror(-rc));
	return BC_PROFILE_OK;
}

/* --- lo down ------------------------------------------------------------ */

/* The case's namespace had lo brought up when it was made, and taking it
 * down again would not undo that: the first address lo got (127.0.0.1,
 * added by inetdev_event when lo first comes up, net/ipv4/devinet.c)
 * created the local routing table, which lives as long as the namespace.
 * So the case moves to a namespace of its own in which lo never came up. */
static enum bc_profile_rc fresh_net_lo_down(char *why, size_t n)
{
	short f = 0;
	if (unshare(CLONE_NEWNET) < 0)
		WHY(BC_PROFILE_UNAVAILABLE, "cannot make a network namespace for 'lo down': %s", strerror(errno));
	bc_netns_tables();
	int rc = bc_sandbox_link_flags("lo", 0, &f);
	if (rc < 0)
		WHY(BC_PROFILE_FAILED, "cannot read lo's flags: %s", strerror(-rc));
	/* gVisor's netstack gives every new namespace a lo that is up
	 * (pkg/sentry/socket/netstack); no namespace with lo down exists
	 * there. */
	if (f & IFF_UP)
		WHY(BC_PROFILE_UNAVAILABLE, "lo is up in a network namespace just made: this platform brings it up "
		    "itself (as gVisor does), so there is no namespace whose lo never came up");
	return BC_PROFILE_OK;
}

/* --- host name and name resolution ------------------------------------- */

/* Put text over an existing file, in this mount namespace only: the text
 * is written to a file on a private tmpfs (stage) and bind-mounted.  (The
 * kernel ignores the type of a bind or propagation mount; "none" rather than
 * NULL keeps Valgrind from reading a NULL string.) */
static int cover_file(const char *stage, const char *target, const char *text)
{
	char src[64];
	struct stat sb;
	if (stat(target, &sb) < 0)
		return errno == ENOENT ? 0 : -errno; /* nothing to cover: glibc uses its defaults */
	snprintf(src, sizeof(src), "%s/%s", stage, strrchr(target, '/') + 1);
	int fd = open(src, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	size_t len = strlen(text);
	int rc = write(fd, text, len) == (ssize_t)len ? 0 : -EIO;
	close(fd);
	if (rc == 0 && mount(src, target, "none", MS_BIND, NULL) < 0)
		rc = -errno;
	return rc;
}

/* Whether a mount of this namespace propagates to others ("shared:N" in
 * /proc/self/mountinfo): a system without propagation (gVisor refuses
 * MS_PRIVATE with EINVAL, and no mount of its is shared) needs none
 * undone.  True when it cannot tell. */
static bool shared_mounts(void)
{
	char line[1024];
	bool shared = false;
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return true;
	while (!shared && fgets(line, sizeof(line), f)) {
		char *dash = strstr(line, " - ");
		char *tag = strstr(line, " shared:");
		shared = tag && (!dash || tag < dash);
	}
	fclose(f);
	return shared;
}

/* Resolution reads only what the profile says: its hosts lines, through
 * "hosts: files", with glibc's default address order (empty gai.conf) and no
 * DNS servers. */
static enum bc_profile_rc hermetic_names(const struct bc_profile *p, char *why, size_t n)
{
	why[0] = '\0';
	char hosts[BC_PROFILE_MAX_HOSTS * 130] = "";
	size_t off = 0;
	for (int i = 0; i < p->nhosts; i++)
		off += (size_t)snprintf(hosts + off, sizeof(hosts) - off, "%s\n", p->hosts[i]);
	if (unshare(CLONE_NEWNS) < 0)
		WHY(BC_PROFILE_UNAVAILABLE, "cannot create a mount namespace: %s", strerror(errno));
	if (mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0 && (errno != EINVAL || shared_mounts()))
		WHY(BC_PROFILE_UNAVAILABLE, "cannot make the mount namespace private: %s", strerror(errno));
	/* host.conf: "multi on" unless the profile says otherwise; with it
	 * off (or absent) glibc's files backend returns only the first hosts
	 * line that matches. */
	const struct {
		const char *path, *text;
	} files[] = {
		{"/etc/nsswitch.conf", "passwd: files\ngroup: files\nhosts: files\nservices: files\nprotocols: files\n"},
		{"/etc/gai.conf", ""},
		{"/etc/host.conf", p->multi == BC_MULTI_OFF ? "multi off\n" : "multi on\n"},
		{"/etc/resolv.conf", ""},
	};
	/* The staging tmpfs goes over /tmp for a moment; the case's scratch
	 * directory, if any, is its working directory and stays reachable. */
	const char *stage = "/tmp";
	if (mount("bindcheck", stage, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=0755") < 0)
		WHY(BC_PROFILE_UNAVAILABLE, "cannot mount a tmpfs in the case's mount namespace: %s", strerror(errno));
	int rc = cover_file(stage, "/etc/hosts", hosts);
	for (size_t i = 0; rc == 0 && i < sizeof(files) / sizeof(files[0]); i++)
		if ((rc = cover_file(stage, files[i].path, files[i].text)) < 0)
			snprintf(why, n, "cannot replace %s in the case's mount namespace: %s", files[i].path, strerror(-rc));
	if (rc < 0 && !why[0])
		snprintf(why, n, "cannot replace /etc/hosts in the case's mount namespace: %s", strerror(-rc));
	/* The bind mounts keep their files; /tmp shows the host's again. */
	umount2(stage, MNT_DETACH);
	return rc < 0 ? BC_PROFILE_UNAVAILABLE : BC_PROFILE_OK;
}

/* --- identity ------------------------------------------------------------ */

static enum bc_profile_rc set_caps(const char *text, char *why, size_t n)
{
	cap_t caps = cap_from_text(text);
	int rc = caps ? cap_set_proc(caps) : -1;
	int e = errno;
	if (caps)
		cap_free(caps);
	if (rc < 0)
		WHY(BC_PROFILE_FAILED, "cannot set capabilities '%s': %s", text, strerror(e));
	return BC_PROFILE_OK;
}

static enum bc_profile_rc drop_nbs(char *why, size_t n)
{
	cap_t caps = cap_get_proc();
	cap_value_t v = CAP_NET_BIND_SERVICE;
	int rc = -1;
	if (caps && cap_drop_bound(v) == 0 && cap_set_flag(caps, CAP_EFFECTIVE, 1, &v, CAP_CLEAR) == 0 &&
	    cap_set_flag(caps, CAP_PERMITTED, 1, &v, CAP_CLEAR) == 0 &&
	    cap_set_flag(caps, CAP_INHERITABLE, 1, &v, CAP_CLEAR) == 0)
		rc = cap_set_proc(caps);
	int e = errno;
	if (caps)
		cap_free(caps);
	if (rc < 0)
		WHY(BC_PROFILE_FAILED, "cannot drop CAP_NET_BIND_SERVICE: %s", strerror(e));
	return BC_PROFILE_OK;
}

static enum bc_profile_rc set_identity(const struct bc_profile *p, char *why, size_t n)
{
	if (p->set_uid && p->uid != 0) {
		gid_t g = (gid_t)p->uid;
		if (p->caps == BC_CAPS_ONLY_NBS && prctl(PR_SET_KEEPCAPS, 1L, 0L, 0L, 0L) < 0)
			WHY(BC_PROFILE_FAILED, "prctl(PR_SET_KEEPCAPS): %s", strerror(errno));
		/* A runner that is not root runs its cases in a user namespace
		 * that maps its own uid to root (0) and nothing else: even its
		 * own uid, by its number, does not exist there (exec/sandbox.c). */
		if (setgroups(0, NULL) < 0 && errno != EPERM)
			WHY(BC_PROFILE_FAILED, "setgroups: %s", strerror(errno));
		if (setresgid(g, g, g) < 0 || setresuid(p->uid, p->uid, p->uid) < 0) {
			if (errno == EINVAL || errno == EPERM)
				WHY(BC_PROFILE_UNAVAILABLE, "uid %u is not available here (a runner that is not root runs cases in a user namespace where its own uid is root and no other uid exists; run as root)",
				    p->uid);
			WHY(BC_PROFILE_FAILED, "cannot become uid %u: %s", p->uid, strerror(errno));
		}
		if (p->caps == BC_CAPS_ONLY_NBS)
			return set_caps("cap_net_bind_service=ep", why, n);
		return BC_PROFILE_OK;
	}
	if (p->caps == BC_CAPS_DROP_NBS)
		return drop_nbs(why, n);
	if (p->caps == BC_CAPS_ONLY_NBS)
		return set_caps("cap_net_bind_service=ep", why, n);
	return BC_PROFILE_OK;
}

enum bc_profile_rc bc_profile_apply(const struct bc_profile *p, unsigned long host_net, struct bc_step_env *env,
				    char *why, size_t n)
{
	enum bc_profile_rc rc;
	*env = (struct bc_step_env){.home_net = -1, .peer_net = -1};
	bc_steps_set_v6only(-1);
	if (!p)
		return BC_PROFILE_OK;
	if (host_net == 0 || bc_profile_net_id() == host_net)
		WHY(BC_PROFILE_UNAVAILABLE, "a profile needs the case's own network namespace; refusing to change the host's");
	/* First: every later setting belongs to the namespace it makes. */
	if (p->lo_down && (rc = fresh_net_lo_down(why, n)) != BC_PROFILE_OK)
		return rc;
	for (int i = 0; i < p->nsysctl; i++)
		if ((rc = set_sysctl(&p->sysctl[i], why, n)) != BC_PROFILE_OK)
			return rc;
	if ((rc = add_addresses(p, "lo", why, n)) != BC_PROFILE_OK)
		return rc;
	if (p->peer && (rc = make_peer(p, env, why, n)) != BC_PROFILE_OK)
		return rc;
	if ((rc = bc_profile_apply_names(p, why, n)) != BC_PROFILE_OK)
		return rc;
	return set_identity(p, why, n);
}

enum bc_profile_rc bc_profile_apply_names(const struct bc_profile *p, char *why, size_t n)
{
	if (p->hostname[0]) {
		if (unshare(CLONE_NEWUTS) < 0)
			WHY(BC_PROFILE_UNAVAILABLE, "cannot create a UTS namespace: %s", strerror(errno));
		if (sethostname(p->hostname, strlen(p->hostname)) < 0)
			WHY(BC_PROFILE_FAILED, "sethostname: %s", strerror(errno));
	}
	return p->names ? hermetic_names(p, why, n) : BC_PROFILE_OK;
}
#else
enum bc_profile_rc bc_profile_apply(const struct bc_profile *p, unsigned long host_net, struct bc_step_env *env,
				    char *why, size_t n)
{
	(void)host_net;
	*env = (struct bc_step_env){.home_net = -1, .peer_net = -1};
	if (!p)
		return BC_PROFILE_OK;
	snprintf(why, n, "profiles need Linux namespaces");
	return BC_PROFILE_UNAVAILABLE;
}

enum bc_profile_rc bc_profile_apply_names(const struct bc_profile *p, char *why, size_t n)
{
	(void)p;
	snprintf(why, n, "profiles need Linux namespaces");
	return BC_PROFILE_UNAVAILABLE;
}
#endif
