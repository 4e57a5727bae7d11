/* listeners: the sockets of the case's network namespace that serve, as the
 * `listening` step and a target's readiness see them.  TCP sockets in
 * LISTEN and bound UDP sockets that are not connected, IPv4 and IPv6, asked
 * of the kernel with NETLINK_SOCK_DIAG (inet_diag): the listening hash
 * alone for TCP, where /proc/net/tcp walks the whole established table,
 * which a child namespace shares with the host.  Where the kernel has no
 * sock_diag for a protocol (an implementation of the Linux API without it),
 * /proc/net/{tcp,udp}{,6} instead. */
#define _DEFAULT_SOURCE
#include "exec/step_ctx.h"

#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_FOUND 16
#define TCP_STATE_LISTEN 10 /* include/net/tcp_states.h */
#define TCP_STATE_CLOSE 7   /* an unconnected UDP socket */

struct found {
	int n;
	char v[MAX_FOUND][72];
};

/* One socket: its local address, "udp:"-prefixed for UDP. */
static void add(struct found *f, int family, int proto, const void *addr, uint16_t port_be)
{
	struct sockaddr_storage ss;
	socklen_t len;
	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, addr, 4);
		sin->sin_port = port_be;
		len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, addr, 16);
		sin6->sin6_port = port_be;
		len = sizeof(*sin6);
	}
	if (f->n == MAX_FOUND)
		return;
	char *out = f->v[f->n++];
	size_t k = proto == IPPROTO_UDP ? (size_t)snprintf(out, sizeof(f->v[0]), "udp:") : 0;
	bc_sockaddr_format((struct sockaddr *)&ss, len, out + k, sizeof(f->v[0]) - k);
}

int bc_sock_diag_dump(int sk, int family, int proto, unsigned states,
		      void (*fn)(void *arg, const struct inet_diag_msg *m), void *arg)
{
	struct {
		struct nlmsghdr nh;
		struct inet_diag_req_v2 r;
	} req;
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = sizeof(req);
	req.nh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.r.sdiag_family = (uint8_t)family;
	req.r.sdiag_protocol = (uint8_t)proto;
	req.r.idiag_states = states;
	if (send(sk, &req, sizeof(req), 0) != (ssize_t)sizeof(req))
		return -1;
	for (;;) {
		long buf[2048];
		ssize_t n = recv(sk, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR)
				return -1;
			if (h->nlmsg_type == SOCK_DIAG_BY_FAMILY && h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct inet_diag_msg)))
				fn(arg, NLMSG_DATA(h));
		}
	}
}

struct serving {
	struct found *f;
	int family, proto;
};

static void one_serving(void *arg, const struct inet_diag_msg *m)
{
	const struct serving *s = arg;
	if (s->proto == IPPROTO_UDP && m->id.idiag_dport != 0)
		return; /* connected: a client's */
	add(s->f, s->family, s->proto, m->id.idiag_src, m->id.idiag_sport);
}

/* The sockets of one family and protocol in the given states: 0, or -1
 * when the kernel cannot say (no sock_diag, or none for this protocol). */
static int diag_dump(int sk, int family, int proto, unsigned states, struct found *f)
{
	struct serving s = {f, family, proto};
	return bc_sock_diag_dump(sk, family, proto, states, one_serving, &s);
}

/* The same from /proc/net/FILE: sockets in state, and for UDP only those
 * with no peer. */
static void proc_read(const char *file, int family, int proto, unsigned state, struct found *f)
{
	FILE *fp = fopen(file, "re");
	char line[512];
	if (!fp)
		return;
	while (fgets(line, sizeof(line), fp)) {
		char local[40], remote[40];
		unsigned st, port, rport;
		if (sscanf(line, " %*d: %39[0-9A-Fa-f]:%x %39[0-9A-Fa-f]:%x %x", local, &port, remote, &rport, &st) != 5 ||
		    st != state || (proto == IPPROTO_UDP && rport != 0))
			continue;
		uint32_t words[4];
		for (int w = 0; w < (family == AF_INET ? 1 : 4); w++) {
			char word[9];
			memcpy(word, local + 8 * w, 8);
			word[8] = '\0';
			words[w] = (uint32_t)strtoul(word, NULL, 16); /* the kernel's words, host order */
		}
		add(f, family, proto, words, htons((uint16_t)port));
	}
	fclose(fp);
}

static void collect(struct found *f, bool diag)
{
	static const struct {
		int family, proto;
		unsigned state;
		const char *proc;
	} kinds[] = {
		{AF_INET, IPPROTO_TCP, TCP_STATE_LISTEN, "/proc/net/tcp"},
		{AF_INET6, IPPROTO_TCP, TCP_STATE_LISTEN, "/proc/net/tcp6"},
		{AF_INET, IPPROTO_UDP, TCP_STATE_CLOSE, "/proc/net/udp"},
		{AF_INET6, IPPROTO_UDP, TCP_STATE_CLOSE, "/proc/net/udp6"},
	};
	int sk = -1;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		int before = f->n;
		if (diag && sk < 0)
			sk = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
		if (sk >= 0 && diag_dump(sk, kinds[i].family, kinds[i].proto, 1u << kinds[i].state, f) == 0)
			continue;
		/* What a failed dump left unread must not reach the next. */
		if (sk >= 0)
			close(sk);
		sk = -1;
		f->n = before;
		proc_read(kinds[i].proc, kinds[i].family, kinds[i].proto, kinds[i].state, f);
	}
	if (sk >= 0)
		close(sk);
}

static int by_text(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void listeners(char *buf, size_t n, bool diag)
{
	struct found f;
	f.n = 0;
	collect(&f, diag);
	qsort(f.v, (size_t)f.n, sizeof(f.v[0]), by_text);
	size_t off = 0;
	buf[0] = '\0';
	for (int i = 0; i < f.n && off < n; i++)
		off += (size_t)snprintf(buf + off, n - off, "%s%s", i ? "+" : "", f.v[i]);
	if (f.n == 0)
		snprintf(buf, n, "none");
}

void bc_target_listeners(char *buf, size_t n)
{
	listeners(buf, n, true);
}

void bc_target_listeners_proc(char *buf, size_t n)
{
	listeners(buf, n, false);
}

bool bc_listener_in(const char *list, const char *addr)
{
	size_t n = strlen(addr);
	for (const char *p = list; n && (p = strstr(p, addr)); p++)
		if ((p == list || p[-1] == '+') && (p[n] == '\0' || p[n] == '+'))
			return true;
	return false;
}
