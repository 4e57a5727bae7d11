/* How bindcheck writes what it writes: each report is replaced whole (a
 * full disk, a kill in the middle of the write, two runs writing the same
 * file), every verdict line goes out whole, standard output that cannot be
 * written is an error, and input it would misread is refused (results
 * files of the wrong shape, a port serve would wrap). */
#define _GNU_SOURCE /* unshare, CLONE_NEWNS */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exec/scratch.h"
#include "report/replace.h"
#include "suite.h"

#ifndef BC_BUILD_DIR
#define BC_BUILD_DIR "build"
#endif
#define BINDCHECK BC_BUILD_DIR "/bindcheck"

/* Rows of the big table: 600 cases of 40 steps make a results.json of
 * about 3 MB, which takes a while to write. */
#define BIG_ROWS 600

static char dir[] = "/tmp/bc-reports-XXXXXX";

/* dir/name; the same pointer for the same name, for the whole suite. */
static const char *in_dir(const char *name)
{
	static char names[64][64], paths[64][256];
	static int n;
	int i = 0;
	while (i < n && strcmp(names[i], name) != 0)
		i++;
	if (i == n && n < 64) {
		snprintf(names[n], sizeof(names[0]), "%s", name);
		snprintf(paths[n++], sizeof(paths[0]), "%s/%s", dir, name);
	}
	return i < n ? paths[i] : "/nonexistent/too-many-names";
}

/* The whole file at path (NUL-terminated), its length in *len; "" when it
 * cannot be read. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t n = 0;
	FILE *m = open_memstream(&buf, &n);
	int c;
	while (f && m && (c = fgetc(f)) != EOF)
		fputc(c, m);
	if (m)
		fclose(m);
	if (f)
		fclose(f);
	if (len)
		*len = n;
	return buf ? buf : strdup("");
}

static int put(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	size_t w = fwrite(text, 1, len, f);
	return fclose(f) == 0 && w == len ? 0 : -1;
}

static int copy(const char *from, const char *to)
{
	size_t len;
	char *text = slurp(from, &len);
	int rc = put(to, text, len);
	free(text);
	return rc;
}

/* Start bindcheck with args (NULL-terminated), its stdout and stderr into
 * the files out and err. */
static pid_t start(const char *out, const char *err, const char *const *args)
{
	char *argv[24];
	int n = 0;
	argv[n++] = BINDCHECK;
	for (int i = 0; args[i] && n < 23; i++)
		argv[n++] = (char *)args[i];
	argv[n] = NULL;
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644), e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
			_exit(127);
		unsetenv("BC_TARGET_VALGRIND");
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

/* The exit status, 128 + N for signal N, -1 when it cannot be had. */
static int finish(pid_t pid)
{
	int ws;
	if (pid < 0 || waitpid(pid, &ws, 0) != pid)
		return -1;
	return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}

static int run(const char *out, const char *err, const char *const *args)
{
	return finish(start(out, err, args));
}

#define RUN(...) run(in_dir("out"), in_dir("err"), (const char *const[]){__VA_ARGS__, NULL})

/* The names in directory d, sorted, one a line, into buf. */
static void list_dir(const char *d, char *buf, size_t n)
{
	struct dirent **names;
	int k = scandir(d, &names, NULL, alphasort);
	size_t used = 0;
	buf[0] = '\0';
	for (int i = 0; i < k; i++) {
		if (strcmp(names[i]->d_name, ".") != 0 && strcmp(names[i]->d_name, "..") != 0 && used < n)
			used += (size_t)snprintf(buf + used, n - used, "%s\n", names[i]->d_name);
		free(names[i]);
	}
	if (k >= 0)
		free(names);
}

/* A table of rows cases, each 40 steps long (16 handles at most). */
static const char *write_big_table(const char *name, int rows)
{
	const char *path = in_dir(name);
	FILE *f = fopen(path, "w");
	if (!f)
		return path;
	fputs("scenario many\n", f);
	for (int i = 0; i < 15; i++)
		fprintf(f, "    socket s%d inet stream\n    setsockopt s%d SO_REUSEADDR 1\n", i, i);
	for (int i = 0; i < 9; i++)
		fprintf(f, "    getsockopt s%d SO_REUSEADDR\n", i);
	fputs("  ? bind s0 127.0.0.1:0\nid expect source\n", f);
	for (int i = 0; i < rows; i++)
		fprintf(f, "r%d ok \"bind(2)\"\n", i);
	fclose(f);
	return path;
}

