/* profile: the environment a case runs in, as data (a table's profile
 * blocks, or a built-in platform profile), and the pure operations on it.
 * Reading profile text is table/profile_parse.c; applying a profile is
 * exec/profile.c. */
#ifndef BC_MODEL_PROFILE_H
#define BC_MODEL_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

/* A profile: the environment a case runs in, set up inside its own
 * namespaces before the first step (exec/profile.c). */
#define BC_PROFILE_NAME_MAX 64
#define BC_PROFILE_MAX_SYSCTL 12
#define BC_PROFILE_MAX_HOSTS 12
#define BC_PROFILE_MAX_ADDRS 8

enum bc_caps {
	BC_CAPS_DEFAULT,   /* whatever the identity implies */
	BC_CAPS_DROP_NBS,  /* every capability but CAP_NET_BIND_SERVICE */
	BC_CAPS_ONLY_NBS,  /* CAP_NET_BIND_SERVICE and nothing else */
};

struct bc_sysctl {
	char name[80];
	char value[64];
};

struct bc_ifaddr {
	bool on_peer;       /* the address lives in the peer namespace */
	char dev[16];       /* lo, veth0 (this side) or veth1 (peer side) */
	int family;
	unsigned char addr[16];
	int prefix;
};

/* /etc/host.conf's "multi" in a profile with name files. */
enum bc_multi {
	BC_MULTI_DEFAULT, /* "multi on", what bindcheck always wrote */
	BC_MULTI_ON,
	BC_MULTI_OFF,     /* glibc's files backend then stops at the first matching line */
};

struct bc_profile {
	char name[BC_PROFILE_NAME_MAX]; /* as the row named it, "a+b" */
	int nsysctl;
	struct bc_sysctl sysctl[BC_PROFILE_MAX_SYSCTL];
	bool set_uid;
	unsigned uid;
	enum bc_caps caps;
	char hostname[64];
	bool names;                    /* hermetic name files */
	int nhosts;
	char hosts[BC_PROFILE_MAX_HOSTS][128]; /* lines as written: entries, comments, blank ones */
	enum bc_multi multi;           /* host.conf */
	bool lo_down;                  /* lo stays down: a namespace lo never came up in */
	int naddrs;
	struct bc_ifaddr addrs[BC_PROFILE_MAX_ADDRS];
	bool peer;                     /* a veth pair to a peer namespace */
};

/* dst gets src's settings: lists are appended, single values replaced.
 * Returns -1 (with err) when a list overflows. */
int bc_profile_merge(struct bc_profile *dst, const struct bc_profile *src, char *err, size_t errlen);
/* A built-in platform profile (bindv6only, noipv6, lowports: what
 * bindcheck run --platform-profile takes), NULL for another name. */
const struct bc_profile *bc_profile_builtin(const char *name);

#endif
