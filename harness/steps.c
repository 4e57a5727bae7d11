/* steps: one function per verb; each makes its system call and turns the
 * result into an outcome. */
#define _DEFAULT_SOURCE /* if_nametoindex */
#include "steps.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct ctx {
	int fds[BC_MAX_HANDLES];
	in_port_t ports[BC_MAX_VARS]; /* network order */
};

static int fd_of(const struct ctx *x, const struct bc_step *st)
{
	return st->handle >= 0 ? x->fds[st->handle] : st->fd_literal;
}

/* The address as the step gives it to the kernel, with variables filled in. */
static socklen_t build_addr(const struct ctx *x, const struct bc_step *st, struct sockaddr_storage *ss)
{
	*ss = st->addr.ss;
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
	return st->has_len ? (socklen_t)(int)st->len : st->addr.len;
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

static int do_socket(struct ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	(void)fd, (void)out;
	return new_handle(x, st->handle, socket(st->family, st->type, st->proto));
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
	socklen_t len = build_addr(x, st, &ss);
	(void)out;
	return bind(fd, st->addr.null ? NULL : (struct sockaddr *)&ss, len);
}

static int do_connect(struct ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	struct sockaddr_storage ss;
	socklen_t len = build_addr(x, st, &ss);
	(void)out;
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

static const verb_fn verbs[] = {
	[BC_V_SOCKET] = do_socket,         [BC_V_SETSOCKOPT] = do_setsockopt, [BC_V_GETSOCKOPT] = do_getsockopt,
	[BC_V_BIND] = do_bind,             [BC_V_LISTEN] = do_listen,         [BC_V_CONNECT] = do_connect,
	[BC_V_ACCEPT] = do_accept,         [BC_V_CLOSE] = do_close,           [BC_V_SHUTDOWN] = do_shutdown,
	[BC_V_GETSOCKNAME] = do_getsockname, [BC_V_OPEN] = do_open,           [BC_V_SETEUID] = do_seteuid,
};

static int run_step(struct ctx *x, const struct bc_step *st, struct bc_outcome *out)
{
	if ((size_t)st->verb >= sizeof(verbs) / sizeof(verbs[0]) || !verbs[st->verb]) {
		errno = ENOSYS;
		return -1;
	}
	return verbs[st->verb](x, st, fd_of(x, st), out);
}

void bc_steps_run(const struct bc_case *c, struct bc_observation *obs, void (*started)(void *, int), void *arg)
{
	struct ctx x;
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
