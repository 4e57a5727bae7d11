/* netlink: rtnetlink requests, the one way bindcheck changes links and
 * addresses.  The ioctl way (SIOCSIFFLAGS) is not implemented everywhere
 * a Linux network stack is: gVisor's netstack answers it with ENOTTY and
 * takes RTM_NEWLINK.  Building a request is pure (and unit-tested);
 * sending it is Linux only. */
#ifndef BC_NETLINK_H
#define BC_NETLINK_H

#include <stddef.h>

/* One request: a netlink header and room for its attributes. */
struct bc_nlreq {
	union {
		unsigned int align; /* struct nlmsghdr's alignment */
		char raw[1024];
	};
};

/* Fill r with an RTM_NEWLINK request that sets, on the link with the index
 * ifindex, the flags in change to their values in flags (as `ip link set
 * DEV up` does: flags IFF_UP, change IFF_UP).  Returns its length. */
size_t bc_nl_build_setlink(struct bc_nlreq *r, int ifindex, unsigned flags, unsigned change);

/* Append an attribute (data may be NULL for a nest, closed with
 * bc_nl_end_nest): the attribute, or NULL when r is full. */
void *bc_nl_add_attr(struct bc_nlreq *r, unsigned short type, const void *data, size_t len);
void bc_nl_end_nest(struct bc_nlreq *r, void *nest);

/* Send one request on a fresh NETLINK_ROUTE socket and wait for its
 * acknowledgement: 0 or -errno.  -ENOSYS where there is no rtnetlink. */
int bc_nl_talk(struct bc_nlreq *r);

/* Set (or, with up false, clear) IFF_UP on the link named dev: 0 or -errno. */
int bc_nl_link_up(const char *dev, int up);

#endif
