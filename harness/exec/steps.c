/* steps: the socket verbs and the step loop.  Each verb's function makes
 * its system call and turns the result into an outcome; the loop runs a
 * case's steps in order through the executor table that model/verbs.def
 * names.  The file verbs are in files.c, the target's in target.c and
 * target_obs.c, the hostile one in hostile.c. */
#define _GNU_SOURCE /* if_nametoindex, setns */
#include "exec/step_ctx.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int fd_of(const struct bc_step_ctx *x, const struct bc_step *st)
{
	return st->handle >= 0 ? x->fds[st->handle] : st->fd;
}

/* The address as the step gives it to the kernel, with variables filled in.
 * A resolve result that does not exist gives -1 with errno ENXIO. */
static int build_addr(const struct bc_step_ctx *x, const struct bc_step *st, struct sockaddr_storage *ss,
		      socklen_t *len)
{
	const struct bc_step_addr_op *op = &st->addr_op;
	*len = 0;
	*ss = op->addr.ss;
	if (op->addr.list[0]) {
		if (op->list < 0 || op->addr.list_idx >= x->lists[op->list].n) {
			errno = ENXIO;
			return -1;
		}
		const struct bc_step_list *l = &x->lists[op->list];
		in_port_t port = ((const struct sockaddr_in *)&op->addr.ss)->sin_port;
		*ss = l->addr[op->addr.list_idx];
		if (op->addr.list_port || op->port_var >= 0) {
			if (ss->ss_family == AF_INET)
				((struct sockaddr_in *)ss)->sin_port = op->port_var >= 0 ? x->ports[op->port_var] : port;
			else if (ss->ss_family == AF_INET6)
				((struct sockaddr_in6 *)ss)->sin6_port = op->port_var >= 0 ? x->ports[op->port_var] : port;
		}
		if (op->has_family)
			ss->ss_family = (sa_family_t)op->family;
		*len = op->has_len ? (socklen_t)(int)op->len : l->len[op->addr.list_idx];
		return 0;
	}
	if (op->port_var >= 0) {
		if (op->addr.family == AF_INET)
			((struct sockaddr_in *)ss)->sin_port = x->ports[op->port_var];
		else if (op->addr.family == AF_INET6)
			((struct sockaddr_in6 *)ss)->sin6_port = x->ports[op->port_var];
	}
	if (op->addr.scope_name[0] && op->addr.family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_scope_id = if_nametoindex(op->addr.scope_name);
	if (op->has_family)
		ss->ss_family = (sa_family_t)op->family;
	*len = op->has_len ? (socklen_t)(int)op->len : op->addr.len;
	return 0;
}

static void set_handle(struct bc_step_ctx *x, int h, int fd)
{
	if (x->fds[h] >= 0)
		close(x->fds[h]);
	x->fds[h] = fd;
}

typedef int (*verb_fn)(struct bc_step_ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out);

static int new_handle(struct bc_step_ctx *x, int h, int fd)
{
	if (fd < 0)
		return -1;
	set_handle(x, h, fd);
	return 0;
}

/* A socket belongs to the network namespace it was created in, so a
 * "peer" socket is made there and then used from here. */
static int socket_in_peer(const struct bc_step_ctx *x, int family, int type, int proto)
{
	int fd, saved;
	if (!x->env || x->env->peer_net < 0) {
		errno = ENXIO;
		return -1;
	}
	if (setns(x->env->peer_net, CLONE_NEWNET) < 0)
		return -1;
	fd = socket(family, type, proto);
	saved = errno;
	if (setns(x->env->home_net, CLONE_NEWNET) < 0) {
		/* Nothing later may run in the wrong namespace. */
		_exit(3);
	}
	errno = saved;
	return fd;
}

static int v6only = -1; /* bc_steps_set_v6only */

void bc_steps_set_v6only(int v)
{
	v6only = v;
}

/* A new AF_INET6 socket with the IPV6_V6ONLY a profile's
 * net.ipv6.bindv6only would have given it. */
static int socket_v6only(int family, int type, int proto)
{
	int fd = socket(family, type, proto);
	if (fd < 0 || family != AF_INET6 || v6only < 0)
		return fd;
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only)) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int bc_exec_socket(struct bc_step_ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	const struct bc_step_socket *s = &st->sock;
	int family = s->family;
	(void)fd, (void)out;
	if (s->family_list >= 0) {
		const struct bc_step_list *l = &x->lists[s->family_list];
		if (s->family_list_idx >= l->n) {
			errno = ENXIO;
			return -1;
		}
		family = l->addr[s->family_list_idx].ss_family;
	}
	if (s->in_peer)
		return new_handle(x, st->handle, socket_in_peer(x, family, s->type, s->proto));
	return new_handle(x, st->handle, socket_v6only(family, s->type, s->proto));
}

