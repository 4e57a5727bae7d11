/* profile: applying the environment a case runs in (model/profile.h).
 * This happens in the case's child, inside its own namespaces, and is the
 * only Linux-specific code besides the sandbox (profile.c). */
#ifndef BC_PROFILE_H
#define BC_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "model/case.h"
#include "model/profile.h"
#include "exec/steps.h"

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
/* What the sandbox probe found (exec/sandbox.h): /proc/sys/net shared by
 * every network namespace (a profile's net.* sysctl is then unavailable),
 * and net.ipv6.bindv6only unavailable (a profile's value is then given to
 * the case's AF_INET6 sockets as IPV6_V6ONLY).  Set by the runner before
 * any case starts. */
#define BC_SYSCTL_BINDV6ONLY "net.ipv6.bindv6only"
void bc_profile_set_platform(bool shared_sysctls, bool v6only_by_socket);
/* The inode of this process's network namespace, 0 if unknown. */
unsigned long bc_profile_net_id(void);

#endif
