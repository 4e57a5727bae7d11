/* profile: the environment a case runs in.  Reading a profile line is pure
 * (profile_parse.c); applying one happens in the case's child, inside its own
 * namespaces, and is the only Linux-specific code besides the sandbox
 * (profile.c). */
#ifndef BC_PROFILE_H
#define BC_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "model/case.h"
#include "exec/steps.h"

/* One profile line, words[0] being its keyword:
 *   sysctl NAME VALUE        a per-namespace sysctl under net.
 *   user root|UID            the identity the steps run as
 *   caps -net_bind_service   drop CAP_NET_BIND_SERVICE (root keeps the rest)
 *   caps net_bind_service    keep only CAP_NET_BIND_SERVICE (with user UID)
 *   hostname NAME            a private UTS namespace with this host name
 *   hosts ADDR NAME...       a line of the case's own /etc/hosts
 *   addr lo ADDR/PREFIX      an extra address on lo
 *   peer ADDR/PREFIX ADDR/PREFIX   a veth pair to a peer namespace: this
 *                            side's address, then the peer's
 * Returns 0, or -1 with a message in err and the index of the word to blame
 * in *bad. */
int bc_profile_line(struct bc_profile *p, char *const *words, int nw, char *err, size_t errlen, int *bad);
/* dst gets src's settings: lists are appended, single values replaced.
 * Returns -1 (with err) when a list overflows. */
int bc_profile_merge(struct bc_profile *dst, const struct bc_profile *src, char *err, size_t errlen);

/* What applying a profile can end in. */
enum bc_profile_rc {
	BC_PROFILE_OK = 0,
	BC_PROFILE_UNAVAILABLE = -1, /* this machine or mode cannot provide it: the case is skipped */
	BC_PROFILE_FAILED = -2,      /* it should have worked: the case is an error */
};

/* In the case's child, after it entered its private network namespace and
 * brought lo up.  host_net identifies the host's network namespace (the
 * inode of /proc/self/ns/net in the runner): a profile never applies there.
 * env gets the namespaces steps may use; release them before returning. */
enum bc_profile_rc bc_profile_apply(const struct bc_profile *p, unsigned long host_net, struct bc_step_env *env,
				    char *why, size_t n);
void bc_profile_release(struct bc_step_env *env);
/* Only the profile's host name and name files (private UTS and mount
 * namespaces): what a target started in place sets up for itself, in its
 * own process, before it execs.  Part of bc_profile_apply. */
enum bc_profile_rc bc_profile_apply_names(const struct bc_profile *p, char *why, size_t n);
/* The inode of this process's network namespace, 0 if unknown. */
unsigned long bc_profile_net_id(void);

#endif
