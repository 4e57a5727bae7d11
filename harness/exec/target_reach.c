/* target_reach: the reach step.  While the run step's target is up, each
 * address it listens on is tried with a TCP connection from this host
 * (over loopback) and from the profile's peer host (across the veth pair),
 * as another machine on the network would connect; reach then gives what
 * was reached.  A listener on a wildcard address is reached at loopback
 * from here and at this host's veth0 address of its family from the peer;
 * one on a loopback address cannot be reached from another host at all
 * (the peer's 127.0.0.1 is its own). */
#define _GNU_SOURCE /* setns */
#include "exec/step_ctx.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "model/values.h"

#define REACH_WAIT_MS 300 /* a connection that neither completes nor is refused by then did not reach */

static bool is_case_step(const struct bc_case *c, enum bc_verb v)
{
	for (int i = 0; i < c->nsteps; i++)
		if (c->steps[i]->verb == v)
			return true;
	return false;
}

/* A socket of family made in the peer's namespace (and used from here). */
static int peer_socket(const struct bc_step_ctx *x, int family)
{
	if (!x->env || x->env->peer_net < 0 || x->env->home_net < 0)
		return -1;
	if (setns(x->env->peer_net, CLONE_NEWNET) < 0)
		return -1;
	int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (setns(x->env->home_net, CLONE_NEWNET) < 0)
		_exit(3); /* nothing later may run in the wrong namespace */
	return fd;
}

/* Does a non-blocking connection from fd to ss complete?  fd is closed. */
static bool connects(int fd, const struct sockaddr_storage *ss, socklen_t len)
{
	bool ok = false;
	if (fd < 0)
		return false;
	if (connect(fd, (const struct sockaddr *)ss, len) == 0) {
		ok = true;
	} else if (errno == EINPROGRESS) {
		struct pollfd p = {fd, POLLOUT, 0};
		int err = 0;
		socklen_t el = sizeof(err);
		ok = poll(&p, 1, REACH_WAIT_MS) == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) == 0 && err == 0;
	}
	close(fd);
	return ok;
}

static bool is_any(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ((const struct sockaddr_in *)ss)->sin_addr.s_addr == htonl(INADDR_ANY);
	return IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)ss)->sin6_addr);
}

static bool is_loopback(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr) >> 24) == 127;
	const struct in6_addr *a = &((const struct sockaddr_in6 *)ss)->sin6_addr;
	return IN6_IS_ADDR_LOOPBACK(a) || (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
}

/* Where a connection to the listener at ss goes: from here a wildcard
 * becomes loopback; from the peer a wildcard becomes this host's veth0
 * address of the family, and a loopback address cannot be reached.  False
 * when there is nowhere to go. */
static bool destination(const struct bc_step_ctx *x, bool from_peer, struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	if (!from_peer) {
		if (is_any(ss) && ss->ss_family == AF_INET)
			sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		else if (is_any(ss))
			sin6->sin6_addr = in6addr_loopback;
		return true;
	}
	if (is_loopback(ss))
		return false;
	if (!is_any(ss))
		return true;
	const struct bc_profile *p = x->c->profile;
	for (int i = 0; p && i < p->naddrs; i++) {
		const struct bc_ifaddr *a = &p->addrs[i];
		if (a->on_peer || a->family != ss->ss_family || strcmp(a->dev, "veth0") != 0)
			continue;
		if (a->family == AF_INET)
			memcpy(&sin->sin_addr, a->addr, 4);
		else
			memcpy(&sin6->sin6_addr, a->addr, 16);
		return true;
	}
	return false;
}

/* The listeners of list ("A+B", or "none") that a connection reached. */
static void try_all(struct bc_step_ctx *x, bool from_peer, const char *list, char *buf, size_t n)
{
	char copy[BC_VALUE_MAX], err[64];
	size_t off = 0;
	buf[0] = '\0';
	snprintf(copy, sizeof(copy), "%s", list);
	for (char *save = NULL, *a = strtok_r(copy, "+", &save); a; a = strtok_r(NULL, "+", &save)) {
		struct bc_addr addr;
		if (bc_addr_parse(a, &addr, err, sizeof(err)) < 0 || addr.null || addr.list[0])
			continue;
		if (addr.family != AF_INET && addr.family != AF_INET6)
			continue;
		struct sockaddr_storage to = addr.ss;
		if (!destination(x, from_peer, &to))
			continue;
		int fd = from_peer ? peer_socket(x, addr.family)
				   : socket(addr.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (connects(fd, &to, addr.len) && off < n)
			off += (size_t)snprintf(buf + off, n - off, "%s%s", off ? "+" : "", a);
	}
	if (!buf[0])
		snprintf(buf, n, "none");
}

void bc_target_reach(struct bc_step_ctx *x, struct bc_step_run *run)
{
	if (!is_case_step(x->c, BC_V_REACH))
		return;
	try_all(x, false, run->listening, run->reach_local, sizeof(run->reach_local));
	if (x->env && x->env->peer_net >= 0)
		try_all(x, true, run->listening, run->reach_peer, sizeof(run->reach_peer));
}

/* reach FROM: the listeners a connection from FROM reached while the
 * target was up, "A+B", or "none". */
int bc_exec_reach(struct bc_step_ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	(void)fd;
	if (!x->run || !x->run->done) {
		errno = ENOEXEC;
		return -1;
	}
	bool peer = strcmp(st->observe.from, "peer") == 0;
	if (peer && (!x->env || x->env->peer_net < 0)) {
		errno = ENXIO; /* the profile has no peer host */
		return -1;
	}
	const char *got = peer ? x->run->reach_peer : x->run->reach_local;
	out->kind = BC_OUT_VALUE;
	snprintf(out->value, sizeof(out->value), "%s", got[0] ? got : "none");
	return 0;
}
