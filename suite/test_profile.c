/* Unit tests of profiles: how a table states them (blocks, '+', the default
 * profile) and what the runner makes of one that cannot be applied.  The
 * tables under cases/ show that applied profiles take effect. */
#define _XOPEN_SOURCE 700 /* mkdtemp, setenv */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec/plan.h"
#include "exec/pool.h"
#include "exec/runner.h"
#include "suite.h"
#include "table/profile_parse.h"
#include "table/table.h"

static const char tables[] =
	"profile default\n    sysctl net.core.somaxconn 16\n"
	"profile nobody\n    user 65534\n    caps net_bind_service\n"
	"profile box\n    hostname box\n    hosts 127.0.1.1 box\n"
	"profile absent\n    sysctl net.ipv4.bindcheck_absent 1\n"
	"profile badvalue\n    sysctl net.core.somaxconn notanumber\n"
	"scenario one\n    socket s inet stream\n    bind s 127.0.0.1:0\n  ? listen s 100\n  ? queue s\n"
	"scenario files\n    mkdir d 0555\n    mkfile f\n    socket s unix stream\n  ? bind s unix:sock\n"
	"scenario peer\n    socket c inet stream peer\n  ? connect c 127.0.0.1:1\n"
	"id        scenario profile      linux           source\n"
	"dflt      one      -            ok,=0/16        \"the default profile\"\n"
	"merged    one      nobody+box   ok,=0/4096      \"two profiles\"\n"
	"missing   one      absent       ok,=0/4096      \"a sysctl this kernel lacks\"\n"
	"badval    one      badvalue     ok,=0/4096      \"a value the kernel refuses\"\n"
	"scratch   files    -            ok              \"files in the scratch directory\"\n"
	"nopeer    peer     -            ok              \"a peer socket without a peer\"\n";

static struct bc_runner runner;
static struct bc_table table;

static int setup(void)
{
	bc_runner_init(&runner, "bindcheck");
	return bc_suite_read_table("cases/p.tbl", tables, &table, 6);
}

static int teardown(void)
{
	bc_table_free(&table);
	return 0;
}

static const struct bc_case *find(const char *id)
{
	return bc_suite_find_case(&table, id);
}

static void profiles_as_read(void)
{
	const struct bc_case *d = find("dflt"), *m = find("merged"), *s = find("scratch");
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	/* A '-' cell takes the table's "default" profile. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(d->profile);
	CU_ASSERT_STRING_EQUAL(d->profile->name, "default");
	CU_ASSERT_EQUAL(d->profile->nsysctl, 1);
	/* Profiles joined with '+' add up; the default is not added to them. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(m->profile);
	CU_ASSERT_STRING_EQUAL(m->profile->name, "nobody+box");
	CU_ASSERT_EQUAL(m->profile->nsysctl, 0);
	CU_ASSERT(m->profile->set_uid);
	CU_ASSERT_EQUAL(m->profile->uid, 65534);
	CU_ASSERT_EQUAL(m->profile->caps, BC_CAPS_ONLY_NBS);
	CU_ASSERT_STRING_EQUAL(m->profile->hostname, "box");
	CU_ASSERT(m->profile->names);
	CU_ASSERT_EQUAL(m->profile->nhosts, 1);
	CU_ASSERT_STRING_EQUAL(m->profile->hosts[0], "127.0.1.1 box");
	/* Relative paths ask for a scratch directory. */
	CU_ASSERT(s->needs & BC_NEEDS_SCRATCH);
	CU_ASSERT(!(d->needs & BC_NEEDS_SCRATCH));
}

static void missing_sysctl_is_a_skip_with_the_reason(void)
{
	struct bc_case_result res;
	bc_run_case(&runner, find("missing"), &res);
	CU_ASSERT_EQUAL(res.j.verdict, BC_SKIP);
	if (!strstr(res.j.reason, "profile absent: sysctl net.ipv4.bindcheck_absent does not exist on this kernel"))
		BC_FAILF("reason: %s", res.j.reason);
}

static void refused_sysctl_is_an_error(void)
{
	struct bc_case_result res;
	bc_run_case(&runner, find("badval"), &res);
	CU_ASSERT_EQUAL(res.j.verdict, BC_ERROR);
	if (!strstr(res.j.reason, "profile badvalue: cannot set sysctl net.core.somaxconn to 'notanumber'"))
		BC_FAILF("reason: %s", res.j.reason);
}

static void default_profile_applies(void)
{
	struct bc_case_result res;
	bc_run_case(&runner, find("dflt"), &res);
	CU_ASSERT_EQUAL(res.j.verdict, BC_PASS);
}

/* The scratch directory goes after the case, even with a directory in it
 * that nobody may write to. */
static void scratch_directory_is_removed(void)
{
	char dir[] = "/tmp/bc-scratch-test-XXXXXX";
	const char *old = getenv("TMPDIR");
	char *saved = old ? strdup(old) : NULL;
	struct bc_case_result res;
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	setenv("TMPDIR", dir, 1);
	bc_run_case(&runner, find("scratch"), &res);
	if (saved)
		setenv("TMPDIR", saved, 1);
	else
		unsetenv("TMPDIR");
	free(saved);
	CU_ASSERT_EQUAL(res.j.verdict, BC_PASS);
	DIR *dp = opendir(dir);
	int left = 0;
	for (struct dirent *e; dp && (e = readdir(dp));)
		left += e->d_name[0] != '.';
	if (dp)
		closedir(dp);
	CU_ASSERT_EQUAL(left, 0);
	rmdir(dir);
}

