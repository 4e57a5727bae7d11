/* steps: one function per verb; each makes its system call and turns the
 * result into an outcome. */
#define _GNU_SOURCE /* if_nametoindex, setns */
#include "steps.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_CLIENTS 256

struct list {
	int n;
	struct sockaddr_storage addr[BC_MAX_RESULTS];
	socklen_t len[BC_MAX_RESULTS];
};

struct ctx {
	int fds[BC_MAX_HANDLES];
	in_port_t ports[BC_MAX_VARS]; /* network order */
	struct list lists[BC_MAX_LISTS];
	int clients[MAX_CLIENTS];     /* handshakes: connections kept open */
	int nclients;
	const struct bc_step_env *env;
};

static int fd_of(const struct ctx *x, const struct bc_step *st)
{
	return st->handle >= 0 ? x->fds[st->handle] : st->fd_literal;
}

/* The address as the step gives it to the kernel, with variables filled in.
 * A resolve result that does not exist gives -1 with errno ENXIO. */
static int build_addr(const struct ctx *x, const struct bc_step *st, struct sockaddr_storage *ss, socklen_t *len)
{
	*len = 0;
	*ss = st->addr.ss;
	if (st->addr.list[0]) {
		if (st->list_use < 0 || st->addr.list_idx >= x->lists[st->list_use].n) {
			errno = ENXIO;
			return -1;
		}
		const struct list *l = &x->lists[st->list_use];
		in_port_t port = ((struct sockaddr_in *)&st->addr.ss)->sin_port;
		*ss = l->addr[st->addr.list_idx];
		if (st->addr.list_port || st->addr_var >= 0) {
			if (ss->ss_family == AF_INET)
				((struct sockaddr_in *)ss)->sin_port = st->addr_var >= 0 ? x->ports[st->addr_var] : port;
			else if (ss->ss_family == AF_INET6)
				((struct sockaddr_in6 *)ss)->sin6_port = st->addr_var >= 0 ? x->ports[st->addr_var] : port;
		}
		if (st->has_family)
			ss->ss_family = (sa_family_t)st->family_override;
		*len = st->has_len ? (socklen_t)(int)st->len : l->len[st->addr.list_idx];
		return 0;
	}
	if (st->addr_var >= 0) {
		if (st->addr.family == AF_INET)
			((struct sockaddr_in *)ss)->sin_port = x->ports[st->addr_var];
		else if (st->addr.family == AF_INET6)
			((struct sockaddr_in6 *)ss)->sin6_port = x->ports[st->addr_var];
	}
	if (st->addr.scope_name[0] && st->addr.family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_scope_id = if_nametoindex(st->addr.scope_name);
	if (st->has_family)
		ss->ss_family = (sa_family_t)st->family_override;
	*len = st->has_len ? (socklen_t)(int)st->len : st->addr.len;
	return 0;
}

static void set_handle(struct ctx *x, int h, int fd)
{
	if (x->fds[h] >= 0)
		close(x->fds[h]);
	x->fds[h] = fd;
}

/* One function per verb.  Each makes its call and returns its result;
 * -1 leaves the cause in errno.  A value goes into out. */
typedef int (*verb_fn)(struct ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out);

static int new_handle(struct ctx *x, int h, int fd)
{
	if (fd < 0)
		return -1;
	set_handle(x, h, fd);
	return 0;
}

/* A socket belongs to the network namespace it was created in, so a
 * "peer" socket is made there and then used from here. */
static int socket_in_peer(const struct ctx *x, int family, int type, int proto)
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

static int do_socket(struct ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	int family = st->family;
	(void)fd, (void)out;
	if (st->family_list >= 0) {
		const struct list *l = &x->lists[st->family_list];
		if (st->family_list_idx >= l->n) {
			errno = ENXIO;
			return -1;
		}
		family = l->addr[st->family_list_idx].ss_family;
	}
	if (st->in_peer)
		return new_handle(x, st->handle, socket_in_peer(x, family, st->type, st->proto));
	return new_handle(x, st->handle, socket(family, st->type, st->proto));
}

static int do_open(struct ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	(void)fd, (void)out;
	return new_handle(x, st->handle, open(st->path, O_RDONLY | O_CLOEXEC));
}

static int do_setsockopt(struct ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	int v = st->optval;
	(void)x, (void)out;
	return st->no_option ? 0 : setsockopt(fd, st->level, st->optname, &v, sizeof(v));
}

static int do_getsockopt(struct ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	int v = 0;
	socklen_t len = sizeof(v);
	(void)x;
	if (getsockopt(fd, st->level, st->optname, &v, &len) < 0)
		return -1;
	out->kind = BC_OUT_VALUE;
	snprintf(out->value, sizeof(out->value), "%d", v);
	return 0;
}

static int do_bind(struct ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	struct sockaddr_storage ss;
	socklen_t len;
	(void)out;
	if (build_addr(x, st, &ss, &len) < 0)
		return -1;
	return bind(fd, st->addr.null ? NULL : (struct sockaddr *)&ss, len);
}

static int do_connect(struct ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	struct sockaddr_storage ss;
	socklen_t len;
	(void)out;
	if (build_addr(x, st, &ss, &len) < 0)
		return -1;
	if (st->nonblock && fd >= 0)
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return connect(fd, st->addr.null ? NULL : (struct sockaddr *)&ss, len);
}

static int do_listen(struct ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	(void)x, (void)out;
	return listen(fd, st->backlog);
}

static int do_accept(struct ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	(void)out;
	return new_handle(x, st->handle2, accept(fd, NULL, NULL));
}

static int do_close(struct ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	(void)out;
	if (st->handle >= 0)
		x->fds[st->handle] = -1;
	return close(fd);
}

static int do_shutdown(struct ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	(void)x, (void)out;
	return shutdown(fd, st->how);
}

static int do_seteuid(struct ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	(void)x, (void)fd, (void)out;
	return seteuid((uid_t)st->optval);
}

static int do_getsockname(struct ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	memset(&ss, 0, sizeof(ss));
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return -1;
	if (st->var >= 0 && ss.ss_family == AF_INET)
		x->ports[st->var] = ((struct sockaddr_in *)&ss)->sin_port;
	else if (st->var >= 0 && ss.ss_family == AF_INET6)
		x->ports[st->var] = ((struct sockaddr_in6 *)&ss)->sin6_port;
	out->kind = BC_OUT_VALUE;
	bc_sockaddr_format((struct sockaddr *)&ss, len, out->value, sizeof(out->value));
	return 0;
}

/* resolve: getaddrinfo() as a server calls it.  The addresses, in order,
 * fill the step's list and are its value, joined with '+'. */
static int do_resolve(struct ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	struct addrinfo hints, *res = NULL;
	char host[256];
	const char *node = st->host_null ? NULL : st->host;
	struct list *l = &x->lists[st->list];
	(void)fd;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = st->ai_family;
	hints.ai_socktype = st->ai_socktype;
	hints.ai_protocol = st->ai_protocol;
	hints.ai_flags = st->ai_flags;
	if (st->host_is_hostname) {
		if (gethostname(host, sizeof(host)) < 0)
			return -1;
		host[sizeof(host) - 1] = '\0';
		node = host;
	}
	l->n = 0;
	int rc = getaddrinfo(node, st->service_null ? NULL : st->service,
			     (st->hints_flags & BC_AI_NOHINTS) ? NULL : &hints, &res);
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
		bc_sockaddr_format(ai->ai_addr, ai->ai_addrlen, one, sizeof(one));
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
static int do_queue(struct ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
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
static int do_queue(struct ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
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
static int do_handshakes(struct ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int done = 0;
	if (listener_target(fd, &ss, &len) < 0)
		return -1;
	for (int i = 0; i < st->count && x->nclients < MAX_CLIENTS; i++) {
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

/* Files, for AF_UNIX cases.  Relative paths are in the case's own scratch
 * directory. */
static int do_mkfile(struct ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	(void)x, (void)fd, (void)out;
	int f = open(st->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	return f < 0 ? -1 : close(f);
}

static int do_mkdir(struct ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	(void)x, (void)fd, (void)out;
	/* The umask must not change the mode the table asked for. */
	return mkdir(st->path, (mode_t)st->mode) < 0 ? -1 : chmod(st->path, (mode_t)st->mode);
}

static int do_symlink(struct ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	(void)x, (void)fd, (void)out;
	return symlink(st->path2, st->path);
}

static int do_chmod(struct ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	(void)x, (void)fd, (void)out;
	return chmod(st->path, (mode_t)st->mode);
}

static int do_unlink(struct ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	(void)x, (void)fd, (void)out;
	return unlink(st->path);
}

/* stat: what is at a path, "=socket", "=file", "=dir", "=symlink" or
 * "=other", or the errno (ENOENT when nothing is there). */
static int do_stat(struct ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	struct stat sb;
	(void)x, (void)fd;
	if (lstat(st->path, &sb) < 0)
		return -1;
	out->kind = BC_OUT_VALUE;
	snprintf(out->value, sizeof(out->value), "%s",
		 S_ISSOCK(sb.st_mode) ? "socket" : S_ISREG(sb.st_mode) ? "file" : S_ISDIR(sb.st_mode) ? "dir"
		 : S_ISLNK(sb.st_mode) ? "symlink" : "other");
	return 0;
}

/* hostile: what a broken system under test does, so that the harness's
 * self-tests can show each is caught. */
static int do_hostile(struct ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	static const char chunk[65536];
	(void)x, (void)fd;
	switch ((enum bc_hostile)st->hostile) {
	case BC_HOSTILE_HANG:
		for (;;)
			pause();
	case BC_HOSTILE_CRASH:
		raise(SIGSEGV);
		abort();
	case BC_HOSTILE_LEAKFD:
		return open("/dev/null", O_RDONLY) < 0 ? -1 : 0;
	case BC_HOSTILE_LEAKMEM: {
		char *volatile p = malloc((size_t)st->count << 20);
		if (!p)
			return -1;
		memset(p, 1, (size_t)st->count << 20);
		p = NULL; /* lost */
		return 0;
	}
	case BC_HOSTILE_LINGER:
	case BC_HOSTILE_ESCAPE: {
		pid_t pid = fork();
		if (pid < 0)
			return -1;
		if (pid == 0) {
			if (st->hostile == BC_HOSTILE_ESCAPE)
				setsid();
			for (;;)
				pause();
		}
		out->kind = BC_OUT_VALUE;
		snprintf(out->value, sizeof(out->value), "%d", (int)pid);
		return 0;
	}
	case BC_HOSTILE_SPEW:
		for (int i = 0; i < st->count * 16; i++)
			if (write(STDOUT_FILENO, chunk, sizeof(chunk)) < 0)
				return -1;
		return 0;
	}
	errno = EINVAL;
	return -1;
}

static const verb_fn verbs[] = {
	[BC_V_SOCKET] = do_socket,         [BC_V_SETSOCKOPT] = do_setsockopt, [BC_V_GETSOCKOPT] = do_getsockopt,
	[BC_V_BIND] = do_bind,             [BC_V_LISTEN] = do_listen,         [BC_V_CONNECT] = do_connect,
	[BC_V_ACCEPT] = do_accept,         [BC_V_CLOSE] = do_close,           [BC_V_SHUTDOWN] = do_shutdown,
	[BC_V_GETSOCKNAME] = do_getsockname, [BC_V_OPEN] = do_open,           [BC_V_SETEUID] = do_seteuid,
	[BC_V_RESOLVE] = do_resolve,       [BC_V_QUEUE] = do_queue,           [BC_V_HANDSHAKES] = do_handshakes,
	[BC_V_MKFILE] = do_mkfile,         [BC_V_MKDIR] = do_mkdir,           [BC_V_SYMLINK] = do_symlink,
	[BC_V_CHMOD] = do_chmod,           [BC_V_UNLINK] = do_unlink,         [BC_V_STAT] = do_stat,
	[BC_V_HOSTILE] = do_hostile,
};

static int run_step(struct ctx *x, const struct bc_step *st, struct bc_outcome *out)
{
	if ((size_t)st->verb >= sizeof(verbs) / sizeof(verbs[0]) || !verbs[st->verb]) {
		errno = ENOSYS;
		return -1;
	}
	return verbs[st->verb](x, st, fd_of(x, st), out);
}

void bc_steps_run(const struct bc_case *c, const struct bc_step_env *env, struct bc_observation *obs,
		  void (*started)(void *, int), void *arg)
{
	struct ctx x;
	memset(&x, 0, sizeof(x));
	x.env = env;
	memset(obs, 0, sizeof(*obs));
	obs->magic = BC_OBS_MAGIC;
	obs->failed_step = -1;
	for (int i = 0; i < BC_MAX_HANDLES; i++)
		x.fds[i] = -1;
	memset(x.ports, 0, sizeof(x.ports));

	for (int i = 0; i < c->nsteps; i++) {
		const struct bc_step *st = &c->steps[i];
		struct bc_step_obs *so = &obs->steps[i];
		if (started)
			started(arg, i);
		so->ran = true;
		so->out.kind = BC_OUT_OK;
		errno = 0;
		if (run_step(&x, st, &so->out) < 0) {
			so->out.kind = BC_OUT_ERRNO;
			so->out.code = errno;
		}
		obs->nsteps = i + 1;
		if (!st->checked && so->out.kind == BC_OUT_ERRNO) {
			/* In a user namespace only the caller's own uid is mapped:
			 * seteuid to another one fails with EINVAL. */
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
}

void bc_obs_format_checked(const struct bc_case *c, const struct bc_observation *obs, char *buf, unsigned buflen)
{
	size_t off = 0;
	bool first = true;
	buf[0] = '\0';
	for (int i = 0; i < c->nsteps && off < buflen; i++) {
		char one[BC_VALUE_MAX + 16];
		if (!c->steps[i].checked)
			continue;
		if (i < obs->nsteps && obs->steps[i].ran)
			bc_outcome_format(&obs->steps[i].out, one, sizeof(one));
		else
			snprintf(one, sizeof(one), "(not run)");
		off += (size_t)snprintf(buf + off, buflen - off, "%s%s", first ? "" : ",", one);
		first = false;
	}
}
