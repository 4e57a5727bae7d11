/* platform: where this run happens: OS, release, libc, architecture,
 * privileges, and a stable id for file names. */
#ifndef BC_PLATFORM_H
#define BC_PLATFORM_H

#include <stdbool.h>

#include "model/case.h"

struct bc_platform {
	enum bc_slot slot;   /* BC_SLOT_LINUX, _FREEBSD, _DARWIN, _GVISOR, or _POSIX for others */
	char os[65];         /* uname sysname */
	char release[65];   /* uname release */
	int version[3];      /* release as numbers, for expectation clauses */
	char machine[65];
	char libc[48];       /* "glibc 2.36", or "unknown" */
	unsigned euid;
	char caps[128];      /* effective capabilities that matter here, or "" */
	char container[32];  /* "docker", "podman", "systemd-nspawn", ... or "" */
	char id[256];        /* e.g. linux-6.18-x86_64-glibc-2.36, gvisor-runsc-x86_64-glibc-2.36 */
	/* The release says nothing about the API (gVisor claims 4.4.0 and
	 * implements today's Linux): a version clause is read as of the newest
	 * release, so ">=5.14:A;B" is A. */
	bool newest_clauses;
};

void bc_platform_detect(struct bc_platform *p);
/* Parse "6.18.44-foo" into {6, 18, 44}. */
void bc_platform_parse_release(const char *release, int version[3]);
/* Debian's kernels name the stable point release in uname's version
 * ("... Debian 6.1.170-3 ..."), not in the release ("6.1.0-47-cloud-amd64"):
 * take its third number when the first two agree. */
void bc_platform_distro_version(const char *uname_version, int version[3]);
int bc_version_cmp(const int a[3], const int b[3]);
/* The version the platform's version clauses are read at: its release's,
 * or, with newest_clauses, one newer than any. */
const int *bc_platform_clause_version(const struct bc_platform *p);

/* Whether the kernel is gVisor's Sentry, from what it says of itself (any
 * may be NULL): uname's release ("4.19.0-gvisor" in newer releases), uname's
 * version (the fixed "#1 SMP Sun Jan 10 15:06:54 PST 2016" of gVisor's
 * syscall table, pkg/sentry/syscalls/linux/linux64.go) and the kernel log
 * (which begins "Starting gVisor...", pkg/sentry/kernel/syslog.go). */
bool bc_platform_is_gvisor(const char *release, const char *version, const char *klog);
/* Make p the gVisor platform: slot gvisor, id gvisor-runsc-MACHINE-LIBC,
 * version clauses read as of the newest release. */
void bc_platform_set_gvisor(struct bc_platform *p);

#endif