static void peer_socket_needs_a_peer(void)
{
	struct bc_case_result res;
	bc_run_case(&runner, find("nopeer"), &res);
	CU_ASSERT_EQUAL(res.j.verdict, BC_ERROR);
	if (!strstr(res.j.reason, "socket c inet stream peer") || !strstr(res.j.reason, "ENXIO"))
		BC_FAILF("reason: %s", res.j.reason);
}

/* The platform profiles are data; written as a table's profile lines they
 * would read the same, and --platform-profile takes them and names the
 * platform after them. */
static void builtin_profiles_match_their_text(void)
{
	static const struct {
		const char *name;
		const char *lines[3][3];
	} text[] = {
		{"bindv6only", {{"sysctl", "net.ipv6.bindv6only", "1"}}},
		{"noipv6",
		 {{"sysctl", "net.ipv6.conf.all.disable_ipv6", "1"},
		  {"sysctl", "net.ipv6.conf.default.disable_ipv6", "1"},
		  {"sysctl", "net.ipv6.conf.lo.disable_ipv6", "1"}}},
		{"lowports", {{"sysctl", "net.ipv4.ip_unprivileged_port_start", "0"}}},
	};
	for (size_t i = 0; i < sizeof(text) / sizeof(text[0]); i++) {
		struct bc_profile t;
		struct bc_runner r;
		memset(&t, 0, sizeof(t));
		for (int k = 0; k < 3 && text[i].lines[k][0]; k++) {
			char err[128];
			int bad;
			CU_ASSERT_FATAL(bc_profile_line(&t, (char *const *)text[i].lines[k], 3, err, sizeof(err), &bad) == 0);
		}
		const struct bc_profile *b = bc_profile_builtin(text[i].name);
		CU_ASSERT_FATAL(b != NULL);
		CU_ASSERT_STRING_EQUAL(b->name, text[i].name);
		CU_ASSERT_EQUAL(b->nsysctl, t.nsysctl);
		for (int k = 0; k < b->nsysctl && k < t.nsysctl; k++) {
			CU_ASSERT_STRING_EQUAL(b->sysctl[k].name, t.sysctl[k].name);
			CU_ASSERT_STRING_EQUAL(b->sysctl[k].value, t.sysctl[k].value);
		}
		CU_ASSERT(!b->set_uid && b->caps == BC_CAPS_DEFAULT && !b->hostname[0] && !b->names && !b->nhosts &&
			  !b->naddrs && !b->peer);
		memset(&r, 0, sizeof(r));
		snprintf(r.platform.id, sizeof(r.platform.id), "linux");
		CU_ASSERT_FATAL(bc_runner_set_platform_profile(&r, text[i].name) == 0);
		CU_ASSERT_PTR_EQUAL(r.run_profile, b);
		CU_ASSERT(strcmp(r.platform.id + strlen("linux+"), text[i].name) == 0);
	}
	CU_ASSERT_PTR_NULL(bc_profile_builtin("freebsd"));
}

/* Profile lines: hosts lines with comments, blank and address-less ones,
 * hostconf, lo down; and what merging and the plan make of them. */
static void name_files_and_lo_lines(void)
{
	static const struct {
		const char *w[6];
		int nw;
		const char *line; /* the hosts line it makes, NULL for none */
	} lines[] = {
		{{"hosts", "127.0.1.1", "box.example", "box", "#the host", "and more"}, 6, "127.0.1.1 box.example box #the host and more"},
		{{"hosts", "#only a comment"}, 2, "#only a comment"},
		{{"hosts", ""}, 2, ""},
		{{"hosts", "", "box"}, 3, " box"},
		{{"hostconf", "multi", "off"}, 3, NULL},
		{{"lo", "down"}, 2, NULL},
	};
	struct bc_profile p, q;
	char err[256];
	int bad, nhosts = 0;
	memset(&p, 0, sizeof(p));
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		if (bc_profile_line(&p, (char *const *)lines[i].w, lines[i].nw, err, sizeof(err), &bad) != 0) {
			BC_FAILF("line %zu refused: %s", i, err);
			continue;
		}
		if (lines[i].line && nhosts < p.nhosts)
			CU_ASSERT_STRING_EQUAL(p.hosts[nhosts++], lines[i].line);
	}
	CU_ASSERT_EQUAL(p.nhosts, 4);
	CU_ASSERT(p.names);
	CU_ASSERT_EQUAL(p.multi, BC_MULTI_OFF);
	CU_ASSERT(p.lo_down);
	/* lo down alone is the namespace's own: a worker can run it in place. */
	memset(&q, 0, sizeof(q));
	CU_ASSERT_FATAL(bc_profile_line(&q, (char *const *)lines[5].w, 2, err, sizeof(err), &bad) == 0);
	CU_ASSERT(bc_plan_profile_netns_only(&q));
	CU_ASSERT(!bc_plan_profile_netns_only(&p));
	/* Merging keeps lo down and a host.conf setting. */
	memset(&q, 0, sizeof(q));
	CU_ASSERT_FATAL(bc_profile_merge(&q, &p, err, sizeof(err)) == 0);
	CU_ASSERT(q.lo_down && q.multi == BC_MULTI_OFF && q.nhosts == 4);
}

int bc_suite_profile(void)
{
	CU_pSuite s = CU_add_suite("unit/profile", setup, teardown);
	if (!s)
		return -1;
	BC_ADD(s, profiles_as_read);
	BC_ADD(s, builtin_profiles_match_their_text);
	BC_ADD(s, name_files_and_lo_lines);
	BC_ADD_NETNS(s, missing_sysctl_is_a_skip_with_the_reason);
	BC_ADD_NETNS(s, refused_sysctl_is_an_error);
	BC_ADD_NETNS(s, default_profile_applies);
	BC_ADD_NETNS(s, scratch_directory_is_removed);
	BC_ADD_NETNS(s, peer_socket_needs_a_peer);
	return 0;
}
