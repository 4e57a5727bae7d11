/* unit/install: an installation staged under a temporary DESTDIR (ci/install,
 * what make install runs) is complete, its bindcheck finds its own files
 * (the fault preload, the default tables) from where it was installed, the
 * environment overrides them, and make uninstall takes it all away; and
 * ci/install-deps, which installs what the build needs, removes nothing. */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec/paths.h"
#include "exec/runner.h"
#include "report/write.h"
#include "exec/scratch.h"
#include "suite.h"
#include "table/table.h"

#ifndef BC_BUILD_DIR
#define BC_BUILD_DIR "build"
#endif

#define FAULT_ROW "faults/FI-01.every-bind"
#define PLAIN_ROW "args/ARG-03.ltp-bind01"

static char root[] = "/tmp/bc-install-XXXXXX";
static char bin[256], share[256], libexec[256];
/* Why the fault row cannot pass here (no libfiu, an ASan build), or NULL. */
static const char *fault_skip;

struct proc {
	int status;
	char out[1 << 18], err[4096];
};

static void slurp(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "r");
	size_t k = f ? fread(buf, 1, n - 1, f) : 0;
	buf[k] = '\0';
	if (f)
		fclose(f);
}

/* In the child, before the exec: no BINDCHECK_* of ours, the test's
 * environment, its working directory. */
struct place {
	const char *cwd;
	const char *const *env;
};

static int settle(void *arg)
{
	const struct place *pl = arg;
	unsetenv(BC_ENV_LIBEXECDIR);
	unsetenv(BC_ENV_DATADIR);
	for (int i = 0; pl->env && pl->env[i]; i++) {
		char name[64];
		size_t k = strcspn(pl->env[i], "=");
		snprintf(name, sizeof(name), "%.*s", (int)k, pl->env[i]);
		setenv(name, pl->env[i] + k + (pl->env[i][k] == '='), 1);
	}
	return chdir(pl->cwd) < 0 ? 126 : 0;
}

/* argv run in the directory cwd with env ("NAME=VALUE", NULL-terminated)
 * added to ours; BINDCHECK_* are always unset first. */
static void run_in(struct proc *p, const char *cwd, const char *const *env, const char *arg0, ...)
{
	char *argv[24], opath[300], epath[300];
	int n = 0;
	va_list ap;
	va_start(ap, arg0);
	for (const char *a = arg0; a && n < 23; a = va_arg(ap, const char *))
		argv[n++] = (char *)a;
	va_end(ap);
	argv[n] = NULL;
	snprintf(opath, sizeof(opath), "%s/out", root);
	snprintf(epath, sizeof(epath), "%s/err", root);
	struct place pl = {cwd, env};
	pid_t pid = bc_suite_spawn(opath, epath, argv, settle, &pl);
	int ws;
	p->status = pid > 0 && waitpid(pid, &ws, 0) == pid && WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
	slurp(opath, p->out, sizeof(p->out));
	slurp(epath, p->err, sizeof(p->err));
}

static bool exists(const char *dir, const char *rel, mode_t want)
{
	char path[512];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	return stat(path, &st) == 0 && (st.st_mode & want) == want;
}

static const char *verdict_of(const json_t *results, const char *name, const char **reason)
{
	const json_t *c;
	size_t i;
	json_array_foreach(json_object_get(results, "cases"), i, c)
	{
		char full[256];
		snprintf(full, sizeof(full), "%s/%s", json_string_value(json_object_get(c, "table")),
			 json_string_value(json_object_get(c, "id")));
		if (strcmp(full, name) == 0) {
			*reason = json_string_value(json_object_get(c, "reason"));
			return json_string_value(json_object_get(c, "verdict"));
		}
	}
	*reason = NULL;
	return "(not run)";
}

static int setup(void)
{
	static struct proc p;
	if (!mkdtemp(root))
		return -1;
	snprintf(bin, sizeof(bin), "%s/usr/bin/bindcheck", root);
	snprintf(share, sizeof(share), "%s/usr/share/bindcheck", root);
	snprintf(libexec, sizeof(libexec), "%s/usr/libexec/bindcheck", root);
	run_in(&p, ".", NULL, "ci/install", "--build", BC_BUILD_DIR, "--destdir", root, "--prefix", "/usr", NULL);
	if (p.status != 0)
		fprintf(stderr, "ci/install: exit %d\n%s%s", p.status, p.out, p.err);
	return p.status == 0 ? 0 : -1;
}

static int teardown(void)
{
	bc_scratch_remove(root);
	return 0;
}