/* A results file of one case at path (and its summary at md, unless NULL):
 * the previous report that a failed or stopped write must leave. */
static int write_small_report(const char *path, const char *md)
{
	const char *tbl = in_dir("small.tbl");
	static const char text[] = "scenario s\n    socket h inet stream\n  ? bind h 127.0.0.1:0\nid expect source\n"
				   "one ok \"bind(2)\"\n";
	if (put(tbl, text, strlen(text)) < 0)
		return -1;
	return md ? RUN("run", tbl, "--json", path, "--summary", md) : RUN("run", tbl, "--json", path);
}

/* The number of cases in the results file at path; -1 when it is not whole
 * valid JSON of that shape (results_count.c). */
static long cases_in(const char *path)
{
	const char *sub = in_dir("count"); /* where a native count writes its out and err */
	if (mkdir(sub, 0700) < 0 && errno != EEXIST)
		return -2;
	return bc_suite_results_cases(path, sub);
}

static int count_lines(const char *text, const char *prefix)
{
	int n = 0;
	for (const char *l = text; *l; l += strcspn(l, "\n") + (l[strcspn(l, "\n")] == '\n'))
		n += strncmp(l, prefix, strlen(prefix)) == 0;
	return n;
}

/* In a child with a mount namespace of its own: a 64 KiB tmpfs on mnt that
 * holds the previous report, a run that writes a 3 MB results.json and its
 * summary there, and what the tmpfs holds after it copied out.  The
 * child's exit: the run's, or 100 + the step that failed. */
static void full_disk_child(const char *mnt, const char *big)
{
	char json[300], md[300], listing[256];
	snprintf(json, sizeof(json), "%s/r.json", mnt);
	snprintf(md, sizeof(md), "%s/s.md", mnt);
	if (unshare(CLONE_NEWNS) < 0 || mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0)
		_exit(101);
	if (mount("tmpfs", mnt, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k") < 0)
		_exit(102);
	if (copy(in_dir("prev.json"), json) < 0 || copy(in_dir("prev.md"), md) < 0)
		_exit(103);
	int rc = RUN("run", big, "--json", json, "--summary", md);
	list_dir(mnt, listing, sizeof(listing));
	if (copy(json, in_dir("after.json")) < 0 || copy(md, in_dir("after.md")) < 0 ||
	    put(in_dir("listing"), listing, strlen(listing)) < 0)
		_exit(104);
	_exit(rc);
}

/* A full disk: results.json cannot be written.  The run still prints every
 * verdict and exits 2 naming the path and the errno; the previous file is
 * there byte for byte and no temporary file is left.  The summary, which
 * fits, is written. */
static void full_disk_keeps_the_previous_report(void)
{
	const char *big = write_big_table("full.tbl", BIG_ROWS), *mnt = in_dir("mnt");
	CU_ASSERT_EQUAL_FATAL(write_small_report(in_dir("prev.json"), in_dir("prev.md")), 0);
	CU_ASSERT_EQUAL_FATAL(mkdir(mnt, 0755), 0);
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0)
		full_disk_child(mnt, big);
	int rc = finish(pid);
	size_t la, lb;
	char *before = slurp(in_dir("prev.json"), &la), *after = slurp(in_dir("after.json"), &lb);
	char *out = slurp(in_dir("out"), NULL), *err = slurp(in_dir("err"), NULL), *listing = slurp(in_dir("listing"), NULL);
	char *md = slurp(in_dir("after.md"), NULL), want[400];
	snprintf(want, sizeof(want), "bindcheck: cannot write %s/r.json: No space left on device\n", mnt);
	if (rc != 2 || !strstr(err, want))
		BC_FAILF("exit %d (wanted 2), stderr:\n%s(wanted '%s')", rc, err, want);
	if (la < 100 || la != lb || memcmp(before, after, la) != 0)
		BC_FAILF("the previous results.json (%zu bytes) became %zu bytes", la, lb);
	CU_ASSERT_STRING_EQUAL(listing, "r.json\ns.md\n");
	CU_ASSERT_EQUAL(count_lines(out, "PASS  full/r"), BIG_ROWS);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "summary: 600 cases: 600 pass"));
	CU_ASSERT_PTR_NOT_NULL(strstr(md, "| **all** | 600 |"));
	free(before), free(after), free(out), free(err), free(listing), free(md);
}

