/* End-to-end tests of the bindcheck command: exit statuses, where errors
 * point, the failure block, the re-run command, the reports it writes. */
#define _DEFAULT_SOURCE /* setgroups */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <grp.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec/sandbox.h"
#include "exec/scratch.h"
#include "suite.h"

#ifndef BC_BUILD_DIR
#define BC_BUILD_DIR "build"
#endif
#define BINDCHECK BC_BUILD_DIR "/bindcheck"

static char dir[] = "/tmp/bc-cli-XXXXXX";

/* A file the run wrote, "" when there is none. */
static char *slurp(const char *path)
{
	char *s = bc_suite_slurp(path);
	return s ? s : strdup("");
}

static uid_t run_uid = (uid_t)-1; /* the next run(): bindcheck as this uid (root only); -1: as we are */

#define EXIT_NO_ACCESS 125

static int strcmp_ptr(const char *const *a, const char *const *b)
{
	return strcmp(*a, *b);
}

/* In the child, before the exec: the uid run() was asked for. */
static int become(void *arg)
{
	uid_t uid = *(uid_t *)arg;
	if (setgroups(0, NULL) < 0 || setgid((gid_t)uid) < 0 || setuid(uid) < 0)
		return EXIT_NO_ACCESS;
	if (access(BINDCHECK, X_OK) < 0 || access("cases", R_OK | X_OK) < 0)
		return EXIT_NO_ACCESS; /* the checkout is not readable by that uid */
	return 0;
}

/* Run bindcheck with the given arguments (NULL-terminated). */
static struct bc_suite_out run(const char *arg0, ...)
{
	char *argv[16];
	int n = 0;
	va_list ap;
	argv[n++] = BINDCHECK;
	va_start(ap, arg0);
	for (const char *a = arg0; a && n < 15; a = va_arg(ap, const char *))
		argv[n++] = (char *)a;
	va_end(ap);
	argv[n] = NULL;
	/* For this run only, even when a time limit stops the test in it. */
	uid_t uid = run_uid;
	run_uid = (uid_t)-1;
	return bc_suite_exec(dir, argv, uid != (uid_t)-1 ? become : NULL, &uid);
}

static const char *write_table(const char *name, const char *text, size_t len)
{
	static char path[128];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (f) {
		fwrite(text, 1, len, f);
		fclose(f);
	}
	return path;
}

static const char *write_text(const char *name, const char *text)
{
	return write_table(name, text, strlen(text));
}

/* The results file a run wrote, parsed; NULL when there is none. */
static json_t *load_results(const char *path)
{
	json_error_t err;
	return json_load_file(path, 0, &err);
}

/* A string field of case i in a results document. */
static const char *case_field(const json_t *root, size_t i, const char *key)
{
	return json_string_value(json_object_get(json_array_get(json_object_get(root, "cases"), i), key));
}

#define GOOD "scenario s\n    socket h inet stream\n  ? bind h $addr\nid addr linux source\n"

static int setup(void)
{
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void)
{
	bc_scratch_remove(dir);
	return 0;
}

