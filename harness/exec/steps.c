/* steps: one function per verb; each makes its system call and turns the
 * result into an outcome. */
#define _GNU_SOURCE /* if_nametoindex, setns */
#include "exec/step_ctx.h"
#include "exec/profile.h"

#include "fault/faults.h"
#include "fault/protocol.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <time.h>
#include <strings.h>
#include <sys/wait.h>
#include <signal.h>
#include <stdlib.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/stat.h>
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
	return new_handle(x, st->handle, socket(family, s->type, s->proto));
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
	return bind(fd, st->addr_op.addr.null ? NULL : (struct sockaddr *)&ss, len);
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
	return connect(fd, st->addr_op.addr.null ? NULL : (struct sockaddr *)&ss, len);
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

/* Files, for AF_UNIX cases.  Relative paths are in the case's own scratch
 * directory. */
int bc_exec_mkfile(struct bc_step_ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	(void)x, (void)fd, (void)out;
	int f = open(st->file.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	return f < 0 ? -1 : close(f);
}

int bc_exec_mkdir(struct bc_step_ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	(void)x, (void)fd, (void)out;
	/* The umask must not change the mode the table asked for. */
	return mkdir(st->file.path, (mode_t)st->file.mode) < 0 ? -1 : chmod(st->file.path, (mode_t)st->file.mode);
}

int bc_exec_symlink(struct bc_step_ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	(void)x, (void)fd, (void)out;
	return symlink(st->file.target, st->file.path);
}

int bc_exec_chmod(struct bc_step_ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	(void)x, (void)fd, (void)out;
	return chmod(st->file.path, (mode_t)st->file.mode);
}

int bc_exec_unlink(struct bc_step_ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	(void)x, (void)fd, (void)out;
	return unlink(st->file.path);
}

/* stat: what is at a path, "=socket", "=file", "=dir", "=symlink" or
 * "=other", or the errno (ENOENT when nothing is there). */
int bc_exec_stat(struct bc_step_ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	struct stat sb;
	(void)x, (void)fd;
	if (lstat(st->file.path, &sb) < 0)
		return -1;
	out->kind = BC_OUT_VALUE;
	snprintf(out->value, sizeof(out->value), "%s",
		 S_ISSOCK(sb.st_mode) ? "socket" : S_ISREG(sb.st_mode) ? "file" : S_ISDIR(sb.st_mode) ? "dir"
		 : S_ISLNK(sb.st_mode) ? "symlink" : "other");
	return 0;
}

/* hostile: what a broken system under test does, so that the harness's
 * self-tests can show each is caught. */
int bc_exec_hostile(struct bc_step_ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	static const char chunk[65536];
	(void)x, (void)fd;
	switch (st->hostile.kind) {
	case BC_HOSTILE_HANG:
		for (;;)
			pause();
	case BC_HOSTILE_CRASH:
		signal(SIGSEGV, SIG_DFL); /* a sanitizer's handler would turn it into an exit */
		raise(SIGSEGV);
		abort();
	case BC_HOSTILE_LEAKFD:
		return open("/dev/null", O_RDONLY) < 0 ? -1 : 0;
	case BC_HOSTILE_LEAKMEM: {
		char *volatile p = malloc((size_t)st->hostile.mib << 20);
		if (!p)
			return -1;
		memset(p, 1, (size_t)st->hostile.mib << 20);
		p = NULL; /* lost */
		return 0;
	}
	case BC_HOSTILE_LINGER:
	case BC_HOSTILE_ESCAPE: {
		pid_t pid = fork();
		if (pid < 0)
			return -1;
		if (pid == 0) {
			if (st->hostile.kind == BC_HOSTILE_ESCAPE)
				setsid();
			for (;;)
				pause();
		}
		out->kind = BC_OUT_VALUE;
		snprintf(out->value, sizeof(out->value), "%d", (int)pid);
		return 0;
	}
	case BC_HOSTILE_SPEW:
		for (int i = 0; i < st->hostile.mib * 16; i++)
			if (write(STDOUT_FILENO, chunk, sizeof(chunk)) < 0)
				return -1;
		return 0;
	}
	errno = EINVAL;
	return -1;
}

/* --- run: a program as the system under test --------------------------- */

void bc_exe_dir(char *buf, size_t n)
{
	ssize_t k = readlink("/proc/self/exe", buf, n - 1);
	buf[k > 0 ? k : 0] = '\0';
	char *slash = strrchr(buf, '/');
	if (slash)
		*slash = '\0';
	else
		snprintf(buf, n, ".");
}

/* Listening TCP sockets of this namespace, "A+B" in sorted order. */
static void read_listeners(char *buf, size_t n)
{
	static const char *const files[] = {"/proc/net/tcp", "/proc/net/tcp6"};
	char found[16][64];
	int k = 0;
	for (int f = 0; f < 2; f++) {
		FILE *fp = fopen(files[f], "re");
		char line[512];
		if (!fp)
			continue;
		while (fgets(line, sizeof(line), fp) && k < 16) {
			char local[80];
			unsigned state, port;
			if (sscanf(line, " %*d: %79[0-9A-Fa-f]:%x %*s %x", local, &port, &state) != 3 || state != 0x0A)
				continue;
			struct sockaddr_storage ss;
			memset(&ss, 0, sizeof(ss));
			if (f == 0) {
				struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
				sin->sin_family = AF_INET;
				sin->sin_addr.s_addr = (in_addr_t)strtoul(local, NULL, 16);
				sin->sin_port = htons((in_port_t)port);
			} else {
				struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
				sin6->sin6_family = AF_INET6;
				for (int w = 0; w < 4; w++) {
					char word[9];
					memcpy(word, local + 8 * w, 8);
					word[8] = '\0';
					uint32_t v = (uint32_t)strtoul(word, NULL, 16);
					memcpy(&sin6->sin6_addr.s6_addr[4 * w], &v, 4);
				}
				sin6->sin6_port = htons((in_port_t)port);
			}
			bc_sockaddr_format((struct sockaddr *)&ss, f == 0 ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6),
					   found[k++], sizeof(found[0]));
		}
		fclose(fp);
	}
	qsort(found, (size_t)k, sizeof(found[0]), (int (*)(const void *, const void *))strcmp);
	size_t off = 0;
	buf[0] = '\0';
	for (int i = 0; i < k && off < n; i++)
		off += (size_t)snprintf(buf + off, n - off, "%s%s", i ? "+" : "", found[i]);
	if (k == 0)
		snprintf(buf, n, "none");
}

