/* Unit tests of bad input: files that are not regular files, bad bytes
 * and unreadable lines that lose only their row or block, the messages
 * about a BOM, a binary file, long ids and long scenarios, the
 * duplicate-id hash, refused options and table names, and the messages
 * of a scratch directory and of an unmapped uid.  Each command runs under
 * a time limit, so that one that blocks fails instead of hanging. */
#define _GNU_SOURCE /* unshare */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exec/profile.h"
#include "exec/scratch.h"
#include "suite.h"
#include "table/table.h"

#ifndef BC_BUILD_DIR
#define BC_BUILD_DIR "build"
#endif
#define BINDCHECK BC_BUILD_DIR "/bindcheck"
#define LIMIT_S 20 /* a command that takes longer is stuck */

static char dir[] = "/tmp/bc-input-XXXXXX";

#define HEAD "scenario s\n    socket h inet stream\n  ? bind h $addr\n"
#define ROWS "id addr expect source\n"

static const char *at(const char *name)
{
	static char path[4][128];
	static int k;
	k = (k + 1) % 4;
	snprintf(path[k], sizeof(path[k]), "%s/%s", dir, name);
	return path[k];
}

static const char *write_file(const char *name, const char *text, size_t len)
{
	const char *path = at(name);
	FILE *f = fopen(path, "w");
	if (f) {
		fwrite(text, 1, len, f);
		fclose(f);
	}
	return path;
}

static int parse(const char *text, size_t len, struct bc_table *t, struct bc_diags *d)
{
	return bc_table_parse("in.tbl", text, len, t, d);
}

/* Is there a diagnostic at line:col whose message holds words? */
static bool said(const struct bc_diags *d, int line, int col, const char *words)
{
	for (int i = 0; i < d->n; i++)
		if (d->v[i].line == line && d->v[i].col == col && strstr(d->v[i].msg, words))
			return true;
	return false;
}

static void show(const char *what, const struct bc_diags *d)
{
	char got[2048] = "";
	size_t off = 0;
	for (int i = 0; i < d->n && off < sizeof(got); i++)
		off += (size_t)snprintf(got + off, sizeof(got) - off, "\n      %d:%d: %s", d->v[i].line, d->v[i].col, d->v[i].msg);
	BC_FAILF("%s; got %d diagnostics:%s", what, d->n, got);
}

/* The ids of t, space-separated, into buf. */
static const char *ids(const struct bc_table *t, char *buf, size_t n)
{
	size_t off = 0;
	buf[0] = '\0';
	for (int i = 0; i < t->ncases && off < n; i++)
		off += (size_t)snprintf(buf + off, n - off, "%s%s", i ? " " : "", t->cases[i].id);
	return buf;
}

/* text (len bytes) reads into exactly the cases want, with one message at
 * line:col holding words, and no other. */
static void expect_read(const char *name, const char *text, size_t len, const char *want, int line, int col,
			const char *words)
{
	struct bc_table t;
	struct bc_diags d = {0};
	char got[512];
	parse(text, len, &t, &d);
	if (strcmp(ids(&t, got, sizeof(got)), want) != 0)
		BC_FAILF("%s: cases '%s', wanted '%s'", name, got, want);
	if (d.n != 1 || !said(&d, line, col, words)) {
		char what[256];
		snprintf(what, sizeof(what), "%s: wanted one message, %d:%d '%s'", name, line, col, words);
		show(what, &d);
	}
	bc_table_free(&t);
	bc_diags_free(&d);
}

#define EXPECT_READ(name, text, want, line, col, words) expect_read(name, text, sizeof(text) - 1, want, line, col, words)