/* Each malformed table exits 2 and names file:line:col. */
static void malformed_tables_exit_2(void)
{
	static const struct {
		const char *name, *text;
		size_t len;
		const char *where;
	} bad[] = {
		{"errno.tbl", GOOD "r 127.0.0.1:0 EADDRINUS s\n", 0, "errno.tbl:5:15: linux: unknown result 'EADDRINUS'"},
		{"column.tbl", "scenario s\n  ? listen 0 1\nid linux source bogus\n", 0, "column.tbl:3:17: unknown column 'bogus'"},
		{"cell.tbl", GOOD "r 127.0.0.1:0 ok\n", 0, "cell.tbl:5:17: row has 3 cells"},
		{"step.tbl", "scenario s\n  ? bnid h 1.2.3.4:0\nid linux source\n", 0, "step.tbl:2:5: unknown step 'bnid'"},
		{"garbage.tbl", "\x7f" "ELF\x02\x01\x01\0\0\0", 10, "garbage.tbl:1:8: binary data (a NUL byte)"},
		{"utf8.tbl", "id \xff\xfe", 0, "utf8.tbl:1:4: binary data (a byte that is not UTF-8)"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *path = write_table(bad[i].name, bad[i].text, bad[i].len ? bad[i].len : strlen(bad[i].text));
		struct bc_suite_out r = run("run", path, NULL);
		if (r.status != 2 || !strstr(r.err, bad[i].where))
			BC_FAILF("%s: exit %d, stderr:\n%s\n(wanted exit 2 and '%s')", bad[i].name, r.status, r.err, bad[i].where);
		bc_suite_out_free(&r);
	}
}

/* A wrong expectation fails with expected, observed and a re-run command
 * that, run, repeats exactly that case. */
static void wrong_row_exits_1_and_reruns(void)
{
	const char *path = write_text("w.tbl", GOOD "good 127.0.0.1:0 ok s\nbad 127.0.0.1:0 EADDRINUSE s\n");
	struct bc_suite_out r = run("run", path, NULL);
	CU_ASSERT_EQUAL(r.status, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "PASS  w/good\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "FAIL  w/bad\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "expected: EADDRINUSE (column linux)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "observed: ok"));
	const char *rerun = strstr(r.out, "rerun:    ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(rerun);
	char want[256];
	snprintf(want, sizeof(want), "rerun:    %s run %s --filter 'w/bad'\n", BINDCHECK, path);
	if (strncmp(rerun, want, strlen(want)) != 0)
		BC_FAILF("re-run line: %.*s", (int)strcspn(rerun, "\n"), rerun);
	bc_suite_out_free(&r);
	r = run("run", path, "--filter", "w/bad", NULL);
	CU_ASSERT_EQUAL(r.status, 1);
	CU_ASSERT_PTR_NULL(strstr(r.out, "w/good"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "summary: 1 cases: 0 pass, 1 fail"));
	bc_suite_out_free(&r);
}

static void passing_run_writes_reports(void)
{
	char json[128], md[128], again[128], rdir[128];
	const char *path = write_text("p.tbl", GOOD "a 127.0.0.1:0 ok s\nb 192.0.2.1:0 EADDRNOTAVAIL s\n");
	snprintf(json, sizeof(json), "%s/r.json", dir);
	snprintf(md, sizeof(md), "%s/s.md", dir);
	snprintf(again, sizeof(again), "%s/again.md", dir);
	snprintf(rdir, sizeof(rdir), "%s/reports", dir);
	struct bc_suite_out r = run("run", path, "--json", json, "--summary", md, "--report-dir", rdir, NULL);
	CU_ASSERT_EQUAL(r.status, 0);
	bc_suite_out_free(&r);
	json_t *root = load_results(json);
	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(root, "schema")), "bindcheck-results");
	CU_ASSERT_EQUAL(json_array_size(json_object_get(root, "cases")), 2);
	char platdir[512];
	snprintf(platdir, sizeof(platdir), "%s/%s/results.json", rdir,
		 json_string_value(json_object_get(json_object_get(root, "platform"), "id")));
	struct stat st;
	CU_ASSERT_EQUAL(stat(platdir, &st), 0);
	json_decref(root);
	/* The summary made again from results.json alone is the same. */
	r = run("report", json, "--markdown", again, NULL);
	CU_ASSERT_EQUAL(r.status, 0);
	bc_suite_out_free(&r);
	char *a = slurp(md), *b = slurp(again);
	CU_ASSERT(strlen(a) > 100);
	CU_ASSERT_STRING_EQUAL(a, b);
	free(a);
	free(b);
	/* All three derived reports, made again into another directory from
	 * results.json alone, are byte for byte those of the run. */
	char regen[128], platroot[512];
	snprintf(regen, sizeof(regen), "%s/regen", dir);
	snprintf(platroot, sizeof(platroot), "%.*s", (int)(strlen(platdir) - strlen("/results.json")), platdir);
	r = run("report", platdir, "--report-dir", regen, NULL);
	CU_ASSERT_EQUAL(r.status, 0);
	bc_suite_out_free(&r);
	static const char *const names[] = {"summary.md", "junit.xml", "index.html"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char p1[700], p2[700];
		snprintf(p1, sizeof(p1), "%s/%s", platroot, names[i]);
		snprintf(p2, sizeof(p2), "%s/%s", regen, names[i]);
		char *x = slurp(p1), *y = slurp(p2);
		CU_ASSERT(strlen(x) > 100);
		if (strcmp(x, y) != 0)
			BC_FAILF("%s made again differs from the run's", names[i]);
		free(x);
		free(y);
	}
	/* junit.xml is well-formed XML (checked by xmllint where it is installed). */
	if (access("/usr/bin/xmllint", X_OK) == 0) {
		char cmd[800];
		snprintf(cmd, sizeof(cmd), "/usr/bin/xmllint --noout %s/junit.xml", platroot);
		CU_ASSERT_EQUAL(system(cmd), 0);
	}
	char *html = NULL;
	char hp[700];
	snprintf(hp, sizeof(hp), "%s/index.html", platroot);
	html = slurp(hp);
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "Conformance per table"));
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "<code>p/a</code>"));
	CU_ASSERT_PTR_NULL(strstr(html, "http://"));  /* self-contained: nothing fetched */
	CU_ASSERT_PTR_NULL(strstr(html, "https://"));
	free(html);
}