/* Does the case's namespace have every listener the target's "listens"
 * names?  (read_listeners joins them with '+', sorted.) */
static bool listens_all(const struct bc_target *t)
{
	char now[1024];
	read_listeners(now, sizeof(now));
	for (int i = 0; i < t->nlistens; i++) {
		size_t n = strlen(t->listens[i]);
		bool found = false;
		for (const char *p = now; !found && (p = strstr(p, t->listens[i])); p++)
			found = (p == now || p[-1] == '+') && (p[n] == '\0' || p[n] == '+');
		if (!found)
			return false;
	}
	return true;
}

/* One read of the target's output: the first 64 KiB are kept, the rest
 * is read and dropped.  Returns what read() returned. */
static ssize_t drain(int fd, struct bc_step_run *r)
{
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf));
	if (n <= 0)
		return n;
	size_t take = (size_t)n < sizeof(r->out) - 1 - r->outlen ? (size_t)n : sizeof(r->out) - 1 - r->outlen;
	memcpy(r->out + r->outlen, buf, take);
	r->outlen += take;
	r->out[r->outlen] = '\0';
	return n;
}

static long mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

static const char *signal_name(int sig)
{
	static const struct {
		int sig;
		const char *name;
	} names[] = {{SIGSEGV, "SIGSEGV"}, {SIGABRT, "SIGABRT"}, {SIGBUS, "SIGBUS"}, {SIGFPE, "SIGFPE"},
		     {SIGILL, "SIGILL"},   {SIGKILL, "SIGKILL"}, {SIGTERM, "SIGTERM"}, {SIGINT, "SIGINT"},
		     {SIGPIPE, "SIGPIPE"}, {SIGHUP, "SIGHUP"}, {SIGTRAP, "SIGTRAP"}};
	static char other[16];
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].sig == sig)
			return names[i].name;
	snprintf(other, sizeof(other), "%d", sig);
	return other;
}