/* Whether the run has begun to write its reports: its summary line (printed
 * just before) is in its output at out, or the file at json is no longer
 * the one of *was.  Only what was added to out since *at is read (*at
 * moves on; a few bytes are read again, for a line cut between reads). */
static bool writing(const char *out, off_t *at, const char *json, const struct stat *was)
{
	struct stat now;
	char buf[8192 + 1];
	bool yes = false;
	int fd = open(out, O_RDONLY | O_CLOEXEC);
	for (ssize_t n = 1; fd >= 0 && !yes && n > 0;) {
		off_t from = *at > 16 ? *at - 16 : 0;
		n = pread(fd, buf, sizeof(buf) - 1, from);
		if (n > 0) {
			buf[n] = '\0';
			yes = memmem(buf, (size_t)n, "summary: ", 9) != NULL;
			*at = from + n;
		}
	}
	if (fd >= 0)
		close(fd);
	return yes || (stat(json, &now) == 0 && (now.st_ino != was->st_ino || now.st_size != was->st_size));
}

/* Start a run of table writing results.json to json, and SIGKILL it
 * delay_ms after it began to write; its exit, or -1 when it did not
 * begin within 120 s.  It is not polled: a change in the suite's directory
 * (its output, the report's temporary file; inotify) wakes the check. */
static int kill_during_write(const char *table, const char *json, int delay_ms)
{
	struct stat was;
	if (stat(json, &was) < 0)
		return -1;
	int in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (in >= 0 && inotify_add_watch(in, dir, IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE) < 0) {
		close(in);
		in = -1;
	}
	pid_t pid = start(in_dir("kout"), in_dir("kerr"), (const char *const[]){"run", table, "--json", json, NULL});
	struct timespec tick = {0, 500000}, t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	off_t at = 0;
	bool seen = false;
	for (t = t0; pid > 0 && !(seen = writing(in_dir("kout"), &at, json, &was)) && t.tv_sec - t0.tv_sec < 120;
	     clock_gettime(CLOCK_MONOTONIC, &t)) {
		struct pollfd p = {in, POLLIN, 0};
		char events[4096];
		if (in < 0)
			nanosleep(&tick, NULL);
		else if (poll(&p, 1, 50) > 0)
			while (read(in, events, sizeof(events)) > 0)
				;
	}
	if (in >= 0)
		close(in);
	struct timespec d = {delay_ms / 1000, (delay_ms % 1000) * 1000000L};
	if (seen)
		nanosleep(&d, NULL);
	if (pid > 0)
		kill(pid, SIGKILL);
	int rc = finish(pid);
	return seen ? rc : -1;
}

/* A run killed at several moments of its 3 MB report's write: what is at
 * the path is always a whole results file, the previous one (byte for
 * byte) or the new one. */
static void killed_write_keeps_a_whole_report(void)
{
	static const int delays_ms[] = {0, 2, 5, 10, 20, 35, 50, 80, 120, 200};
	const char *big = write_big_table("kill.tbl", BIG_ROWS), *json = in_dir("k.json");
	CU_ASSERT_EQUAL_FATAL(write_small_report(in_dir("kprev.json"), NULL), 0);
	size_t lp;
	char *prev = slurp(in_dir("kprev.json"), &lp);
	int kept = 0, replaced = 0;
	for (size_t i = 0; i < sizeof(delays_ms) / sizeof(delays_ms[0]); i++) {
		CU_ASSERT_EQUAL_FATAL(copy(in_dir("kprev.json"), json), 0);
		int rc = kill_during_write(big, json, delays_ms[i]);
		long n = cases_in(json);
		size_t la;
		char *now = slurp(json, &la);
		if (rc < 0)
			BC_FAILF("the run did not begin to write its report (delay %d ms)", delays_ms[i]);
		else if (n == 1 && la == lp && memcmp(now, prev, lp) == 0)
			kept++;
		else if (n == BIG_ROWS)
			replaced++;
		else
			BC_FAILF("killed %d ms into the write: %zu bytes at %s, %ld cases (-1: not whole)", delays_ms[i], la,
				 json, n);
		free(now);
	}
	free(prev);
	CU_ASSERT_EQUAL(kept + replaced, (int)(sizeof(delays_ms) / sizeof(delays_ms[0])));
}