/* Two runs that observed different results: the matrix names that case,
 * and only that one. */
static void merge_finds_disagreements(void)
{
	char a[128], b[128], md[128], html[128];
	const char *path = write_text("m.tbl", GOOD "same 127.0.0.1:0 ok s\ndiffers 127.0.0.1:0 ok s\n");
	snprintf(a, sizeof(a), "%s/a.json", dir);
	snprintf(b, sizeof(b), "%s/b.json", dir);
	snprintf(md, sizeof(md), "%s/matrix.md", dir);
	snprintf(html, sizeof(html), "%s/matrix.html", dir);
	struct bc_suite_out r = run("run", path, "--json", a, NULL);
	bc_suite_out_free(&r);
	/* The second "platform": the same run, one observation changed. */
	json_t *root = load_results(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	json_object_set_new(json_object_get(root, "platform"), "id", json_string("other-platform"));
	json_t *c = json_array_get(json_object_get(root, "cases"), 1);
	json_object_set_new(c, "observed", json_string("EADDRINUSE"));
	json_object_set_new(c, "verdict", json_string("fail"));
	CU_ASSERT_EQUAL(json_dump_file(root, b, JSON_INDENT(2)), 0);
	json_decref(root);
	r = run("merge", a, b, "--markdown", md, "--html", html, NULL);
	CU_ASSERT_EQUAL(r.status, 0);
	bc_suite_out_free(&r);
	char *m = slurp(md), *h = slurp(html);
	CU_ASSERT_PTR_NOT_NULL(strstr(m, "## Where the platforms disagree (1 cases)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(m, "`m/differs`"));
	CU_ASSERT_PTR_NULL(strstr(m, "`m/same`"));
	CU_ASSERT_PTR_NOT_NULL(strstr(h, "other-platform"));
	CU_ASSERT_PTR_NOT_NULL(strstr(h, "only the 1 where the platforms disagree"));
	free(m);
	free(h);
	/* A file that is not a results file is bad input. */
	r = run("merge", path, "--markdown", md, NULL);
	CU_ASSERT_EQUAL(r.status, 2);
	bc_suite_out_free(&r);
}

/* The verdicts of a run do not depend on the order cases run in, nor on
 * how many workers run them: cases cannot see each other. */
static void order_and_jobs_do_not_change_verdicts(void)
{
	static const char *const variants[][4] = {
		{"-j", "1", NULL, NULL},
		{"-j", "2", "--order", "reversed"},
		{"-j", "2", "--order", "shuffled:7"},
		{"-j", "1", "--order", "shuffled:12345"},
	};
	char *first = NULL;
	for (size_t v = 0; v < sizeof(variants) / sizeof(variants[0]); v++) {
		/* dualstack-v6only is the dualstack matrix under a bindv6only=1
		 * profile, and its cases run in place in namespaces made with
		 * that profile: mixed in any order with the plain matrix, a
		 * namespace that kept the wrong setting would flip verdicts. */
		struct bc_suite_out r = run("run", "cases/dualstack.tbl", "cases/dualstack-v6only.tbl", "cases/args.tbl",
				   "cases/addrinuse.tbl", variants[v][0], variants[v][1], variants[v][2], variants[v][3], NULL);
		CU_ASSERT_EQUAL(r.status, 0);
		/* The verdict lines, sorted: the same set whatever the order. */
		char *lines[1024];
		int n = 0;
		for (char *save = NULL, *l = strtok_r(r.out, "\n", &save); l && n < 1024; l = strtok_r(NULL, "\n", &save))
			if (!strncmp(l, "PASS", 4) || !strncmp(l, "FAIL", 4) || !strncmp(l, "XFAIL", 5) || !strncmp(l, "XPASS", 5) ||
			    !strncmp(l, "SKIP", 4) || !strncmp(l, "ERROR", 5))
				lines[n++] = l;
		qsort(lines, (size_t)n, sizeof(lines[0]), (int (*)(const void *, const void *))strcmp_ptr);
		size_t len = 0;
		for (int i = 0; i < n; i++)
			len += strlen(lines[i]) + 1;
		char *joined = calloc(len + 1, 1);
		for (int i = 0; i < n && joined; i++)
			strcat(strcat(joined, lines[i]), "\n");
		CU_ASSERT(n == 379);
		if (!first)
			first = joined;
		else {
			if (!joined || strcmp(first, joined) != 0)
				BC_FAILF("verdicts with %s %s %s %s differ from -j 1 in file order", variants[v][0], variants[v][1],
					 variants[v][2] ? variants[v][2] : "", variants[v][3] ? variants[v][3] : "");
			free(joined);
		}
		bc_suite_out_free(&r);
	}
	free(first);
}

/* Cases whose profile only sets namespace sysctls run in place, in a
 * namespace the worker made with that profile; results.json says so. */
static void sysctl_profiles_run_in_place(void)
{
	char json[128];
	snprintf(json, sizeof(json), "%s/v6only.json", dir);
	struct bc_suite_out r = run("run", "cases/dualstack-v6only.tbl", "--json", json, NULL);
	CU_ASSERT_EQUAL(r.status, 0);
	bc_suite_out_free(&r);
	json_t *root = load_results(json);
	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	size_t in_place = 0, n = json_array_size(json_object_get(root, "cases"));
	for (size_t i = 0; i < n; i++)
		in_place += strcmp(case_field(root, i, "isolation"), "in-place") == 0;
	CU_ASSERT_EQUAL(n, 132);
	CU_ASSERT_EQUAL(in_place, n);
	json_decref(root);
}

/* A case that connects runs in place too, and the worker makes a fresh
 * namespace after it; one that hangs in place is killed with its worker
 * and reported with the step it hung in, and the case after it runs in a
 * fresh worker. */
static void connecting_cases_run_in_place(void)
{
	char json[128];
	const char *path = write_text("conn.tbl", "timeout 300ms\n"
				  "scenario talk\n    socket l inet stream\n    bind l 127.0.0.1:0\n    getsockname l P\n"
				  "    listen l 1\n    socket c inet stream\n  ? connect c 127.0.0.1:P\n  ? accept l a\n"
				  "scenario wait\n    socket l inet stream\n    bind l 127.0.0.1:0\n    listen l 1\n  ? accept l a\n"
				  "scenario linger\n    socket l inet stream\n    bind l 127.0.0.1:5000\n    listen l 1\n"
				  "    socket c inet stream\n    connect c 127.0.0.1:5000\n    accept l a\n    close a\n  ? close c\n"
				  "scenario rebind\n  ? socket x inet stream\n  ? bind x 127.0.0.1:5000\n"
				  "id scenario expect source\n"
				  "a talk ok,ok \"connect(2), accept(2)\"\n"
				  "b wait ok \"accept(2) blocks: this case hangs\"\n"
				  "c talk ok,ok \"connect(2), accept(2)\"\n"
				  "d linger ok \"the server closes first: its end of the connection is in TIME_WAIT on port 5000\"\n"
				  "e rebind ok,ok \"a fresh namespace has no TIME_WAIT on port 5000\"\n");
	snprintf(json, sizeof(json), "%s/conn.json", dir);
	struct bc_suite_out r = run("run", path, "-j", "1", "--json", json, NULL);
	CU_ASSERT_EQUAL(r.status, 1);
	bc_suite_out_free(&r);
	json_t *root = load_results(json);
	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	CU_ASSERT_EQUAL_FATAL(json_array_size(json_object_get(root, "cases")), 5);
	const char *v[5], *iso[5];
	for (size_t i = 0; i < 5; i++) {
		v[i] = case_field(root, i, "verdict");
		iso[i] = case_field(root, i, "isolation");
	}
	CU_ASSERT_STRING_EQUAL(v[0], "pass");
	CU_ASSERT_STRING_EQUAL(iso[0], "in-place");
	CU_ASSERT_STRING_EQUAL(v[1], "error");
	const char *why = case_field(root, 1, "reason");
	CU_ASSERT_PTR_NOT_NULL(why && strstr(why, "timeout: killed after 300 ms in step 4 (accept l a)"));
	if (why && !strstr(why, "in step 4"))
		BC_FAILF("reason: %s", why);
	CU_ASSERT_STRING_EQUAL(v[2], "pass");
	CU_ASSERT_STRING_EQUAL(iso[2], "in-place");
	/* d left a TIME_WAIT on port 5000 in its worker's namespace; e, on the
	 * same worker, must not see it. */
	CU_ASSERT_STRING_EQUAL(v[3], "pass");
	CU_ASSERT_STRING_EQUAL(v[4], "pass");
	CU_ASSERT_STRING_EQUAL(iso[4], "in-place");
	json_decref(root);
}

/* A case with a target runs in place, and its target sets up the
 * profile's host name and name files for itself: they must not stay with
 * the worker, from which the next case's sandbox is forked.  The second
 * row looks up the name only the first row's profile knows, without a
 * profile of its own. */
static void target_names_stay_with_the_target(void)
{
	char json[128];
	const char *path = write_text("names.tbl", "timeout 5s\n"
				  "profile private\n    hostname leakcheck\n    hosts 127.0.0.1 bindcheck-leak-check\n"
				  "    sysctl net.core.somaxconn 512\n" /* so that the worker makes a namespace for it */
				  "target ref\n    command @bindcheck serve bindcheck-leak-check 8080\n"
				  "    ready \"bindcheck serve: ready\"\n    grace 5s\n"
				  "scenario up\n  ? run ref\n  ? listening\n"
				  "scenario look\n  ? resolve R bindcheck-leak-check 8080 type=stream\n"
				  "id scenario profile expect source\n"
				  "a up private =running,=127.0.0.1:8080 \"the reference path resolves its profile's name\"\n"
				  "b look - EAI_NONAME|EAI_AGAIN \"getaddrinfo(3): a name in no hosts file (DNS, if tried, is unreachable)\"\n");
	snprintf(json, sizeof(json), "%s/names.json", dir);
	struct bc_suite_out r = run("run", path, "-j", "1", "--json", json, NULL);
	CU_ASSERT_EQUAL(r.status, 0);
	bc_suite_out_free(&r);
	json_t *root = load_results(json);
	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	CU_ASSERT_EQUAL_FATAL(json_array_size(json_object_get(root, "cases")), 2);
	CU_ASSERT_STRING_EQUAL(case_field(root, 0, "isolation"), "in-place");
	for (size_t i = 0; i < 2; i++)
		if (strcmp(case_field(root, i, "verdict"), "pass") != 0)
			BC_FAILF("row %zu: %s (%s)", i, case_field(root, i, "verdict"), case_field(root, i, "observed"));
	json_decref(root);
}

static void platform_profile_changes_the_platform(void)
{
	char json[128];
	const char *path = write_text("pp.tbl", "scenario s\n    socket a inet6 stream\n    socket b inet stream\n    bind a [::]:0\n"
					       "    getsockname a P\n  ? bind b 0.0.0.0:P\nid expect source\n"
					       "dual EADDRINUSE \"catalog DS-02\"\n");
	snprintf(json, sizeof(json), "%s/pp.json", dir);
	struct bc_suite_out r = run("run", path, "--platform-profile", "bindv6only", "--json", json, NULL);
	CU_ASSERT_EQUAL(r.status, 1); /* [::] no longer takes IPv4: the bind succeeds */
	bc_suite_out_free(&r);
	json_t *root = load_results(json);
	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	const json_t *plat = json_object_get(root, "platform");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(plat, "profile")), "bindv6only");
	CU_ASSERT_PTR_NOT_NULL(strstr(json_string_value(json_object_get(plat, "id")), "+bindv6only"));
	CU_ASSERT_STRING_EQUAL(case_field(root, 0, "observed"), "ok");
	json_decref(root);
	r = run("run", path, "--platform-profile", "bsd", NULL);
	CU_ASSERT_EQUAL(r.status, 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "unknown --platform-profile 'bsd'"));
	bc_suite_out_free(&r);
}