bool bc_target_memcheck(const struct bc_case *c)
{
	/* A sweep makes one case per result a call can fail with.  The
	 * reference path does not branch on which result it got (only on
	 * EAI_SYSTEM, for its message: see bindpath.c), so under Memcheck one
	 * result per call and EAI_SYSTEM cover every path it can take; the
	 * rest run natively.  Memcheck's start-up alone is half a second. */
	bool eai_system = c->nfaults && c->faults[0].result.kind == BC_OUT_EAI && c->faults[0].result.code == EAI_SYSTEM;
	return c->sweep_rank == 0 || eai_system;
}

/* What the target is started with, made before the vfork so that the
 * child only moves fds and execs: a fork would copy the page tables of a
 * process holding every table, and on a VM that is most of a fault case. */
struct launch {
	char *argv[BC_TARGET_ARGS + 8];
	char *envp[512];
	char self[1100], preload[2400], faults[540], vgopts[512];
};

static void env_set(struct launch *l, int *n, const char *kv)
{
	size_t k = strcspn(kv, "=") + 1;
	for (int i = 0; i < *n; i++) {
		if (strncmp(l->envp[i], kv, k) == 0) {
			l->envp[i] = (char *)kv;
			return;
		}
	}
	if (*n < (int)(sizeof(l->envp) / sizeof(l->envp[0])) - 1)
		l->envp[(*n)++] = (char *)kv;
}

static void launch_prepare(const struct bc_case *c, struct launch *l)
{
	const struct bc_target *t = c->target;
	char dir[1024];
	int a = 0, n = 0;
	bc_exe_dir(dir, sizeof(dir));
	snprintf(l->self, sizeof(l->self), "%s/bindcheck", dir);
	const char *vg = getenv("BC_TARGET_VALGRIND");
	bool ours = strcmp(t->argv[0], "@bindcheck") == 0;
	if (ours && vg && *vg && bc_target_memcheck(c)) {
		/* make check-valgrind: the reference path runs under Memcheck,
		 * with the options BC_TARGET_VALGRIND adds (blank-separated). */
		static char *const vgargs[] = {"valgrind", "-q", "--error-exitcode=99", "--leak-check=full",
					       "--errors-for-leak-kinds=definite"};
		for (size_t i = 0; i < sizeof(vgargs) / sizeof(vgargs[0]); i++)
			l->argv[a++] = vgargs[i];
		snprintf(l->vgopts, sizeof(l->vgopts), "%s", vg);
		for (char *save = NULL, *o = strtok_r(l->vgopts, " ", &save); o && a < 7; o = strtok_r(NULL, " ", &save))
			l->argv[a++] = o;
	}
	for (int i = 0; i < t->argc; i++)
		l->argv[a++] = i == 0 && ours ? l->self : (char *)t->argv[i];
	l->argv[a] = NULL;
	for (char **e = environ; *e && n < (int)(sizeof(l->envp) / sizeof(l->envp[0])) - 16; e++)
		l->envp[n++] = *e;
	snprintf(l->preload, sizeof(l->preload), "LD_PRELOAD=" BC_FIU_PRELOAD " %s/" BC_FIU_SHIM, dir);
	env_set(l, &n, l->preload);
	static const char faults_eq[] = BC_ENV_FAULTS "=";
	memcpy(l->faults, faults_eq, sizeof(faults_eq));
	bc_fault_env(c->faults, c->nfaults, l->faults + sizeof(faults_eq) - 1, sizeof(l->faults) - (sizeof(faults_eq) - 1));
	env_set(l, &n, l->faults);
	/* One fixed seed: a probability fails the same calls in every run. */
	env_set(l, &n, BC_ENV_FAULT_SEED "=0");
	env_set(l, &n, BC_ENV_REPORT_FD "=" BC_REPORT_FD_TEXT);
	env_set(l, &n, BC_ENV_FIU_CTRL "=");
	/* An instrumented bindcheck accepts preloads ahead of its runtime. */
	env_set(l, &n, "ASAN_OPTIONS=verify_asan_link_order=0");
	l->envp[n] = NULL;
}

/* The child side of the vfork: fds, exec.  Nothing here may touch memory
 * the case child still uses. */
