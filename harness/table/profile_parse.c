/* profile_parse: profile lines into a bc_profile.  Pure: no system calls. */
#define _POSIX_C_SOURCE 200809L
#include "table/profile_parse.h"

#include "model/values.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static const char *const keywords[] = {"sysctl", "user", "caps", "hostname", "hosts", "hostconf", "addr", "peer", "lo"};
#define NKEYWORDS (sizeof(keywords) / sizeof(keywords[0]))


#define BAD(i, ...)                                    \
	do {                                           \
		snprintf(err, errlen, __VA_ARGS__);    \
		*bad = (i);                            \
		return -1;                             \
	} while (0)

/* Only the network stack's own sysctls, which are per network namespace;
 * nothing a case writes can reach the host. */
static bool sysctl_name_ok(const char *s)
{
	size_t n = strlen(s);
	if (strncmp(s, "net.", 4) != 0 || n < 5 || n >= sizeof(((struct bc_sysctl *)0)->name) || s[n - 1] == '.' ||
	    strstr(s, ".."))
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '.' || *p == '-'))
			return false;
	return true;
}

/* RFC 1123 host names: letters, digits, '-' and '.'; '_' is tolerated, as
 * glibc's files backend does. */
static bool host_name_ok(const char *s)
{
	if (!*s || *s == '-' || *s == '.')
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '-' ||
		      *s == '.' || *s == '_'))
			return false;
	return true;
}

static int parse_prefix(const char *text, struct bc_ifaddr *a)
{
	char host[64];
	const char *slash = strchr(text, '/');
	long prefix;
	if (!slash || (size_t)(slash - text) >= sizeof(host))
		return -1;
	memcpy(host, text, (size_t)(slash - text));
	host[slash - text] = '\0';
	if (inet_pton(AF_INET, host, a->addr) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, host, a->addr) == 1)
		a->family = AF_INET6;
	else
		return -1;
	if (bc_parse_int(slash + 1, 1, a->family == AF_INET ? 32 : 128, &prefix) < 0)
		return -1;
	a->prefix = (int)prefix;
	return 0;
}

static int add_addr(struct bc_profile *p, const char *text, const char *dev, bool on_peer)
{
	struct bc_ifaddr a;
	memset(&a, 0, sizeof(a));
	if (parse_prefix(text, &a) < 0)
		return -1;
	if (p->naddrs == BC_PROFILE_MAX_ADDRS)
		return -2;
	snprintf(a.dev, sizeof(a.dev), "%s", dev);
	a.on_peer = on_peer;
	p->addrs[p->naddrs++] = a;
	return 0;
}

static int addr_words(struct bc_profile *p, char *const *w, int nw, char *err, size_t errlen, int *bad)
{
	bool peer = strcmp(w[0], "peer") == 0;
	if (nw != 3)
		BAD(0, "'%s' takes 2 words, got %d; hint: %s", w[0], nw - 1,
		    peer ? "peer THIS/PREFIX PEER/PREFIX, as peer 192.0.2.1/24 192.0.2.2/24" : "addr lo 192.0.2.1/24");
	if (!peer && strcmp(w[1], "lo") != 0)
		BAD(1, "unknown device '%s'; hint: extra addresses go on lo, or use 'peer' for a link", w[1]);
	for (int i = peer ? 1 : 2; i < 3; i++) {
		int rc = add_addr(p, w[i], i == 1 || !peer ? (peer ? "veth0" : "lo") : "veth1", peer && i == 2);
		if (rc == -2)
			BAD(i, "more than %d addresses in one profile", BC_PROFILE_MAX_ADDRS);
		if (rc < 0)
			BAD(i, "bad address '%s'; hint: ADDRESS/PREFIX, as 192.0.2.1/24 or 2001:db8::1/64", w[i]);
	}
	if (peer)
		p->peer = true;
	return 0;
}

static int identity_words(struct bc_profile *p, char *const *w, int nw, char *err, size_t errlen, int *bad)
{
	long uid;
	if (nw != 2)
		BAD(0, "'%s' takes one word, got %d", w[0], nw - 1);
	if (strcmp(w[0], "user") == 0) {
		if (strcmp(w[1], "root") == 0)
			uid = 0;
		else if (bc_parse_int(w[1], 0, 0x7ffffffe, &uid) < 0)
			BAD(1, "bad user '%s'; hint: root or a numeric uid such as 65534", w[1]);
		p->set_uid = true;
		p->uid = (unsigned)uid;
		return 0;
	}
	if (strcmp(w[1], "-net_bind_service") == 0)
		p->caps = BC_CAPS_DROP_NBS;
	else if (strcmp(w[1], "net_bind_service") == 0)
		p->caps = BC_CAPS_ONLY_NBS;
	else
		BAD(1, "unknown capability set '%s'; hint: -net_bind_service (drop it) or net_bind_service (only it)", w[1]);
	return 0;
}

/* A line of /etc/hosts, as hosts(5) has them: an address and its names, a
 * word starting with '#' and the rest of the line being a comment; or a
 * line that is only a comment ("#..."), blank (""), or has no address
 * ("" followed by names: glibc skips a line whose first field is not an
 * address). */
