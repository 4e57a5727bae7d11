/* profile: merging profiles, and the built-in platform profiles as data. */
#define _POSIX_C_SOURCE 200809L
#include "model/profile.h"

#include <stdio.h>
#include <string.h>

int bc_profile_merge(struct bc_profile *dst, const struct bc_profile *src, char *err, size_t errlen)
{
	if (dst->nsysctl + src->nsysctl > BC_PROFILE_MAX_SYSCTL || dst->nhosts + src->nhosts > BC_PROFILE_MAX_HOSTS ||
	    dst->naddrs + src->naddrs > BC_PROFILE_MAX_ADDRS) {
		snprintf(err, errlen, "the profiles together set too many sysctls, hosts lines or addresses");
		return -1;
	}
	memcpy(dst->sysctl + dst->nsysctl, src->sysctl, (size_t)src->nsysctl * sizeof(src->sysctl[0]));
	dst->nsysctl += src->nsysctl;
	memcpy(dst->hosts + dst->nhosts, src->hosts, (size_t)src->nhosts * sizeof(src->hosts[0]));
	dst->nhosts += src->nhosts;
	memcpy(dst->addrs + dst->naddrs, src->addrs, (size_t)src->naddrs * sizeof(src->addrs[0]));
	dst->naddrs += src->naddrs;
	if (src->set_uid) {
		dst->set_uid = true;
		dst->uid = src->uid;
	}
	if (src->caps != BC_CAPS_DEFAULT)
		dst->caps = src->caps;
	if (src->hostname[0])
		snprintf(dst->hostname, sizeof(dst->hostname), "%s", src->hostname);
	if (src->multi != BC_MULTI_DEFAULT)
		dst->multi = src->multi;
	dst->names |= src->names;
	dst->peer |= src->peer;
	dst->lo_down |= src->lo_down;
	return 0;
}

/* Platforms this host can imitate with per-namespace sysctls alone. */
static const struct bc_profile builtin[] = {
	/* FreeBSD, NetBSD and OpenBSD-like: IPv6 sockets are IPv6-only. */
	{.name = "bindv6only", .nsysctl = 1, .sysctl = {{"net.ipv6.bindv6only", "1"}}},
	/* A host or container without IPv6 (disabled by sysctl). */
	{.name = "noipv6",
	 .nsysctl = 3,
	 .sysctl = {{"net.ipv6.conf.all.disable_ipv6", "1"},
		    {"net.ipv6.conf.default.disable_ipv6", "1"},
		    {"net.ipv6.conf.lo.disable_ipv6", "1"}}},
	/* Docker (20.10 on) and containerd start containers with every port
	 * unprivileged. */
	{.name = "lowports", .nsysctl = 1, .sysctl = {{"net.ipv4.ip_unprivileged_port_start", "0"}}},
};

const struct bc_profile *bc_profile_builtin(const char *name)
{
	for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++)
		if (strcmp(builtin[i].name, name) == 0)
			return &builtin[i];
	return NULL;
}