static __attribute__((noinline)) void launch_exec(const struct launch *l, const struct bc_step_env *env, int outfd,
						   int repfd)
{
	static const char msg[] = "bindcheck: cannot run the target's command\n";
	char why[256];
	int null = open("/dev/null", O_RDONLY);
	dup2(null, 0);
	dup2(outfd, 1);
	dup2(outfd, 2);
	dup2(repfd, BC_REPORT_FD);
	/* In place, the target takes the case's directory and names itself
	 * (in the sandbox the whole case child has them). */
	if (env && env->target_dir && chdir(env->target_dir) < 0)
		_exit(126);
	if (env && env->target_names && bc_profile_apply_names(env->target_names, why, sizeof(why)) != BC_PROFILE_OK) {
		if (write(2, why, strlen(why)) < 0 || write(2, "\n", 1) < 0)
			_exit(126);
		_exit(126);
	}
	/* The report pipe and the case's sockets stay ours.  One call where
	 * the kernel has it (Linux 5.9): a thousand closes cost a millisecond. */
#ifdef SYS_close_range
	if (syscall(SYS_close_range, BC_REPORT_FD + 1U, ~0U, 0U) < 0)
#endif
		for (int fd = BC_REPORT_FD + 1; fd < 1024; fd++)
			close(fd);
	execvpe(l->argv[0], l->argv, l->envp);
	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(127);
	_exit(127);
}

/* run T: start the target with the case's faults armed, wait until it is
 * up (its ready text, the listeners it "listens" on, or its grace time
 * passed) or has ended, note what
 * listens, stop it (SIGTERM, then SIGKILL), and keep what it said. */