/* A run killed while it runs cases, its stdout a file: every line there is
 * whole, and each a verdict. */
static void killed_run_keeps_whole_verdict_lines(void)
{
	const char *big = write_big_table("lines.tbl", BIG_ROWS * 4), *out = in_dir("lout");
	pid_t pid = start(out, in_dir("lerr"), (const char *const[]){"run", big, "-j", "1", NULL});
	struct timespec tick = {0, 1000000};
	struct stat st = {0};
	for (int i = 0; pid > 0 && i < 60000 && (stat(out, &st) < 0 || st.st_size < 8192); i++)
		nanosleep(&tick, NULL);
	kill(pid, SIGKILL);
	CU_ASSERT_EQUAL(finish(pid), 128 + SIGKILL);
	size_t len;
	char *text = slurp(out, &len);
	int lines = count_lines(text, "");
	CU_ASSERT(len >= 8192);
	if (len && text[len - 1] != '\n')
		BC_FAILF("the output ends in the middle of a line: '%s'", strrchr(text, '\n') ? strrchr(text, '\n') + 1 : text);
	if (count_lines(text, "PASS  lines/r") != lines)
		BC_FAILF("%d of %d lines are verdicts", count_lines(text, "PASS  lines/r"), lines);
	free(text);
}

/* Two runs writing the same --json at once, three times over: each leaves
 * a whole file (one run's or the other's) and no temporary file.  Their
 * tables are as long to run, and their results.json of different sizes. */
static void concurrent_runs_leave_a_whole_report(void)
{
	const char *a_tbl = write_big_table("conc.tbl", BIG_ROWS), *b_tbl = write_big_table("concurrent-runs.tbl", BIG_ROWS);
	const char *sub = in_dir("conc");
	char json[300], listing[256];
	CU_ASSERT_EQUAL_FATAL(mkdir(sub, 0755), 0);
	snprintf(json, sizeof(json), "%s/r.json", sub);
	for (int round = 0; round < 3; round++) {
		pid_t a = start(in_dir("aout"), in_dir("aerr"), (const char *const[]){"run", a_tbl, "--json", json, NULL});
		pid_t b = start(in_dir("bout"), in_dir("berr"), (const char *const[]){"run", b_tbl, "--json", json, NULL});
		int ra = finish(a), rb = finish(b);
		long n = cases_in(json);
		if (ra != 0 || rb != 0 || n != BIG_ROWS)
			BC_FAILF("round %d: exits %d and %d, %ld cases in %s (-1: not whole)", round, ra, rb, n, json);
		list_dir(sub, listing, sizeof(listing));
		CU_ASSERT_STRING_EQUAL(listing, "r.json\n");
	}
}

/* Standard output on a full disk: exit 2, and what failed with the errno. */
static void full_stdout_exits_2(void)
{
	const char *tbl = write_big_table("stdout.tbl", 3), *err = in_dir("ferr");
	int rc = run("/dev/full", err, (const char *const[]){"run", tbl, NULL});
	char *text = slurp(err, NULL);
	if (rc != 2 || !strstr(text, "bindcheck: cannot write standard output: No space left on device\n"))
		BC_FAILF("run > /dev/full: exit %d, stderr:\n%s", rc, text);
	free(text);
	rc = run("/dev/full", err, (const char *const[]){"list", tbl, NULL});
	CU_ASSERT_EQUAL(rc, 2);
	/* A report to a full device says the errno too. */
	rc = RUN("run", tbl, "--json", "/dev/full");
	text = slurp(in_dir("err"), NULL);
	if (rc != 2 || !strstr(text, "bindcheck: cannot write /dev/full: No space left on device\n"))
		BC_FAILF("--json /dev/full: exit %d, stderr:\n%s", rc, text);
	free(text);
}