static void installs_every_file(void)
{
	static const struct {
		const char *path;
		mode_t mode;
	} files[] = {
		{"usr/bin/bindcheck", S_IFREG | S_IXUSR | S_IXOTH},
		{"usr/libexec/bindcheck/bc_fiu.so", S_IFREG | S_IROTH},
		{"usr/share/bindcheck/cases/faults.tbl", S_IFREG | S_IROTH},
		{"usr/share/bindcheck/cases/README.md", S_IFREG | S_IROTH},
		{"usr/share/bindcheck/cases/selftest/hostile.tbl", S_IFREG | S_IROTH},
		{"usr/share/bindcheck/cases/targets/recipe.py", S_IFREG | S_IROTH},
		{"usr/share/man/man1/bindcheck.1", S_IFREG | S_IROTH},
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (!exists(root, files[i].path, files[i].mode))
			BC_FAILF("DESTDIR/%s is missing or has the wrong mode", files[i].path);
}

/* With no table argument and no ./cases, the installed tables. */
static void installed_bindcheck_lists_installed_tables(void)
{
	static struct proc p;
	char want[400];
	run_in(&p, root, NULL, bin, "list", NULL);
	CU_ASSERT_EQUAL(p.status, 0);
	snprintf(want, sizeof(want), "faults/FI-01.every-bind\t%s/usr/bin/../share/bindcheck/cases/faults.tbl:", root);
	if (!strstr(p.out, want))
		BC_FAILF("bindcheck list in %s does not list the installed tables (wanted '%s'):\n%.600s%s", root, want, p.out,
			 p.err);
	/* BINDCHECK_DATADIR overrides: a directory with a table of its own. */
	char alt[300], env[320];
	snprintf(alt, sizeof(alt), "%s/alt/cases", root);
	snprintf(env, sizeof(env), BC_ENV_DATADIR "=%s/alt", root);
	CU_ASSERT_EQUAL_FATAL(bc_report_mkdirs(alt), 0);
	strcat(alt, "/mine.tbl");
	FILE *f = fopen(alt, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("scenario s\n  ? socket h inet stream\nid linux source\na ok s\n", f);
	fclose(f);
	const char *const envs[] = {env, NULL};
	run_in(&p, root, envs, bin, "list", NULL);
	CU_ASSERT_EQUAL(p.status, 0);
	CU_ASSERT_PTR_NULL(strstr(p.out, "faults/"));
	if (strncmp(p.out, "mine/a\t", 7) != 0 || !strstr(p.out, "\n1 cases\n"))
		BC_FAILF("with %s: %s%s", env, p.out, p.err);
}

/* An installed table, run by the installed bindcheck, passes: a plain row,
 * and a fault row, whose target runs under the installed bc_fiu.so. */
static void installed_table_passes(void)
{
	static struct proc p;
	char faults[300], args[300], json[300];
	snprintf(faults, sizeof(faults), "%s/cases/faults.tbl", share);
	snprintf(args, sizeof(args), "%s/cases/args.tbl", share);
	snprintf(json, sizeof(json), "%s/r.json", root);
	run_in(&p, root, NULL, bin, "run", faults, args, "--filter", FAULT_ROW, "--filter", PLAIN_ROW, "--json", json, NULL);
	if (p.status != 0)
		BC_FAILF("the installed bindcheck exited %d:\n%s%s", p.status, p.out, p.err);
	json_error_t err;
	json_t *res = json_load_file(json, 0, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	const char *why, *v = verdict_of(res, PLAIN_ROW, &why);
	CU_ASSERT_STRING_EQUAL(v, "pass");
	v = verdict_of(res, FAULT_ROW, &why);
	if (strcmp(v, fault_skip ? "skip" : "pass") != 0)
		BC_FAILF("%s: %s (%s); wanted %s", FAULT_ROW, v, why ? why : "", fault_skip ? fault_skip : "pass");
	json_decref(res);
	/* BINDCHECK_LIBEXECDIR overrides: the preload is looked for there. */
	char env[320], want[320];
	snprintf(env, sizeof(env), BC_ENV_LIBEXECDIR "=%s/nowhere", root);
	snprintf(want, sizeof(want), "%s/nowhere/bc_fiu.so is missing", root);
	const char *const envs[] = {env, NULL};
	run_in(&p, root, envs, bin, "run", faults, "--filter", FAULT_ROW, NULL);
	CU_ASSERT_EQUAL(p.status, 0);
	if (!fault_skip && !strstr(p.out, want))
		BC_FAILF("with %s: wanted a skip saying '%s':\n%s", env, want, p.out);
}

static void uninstall_removes_it(void)
{
	static struct proc p;
	run_in(&p, ".", NULL, "ci/install", "--uninstall", "--destdir", root, "--prefix", "/usr", NULL);
	CU_ASSERT_EQUAL(p.status, 0);
	static const char *const gone[] = {"usr/bin/bindcheck", "usr/libexec/bindcheck", "usr/share/bindcheck",
					   "usr/share/man/man1/bindcheck.1"};
	for (size_t i = 0; i < sizeof(gone) / sizeof(gone[0]); i++)
		if (exists(root, gone[i], 0))
			BC_FAILF("DESTDIR/%s is still there after uninstall", gone[i]);
}

static void write_exec(const char *dir, const char *name, const char *text)
{
	char path[400];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	chmod(path, 0755);
}

/* ci/install-deps never removes a package: with busybox-static installed,
 * installing busybox would remove it, so busybox is left out, said, and
 * the other missing package is installed.  apt-get, dpkg-query and id are
 * stand-ins on PATH; nothing is installed. */
static void install_deps_removes_nothing(void)
{
	static struct proc p;
	char fake[300], env_path[1400], env_policy[340], env_log[340], log[320], text[4096];
	snprintf(fake, sizeof(fake), "%s/fakebin", root);
	CU_ASSERT_EQUAL_FATAL(bc_report_mkdirs(fake), 0);
	write_exec(fake, "id", "#!/bin/sh\necho 0\n");
	write_exec(fake, "dpkg-query", "#!/bin/sh\ncase $3 in busybox|socat) exit 1 ;; esac\necho 'install ok installed'\n");
	write_exec(fake, "apt-get",
		   "#!/bin/sh\necho \"$*\" >>\"$FAKE_LOG\"\n[ \"$1\" = -s ] || exit 0\n"
		   "for a; do case $a in busybox) echo 'Remv busybox-static [1:1.35]'; echo 'Inst busybox' ;;\n"
		   "socat) echo 'Inst socat' ;; esac; done\n");
	snprintf(log, sizeof(log), "%s/apt.log", root);
	snprintf(env_log, sizeof(env_log), "FAKE_LOG=%s", log);
	snprintf(env_path, sizeof(env_path), "PATH=%s:%s", fake, getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	snprintf(env_policy, sizeof(env_policy), "BC_POLICY_RC_D=%s/policy-rc.d", root);
	const char *const envs[] = {env_path, env_policy, env_log, NULL};
	run_in(&p, ".", envs, "/bin/sh", "ci/install-deps", NULL);
	CU_ASSERT_EQUAL(p.status, 0);
	if (!strstr(p.err, "not installing busybox: apt-get would remove busybox-static (installed)"))
		BC_FAILF("install-deps did not say why busybox is left out:\n%s%s", p.out, p.err);
	slurp(log, text, sizeof(text));
	if (!strstr(text, "\ninstall -y -qq --no-install-recommends socat\n"))
		BC_FAILF("socat was not installed; apt-get calls:\n%s", text);
	for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		if (strncmp(l, "install ", 8) == 0 && strstr(l, "busybox"))
			BC_FAILF("busybox was installed, removing busybox-static: apt-get %s", l);
}

/* bindcheck(1) documents every command and option --help shows: each
 * option somewhere, each command as a paragraph of COMMANDS (".B run"). */
static void man_page_documents_the_help(void)
{
	static struct proc p;
	static char man[1 << 16];
	char word[64];
	run_in(&p, ".", NULL, BC_BUILD_DIR "/bindcheck", "--help", NULL);
	CU_ASSERT_EQUAL(p.status, 0);
	slurp("man/bindcheck.1", man, sizeof(man));
	/* The page as a reader sees its words: troff's \- is a hyphen. */
	char *w = man;
	for (const char *r = man; *r; r++)
		if (!(r[0] == '\\' && r[1] == '-'))
			*w++ = *r;
	*w = '\0';
	int n = 0;
	for (const char *h = p.out; (h = strstr(h, "--")) != NULL; h += 2) {
		size_t len = strspn(h + 2, "abcdefghijklmnopqrstuvwxyz-");
		snprintf(word, sizeof(word), "%.*s", (int)len + 2, h);
		n++;
		if (len && !strstr(man, word))
			BC_FAILF("bindcheck --help shows %s, which bindcheck(1) does not document", word);
	}
	CU_ASSERT(n >= 15);
	for (const char *h = p.out; (h = strstr(h, "bindcheck ")) != NULL; h += 10) {
		size_t len = strspn(h + 10, "abcdefghijklmnopqrstuvwxyz");
		snprintf(word, sizeof(word), ".B %.*s\n", (int)len, h + 10);
		if (len && !strstr(man, word))
			BC_FAILF("bindcheck --help shows the command %.*s, which bindcheck(1) does not describe", (int)len, h + 10);
	}
}

/* Why the fault row cannot pass here, from the build tree's own table. */
static const char *fault_row_skip(void)
{
	static char why[512];
	return bc_suite_row_skip("cases/faults.tbl", FAULT_ROW + strlen("faults/"), why, sizeof(why));
}

int bc_suite_install(void)
{
	CU_pSuite s = CU_add_suite("unit/install", setup, teardown);
	if (!s)
		return -1;
	fault_skip = fault_row_skip();
	if (fault_skip)
		printf("unit/install: %s is expected to skip here: %s\n", FAULT_ROW, fault_skip);
	BC_ADD(s, installs_every_file);
	BC_ADD(s, installed_bindcheck_lists_installed_tables);
	BC_ADD_NETNS(s, installed_table_passes);
	BC_ADD(s, uninstall_removes_it);
	BC_ADD(s, install_deps_removes_nothing);
	BC_ADD(s, man_page_documents_the_help);
	return 0;
}
