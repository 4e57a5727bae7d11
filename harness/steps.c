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

static int run_step(struct ctx *x, const struct bc_step *st, struct bc_outcome *out)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd = fd_of(x, st), r, v;

	switch (st->verb) {
	case BC_V_SOCKET:
		r = socket(st->family, st->type, st->proto);
		if (r >= 0)
			set_handle(x, st->handle, r);
		return r < 0 ? -1 : 0;
	case BC_V_OPEN:
		r = open(st->path, O_RDONLY | O_CLOEXEC);
		if (r >= 0)
			set_handle(x, st->handle, r);
		return r < 0 ? -1 : 0;
	case BC_V_SETSOCKOPT:
		if (st->no_option)
			return 0;
		v = st->optval;
		return setsockopt(fd, st->level, st->optname, &v, sizeof(v));
	case BC_V_GETSOCKOPT:
		v = 0;
		len = sizeof(v);
		if (getsockopt(fd, st->level, st->optname, &v, &len) < 0)
			return -1;
		out->kind = BC_OUT_VALUE;
		snprintf(out->value, sizeof(out->value), "%d", v);
		return 0;
	case BC_V_BIND:
		len = build_addr(x, st, &ss);
		return bind(fd, st->addr.null ? NULL : (struct sockaddr *)&ss, len);
	case BC_V_CONNECT:
		len = build_addr(x, st, &ss);
		if (st->nonblock && fd >= 0)
			fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		return connect(fd, st->addr.null ? NULL : (struct sockaddr *)&ss, len);
	case BC_V_LISTEN:
		return listen(fd, st->backlog);
	case BC_V_ACCEPT:
		r = accept(fd, NULL, NULL);
		if (r >= 0)
			set_handle(x, st->handle2, r);
		return r < 0 ? -1 : 0;
	case BC_V_CLOSE:
		r = close(fd);
		if (st->handle >= 0)
			x->fds[st->handle] = -1;
		return r;
	case BC_V_SHUTDOWN:
		return shutdown(fd, st->how);
	case BC_V_SETEUID:
		return seteuid((uid_t)st->optval);
	case BC_V_GETSOCKNAME:
		memset(&ss, 0, sizeof(ss));
		len = sizeof(ss);
		if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
			return -1;
		if (st->var >= 0) {
			if (ss.ss_family == AF_INET)
				x->ports[st->var] = ((struct sockaddr_in *)&ss)->sin_port;
			else if (ss.ss_family == AF_INET6)
				x->ports[st->var] = ((struct sockaddr_in6 *)&ss)->sin6_port;
		}
		out->kind = BC_OUT_VALUE;
		bc_sockaddr_format((struct sockaddr *)&ss, len, out->value, sizeof(out->value));
		return 0;
	}
	errno = ENOSYS;
	return -1;
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