/* A results file with one change made by edit to a whole one. */
static void edited(const char *name, const char *from, void (*edit)(json_t *root))
{
	json_error_t e;
	json_t *root = json_load_file(from, 0, &e);
	if (root) {
		edit(root);
		json_dump_file(root, in_dir(name), JSON_INDENT(2));
	}
	json_decref(root);
}

static void drop_verdict(json_t *root)
{
	json_object_del(json_array_get(json_object_get(root, "cases"), 0), "verdict");
}

static void bad_verdict(json_t *root)
{
	json_object_set_new(json_array_get(json_object_get(root, "cases"), 0), "verdict", json_string("maybe"));
}

static void cases_object(json_t *root)
{
	json_object_set_new(root, "cases", json_object());
}

static void no_platform(json_t *root)
{
	json_object_del(root, "platform");
}

static void step_checked_text(json_t *root)
{
	json_t *c = json_array_get(json_object_get(root, "cases"), 0);
	json_object_set_new(json_array_get(json_object_get(c, "steps"), 1), "checked", json_string("yes"));
}

/* JSON of the wrong shape, given to report and to merge: exit 2, and a
 * message with the file and what is wrong with it. */
static void wrong_shape_results_exit_2(void)
{
	static const struct {
		const char *name, *text;
		void (*edit)(json_t *root);
		const char *said;
	} bad[] = {
		{"array.json", "[]\n", NULL, "the top level is an array, not an object"},
		{"cases3.json", "{\"cases\": 3}\n", NULL, "no \"schema\": \"bindcheck-results\""},
		{"bare.json", "{\"schema\": \"bindcheck-results\", \"schema_version\": 1}\n", NULL, "\"tool\" is missing"},
		{"noverdict.json", NULL, drop_verdict, "\"cases[0].verdict\" is missing"},
		{"maybe.json", NULL, bad_verdict, "\"cases[0].verdict\" is \"maybe\", not one of pass"},
		{"casesobj.json", NULL, cases_object, "\"cases\" is an object, not an array"},
		{"noplat.json", NULL, no_platform, "\"platform\" is missing"},
		{"checked.json", NULL, step_checked_text, "\"cases[0].steps[1].checked\" is a string, not true or false"},
	};
	char good[256], path[256], want[512];
	snprintf(good, sizeof(good), "%s", in_dir("good.json"));
	CU_ASSERT_EQUAL_FATAL(write_small_report(good, NULL), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(path, sizeof(path), "%s", in_dir(bad[i].name));
		if (bad[i].text)
			put(path, bad[i].text, strlen(bad[i].text));
		else
			edited(bad[i].name, good, bad[i].edit);
		snprintf(want, sizeof(want), "bindcheck: %s: not a bindcheck results file: %s", path, bad[i].said);
		for (int merge = 0; merge < 2; merge++) {
			int rc = merge ? RUN("merge", good, path, "--markdown", in_dir("m.md"))
				       : RUN("report", path, "--markdown", in_dir("r.md"));
			char *err = slurp(in_dir("err"), NULL);
			if (rc != 2 || !strstr(err, want))
				BC_FAILF("%s %s: exit %d, stderr:\n%s(wanted exit 2 and '%s')", merge ? "merge" : "report", path,
					 rc, err, want);
			free(err);
		}
	}
	/* The whole file still reads. */
	CU_ASSERT_EQUAL(RUN("report", good, "--markdown", in_dir("r.md")), 0);
	CU_ASSERT_EQUAL(RUN("merge", good, good, "--markdown", in_dir("m.md")), 0);
}

/* serve takes a port number from 0 to 65535 and nothing else (getaddrinfo
 * would take 99999 as 34463, and a service name). */
