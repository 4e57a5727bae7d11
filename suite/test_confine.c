/* selftest/confine: the walls around cases hold (exec/confine.h).
 *
 *  - cases/selftest/confine.tbl: targets run as root try to write the host's
 *    files, remount, unmount, enter a host process's namespaces, see or
 *    signal host processes, write kernel settings, reach a disk, rename the
 *    host, add a key to the host's keyrings, connect to a daemon's socket
 *    in /run, open the terminal, take real-time priority.  Every row must pass (the attempt refused, or landed inside the
 *    case) at both isolation levels, and afterwards the directory they aim
 *    at must be byte for byte what it was, and no probe file may be on the
 *    host.
 *  - An interrupted run (SIGINT or SIGTERM to its process group, and
 *    SIGKILL to the runner) leaves no process behind, not even a target
 *    that ignores those signals; the first two exit 130 and 143 with a
 *    report marked interrupted, and no scratch directory is left in
 *    $TMPDIR. */
#define _GNU_SOURCE /* setenv, kill */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exec/pool.h"
#include "exec/runner.h"
#include "exec/scratch.h"
#include "suite.h"
#include "table/table.h"

#define CONFINE_TABLE "cases/selftest/confine.tbl"
#define PROBE_TMP "/tmp/bindcheck-escape-probe"
#define PROBE_ETC "/etc/bindcheck-escape"
/* What the interrupted run's target runs: found by its command line. */
#define LINGERER "117.5"

static struct bc_runner runner;
static struct bc_table table;
static char dir[PATH_MAX];
/* A unix socket listening on the host under /run, where daemons keep
 * theirs: a target run as root must not reach it. */
static char runsock[108];
static int runsock_fd = -1;

static void listen_in_run(void)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(runsock, sizeof(runsock), "/run/bindcheck-escape-%d.sock", (int)getpid());
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", runsock);
	unlink(runsock);
	runsock_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (runsock_fd < 0 || bind(runsock_fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(runsock_fd, 16) < 0) {
		/* no /run to listen in: the row says so (exit 3) */
		if (runsock_fd >= 0)
			close(runsock_fd);
		runsock_fd = -1;
		return;
	}
	setenv("BC_ESCAPE_RUNSOCK", runsock, 1);
}

/* Does the host's /proc/keys hold a key a row added? */
static bool key_left(void)
{
	char line[512];
	bool found = false;
	FILE *f = fopen("/proc/keys", "re");
	while (f && !found && fgets(line, sizeof(line), f))
		found = strstr(line, "bindcheck-escape") != NULL;
	if (f)
		fclose(f);
	return found;
}

/* Where the directory the attempts aim at is made: not under /tmp or
 * /var/tmp, which a case sees through an overlay or a tmpfs of its own (an
 * attempt there would "succeed", privately).  The build directory, else
 * $HOME (a checkout in /tmp, as a CI job may make); NULL when neither will
 * do. */
static const char *aim_parent(void)
{
	static char buf[PATH_MAX / 2];
	char cwd[PATH_MAX / 4], real[PATH_MAX];
	const char *home = getenv("HOME");
	if (!getcwd(cwd, sizeof(cwd)))
		return NULL;
	snprintf(buf, sizeof(buf), "%s/%s", BC_BUILD_DIR[0] == '/' ? "" : cwd, BC_BUILD_DIR);
	for (int k = 0; k < 2; k++, snprintf(buf, sizeof(buf), "%s", home ? home : "")) {
		if (!realpath(buf, real) || strncmp(real, "/tmp", 4) == 0 || strncmp(real, "/var/tmp", 8) == 0 ||
		    access(real, W_OK) < 0 || strlen(real) >= sizeof(buf))
			continue;
		snprintf(buf, sizeof(buf), "%s", real);
		return buf;
	}
	return NULL;
}

static int setup(void)
{
	const char *parent = aim_parent();
	if (!parent)
		return -1;
	snprintf(dir, sizeof(dir), "%s/.bc-confine-XXXXXX", parent);
	if (!mkdtemp(dir))
		return -1;
	char path[PATH_MAX + 16];
	snprintf(path, sizeof(path), "%s/file", dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, "host data\n", 10) != 10 || close(fd) < 0)
		return -1;
	char pid[24];
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	setenv("BC_ESCAPE_DIR", dir, 1);
	setenv("BC_ESCAPE_PID", pid, 1);
	unlink(PROBE_TMP);
	listen_in_run();
	bc_runner_init(&runner, "bindcheck");
	runner.pooled = true;
	return bc_suite_read_table(CONFINE_TABLE, NULL, &table, 21);
}

static int teardown(void)
{
	bc_table_free(&table);
	bc_scratch_remove(dir);
	unsetenv("BC_ESCAPE_DIR");
	unsetenv("BC_ESCAPE_PID");
	unsetenv("BC_ESCAPE_RUNSOCK");
	if (runsock_fd >= 0) {
		close(runsock_fd);
		unlink(runsock);
	}
	return 0;
}