static int hosts_words(struct bc_profile *p, char *const *w, int nw, char *err, size_t errlen, int *bad)
{
	unsigned char buf[16];
	size_t off = 0, cap = sizeof(p->hosts[0]);
	bool bare = nw >= 2 && (w[1][0] == '\0' || w[1][0] == '#');
	if (nw < 2 || (nw < 3 && !bare))
		BAD(0, "'hosts' takes an address and at least one name; hint: hosts 127.0.1.1 box, or \"#TEXT\" for a comment, \"\" for a blank line");
	if (!bare && inet_pton(AF_INET, w[1], buf) != 1 && inet_pton(AF_INET6, w[1], buf) != 1)
		BAD(1, "bad address '%s' in a hosts line", w[1]);
	if (p->nhosts == BC_PROFILE_MAX_HOSTS)
		BAD(0, "more than %d hosts lines in one profile", BC_PROFILE_MAX_HOSTS);
	char *line = p->hosts[p->nhosts];
	bool comment = false;
	line[0] = '\0';
	for (int i = 1; i < nw; i++) {
		comment |= w[i][0] == '#';
		if (i > 1 && !comment && !host_name_ok(w[i]))
			BAD(i, "bad host name '%s'; hint: a comment starts with '#' (quote it: \"#text\")", w[i]);
		/* The empty address leaves the line starting with a blank. */
		int k = snprintf(line + off, cap - off, "%s%s", i > 1 ? " " : "", w[i]);
		if (k < 0 || (size_t)k >= cap - off)
			BAD(i, "hosts line longer than %zu bytes", cap - 1);
		off += (size_t)k;
	}
	p->nhosts++;
	p->names = true;
	return 0;
}

/* host.conf's multi: all matching hosts lines, or only the first. */
static int hostconf_words(struct bc_profile *p, char *const *w, int nw, char *err, size_t errlen, int *bad)
{
	if (nw != 3 || strcmp(w[1], "multi") != 0)
		BAD(0, "'hostconf' takes 'multi on' or 'multi off'; hint: hostconf multi off");
	if (strcmp(w[2], "on") == 0)
		p->multi = BC_MULTI_ON;
	else if (strcmp(w[2], "off") == 0)
		p->multi = BC_MULTI_OFF;
	else
		BAD(2, "bad value '%s' for multi; hint: on or off", w[2]);
	p->names = true;
	return 0;
}

static int lo_words(struct bc_profile *p, char *const *w, int nw, char *err, size_t errlen, int *bad)
{
	if (nw != 2 || (strcmp(w[1], "down") != 0 && strcmp(w[1], "up") != 0))
		BAD(nw == 2 ? 1 : 0, "'lo' takes 'up' or 'down'; hint: lo down keeps the case's lo down");
	p->lo_down = strcmp(w[1], "down") == 0;
	return 0;
}

int bc_profile_line(struct bc_profile *p, char *const *w, int nw, char *err, size_t errlen, int *bad)
{
	const char *kw = w[0];
	if (strcmp(kw, "sysctl") == 0) {
		if (nw != 3)
			BAD(0, "'sysctl' takes a name and a value, got %d words; hint: quote a value with blanks, as \"40000 40001\"", nw - 1);
		if (!sysctl_name_ok(w[1]))
			BAD(1, "bad sysctl '%s'; hint: only the network's own sysctls (net.ipv4..., net.ipv6..., net.core...), which are private to the case's namespace", w[1]);
		if (!w[2][0] || strlen(w[2]) >= sizeof(p->sysctl[0].value))
			BAD(2, "bad sysctl value '%s'", w[2]);
		if (p->nsysctl == BC_PROFILE_MAX_SYSCTL)
			BAD(0, "more than %d sysctls in one profile", BC_PROFILE_MAX_SYSCTL);
		snprintf(p->sysctl[p->nsysctl].name, sizeof(p->sysctl[0].name), "%s", w[1]);
		snprintf(p->sysctl[p->nsysctl].value, sizeof(p->sysctl[0].value), "%s", w[2]);
		p->nsysctl++;
		return 0;
	}
	if (strcmp(kw, "user") == 0 || strcmp(kw, "caps") == 0)
		return identity_words(p, w, nw, err, errlen, bad);
	if (strcmp(kw, "hostname") == 0) {
		if (nw != 2)
			BAD(0, "'hostname' takes one word, got %d", nw - 1);
		if (!host_name_ok(w[1]) || strlen(w[1]) >= sizeof(p->hostname))
			BAD(1, "bad host name '%s'; hint: letters, digits, '-' and '.', at most 63 bytes", w[1]);
		snprintf(p->hostname, sizeof(p->hostname), "%s", w[1]);
		p->names = true;
		return 0;
	}
	if (strcmp(kw, "hosts") == 0)
		return hosts_words(p, w, nw, err, errlen, bad);
	if (strcmp(kw, "hostconf") == 0)
		return hostconf_words(p, w, nw, err, errlen, bad);
	if (strcmp(kw, "lo") == 0)
		return lo_words(p, w, nw, err, errlen, bad);
	if (strcmp(kw, "addr") == 0 || strcmp(kw, "peer") == 0)
		return addr_words(p, w, nw, err, errlen, bad);
	const char *s = bc_suggest_from(kw, keywords, NKEYWORDS);
	if (s)
		BAD(0, "unknown profile setting '%s'; hint: did you mean %s?", kw, s);
	BAD(0, "unknown profile setting '%s'; hint: sysctl, user, caps, hostname, hosts, hostconf, addr, peer or lo", kw);
}
