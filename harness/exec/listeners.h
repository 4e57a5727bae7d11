/* listeners: the sockets that serve in the calling process's network
 * namespace (listeners.c). */
#ifndef BC_LISTENERS_H
#define BC_LISTENERS_H

#include <stdbool.h>
#include <stddef.h>

/* TCP sockets in LISTEN and bound, unconnected UDP sockets, IPv4 and IPv6,
 * each as its local address ("127.0.0.1:8080", "[::1]:8080"; a UDP socket
 * "udp:127.0.0.1:53"), joined with '+' in sorted order (every TCP one
 * before every UDP one), or "none".  From NETLINK_SOCK_DIAG; where the
 * kernel has none for a protocol, from /proc/net. */
void bc_target_listeners(char *buf, size_t n);
/* Is addr one of the '+'-joined listeners in list? */
bool bc_listener_in(const char *list, const char *addr);
/* Every socket of family and protocol (IPPROTO_TCP, IPPROTO_UDP) in the
 * given states (a bit per TCP state; ~0u: all) that NETLINK_SOCK_DIAG
 * socket sk lists, each given to fn: 0, or -1 when the kernel cannot say. */
struct inet_diag_msg;
int bc_sock_diag_dump(int sk, int family, int proto, unsigned states,
		      void (*fn)(void *arg, const struct inet_diag_msg *m), void *arg);
/* The same from /proc/net alone: the fallback, for its test. */
void bc_target_listeners_proc(char *buf, size_t n);

#endif