/* Every entry of dir: name, mode, owner, size, contents. */
static void fingerprint(char *out, size_t n)
{
	size_t off = 0;
	DIR *d = opendir(dir);
	out[0] = '\0';
	for (struct dirent *e; d && (e = readdir(d));) {
		char path[PATH_MAX + 300], data[64] = "";
		struct stat sb;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (lstat(path, &sb) < 0)
			continue;
		int fd = S_ISREG(sb.st_mode) ? open(path, O_RDONLY | O_CLOEXEC) : -1;
		ssize_t k = fd >= 0 ? read(fd, data, sizeof(data) - 1) : 0;
		data[k > 0 ? k : 0] = '\0';
		if (fd >= 0)
			close(fd);
		off += (size_t)snprintf(out + off, off < n ? n - off : 0, "%s %o %d %lld %s|", e->d_name,
					(unsigned)sb.st_mode, (int)sb.st_uid, (long long)sb.st_size, data);
	}
	if (d)
		closedir(d);
}

static struct bc_case_result results[32];

static void keep(void *arg, int index, const struct bc_case_result *res)
{
	(void)arg;
	if (index < 32)
		results[index] = *res;
}

static void escape_attempts_are_refused(void)
{
	char before[4096], after[4096], host[256], host_after[256];
	const struct bc_case *list[32];
	static const enum bc_isolation levels[] = {BC_ISO_AUTO, BC_ISO_SANDBOX};
	fingerprint(before, sizeof(before));
	gethostname(host, sizeof(host));
	CU_ASSERT_FATAL(table.ncases <= 32);
	for (int i = 0; i < table.ncases; i++)
		list[i] = &table.cases[i];
	for (size_t l = 0; l < 2; l++) {
		runner.isolation = levels[l];
		bc_run_cases(&runner, list, table.ncases, 2, keep, NULL);
		for (int i = 0; i < table.ncases; i++)
			if (results[i].j.verdict != BC_PASS)
				BC_FAILF("confine/%s (%s): %s, observed %s (%s)", table.cases[i].id,
					 l ? "sandbox" : "in place", bc_verdict_name(results[i].j.verdict),
					 results[i].j.observed_text, results[i].j.reason);
	}
	runner.isolation = BC_ISO_AUTO;
	fingerprint(after, sizeof(after));
	if (strcmp(before, after) != 0)
		BC_FAILF("the host directory the attempts aim at changed:\n  before %s\n  after  %s", before, after);
	if (access(PROBE_TMP, F_OK) == 0 || access(PROBE_ETC, F_OK) == 0)
		BC_FAILF("a probe file reached the host: %s or %s", PROBE_TMP, PROBE_ETC);
	if (key_left())
		BC_FAILF("a key named bindcheck-escape is in the host's keyrings (/proc/keys)");
	gethostname(host_after, sizeof(host_after));
	CU_ASSERT_STRING_EQUAL(host, host_after);
}

/* --- interruption --------------------------------------------------- */

/* Host processes whose command line has the lingerer's mark. */
static int lingerers(void)
{
	int n = 0;
	DIR *d = opendir("/proc");
	for (struct dirent *e; d && (e = readdir(d));) {
		char path[300], buf[512];
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/cmdline", e->d_name);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		ssize_t k = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
		if (fd >= 0)
			close(fd);
		if (k <= 0)
			continue;
		buf[k] = '\0';
		if (strcmp(buf, "sleep") == 0 && (size_t)k > 6 && strcmp(buf + 6, LINGERER) == 0)
			n++;
	}
	if (d)
		closedir(d);
	return n;
}

/* Entries in the $TMPDIR the interrupted runs are given (a case's own
 * scratch directory is in its worker's private /tmp; the runner itself
 * must not leave one there either). */
