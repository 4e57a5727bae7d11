/* step_ctx: what the executors of a case's steps share while the case runs
 * (exec/steps.c, files.c, hostile.c, target.c, target_obs.c).  Internal to
 * exec/. */
#ifndef BC_STEP_CTX_H
#define BC_STEP_CTX_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "exec/steps.h"

#define BC_MAX_CLIENTS 256

/* The addresses one resolve step kept. */
struct bc_step_list {
	int n;
	struct sockaddr_storage addr[BC_MAX_RESULTS];
	socklen_t len[BC_MAX_RESULTS];
};

/* What a run step saw of its target, for the steps that ask about it. */
struct bc_step_run {
	bool done;
	char out[65536]; /* its stdout and stderr, the first 64 KiB */
	size_t outlen;
	char report[16384]; /* what the preload wrote at exit, one block per process, in pid order */
	int pid;
	char listening[BC_VALUE_MAX];
};

struct bc_step_ctx {
	const struct bc_case *c;
	struct bc_step_run *run;
	int fds[BC_MAX_HANDLES];
	in_port_t ports[BC_MAX_VARS]; /* network order */
	struct bc_step_list lists[BC_MAX_LISTS];
	int clients[BC_MAX_CLIENTS];  /* handshakes: connections kept open */
	int nclients;
	const struct bc_step_env *env;
};

/* The TCP sockets listening in this namespace, "A+B" in sorted order, or
 * "none" (target_obs.c). */
void bc_target_listeners(char *buf, size_t n);
/* Does this namespace have every listener t's "listens" line names? */
bool bc_target_listens_all(const struct bc_target *t);

/* A unix: path beneath the scratch directory (files.c).  bind as bind(2),
 * its path's directory resolved beneath; for connect and sendto the address
 * rewritten to reach what the path names beneath, with *held the fd to
 * close after the call (-1 for none): 0, or -1 with errno (EXDEV for a path
 * that leaves). */
int bc_unix_bind(int sock, const struct sockaddr_storage *ss, socklen_t len);
int bc_unix_reach(int sock, struct sockaddr_storage *ss, socklen_t *len, int *held);

/* One function per verb, named in model/verbs.def.  Each makes its call and
 * returns its result; -1 leaves the cause in errno.  fd is the descriptor of
 * the step's handle.  A value goes into out. */
#define BC_VERB(id, name, place, min, max, args, opts, exec) \
	int exec(struct bc_step_ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out);
#include "model/verbs.def"
#undef BC_VERB

#endif