static void usage_errors_exit_2(void)
{
	struct bc_suite_out r = run("frobnicate", NULL);
	CU_ASSERT_EQUAL(r.status, 2);
	bc_suite_out_free(&r);
	r = run("run", "--no-such-option", NULL);
	CU_ASSERT_EQUAL(r.status, 2);
	bc_suite_out_free(&r);
	r = run("run", "cases", "--filter", "nothing/matches-this", NULL);
	CU_ASSERT_EQUAL(r.status, 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "no case matches the filter"));
	bc_suite_out_free(&r);
	r = run("report", "/nonexistent.json", NULL);
	CU_ASSERT_EQUAL(r.status, 2);
	bc_suite_out_free(&r);
	/* A report that cannot be written says why, with the errno. */
	const char *path = write_text("u.tbl", GOOD "a 127.0.0.1:0 ok s\n");
	r = run("run", path, "--json", "/dev/null/r.json", "--html", "/dev/null/p.html", "--report-dir", "/dev/null/d", NULL);
	CU_ASSERT_EQUAL(r.status, 2);
	static const char *const said[] = {"cannot write /dev/null/r.json: Not a directory\n",
					   "cannot write /dev/null/p.html: Not a directory\n", "cannot create /dev/null/d/"};
	for (size_t i = 0; i < sizeof(said) / sizeof(said[0]); i++)
		if (!strstr(r.err, said[i]))
			BC_FAILF("wanted '%s' in:\n%s", said[i], r.err);
	bc_suite_out_free(&r);
}