int bc_exec_open(struct bc_step_ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	(void)fd, (void)out;
	return new_handle(x, st->handle, open(st->file.path, O_RDONLY | O_CLOEXEC));
}

int bc_exec_setsockopt(struct bc_step_ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	int v = st->sockopt.value;
	(void)x, (void)out;
	return st->sockopt.none ? 0 : setsockopt(fd, st->sockopt.level, st->sockopt.name, &v, sizeof(v));
}

int bc_exec_getsockopt(struct bc_step_ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	int v = 0;
	socklen_t len = sizeof(v);
	(void)x;
	if (getsockopt(fd, st->sockopt.level, st->sockopt.name, &v, &len) < 0)
		return -1;
	out->kind = BC_OUT_VALUE;
	snprintf(out->value, sizeof(out->value), "%d", v);
	return 0;
}

int bc_exec_bind(struct bc_step_ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	struct sockaddr_storage ss;
	socklen_t len;
	(void)out;
	if (build_addr(x, st, &ss, &len) < 0)
		return -1;
	return st->addr_op.addr.null ? bind(fd, NULL, len) : bc_unix_bind(fd, &ss, len);
}

/* connect or sendto, a unix: path reached beneath the scratch directory
 * (files.c). */
static ssize_t connect_to(int fd, const struct sockaddr *sa, socklen_t len, const int *bytes)
{
	(void)bytes;
	return connect(fd, sa, len);
}

/* What send sends: zeros, never written. */
static const char zeros[BC_SEND_MAX];

static ssize_t send_to(int fd, const struct sockaddr *sa, socklen_t len, const int *bytes)
{
	return sendto(fd, zeros, (size_t)*bytes, MSG_NOSIGNAL | MSG_DONTWAIT, sa, len);
}

static ssize_t reach_and(int fd, struct sockaddr_storage *ss, socklen_t len,
			 ssize_t (*call)(int, const struct sockaddr *, socklen_t, const int *), const int *bytes)
{
	int held;
	if (bc_unix_reach(fd, ss, &len, &held) < 0)
		return -1;
	ssize_t n = call(fd, (const struct sockaddr *)ss, len, bytes);
	if (held >= 0) {
		int e = errno;
		close(held);
		errno = e;
	}
	return n;
}

int bc_exec_connect(struct bc_step_ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	struct sockaddr_storage ss;
	socklen_t len;
	(void)out;
	if (build_addr(x, st, &ss, &len) < 0)
		return -1;
	if (st->addr_op.nonblock && fd >= 0)
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	if (st->addr_op.addr.null)
		return connect(fd, NULL, len);
	return (int)reach_and(fd, &ss, len, connect_to, NULL);
}

int bc_exec_listen(struct bc_step_ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	(void)x, (void)out;
	return listen(fd, st->conn.backlog);
}

int bc_exec_accept(struct bc_step_ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	(void)out;
	return new_handle(x, st->conn.accepted, accept(fd, NULL, NULL));
}

int bc_exec_close(struct bc_step_ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	(void)out;
	if (st->handle >= 0)
		x->fds[st->handle] = -1;
	return close(fd);
}

int bc_exec_shutdown(struct bc_step_ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	(void)x, (void)out;
	return shutdown(fd, st->conn.how);
}

/* send: the bytes are zeros.  MSG_NOSIGNAL: a send on a TCP socket that
 * is not connected fails with EPIPE instead of killing the case with
 * SIGPIPE; MSG_DONTWAIT: a full buffer is EAGAIN, never a hang.  The value
 * is what the kernel took. */
