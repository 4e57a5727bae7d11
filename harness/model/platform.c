/* platform: the fingerprint of the machine a run happens on. */
#define _GNU_SOURCE /* _CS_GNU_LIBC_VERSION */
#include "model/platform.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/capability.h>
#include <sys/klog.h>
#endif

#define GVISOR_UNAME_VERSION "#1 SMP Sun Jan 10 15:06:54 PST 2016"

void bc_platform_parse_release(const char *release, int version[3])
{
	const char *p = release;
	version[0] = version[1] = version[2] = 0;
	for (int k = 0; k < 3 && isdigit((unsigned char)*p); k++) {
		int v = 0;
		while (isdigit((unsigned char)*p) && v < 100000)
			v = v * 10 + (*p++ - '0');
		version[k] = v;
		if (*p != '.')
			break;
		p++;
	}
}

void bc_platform_distro_version(const char *uname_version, int version[3])
{
	/* "#1 SMP PREEMPT_DYNAMIC Debian 6.1.170-3 (2026-04-01)": the release
	 * says 6.1.0-47-cloud-amd64 for every 6.1 upload, the version the
	 * stable point release. */
	const char *d = uname_version ? strstr(uname_version, " Debian ") : NULL;
	int v[3];
	if (!d)
		return;
	bc_platform_parse_release(d + strlen(" Debian "), v);
	if (v[0] == version[0] && v[1] == version[1] && v[2] > version[2])
		version[2] = v[2];
}

int bc_version_cmp(const int a[3], const int b[3])
{
	for (int i = 0; i < 3; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

const int *bc_platform_clause_version(const struct bc_platform *p)
{
	static const int newest[3] = {INT_MAX, INT_MAX, INT_MAX};
	return p->newest_clauses ? newest : p->version;
}

bool bc_platform_is_gvisor(const char *release, const char *version, const char *klog)
{
	if (release && strstr(release, "gvisor"))
		return true;
	if (version && strcmp(version, GVISOR_UNAME_VERSION) == 0)
		return true;
	return klog && strstr(klog, "Starting gVisor") != NULL;
}

static void clean_id(char *id)
{
	for (char *c = id; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '.' && *c != '_')
			*c = '-';
}

void bc_platform_set_gvisor(struct bc_platform *p)
{
	p->slot = BC_SLOT_GVISOR;
	p->newest_clauses = true;
	snprintf(p->id, sizeof(p->id), "gvisor-runsc-%s-%s", p->machine, p->libc);
	clean_id(p->id);
}

/* The start of the kernel log, where the caller may read it (root, or
 * kernel.dmesg_restrict 0); "" otherwise. */
static void read_klog(char *buf, int len)
{
	buf[0] = '\0';
#ifdef __linux__
	int n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, len - 1);
	buf[n > 0 ? n : 0] = '\0';
#else
	(void)len;
#endif
}

static void detect_caps(struct bc_platform *p)
{
#ifdef __linux__
	static const struct {
		cap_value_t cap;
		const char *name;
	} wanted[] = {
		{CAP_SYS_ADMIN, "CAP_SYS_ADMIN"},
		{CAP_NET_ADMIN, "CAP_NET_ADMIN"},
		{CAP_NET_BIND_SERVICE, "CAP_NET_BIND_SERVICE"},
		{CAP_NET_RAW, "CAP_NET_RAW"},
	};
	cap_t caps = cap_get_proc();
	size_t off = 0;
	if (!caps)
		return;
	for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++) {
		cap_flag_value_t v = CAP_CLEAR;
		if (cap_get_flag(caps, wanted[i].cap, CAP_EFFECTIVE, &v) == 0 && v == CAP_SET && off < sizeof(p->caps))
			off += (size_t)snprintf(p->caps + off, sizeof(p->caps) - off, "%s%s", off ? "," : "", wanted[i].name);
	}
	cap_free(caps);
#else
	(void)p;
#endif
}

static void detect_container(struct bc_platform *p)
{
	FILE *f;
	if (access("/.dockerenv", F_OK) == 0) {
		snprintf(p->container, sizeof(p->container), "docker");
		return;
	}
	if (access("/run/.containerenv", F_OK) == 0) {
		snprintf(p->container, sizeof(p->container), "podman");
		return;
	}
	f = fopen("/run/systemd/container", "r");
	if (f) {
		if (fgets(p->container, sizeof(p->container), f))
			p->container[strcspn(p->container, "\n")] = '\0';
		fclose(f);
	}
}

void bc_platform_detect(struct bc_platform *p)
{
	struct utsname u;
	memset(&u, 0, sizeof(u));
	char lower[32], ver[40] = "";
	memset(p, 0, sizeof(*p));
	if (uname(&u) == 0) {
		snprintf(p->os, sizeof(p->os), "%s", u.sysname);
		snprintf(p->release, sizeof(p->release), "%s", u.release);
		snprintf(p->machine, sizeof(p->machine), "%s", u.machine);
	}
	if (strcmp(p->os, "Linux") == 0)
		p->slot = BC_SLOT_LINUX;
	else if (strcmp(p->os, "FreeBSD") == 0)
		p->slot = BC_SLOT_FREEBSD;
	else if (strcmp(p->os, "Darwin") == 0)
		p->slot = BC_SLOT_DARWIN;
	else
		p->slot = BC_SLOT_POSIX;
	bc_platform_parse_release(p->release, p->version);
	bc_platform_distro_version(u.version, p->version);
#ifdef _CS_GNU_LIBC_VERSION
	if (confstr(_CS_GNU_LIBC_VERSION, ver, sizeof(ver)) > 0)
		snprintf(p->libc, sizeof(p->libc), "%s", ver); /* "glibc 2.36" */
#endif
	if (!p->libc[0])
		snprintf(p->libc, sizeof(p->libc), "unknown");
	p->euid = (unsigned)geteuid();
	detect_caps(p);
	detect_container(p);

	size_t i;
	for (i = 0; p->os[i] && i < sizeof(lower) - 1; i++)
		lower[i] = (char)tolower((unsigned char)p->os[i]);
	lower[i] = '\0';
	snprintf(p->id, sizeof(p->id), "%s-%d.%d-%s-%s", lower, p->version[0], p->version[1], p->machine, p->libc);
	clean_id(p->id);
	if (p->slot == BC_SLOT_LINUX) {
		char klog[4096] = "";
		/* The kernel log is read only where the release is the one gVisor
		 * claims: reading it costs a run more than the rest of the
		 * fingerprint. */
		if (!bc_platform_is_gvisor(p->release, u.version, NULL) && strncmp(p->release, "4.4.0", 5) == 0)
			read_klog(klog, (int)sizeof(klog));
		if (bc_platform_is_gvisor(p->release, u.version, klog))
			bc_platform_set_gvisor(p);
	}
}
