/* step_ctx: what the executors of a case's steps share while the case runs
 * (exec/steps.c, files.c, hostile.c, target.c, target_obs.c).  Internal to
 * exec/. */
#ifndef BC_STEP_CTX_H
#define BC_STEP_CTX_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "exec/listeners.h"
#include "exec/scratch.h"
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
	size_t outtotal; /* bytes it wrote, kept or not */
	char report[16384]; /* what the preload wrote at exit, one block per process, in pid order */
	int pid;
	char listening[BC_VALUE_MAX];
	char note[BC_OBS_NOTE_MAX]; /* what the harness did to it beyond SIGTERM (target_wait.c) */
	/* The listeners a connection reached while it was up (reach), from
	 * this host over loopback and from the profile's peer host: "A+B" as
	 * listening writes them, or "none"; "" when not tried. */
	char reach_local[BC_VALUE_MAX], reach_peer[BC_VALUE_MAX];
};

/* A started target's life (target_wait.c): its pid and output, the
 * children and listeners there were before it, and what it did. */
#define BC_LIFE_BEFORE_MAX 64
struct bc_target_life {
	pid_t pid;
	int out;                 /* read end of its stdout and stderr */
	bool out_open;           /* until the last writer closed it */
	bool main_alive;         /* the process started, not yet reaped */
	bool daemonized;         /* it exited 0 and left processes that run */
	int ended_kids;          /* processes it left that ended (reaped here) */
	pid_t before[BC_LIFE_BEFORE_MAX];
	int nbefore;
	char base[BC_VALUE_MAX]; /* the namespace's listeners before it started */
	char mark[BC_SCRATCH_PATH_MAX + 16]; /* BC_REPORT_DIR=..., in its environment only */
	char dir[BC_SCRATCH_PATH_MAX];       /* its case directory, or "" (target_strays.c) */
	char stable[BC_VALUE_MAX * 2]; /* its own listeners at the last look, */
	long stable_since;             /* unchanged since then (ms) */
};

enum bc_life_end {
	BC_LIFE_UP,    /* up, or its grace passed while it ran (daemonized: its processes do) */
	BC_LIFE_ENDED, /* its first process ended, with nothing of it left running: *ws */
};

/* Before the start: what there was (children, listeners). */
void bc_target_life_begin(struct bc_target_life *L);
/* Until it is up or has ended (L->pid and L->out set). */
enum bc_life_end bc_target_wait(const struct bc_target *t, double scale, struct bc_target_life *L,
				 struct bc_step_run *r, int *ws);
/* Stop whatever of it still runs: its first process with SIGTERM, SIGKILL
 * after its stop time; then every process it left, the same way.  The
 * note says what was stopped beyond its first process. */
void bc_target_stop(const struct bc_target *t, double scale, struct bc_target_life *L, struct bc_step_run *r,
		    int *ws);
/* A run step's note and the start of its target's output into obs, and
 * run made ready for the next case (target_wait.c). */
void bc_target_keep(struct bc_step_run *run, struct bc_observation *obs);
/* Where no child subreaper can be had: kill what carries mark in its
 * environment or works in dir (target_strays.c); how many. */
int bc_target_strays_kill(const char *mark, const char *dir);
/* One read of the target's output into r (target.c): what read() gave. */
ssize_t bc_target_drain(int fd, struct bc_step_run *r);

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


/* While the target is up: try to connect to each of run->listening from
 * here and from the peer, into run->reach_local and run->reach_peer
 * (target_reach.c).  Only for a case that has a reach step. */
void bc_target_reach(struct bc_step_ctx *x, struct bc_step_run *run);

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