static void serve_refuses_a_bad_port(void)
{
	static const char *const ports[] = {"99999", "65536", "-1", "http", "80x", ""};
	for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
		char want[128];
		int rc = RUN("serve", "--once", "127.0.0.1", ports[i]);
		char *err = slurp(in_dir("err"), NULL);
		snprintf(want, sizeof(want), "bindcheck serve: bad port '%s': a number from 0 to 65535\n", ports[i]);
		if (rc != 2 || !strstr(err, want))
			BC_FAILF("serve 127.0.0.1 '%s': exit %d, stderr:\n%s", ports[i], rc, err);
		free(err);
	}
}

/* Writes half its text, then fails as a full disk would. */
static int half_then_enospc(void *arg, FILE *out)
{
	(void)arg;
	fputs("{\"half\": ", out);
	fflush(out);
	errno = ENOSPC;
	return -1;
}

static int new_text(void *arg, FILE *out)
{
	return fputs(arg, out) < 0 ? -1 : 0;
}

/* bc_replace_file itself: a failure leaves the previous text and nothing
 * else; a success replaces it, keeps its mode, and keeps a symbolic link a
 * link to the file it names. */
static void replace_is_all_or_nothing(void)
{
	const char *sub = in_dir("rep"), *path = in_dir("rep/f.txt"), *link = in_dir("rep/l.txt");
	char listing[256];
	CU_ASSERT_EQUAL_FATAL(mkdir(sub, 0755), 0);
	CU_ASSERT_EQUAL_FATAL(put(path, "previous\n", 9), 0);
	CU_ASSERT_EQUAL_FATAL(chmod(path, 0640), 0);
	errno = 0;
	CU_ASSERT_EQUAL(bc_replace_file(path, half_then_enospc, NULL), -1);
	CU_ASSERT_EQUAL(errno, ENOSPC);
	char *text = slurp(path, NULL);
	CU_ASSERT_STRING_EQUAL(text, "previous\n");
	free(text);
	list_dir(sub, listing, sizeof(listing));
	CU_ASSERT_STRING_EQUAL(listing, "f.txt\n");
	CU_ASSERT_EQUAL(bc_replace_file(path, new_text, "new\n"), 0);
	CU_ASSERT_EQUAL_FATAL(symlink("f.txt", link), 0);
	CU_ASSERT_EQUAL(bc_replace_file(link, new_text, "through the link\n"), 0);
	text = slurp(path, NULL);
	CU_ASSERT_STRING_EQUAL(text, "through the link\n");
	free(text);
	struct stat st;
	CU_ASSERT(lstat(link, &st) == 0 && S_ISLNK(st.st_mode));
	CU_ASSERT(stat(path, &st) == 0 && (st.st_mode & 0777) == 0640);
	list_dir(sub, listing, sizeof(listing));
	CU_ASSERT_STRING_EQUAL(listing, "f.txt\nl.txt\n");
	/* A directory that cannot be written to: the errno, nothing made. */
	CU_ASSERT_EQUAL(bc_replace_file(in_dir("rep/no/such/dir/f"), new_text, "x"), -1);
	CU_ASSERT_EQUAL(errno, ENOENT);
}

static int setup(void)
{
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void)
{
	bc_scratch_remove(dir);
	return 0;
}

int bc_suite_reports(void)
{
	CU_pSuite s = CU_add_suite("unit/reports", setup, teardown);
	if (!s)
		return -1;
	BC_ADD(s, replace_is_all_or_nothing);
	BC_ADD(s, serve_refuses_a_bad_port);
	BC_ADD_NETNS(s, wrong_shape_results_exit_2);
	BC_ADD_NETNS(s, full_stdout_exits_2);
	BC_ADD_NETNS(s, killed_write_keeps_a_whole_report);
	BC_ADD_NETNS(s, killed_run_keeps_whole_verdict_lines);
	BC_ADD_NETNS(s, concurrent_runs_leave_a_whole_report);
	/* A tmpfs of its own needs CAP_SYS_ADMIN. */
	const char *why = geteuid() != 0 ? "run as root to mount a small tmpfs (a full disk) in a mount namespace" : NULL;
	if (why ? bc_suite_add_test_unless(s, "full_disk_keeps_the_previous_report", full_disk_keeps_the_previous_report, why) < 0
		: bc_suite_add_netns_test(s, "full_disk_keeps_the_previous_report", full_disk_keeps_the_previous_report) < 0)
		return -1;
	return 0;
}