static void bad_byte_loses_only_its_row(void)
{
	EXPECT_READ("bad byte in a cell", HEAD ROWS "a 127.0.0.1:0 ok s\nb 127.0.0.1:0 ok \"caf\xff\"\nc 127.0.0.1:0 ok s\n",
		    "a c", 6, 22, "binary data (a byte that is not UTF-8)");
	EXPECT_READ("NUL byte in a cell", HEAD ROWS "a 127.0.0.1:0 ok s\nb 127.0.0.1:0 o\0k s\nc 127.0.0.1:0 ok s\n",
		    "a c", 6, 16, "binary data (a NUL byte)");
	EXPECT_READ("bad byte in a row's comment", HEAD ROWS "a 127.0.0.1:0 ok s # \xc3(\nb 127.0.0.1:0 ok s\n",
		    "b", 5, 22, "binary data (an invalid UTF-8 sequence)");
	EXPECT_READ("bad byte in a comment line", HEAD ROWS "# caf\xe9\na 127.0.0.1:0 ok s\nb 127.0.0.1:0 ok s\n",
		    "a b", 5, 6, "binary data (an invalid UTF-8 sequence)");
	EXPECT_READ("unterminated quote", HEAD ROWS "a 127.0.0.1:0 ok \"s\nb 127.0.0.1:0 ok s\n",
		    "b", 5, 18, "unterminated quote");
	/* The row's id stays taken, as a dropped row's does. */
	struct bc_table t;
	struct bc_diags d = {0};
	static const char dup[] = HEAD ROWS "a 127.0.0.1:0 ok \"\xff\"\na 127.0.0.1:0 ok s\n";
	parse(dup, sizeof(dup) - 1, &t, &d);
	CU_ASSERT_EQUAL(t.ncases, 0);
	if (!said(&d, 6, 1, "id 'a' is already used on line 5"))
		show("a bad row's id stays taken", &d);
	bc_table_free(&t);
	bc_diags_free(&d);
}

static void bad_line_loses_only_its_block(void)
{
	EXPECT_READ("bad byte in a step", "scenario s\n    socket h inet stream \xff\n  ? bind h $addr\n"
		    "scenario t\n    socket h inet stream\n  ? bind h $addr\n"
		    "id scenario addr expect source\na s 127.0.0.1:0 ok x\nb t 127.0.0.1:0 ok x\nc s 127.0.0.1:0 ok x\n",
		    "b", 2, 26, "binary data");
	EXPECT_READ("control character in a scenario line", "scenario s\x01\n  ? socket h inet stream\n"
		    "scenario t\n  ? socket h inet stream\n"
		    "id scenario expect source\na s ok x\nb t ok x\n", "b", 1, 11, "control character 0x01");
	EXPECT_READ("bad byte in a profile", "profile p\n    sysctl net.core.somaxconn \"\xfe\"\n" HEAD
		    "id addr profile expect source\na 127.0.0.1:0 p ok s\nb 127.0.0.1:0 - ok s\n",
		    "b", 2, 32, "binary data");
	EXPECT_READ("bad byte in a target", "target t\n    command /bin/true \xff\n" HEAD ROWS "a 127.0.0.1:0 ok s\n",
		    "a", 2, 23, "binary data");
	EXPECT_READ("bad byte in the header", HEAD "id addr expect sou\xffrce\na 127.0.0.1:0 ok s\n"
		    "scenario t\n  ? socket h inet stream\nrows t\nid expect source\nb ok s\n",
		    "b", 4, 19, "binary data");
	EXPECT_READ("bad byte in a 'rows' line", HEAD "rows s\xff\nid addr expect source\na 127.0.0.1:0 ok s\n"
		    "rows s\nid addr expect source\nb 127.0.0.1:0 ok s\n", "b", 4, 7, "binary data");
}

static void bom_and_binary_files_are_named(void)
{
	EXPECT_READ("byte order mark", "\xef\xbb\xbftable t\n" HEAD ROWS "a 127.0.0.1:0 ok s\n", "a", 1, 1,
		    "byte order mark (U+FEFF");
	char bin[4096];
	for (size_t i = 0; i < sizeof(bin); i++)
		bin[i] = (char)((i * 7919u) >> 3);
	expect_read("binary file", bin, sizeof(bin), "", 1, 1, "not a text table");
}