static void list_names_every_case(void)
{
	const char *path = write_text("l.tbl", GOOD "a 127.0.0.1:0 ok s\nb 127.0.0.1:0 ok s\n");
	struct bc_suite_out r = run("list", path, NULL);
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "l/a\t"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "l/b\t"));
	/* The count comes last, on stdout. */
	size_t len = strlen(r.out);
	CU_ASSERT(len >= 8 && strcmp(r.out + len - 8, "2 cases\n") == 0);
	CU_ASSERT_PTR_NULL(strstr(r.err, "cases"));
	bc_suite_out_free(&r);
}

/* Why the run as uid 65534 cannot be tested here, or NULL: it needs root,
 * and a checkout and build that uid can read (checked in a child that
 * becomes it, as run() does). */
static const char *unprivileged_run_skip(void)
{
	if (geteuid() != 0)
		return "run as root to test a run as uid 65534";
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		if (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0)
			_exit(EXIT_NO_ACCESS);
		_exit(access(BINDCHECK, X_OK) < 0 || access("cases", R_OK | X_OK) < 0 ? EXIT_NO_ACCESS : 0);
	}
	int ws;
	if (pid < 0 || waitpid(pid, &ws, 0) != pid || !WIFEXITED(ws) || WEXITSTATUS(ws) != 0)
		return "uid 65534 cannot read this checkout or its build";
	return NULL;
}