static int scratch_dirs(const char *tmpdir)
{
	int n = 0;
	DIR *d = opendir(tmpdir);
	for (struct dirent *e; d && (e = readdir(d));)
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

static const char hang_table[] =
	"table interrupted\n"
	"timeout 60s\n\n"
	"target stubborn\n"
	"    command /bin/sh -c \"trap '' INT TERM HUP; echo up; exec sleep " LINGERER "\"\n"
	"    ready \"up\"\n"
	"    grace 5s\n\n"
	"scenario stays\n"
	"  ? run   stubborn\n"
	"  ? hostile hang 1\n\n"
	"scenario hangs\n"
	"    socket s inet stream\n"
	"  ? hostile hang 1\n\n"
	"id        scenario  expect       source\n"
	"stubborn  stays     =running,ok  \"a target that ignores SIGINT, SIGTERM and SIGHUP\"\n"
	"hang      hangs     ok           \"a case that never ends\"\n";

/* Start bindcheck on the hanging table and the dual-stack one in a process
 * group of its own, wait until the target is up, send sig, and wait (at
 * most 20 s) for the runner.  Its wait status, or -1. */
static int interrupt_run(int sig, const char *tbl, const char *json, const char *tmpdir)
{
	pid_t pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		setenv("TMPDIR", tmpdir, 1);
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		dup2(null, 2);
		execl(BC_BUILD_DIR "/bindcheck", "bindcheck", "run", tbl, "cases/dualstack.tbl", "--jobs", "2", "--json",
		      json, (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);
	int st = -1;
	for (int i = 0; i < 100 && lingerers() == 0; i++)
		usleep(50 * 1000);
	if (lingerers() == 0)
		BC_FAILF("signal %d: the target that ignores it never came up", sig);
	usleep(200 * 1000);
	if (sig == SIGKILL)
		kill(pid, sig);
	else
		kill(-pid, sig);
	for (int i = 0; i < 400; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return st;
		usleep(50 * 1000);
	}
	kill(-pid, SIGKILL);
	waitpid(pid, &st, 0);
	BC_FAILF("the runner did not end within 20 s of signal %d", sig);
	return -1;
}

static void check_report(const char *json, const char *signame)
{
	json_error_t err;
	json_t *root = json_load_file(json, 0, &err);
	if (!root) {
		BC_FAILF("%s: the partial report is not valid JSON: %s (line %d)", signame, err.text, err.line);
		return;
	}
	size_t ran = json_array_size(json_object_get(root, "cases"));
	json_int_t planned = json_integer_value(json_object_get(root, "planned"));
	if (!json_is_true(json_object_get(root, "interrupted")) ||
	    strcmp(json_string_value(json_object_get(root, "interrupted_by")) ? json_string_value(
		   json_object_get(root, "interrupted_by")) : "", signame) != 0 ||
	    planned < 2 || ran >= (size_t)planned)
		BC_FAILF("%s: report not marked as interrupted by it (%zu of %lld cases)", signame, ran, (long long)planned);
	json_decref(root);
}

static void interrupted_run_leaves_nothing(void)
{
	static const struct {
		int sig, code;
		const char *name;
	} runs[] = {{SIGINT, 130, "SIGINT"}, {SIGTERM, 143, "SIGTERM"}, {SIGKILL, -1, "SIGKILL"}};
	char tbl[PATH_MAX + 32], json[PATH_MAX + 32], tmpdir[PATH_MAX + 32];
	snprintf(tmpdir, sizeof(tmpdir), "%s/tmp", dir);
	CU_ASSERT_EQUAL_FATAL(mkdir(tmpdir, 01777), 0);
	snprintf(tbl, sizeof(tbl), "%s/interrupted.tbl", dir);
	snprintf(json, sizeof(json), "%s/interrupted.json", dir);
	FILE *f = fopen(tbl, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(hang_table, f);
	fclose(f);
	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		unlink(json);
		int st = interrupt_run(runs[i].sig, tbl, json, tmpdir);
		if (runs[i].code >= 0 && !(WIFEXITED(st) && WEXITSTATUS(st) == runs[i].code))
			BC_FAILF("%s: wait status %#x; wanted exit %d", runs[i].name, (unsigned)st, runs[i].code);
		if (runs[i].code >= 0)
			check_report(json, runs[i].name);
		/* Killed outright, the runner takes its workers along, and
		 * with them everything they ran (PID namespaces). */
		for (int k = 0; k < 40 && lingerers(); k++)
			usleep(50 * 1000);
		if (lingerers())
			BC_FAILF("%s: %d process(es) of the run still alive", runs[i].name, lingerers());
		if (scratch_dirs(tmpdir))
			BC_FAILF("%s: %d scratch directories left in $TMPDIR", runs[i].name, scratch_dirs(tmpdir));
	}
}

int bc_suite_confine(void)
{
	CU_pSuite s = CU_add_suite("selftest/confine", setup, teardown);
	if (!s)
		return -1;
	if (!aim_parent()) {
		static const char why[] = "no host directory outside /tmp and /var/tmp to aim at (the build directory "
					  "and $HOME are under them, or cannot be written)";
		return bc_suite_add_test_unless(s, "escape_attempts_are_refused", escape_attempts_are_refused, why) < 0 ||
				       bc_suite_add_test_unless(s, "interrupted_run_leaves_nothing",
								interrupted_run_leaves_nothing, why) < 0
			       ? -1
			       : 0;
	}
	if (bc_suite_add_netns_test(s, "escape_attempts_are_refused", escape_attempts_are_refused) < 0 ||
	    bc_suite_add_netns_test(s, "interrupted_run_leaves_nothing", interrupted_run_leaves_nothing) < 0)
		return -1;
	return 0;
}