int bc_exec_send(struct bc_step_ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	struct sockaddr_storage ss;
	socklen_t len = 0;
	const struct bc_step_addr_op *op = &st->addr_op;
	ssize_t n;
	if (op->has_addr && build_addr(x, st, &ss, &len) < 0)
		return -1;
	if (op->has_addr && op->addr.null)
		n = sendto(fd, zeros, (size_t)op->bytes, MSG_NOSIGNAL | MSG_DONTWAIT, NULL, len);
	else if (op->has_addr)
		n = reach_and(fd, &ss, len, send_to, &op->bytes);
	else
		n = send(fd, zeros, (size_t)op->bytes, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n < 0)
		return -1;
	out->kind = BC_OUT_VALUE;
	snprintf(out->value, sizeof(out->value), "%zd", n);
	return 0;
}

/* How long recv waits for data to arrive.  Over loopback a datagram or a
 * segment is delivered in the sender's own softirq, normally before its
 * send returns; on a loaded machine the kernel defers that work to
 * ksoftirqd, and a read made at once would see nothing yet. */
#define RECV_WAIT_MS 100

int bc_scaled_ms(double scale, int ms)
{
	if (!(scale > 1.0))
		return ms;
	double v = (double)ms * scale + 0.5;
	return v >= (double)INT_MAX ? INT_MAX : (int)v;
}

/* recv: non-blocking (MSG_DONTWAIT) after waiting up to RECV_WAIT_MS for
 * something to read; the value is the bytes read, EAGAIN when nothing
 * came. */
int bc_exec_recv(struct bc_step_ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	static char buf[BC_SEND_MAX];
	struct pollfd p = {.fd = fd, .events = POLLIN};
	(void)x, (void)st;
	if (fd >= 0)
		poll(&p, 1, RECV_WAIT_MS);
	ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n < 0)
		return -1;
	out->kind = BC_OUT_VALUE;
	snprintf(out->value, sizeof(out->value), "%zd", n);
	return 0;
}

int bc_exec_seteuid(struct bc_step_ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	(void)x, (void)fd, (void)out;
	return seteuid((uid_t)st->seteuid.uid);
}

int bc_exec_getsockname(struct bc_step_ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	memset(&ss, 0, sizeof(ss));
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return -1;
	int var = st->conn.port_var;
	if (var >= 0 && ss.ss_family == AF_INET)
		x->ports[var] = ((struct sockaddr_in *)&ss)->sin_port;
	else if (var >= 0 && ss.ss_family == AF_INET6)
		x->ports[var] = ((struct sockaddr_in6 *)&ss)->sin6_port;
	out->kind = BC_OUT_VALUE;
	bc_sockaddr_format((struct sockaddr *)&ss, len, out->value, sizeof(out->value));
	return 0;
}

/* One result of resolve as its value shows it: the address, then with
 * show=type "/TYPE/PROTO" (stream/tcp, dgram/udp, raw/0), then with
 * show=canon "(NAME)" where getaddrinfo() set ai_canonname (the first
 * result, with AI_CANONNAME). */
static void format_result(const struct bc_step_resolve *rs, const struct addrinfo *ai, char *buf, size_t n)
{
	size_t off;
	bc_sockaddr_format(ai->ai_addr, ai->ai_addrlen, buf, n);
	off = strlen(buf);
	if (rs->show_type && off < n) {
		const char *t = bc_socktype_name(ai->ai_socktype), *p = bc_proto_name(ai->ai_protocol);
		if (t && p)
			off += (size_t)snprintf(buf + off, n - off, "/%s/%s", t, p);
		else
			off += (size_t)snprintf(buf + off, n - off, "/%d/%d", ai->ai_socktype, ai->ai_protocol);
	}
	if (rs->show_canon && ai->ai_canonname && off < n)
		snprintf(buf + off, n - off, "(%s)", ai->ai_canonname);
}

/* resolve: getaddrinfo() as a server calls it.  The addresses, in order,
 * fill the step's list and are its value, joined with '+'. */