static void long_ids_and_scenarios_say_the_limit(void)
{
	char text[512];
	snprintf(text, sizeof(text), HEAD ROWS "%0101d 127.0.0.1:0 ok s\nb 127.0.0.1:0 ok s\n", 1);
	expect_read("101-character id", text, strlen(text), "b", 5, 1, "is 101 characters long; hint: at most 63 characters");
	snprintf(text, sizeof(text), HEAD ROWS "%064d 127.0.0.1:0 ok s\n%063d 127.0.0.1:0 ok s\n", 1, 2);
	expect_read("64-character id", text, strlen(text), "000000000000000000000000000000000000000000000000000000000000002",
		    5, 1, "is 64 characters long");
	/* 48 steps are allowed; 62 say so once, and the scenario's rows go. */
	char many[4096] = "scenario s\n  ? socket h inet stream\n";
	for (int i = 0; i < 61; i++)
		strcat(many, "    listen h 1\n");
	strcat(many, "scenario t\n  ? socket h inet stream\nid scenario expect source\na s ok x\nb t ok x\n");
	expect_read("62 steps", many, strlen(many), "b", 50, 5, "scenario 's' has more than 48 steps");
}

/* The duplicate check finds the first use among many ids (it is a hash
 * table: ids that collide or come late must still be found). */
static void duplicate_ids_found_among_many(void)
{
	size_t cap = 8000 * 40 + 256, off = 0;
	char *text = malloc(cap);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	off += (size_t)snprintf(text, cap, "scenario s\n  ? socket h inet stream\nid expect source\n");
	for (int i = 0; i < 8000; i++)
		off += (size_t)snprintf(text + off, cap - off, "r%d ok s\n", i);
	off += (size_t)snprintf(text + off, cap - off, "r4321 ok s\nr7999 ok s\nr8000 ok s\n");
	struct bc_table t;
	struct bc_diags d = {0};
	parse(text, off, &t, &d);
	CU_ASSERT_EQUAL(t.ncases, 8001);
	if (d.n != 2 || !said(&d, 8004, 1, "id 'r4321' is already used on line 4325") ||
	    !said(&d, 8005, 1, "id 'r7999' is already used on line 8003"))
		show("two duplicates among 8000 ids", &d);
	bc_table_free(&t);
	bc_diags_free(&d);
	free(text);
}

/* Waits up to LIMIT_S for pid; its wait status, or -1 (it is killed) when
 * it is still running then. */
static int wait_limited(pid_t pid)
{
	struct timespec tick = {0, 10 * 1000 * 1000};
	int ws;
	for (int i = 0; i < LIMIT_S * 100; i++) {
		pid_t got = waitpid(pid, &ws, WNOHANG);
		if (got == pid)
			return ws;
		if (got < 0)
			return -1;
		nanosleep(&tick, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &ws, 0);
	return -1;
}

/* bc_table_load of path in a child, under the time limit: it must refuse
 * the file with one message holding words. */
static void expect_load_refused(const char *path, const char *words)
{
	int fds[2];
	CU_ASSERT_EQUAL_FATAL(pipe(fds), 0);
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		struct bc_table t;
		struct bc_diags d = {0};
		close(fds[0]);
		bc_table_load(path, &t, &d);
		dprintf(fds[1], "%d %d:%d: %s", d.n, d.n ? d.v[0].line : 0, d.n ? d.v[0].col : 0, d.n ? d.v[0].msg : "");
		_exit(0);
	}
	close(fds[1]);
	int ws = wait_limited(pid);
	char got[512] = "";
	ssize_t n = read(fds[0], got, sizeof(got) - 1);
	got[n > 0 ? n : 0] = '\0';
	close(fds[0]);
	if (ws == -1)
		BC_FAILF("%s: reading it did not end within %d s", path, LIMIT_S);
	else if (strncmp(got, "1 1:1: ", 7) != 0 || !strstr(got, words))
		BC_FAILF("%s: wanted one message at 1:1 with '%s', got '%s'", path, words, got);
}

static void non_regular_files_are_refused(void)
{
	const char *fifo = at("fifo.tbl"), *sub = at("sub.tbl");
	CU_ASSERT_EQUAL_FATAL(mkfifo(fifo, 0600), 0);
	CU_ASSERT_EQUAL_FATAL(mkdir(sub, 0700), 0);
	expect_load_refused(fifo, "a FIFO, not a regular file; hint: a case table is a regular file");
	expect_load_refused(sub, "a directory, not a regular file");
	expect_load_refused("/dev/null", "a character device, not a regular file");
}