int bc_exec_run(struct bc_step_ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	const struct bc_target *t = x->c->target;
	int outp[2], repp[2], ws = 0;
	(void)fd, (void)st;
	if (!t || !x->run) {
		errno = ENOEXEC;
		return -1;
	}
	struct bc_step_run *r = x->run;
	memset(r, 0, sizeof(*r));
	snprintf(r->listening, sizeof(r->listening), "none");
	if (pipe2(outp, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(repp, O_CLOEXEC) < 0) {
		close(outp[0]);
		close(outp[1]);
		return -1;
	}
	static struct launch l;
	launch_prepare(x->c, &l);
	fflush(NULL);
	pid_t pid = vfork();
	if (pid == 0)
		launch_exec(&l, x->env, outp[1], repp[1]);
	close(outp[1]);
	close(repp[1]);
	if (pid < 0) {
		int e = errno;
		close(outp[0]);
		close(repp[0]);
		errno = e;
		return -1;
	}
	long deadline = mono_ms() + (t->grace_ms > 0 ? t->grace_ms : 500);
	bool ended = false, ready = false;
	int tick = t->nlistens ? 2 : 5; /* ms between looks at the listeners */
	while (!ended && !ready) {
		long left = deadline - mono_ms();
		if (left <= 0)
			break;
		struct pollfd p = {outp[0], POLLIN, 0};
		int rc = poll(&p, 1, left > tick ? tick : (int)left);
		if (rc > 0)
			drain(outp[0], r);
		ended = waitpid(pid, &ws, WNOHANG) == pid;
		ready = (t->ready[0] && strstr(r->out, t->ready)) || (!ended && t->nlistens && listens_all(t));
	}
	bool stopped = !ended; /* it was up: we stop it */
	if (!ended) {
		read_listeners(r->listening, sizeof(r->listening));
		kill(pid, SIGTERM);
		/* 5 s by default: a Memcheck run checks for leaks at exit */
		long stop = mono_ms() + (t->stop_ms > 0 ? t->stop_ms : 5000);
		while (!(ended = waitpid(pid, &ws, WNOHANG) == pid) && mono_ms() < stop) {
			struct pollfd p = {outp[0], POLLIN, 0};
			if (poll(&p, 1, 5) > 0)
				drain(outp[0], r);
		}
		if (!ended) {
			kill(pid, SIGKILL);
			waitpid(pid, &ws, 0);
		}
	}
	/* The rest of what it wrote, and its report. */
	for (struct pollfd p = {outp[0], POLLIN, 0}; poll(&p, 1, 0) > 0 && drain(outp[0], r) > 0;)
		;
	size_t got = 0;
	for (ssize_t k; got < sizeof(r->report) - 1 && (k = read(repp[0], r->report + got, sizeof(r->report) - 1 - got)) > 0;)
		got += (size_t)k;
	r->report[got] = '\0';
	r->pid = (int)pid;
	close(outp[0]);
	close(repp[0]);
	r->done = true;
	out->kind = BC_OUT_VALUE;
	if (stopped)
		snprintf(out->value, sizeof(out->value), "running");
	else if (WIFSIGNALED(ws))
		snprintf(out->value, sizeof(out->value), "signal:%s", signal_name(WTERMSIG(ws)));
	else
		snprintf(out->value, sizeof(out->value), "exit:%d", WIFEXITED(ws) ? WEXITSTATUS(ws) : -1);
	return 0;
}

static bool contains_nocase(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return true;
	return false;
}

/* names E: did the target's output name E, by name or by its message? */
int bc_exec_names(struct bc_step_ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	struct bc_outcome o;
	char err[64];
	const char *name = st->observe.result, *msg = NULL;
	(void)fd;
	if (!x->run || !x->run->done) {
		errno = ENOEXEC;
		return -1;
	}
	if (strcmp(name, "@fault") == 0) {
		if (!x->c->nfaults) {
			errno = ENOENT;
			return -1;
		}
		o = x->c->faults[0].result;
	} else if (bc_outcome_parse(name, &o, err, sizeof(err)) < 0) {
		errno = EINVAL;
		return -1;
	}
	name = o.kind == BC_OUT_EAI ? bc_eai_name(o.code) : bc_errno_name(o.code);
	msg = o.kind == BC_OUT_EAI ? gai_strerror(o.code) : strerror(o.code);
	out->kind = BC_OUT_VALUE;
	snprintf(out->value, sizeof(out->value), "%s",
		 (name && contains_nocase(x->run->out, name)) || (msg && contains_nocase(x->run->out, msg)) ? "yes" : "no");
	return 0;
}

int bc_exec_said(struct bc_step_ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	(void)fd;
	if (!x->run || !x->run->done) {
		errno = ENOEXEC;
		return -1;
	}
	out->kind = BC_OUT_VALUE;
	snprintf(out->value, sizeof(out->value), "%s", contains_nocase(x->run->out, st->observe.text) ? "yes" : "no");
	return 0;
}

/* calls C: how often the target called C, all its processes together ("=?"
 * when none reported, as when it was killed). */
int bc_exec_calls(struct bc_step_ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	char key[sizeof(st->observe.call) + 4];
	long total = 0;
	bool any = false;
	(void)fd;
	if (!x->run || !x->run->done) {
		errno = ENOEXEC;
		return -1;
	}
	snprintf(key, sizeof(key), BC_REPORT_CALL_KEY_FMT, st->observe.call);
	for (const char *p = x->run->report; (p = strstr(p, key)); p += strlen(key)) {
		total += strtol(p + strlen(key), NULL, 10);
		any = true;
	}
	out->kind = BC_OUT_VALUE;
	if (any)
		snprintf(out->value, sizeof(out->value), "%ld", total);
	else
		snprintf(out->value, sizeof(out->value), "?");
	return 0;
}

int bc_exec_leaked(struct bc_step_ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	(void)fd, (void)st;
	if (!x->run || !x->run->done) {
		errno = ENOEXEC;
		return -1;
	}
	/* The report of the process the run step started (the same pid across
	 * an exec), else the last one. */
	char key[32];
	snprintf(key, sizeof(key), BC_REPORT_PID_FMT, x->run->pid);
	const char *block = strstr(x->run->report, key), *p = NULL;
	for (const char *q = block ? block : x->run->report; (q = strstr(q, BC_REPORT_FDS_KEY)); q++) {
		p = q;
		if (block)
			break;
	}
	out->kind = BC_OUT_VALUE;
	if (p)
		snprintf(out->value, sizeof(out->value), "%ld", strtol(p + strlen(BC_REPORT_FDS_KEY), NULL, 10));
	else
		snprintf(out->value, sizeof(out->value), "?");
	return 0;
}

int bc_exec_listening(struct bc_step_ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	(void)fd, (void)st;
	if (!x->run || !x->run->done) {
		errno = ENOEXEC;
		return -1;
	}
	out->kind = BC_OUT_VALUE;
	snprintf(out->value, sizeof(out->value), "%s", x->run->listening);
	return 0;
}

static const verb_fn verbs[] = {
#define BC_VERB(id, name, place, min, max, args, opts, exec) [id] = exec,
#include "model/verbs.def"
#undef BC_VERB
};

static int run_step(struct bc_step_ctx *x, const struct bc_step *st, struct bc_outcome *out)
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
