/* sandbox: how one case is isolated.  The whole decision lives here: today a
 * forked child per case in a fresh network namespace with lo up, a process
 * group killed at the timeout, and an fd count around the code under test.
 * Callers hand it a function to run in the child and get back what that
 * function wrote, how the child ended, and the fd counts. */
#ifndef BC_SANDBOX_H
#define BC_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

#include "exec/guard.h"

/* The exit status a case child gets from Valgrind (--error-exitcode) when
 * Memcheck found errors in it; no case uses it for anything else. */
#define BC_SANDBOX_VALGRIND_EXIT 99

#define BC_SANDBOX_OUT_MAX BC_GUARD_OUT_MAX /* the rest of a child's output is dropped */

struct bc_sandbox_cfg {
	int timeout_ms;
	bool private_net;  /* a fresh network namespace with lo up */
	bool reap_orphans; /* the caller is a child subreaper (bc_guard_become_reaper):
	                      after the case, kill and count any other child it has */
	bool confine;      /* the child confines itself (exec/confine.h) first */
};


enum bc_sandbox_end {
	BC_SB_EXITED,      /* status holds the exit code */
	BC_SB_SIGNALED,    /* status holds the signal */
	BC_SB_TIMEOUT,     /* killed at the timeout */
	BC_SB_UNAVAILABLE, /* isolation could not be set up; detail says why */
	BC_SB_FAILED,      /* fork or pipe failed; detail says why */
};

struct bc_sandbox_result {
	enum bc_sandbox_end end;
	int status;
	char *out;         /* what the child wrote to out_fd, NUL-terminated */
	size_t outlen;
	bool out_truncated;
	int fds_before;    /* open fds in the child before and after fn; -1 unknown */
	int fds_after;
	long heap_delta;   /* bytes the child's heap grew by during fn (glibc), 0 unknown */
	int lingering;     /* processes of the case still running after it: killed */
	char *log;         /* what the child and its descendants wrote to stdout and stderr */
	size_t loglen;     /* bytes kept (at most BC_SANDBOX_OUT_MAX) */
	size_t log_total;  /* bytes written */
	long duration_us;
	char detail[256];
};

/* Runs in the child; writes its report to out_fd and returns the exit code. */
typedef int (*bc_sandbox_fn)(void *arg, int out_fd);

/* Write all of buf to fd, as a child reporting to its parent does; false
 * when it could not (a child may ignore that: the report is then short,
 * which the parent notices). */
bool bc_sandbox_write(int fd, const void *buf, size_t n);

int bc_sandbox_run(const struct bc_sandbox_cfg *cfg, bc_sandbox_fn fn, void *arg, struct bc_sandbox_result *res);
void bc_sandbox_result_free(struct bc_sandbox_result *res);

/* Move this process into a fresh network namespace with lo up (through a
 * user namespace when not root), as a case child does.  -1 with why. */
int bc_sandbox_enter_private_net(char *why, size_t n);
/* In a user namespace just made: the caller's uid and gid (as they were
 * before it, given here) become its root, with setgroups denied.  -1 with
 * why.  Linux only. */
int bc_sandbox_map_self(uid_t uid, gid_t gid, char *why, size_t n);
/* Read a link's flags into *now (when not NULL) after setting the flags in
 * set (when not 0; only IFF_UP can be set, through rtnetlink): 0, or
 * -errno.  Linux only. */
int bc_sandbox_link_flags(const char *dev, short set, short *now);

/* Probe, in a throwaway child, whether private network namespaces and IPv6
 * are available here, and whether /proc/sys/net belongs to the namespace
 * that reads it (shared_sysctls when it does not).  reason says why not,
 * or notes the shared sysctls and v6only_by_socket.  The child's namespace
 * becomes this process's base (exec/netns.h) where it can.  exec/probe.c. */
struct bc_sandbox_caps {
	bool private_net;
	bool ipv6;
	bool shared_sysctls;
	bool v6only_by_socket; /* net.ipv6.bindv6only cannot be set: IPV6_V6ONLY per socket stands in */
	bool small_tables;     /* the probe made the base: every namespace made in it has a small TCP
	                          table (exec/netns.h), with these two as one sharing the host's has them */
	unsigned tw_buckets, syn_backlog;
	char reason[640];
};
void bc_sandbox_probe(struct bc_sandbox_caps *caps);
/* Start the probe now, in a forked child that works while the caller goes
 * on (loading the tables); the next bc_sandbox_probe in this process takes
 * its answer instead of probing. */
void bc_sandbox_probe_early(void);

#endif