struct out {
	int status; /* the exit status, -1 when it did not end in time */
	char out[8192], err[8192];
};

static void slurp(const char *path, char *buf, size_t n)
{
	int fd = open(path, O_RDONLY);
	ssize_t got = fd < 0 ? 0 : read(fd, buf, n - 1);
	buf[got > 0 ? got : 0] = '\0';
	if (fd >= 0)
		close(fd);
}

/* bindcheck with these arguments (NULL-terminated), under the time limit. */
static void run(struct out *r, const char *arg0, ...)
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
	char opath[128], epath[128];
	snprintf(opath, sizeof(opath), "%s/out", dir);
	snprintf(epath, sizeof(epath), "%s/err", dir);
	pid_t pid = bc_suite_spawn(opath, epath, argv, NULL, NULL);
	int ws = wait_limited(pid);
	r->status = ws == -1 ? -1 : WIFEXITED(ws) ? WEXITSTATUS(ws) : 128;
	slurp(opath, r->out, sizeof(r->out));
	slurp(epath, r->err, sizeof(r->err));
}

#define EXPECT_RUN(r, want, words)                                                                              \
	do {                                                                                                    \
		if ((r)->status != (want) || !strstr((r)->err, (words)))                                       \
			BC_FAILF("exit %d (wanted %d; -1: stuck for %d s), stderr:\n%s\n(wanted '%s')", (r)->status, \
				 (want), LIMIT_S, (r)->err, (words));                                          \
	} while (0)