int bc_exec_resolve(struct bc_step_ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	struct addrinfo hints, *res = NULL;
	char host[256];
	const struct bc_step_resolve *rs = &st->resolve;
	const char *node = rs->host_null ? NULL : rs->host;
	struct bc_step_list *l = &x->lists[rs->list];
	(void)fd;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = rs->family;
	hints.ai_socktype = rs->socktype;
	hints.ai_protocol = rs->protocol;
	hints.ai_flags = rs->flags;
	if (rs->host_is_hostname) {
		if (gethostname(host, sizeof(host)) < 0)
			return -1;
		host[sizeof(host) - 1] = '\0';
		node = host;
	}
	l->n = 0;
	int rc = getaddrinfo(node, rs->service_null ? NULL : rs->service, rs->no_hints ? NULL : &hints, &res);
	if (rc != 0) {
		if (rc == EAI_SYSTEM)
			return -1;
		out->kind = BC_OUT_EAI;
		out->code = rc;
		return 0;
	}
	size_t off = 0;
	out->kind = BC_OUT_VALUE;
	out->value[0] = '\0';
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		char one[BC_VALUE_MAX];
		if (l->n < BC_MAX_RESULTS && ai->ai_addrlen <= sizeof(l->addr[0])) {
			memcpy(&l->addr[l->n], ai->ai_addr, ai->ai_addrlen);
			l->len[l->n++] = ai->ai_addrlen;
		}
		format_result(rs, ai, one, sizeof(one));
		if (off < sizeof(out->value))
			off += (size_t)snprintf(out->value + off, sizeof(out->value) - off, "%s%s", off ? "+" : "", one);
	}
	freeaddrinfo(res);
	return 0;
}

#ifdef TCP_INFO
/* A listener's accept queue as the kernel sees it: for a socket in LISTEN,
 * tcp_get_info() reports the queue's length in tcpi_unacked and its limit
 * (sk_max_ack_backlog) in tcpi_sacked. */
int bc_exec_queue(struct bc_step_ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	(void)x, (void)st;
	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
		return -1;
	if (ti.tcpi_state != 10 /* TCP_LISTEN */) {
		errno = EINVAL;
		return -1;
	}
	out->kind = BC_OUT_VALUE;
	snprintf(out->value, sizeof(out->value), "%u/%u", ti.tcpi_unacked, ti.tcpi_sacked);
	return 0;
}
#else
int bc_exec_queue(struct bc_step_ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	(void)x, (void)st, (void)fd, (void)out;
	errno = EOPNOTSUPP;
	return -1;
}
#endif

/* The address a client uses to reach a listener: its own, with the
 * wildcard replaced by the loopback address of its family. */
static int listener_target(int fd, struct sockaddr_storage *ss, socklen_t *len)
{
	*len = sizeof(*ss);
	memset(ss, 0, sizeof(*ss));
	if (getsockname(fd, (struct sockaddr *)ss, len) < 0)
		return -1;
	if (ss->ss_family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;
		if (sin->sin_addr.s_addr == htonl(INADDR_ANY))
			sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	} else if (ss->ss_family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
		if (IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr))
			sin6->sin6_addr = in6addr_loopback;
	} else {
		errno = EAFNOSUPPORT;
		return -1;
	}
	return 0;
}

/* Did a non-blocking connect complete?  On loopback the handshake runs
 * within connect() itself; a SYN the listener dropped (its accept queue is
 * full) is retried only after a second, so a short wait tells them apart. */
static bool connected(int cfd)
{
	struct pollfd p = {.fd = cfd, .events = POLLOUT};
	int err = 0;
	socklen_t el = sizeof(err);
	if (poll(&p, 1, 0) == 0 && poll(&p, 1, 20) == 0)
		return false;
	return getsockopt(cfd, SOL_SOCKET, SO_ERROR, &err, &el) == 0 && err == 0;
}

/* handshakes: open up to N non-blocking connections to a listener without
 * accepting any, and count those whose handshake completed.  They stay open
 * until the case ends; the first one that does not complete ends the count,
 * since nothing makes room in the queue. */
int bc_exec_handshakes(struct bc_step_ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int done = 0;
	if (listener_target(fd, &ss, &len) < 0)
		return -1;
	for (int i = 0; i < st->conn.attempts && x->nclients < BC_MAX_CLIENTS; i++) {
		int cfd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (cfd < 0)
			return -1;
		if (connect(cfd, (struct sockaddr *)&ss, len) < 0 && errno != EINPROGRESS) {
			int e = errno;
			close(cfd);
			errno = e;
			return -1;
		}
		x->clients[x->nclients++] = cfd;
		if (!connected(cfd))
			break;
		done++;
	}
	out->kind = BC_OUT_VALUE;
	snprintf(out->value, sizeof(out->value), "%d", done);
	return 0;
}

