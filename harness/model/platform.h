/* platform: where this run happens: OS, release, libc, architecture,
 * privileges, and a stable id for file names. */
#ifndef BC_PLATFORM_H
#define BC_PLATFORM_H

#include <stdbool.h>

#include "model/case.h"

struct bc_platform {
	enum bc_slot slot;   /* BC_SLOT_LINUX, _FREEBSD, _DARWIN, or _POSIX for others */
	char os[65];         /* uname sysname */
	char release[65];   /* uname release */
	int version[3];      /* release as numbers, for expectation clauses */
	char machine[65];
	char libc[48];       /* "glibc 2.36", or "unknown" */
	unsigned euid;
	char caps[128];      /* effective capabilities that matter here, or "" */
	char container[32];  /* "docker", "podman", "systemd-nspawn", ... or "" */
	char id[256];        /* e.g. linux-6.18-x86_64-glibc-2.36 */
};

void bc_platform_detect(struct bc_platform *p);
/* Parse "6.18.44-foo" into {6, 18, 44}. */
void bc_platform_parse_release(const char *release, int version[3]);
int bc_version_cmp(const int a[3], const int b[3]);

#endif
