/* netns: bindcheck's first network namespace and the small TCP hash table
 * of every namespace made in it (see netns.h). */
#define _GNU_SOURCE /* setns */
#include "exec/netns.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#ifdef __linux__
#include <sched.h>
#endif

#define SYS_NET_IPV4 "/proc/sys/net/ipv4/"
#define CHILD_EHASH SYS_NET_IPV4 "tcp_child_ehash_entries"
#define TW_BUCKETS SYS_NET_IPV4 "tcp_max_tw_buckets"
#define SYN_BACKLOG SYS_NET_IPV4 "tcp_max_syn_backlog"

/* The runner's base, inherited by every process it forks.  One per
 * process, as the namespaces themselves are. */
static struct bc_netns_base base = {.net = -1, .user = -1};

bool bc_netns_read(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, size - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	return true;
}

static bool read_uint(const char *path, unsigned *v)
{
	char buf[32];
	return bc_netns_read(path, buf, sizeof(buf)) && sscanf(buf, "%u", v) == 1;
}

static bool write_uint(const char *path, unsigned v)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", v);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	bool ok = fd >= 0 && write(fd, buf, (size_t)len) == len;
	if (fd >= 0)
		close(fd);
	return ok;
}

bool bc_netns_base_setup(struct bc_netns_base *b)
{
	b->small = read_uint(TW_BUCKETS, &b->tw_buckets) && read_uint(SYN_BACKLOG, &b->syn_backlog) &&
		   write_uint(CHILD_EHASH, BC_NETNS_EHASH);
	return b->small;
}

static void forget(void)
{
	if (base.net >= 0)
		close(base.net);
	if (base.user >= 0)
		close(base.user);
	base = (struct bc_netns_base){.net = -1, .user = -1};
}

void bc_netns_base_keep(const struct bc_netns_base *b)
{
	forget();
	if (b && b->small && b->net >= 0)
		base = *b;
}

bool bc_netns_small(void)
{
	return base.small;
}

#ifdef __linux__
int bc_netns_enter_base(void)
{
	if (!base.small || base.net < 0)
		return 0;
	/* The user namespace first: the base's network namespace is owned by
	 * it, and only its root may join that. */
	int rc = (base.user >= 0 && setns(base.user, CLONE_NEWUSER) < 0) || setns(base.net, CLONE_NEWNET) < 0 ? -1 : 0;
	int saved = errno;
	close(base.net);
	if (base.user >= 0)
		close(base.user);
	base.net = base.user = -1;
	errno = saved;
	return rc;
}
#else
int bc_netns_enter_base(void)
{
	return 0;
}
#endif

void bc_netns_tables(void)
{
	if (!base.small)
		return;
	/* The namespaces made from this one get a small table only once this
	 * one's defaults are pinned: a namespace whose pins failed makes
	 * namespaces that share the host's table, as before. */
	if (write_uint(TW_BUCKETS, base.tw_buckets) && write_uint(SYN_BACKLOG, base.syn_backlog))
		write_uint(CHILD_EHASH, BC_NETNS_EHASH);
}