static const verb_fn verbs[] = {
#define BC_VERB(id, name, place, min, max, args, opts, exec) [id] = exec,
#include "model/verbs.def"
#undef BC_VERB
};

/* The port variable a bind or connect takes its port from, when it holds 0:
 * its getsockname read a socket that was not bound, so the step would test
 * port 0 and not the port the scenario means.  -1 otherwise. */
static int zero_port_var(const struct bc_step_ctx *x, const struct bc_step *st)
{
	if (!bc_step_addr(st) || st->addr_op.port_var < 0 || st->addr_op.port_var >= BC_MAX_VARS)
		return -1;
	return x->ports[st->addr_op.port_var] == 0 ? st->addr_op.port_var : -1;
}

static int run_step(struct bc_step_ctx *x, const struct bc_step *st, struct bc_outcome *out)
{
	if ((size_t)st->verb >= sizeof(verbs) / sizeof(verbs[0]) || !verbs[st->verb]) {
		errno = ENOSYS;
		return -1;
	}
	return verbs[st->verb](x, st, fd_of(x, st), out);
}

/* This namespace's ephemeral range, for "=ADDR:ephemeral" (0-0 when it
 * cannot be read).  Read with plain system calls: nothing is left open or
 * allocated that the guards would count. */
static void read_port_range(struct bc_observation *obs)
{
	char buf[64];
	unsigned lo, hi;
	int fd = open("/proc/sys/net/ipv4/ip_local_port_range", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	if (sscanf(buf, "%u %u", &lo, &hi) == 2 && lo <= hi && hi <= 65535) {
		obs->eph_lo = (unsigned short)lo;
		obs->eph_hi = (unsigned short)hi;
	}
}

void bc_steps_run(const struct bc_case *c, const struct bc_step_env *env, struct bc_observation *obs,
		  void (*started)(void *, int), void *arg)
{
	struct bc_step_ctx x;
	static struct bc_step_run run; /* large; the case child runs one case */
	memset(&x, 0, sizeof(x));
	x.env = env;
	x.c = c;
	x.run = &run;
	memset(obs, 0, sizeof(*obs));
	obs->magic = BC_OBS_MAGIC;
	obs->failed_step = -1;
	for (int i = 0; i < BC_MAX_HANDLES; i++)
		x.fds[i] = -1;
	memset(x.ports, 0, sizeof(x.ports));
	if (c->needs & BC_NEEDS_PORT_RANGE)
		read_port_range(obs);

	for (int i = 0; i < c->nsteps; i++) {
		const struct bc_step *st = c->steps[i];
		struct bc_step_obs *so = &obs->steps[i];
		if (started)
			started(arg, i);
		if (zero_port_var(&x, st) >= 0) {
			/* Not run, checked or not: a setup error that names this
			 * step (model/verdict.c says which variable). */
			obs->status = BC_OBS_SETUP_FAILED;
			obs->failed_step = i;
			break;
		}
		so->ran = true;
		so->out.kind = BC_OUT_OK;
		errno = 0;
		if (run_step(&x, st, &so->out) < 0) {
			so->out.kind = BC_OUT_ERRNO;
			so->out.code = errno;
		}
		obs->nsteps = i + 1;
		if (!st->checked && so->out.kind == BC_OUT_ERRNO) {
			/* In the user namespace of a runner that is not root only
			 * uid 0 (the runner's own uid outside) exists: seteuid to
			 * any other fails with EINVAL. */
			bool unmapped = st->verb == BC_V_SETEUID && so->out.code == EINVAL;
			obs->status = unmapped ? BC_OBS_UNSUPPORTED : BC_OBS_SETUP_FAILED;
			obs->failed_step = i;
			break;
		}
	}
	for (int i = 0; i < BC_MAX_HANDLES; i++)
		if (x.fds[i] >= 0)
			close(x.fds[i]);
	for (int i = 0; i < x.nclients; i++)
		close(x.clients[i]);
	for (int i = 0; i < BC_MAX_VARS; i++)
		obs->ports[i] = ntohs(x.ports[i]);
	bc_target_keep(&run, obs);
}