/* The whole default run as uid 65534: cases that need another identity are
 * skipped with the reason; nothing fails, nothing errors.  Registered
 * inactive where it cannot run (unprivileged_run_skip). */
static void unprivileged_run_has_no_failures(void)
{
	run_uid = 65534;
	struct bc_suite_out r = run("run", "cases", NULL);
	if (r.status == EXIT_NO_ACCESS)
		BC_FAILF("uid 65534 could not run %s, though it could when the test was registered", BINDCHECK);
	const char *sum = strstr(r.out, "summary: ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(sum);
	/* What failed, by name and why, not only how many. */
	char failed[4096];
	int nfailed = bc_suite_failing_cases(r.out, failed, sizeof(failed));
	if (r.status != 0 || nfailed != 0)
		BC_FAILF("as uid 65534, exit %d: %.*s\n        %s", r.status, (int)strcspn(sum, "\n"), sum, failed);
	/* Every skip says why. */
	CU_ASSERT_PTR_NULL(strstr(r.out, "SKIP  privileged/PRIV-01.v4-80\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "SKIP  privileged/PRIV-01.v4-80 (profile nobody: uid 65534 is not available here"));
	bc_suite_out_free(&r);
}

int bc_suite_cli(void)
{
	CU_pSuite s = CU_add_suite("unit/cli", setup, teardown);
	if (!s)
		return -1;
	BC_ADD(s, malformed_tables_exit_2);
	BC_ADD(s, usage_errors_exit_2);
	BC_ADD(s, list_names_every_case);
	/* These run cases, which needs a private network namespace. */
	BC_ADD_NETNS(s, wrong_row_exits_1_and_reruns);
	BC_ADD_NETNS(s, passing_run_writes_reports);
	const char *why = unprivileged_run_skip();
	if (why ? bc_suite_add_test_unless(s, "unprivileged_run_has_no_failures", unprivileged_run_has_no_failures, why) < 0
		: bc_suite_add_netns_test(s, "unprivileged_run_has_no_failures", unprivileged_run_has_no_failures) < 0)
		return -1;
	BC_ADD_NETNS(s, merge_finds_disagreements);
	BC_ADD_NETNS(s, platform_profile_changes_the_platform);
	BC_ADD_NETNS(s, order_and_jobs_do_not_change_verdicts);
	BC_ADD_NETNS(s, sysctl_profiles_run_in_place);
	BC_ADD_NETNS(s, connecting_cases_run_in_place);
#if defined(__SANITIZE_ADDRESS__)
	if (bc_suite_add_test_unless(s, "target_names_stay_with_the_target", target_names_stay_with_the_target,
				     "an AddressSanitizer bindcheck cannot run a target under libfiu's preload (its cases are skipped)") < 0)
		return -1;
#else
	BC_ADD_NETNS(s, target_names_stay_with_the_target);
#endif
	return 0;
}