static void fifo_and_directory_refused_by_the_command(void)
{
	struct out *r = malloc(sizeof(*r));
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	const char *scan = at("scan");
	char path[256];
	CU_ASSERT_EQUAL_FATAL(mkdir(scan, 0700), 0);
	snprintf(path, sizeof(path), "%s/x.tbl", scan);
	CU_ASSERT_EQUAL_FATAL(mkfifo(path, 0600), 0);
	snprintf(path, sizeof(path), "%s/sub.tbl", scan);
	CU_ASSERT_EQUAL_FATAL(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/good.tbl", scan);
	static const char good[] = "scenario s\n  ? socket h inet stream\nid expect source\na ok s\n";
	write_file("scan/good.tbl", good, sizeof(good) - 1);
	run(r, "list", scan, NULL);
	EXPECT_RUN(r, 2, "/x.tbl:1:1: a FIFO, not a regular file");
	EXPECT_RUN(r, 2, "/sub.tbl:1:1: a directory, not a regular file");
	CU_ASSERT_PTR_NOT_NULL(strstr(r->out, "good/a\t"));
	snprintf(path, sizeof(path), "%s/x.tbl", scan);
	run(r, "run", path, NULL);
	EXPECT_RUN(r, 2, "/x.tbl:1:1: a FIFO, not a regular file");
	run(r, "report", path, NULL);
	EXPECT_RUN(r, 2, "/x.tbl:1:1: a FIFO, not a regular file; hint: a results file is a regular file");
	free(r);
}

static void bad_row_runs_the_rest_and_exits_2(void)
{
	struct out *r = malloc(sizeof(*r));
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	static const char text[] = "scenario s\n  ? socket h inet stream\nid expect source\na ok s\nb ok \"\xff\"\nc ok s\n";
	const char *path = write_file("row.tbl", text, sizeof(text) - 1);
	run(r, "list", path, NULL);
	EXPECT_RUN(r, 2, "row.tbl:5:7: binary data (a byte that is not UTF-8)");
	if (!strstr(r->out, "row/a\t") || strstr(r->out, "row/b\t") || !strstr(r->out, "row/c\t"))
		BC_FAILF("wanted rows a and c listed, not b:\n%s", r->out);
	free(r);
}

static void order_seed_and_duplicate_names_refused(void)
{
	struct out *r = malloc(sizeof(*r));
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	static const char text[] = "table dup\nscenario s\n  ? socket h inet stream\nid expect source\nr1 ok s\n";
	const char *a = write_file("a.tbl", text, sizeof(text) - 1);
	static const char *const bad[] = {"shuffledX", "shuffled:abc", "shuffled:", "shuffled:-1", "shuffled:99999999999999999999"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		run(r, "list", a, "--order", bad[i], NULL);
		EXPECT_RUN(r, 2, "bad --order");
	}
	run(r, "list", a, "--order", "shuffled:18446744073709551615", NULL);
	CU_ASSERT_EQUAL(r->status, 0);
	const char *b = write_file("b.tbl", text, sizeof(text) - 1);
	run(r, "list", a, b, NULL);
	EXPECT_RUN(r, 2, "b.tbl:1:1: table name 'dup' is already used by ");
	const char *first = strstr(r->out, "dup/r1\t");
	if (!first || strstr(first + 1, "dup/r1\t"))
		BC_FAILF("wanted dup/r1 listed once:\n%s", r->out);
	run(r, "list", a, a, NULL);
	EXPECT_RUN(r, 2, "a.tbl:1:1: this table is given twice");
	free(r);
}

static void scratch_failure_names_tmpdir(void)
{
	char scratch[BC_SCRATCH_PATH_MAX], why[256], want[128];
	const char *old = getenv("TMPDIR");
	char *saved = old ? strdup(old) : NULL;
	const char *file = write_file("notadir", "x", 1);
	setenv("TMPDIR", file, 1);
	int rc = bc_scratch_make(scratch, why, sizeof(why));
	if (saved)
		setenv("TMPDIR", saved, 1);
	else
		unsetenv("TMPDIR");
	free(saved);
	CU_ASSERT_EQUAL_FATAL(rc, -1);
	snprintf(want, sizeof(want), "in %s ($TMPDIR): Not a directory", file);
	if (!strstr(why, want))
		BC_FAILF("wanted '%s' in '%s'", want, why);
}

/* A profile's uid in a user namespace that maps only root (as a runner
 * that is not root has): the reason must not say that the runner's own
 * uid is what is missing. */
static void unmapped_uid_reason_is_true(void)
{
	int fds[2];
	CU_ASSERT_EQUAL_FATAL(pipe(fds), 0);
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		struct bc_profile p = {.name = "nobody", .set_uid = true, .uid = 65534};
		struct bc_step_env env;
		char why[512] = "", map[64];
		int fd;
		close(fds[0]);
		uid_t uid = geteuid();
		unsigned long host_net = bc_profile_net_id();
		if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0)
			_exit(3); /* no user namespaces here */
		snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
		if ((fd = open("/proc/self/uid_map", O_WRONLY)) < 0 || write(fd, map, strlen(map)) < 0)
			_exit(3);
		close(fd);
		enum bc_profile_rc rc = bc_profile_apply(&p, host_net, &env, why, sizeof(why));
		dprintf(fds[1], "%d %s", (int)rc, why);
		_exit(0);
	}
	close(fds[1]);
	int ws = wait_limited(pid);
	char got[600] = "";
	ssize_t n = read(fds[0], got, sizeof(got) - 1);
	got[n > 0 ? n : 0] = '\0';
	close(fds[0]);
	if (ws != -1 && WIFEXITED(ws) && WEXITSTATUS(ws) == 3)
		return; /* nothing to test where no user namespace can be made */
	if (!strstr(got, "uid 65534 is not available here") || !strstr(got, "no other uid exists") ||
	    strstr(got, "only the runner's own uid"))
		BC_FAILF("reason: '%s'", got);
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

int bc_suite_input(void)
{
	CU_pSuite s = CU_add_suite("unit/input", setup, teardown);
	if (!s)
		return -1;
	BC_ADD(s, bad_byte_loses_only_its_row);
	BC_ADD(s, bad_line_loses_only_its_block);
	BC_ADD(s, bom_and_binary_files_are_named);
	BC_ADD(s, long_ids_and_scenarios_say_the_limit);
	BC_ADD(s, duplicate_ids_found_among_many);
	BC_ADD(s, non_regular_files_are_refused);
	BC_ADD(s, fifo_and_directory_refused_by_the_command);
	BC_ADD(s, bad_row_runs_the_rest_and_exits_2);
	BC_ADD(s, order_seed_and_duplicate_names_refused);
	BC_ADD(s, scratch_failure_names_tmpdir);
	BC_ADD(s, unmapped_uid_reason_is_true);
	return 0;
}
