/* netlink: building rtnetlink requests and sending them. */
#define _GNU_SOURCE
#include "exec/netlink.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#ifdef __linux__
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>

#define HDR(r) ((struct nlmsghdr *)(void *)(r)->raw)

size_t bc_nl_build_setlink(struct bc_nlreq *r, int ifindex, unsigned flags, unsigned change)
{
	struct ifinfomsg *ifi;
	memset(r, 0, sizeof(*r));
	HDR(r)->nlmsg_len = NLMSG_LENGTH(sizeof(*ifi));
	HDR(r)->nlmsg_type = RTM_NEWLINK;
	HDR(r)->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	ifi = NLMSG_DATA(HDR(r));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = flags & change;
	ifi->ifi_change = change;
	return HDR(r)->nlmsg_len;
}

void *bc_nl_add_attr(struct bc_nlreq *r, unsigned short type, const void *data, size_t len)
{
	struct nlmsghdr *h = HDR(r);
	struct rtattr *a = (struct rtattr *)(void *)(r->raw + NLMSG_ALIGN(h->nlmsg_len));
	if (NLMSG_ALIGN(h->nlmsg_len) + RTA_SPACE(len) > sizeof(*r))
		return NULL;
	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(a), data, len);
	h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + RTA_SPACE(len);
	return a;
}

void bc_nl_end_nest(struct bc_nlreq *r, void *nest)
{
	struct rtattr *a = nest;
	a->rta_len = (unsigned short)(r->raw + HDR(r)->nlmsg_len - (char *)a);
}

int bc_nl_talk(struct bc_nlreq *r)
{
	struct {
		struct nlmsghdr h;
		struct nlmsgerr e;
		char more[512];
	} ack;
	struct nlmsghdr *h = HDR(r);
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	h->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	h->nlmsg_seq = 1;
	if (send(fd, r->raw, h->nlmsg_len, 0) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	ssize_t got = recv(fd, &ack, sizeof(ack), 0);
	int e = errno;
	close(fd);
	if (got < 0)
		return -e;
	if ((size_t)got < sizeof(ack.h) + sizeof(ack.e) || ack.h.nlmsg_type != NLMSG_ERROR)
		return -EPROTO;
	return ack.e.error;
}

int bc_nl_link_up(const char *dev, int up)
{
	struct bc_nlreq r;
	unsigned idx = if_nametoindex(dev);
	if (!idx)
		return -errno;
	bc_nl_build_setlink(&r, (int)idx, up ? IFF_UP : 0, IFF_UP);
	return bc_nl_talk(&r);
}
#else
size_t bc_nl_build_setlink(struct bc_nlreq *r, int ifindex, unsigned flags, unsigned change)
{
	(void)ifindex, (void)flags, (void)change;
	memset(r, 0, sizeof(*r));
	return 0;
}

void *bc_nl_add_attr(struct bc_nlreq *r, unsigned short type, const void *data, size_t len)
{
	(void)r, (void)type, (void)data, (void)len;
	return NULL;
}

void bc_nl_end_nest(struct bc_nlreq *r, void *nest)
{
	(void)r, (void)nest;
}

int bc_nl_talk(struct bc_nlreq *r)
{
	(void)r;
	return -ENOSYS;
}

int bc_nl_link_up(const char *dev, int up)
{
	(void)dev, (void)up;
	return -ENOSYS;
}
#endif
