/* Escapes (cases/selftest/escape.tbl): a case's file steps and unix: paths
 * stay beneath its scratch directory.  The scratch directory is made in
 * $TMPDIR, which the suite points at a directory of its own for the run,
 * holding what the rows aim at (a file "victim", a directory, a listening
 * socket "host.sock"); each row's expectations say every attempt failed,
 * and the suite checks that the directory is exactly as it was (names,
 * modes, owners, sizes, contents, link targets) and that nothing landed in
 * /etc.  Also: the walk that replaces openat2 on old kernels, and the paths
 * the reader still accepts. */
#define _GNU_SOURCE /* nftw, mkdtemp, O_PATH */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "exec/beneath.h"
#include "exec/pool.h"
#include "exec/runner.h"
#include "exec/scratch.h"
#include "suite.h"
#include "table/table.h"

#define ESCAPE_TABLE "cases/selftest/escape.tbl"
#define ESCAPE_ROWS 6

static struct bc_runner runner;
static struct bc_table table;
static char host[BC_SCRATCH_PATH_MAX]; /* the run's $TMPDIR */
static int host_sock = -1;

/* One line per entry of host: what a change to it would change. */
static char lines[64][512];
static int nlines;

static int note_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	char extra[256] = "";
	(void)ftw;
	if (nlines == 64)
		return 1;
	if (flag == FTW_SL) {
		ssize_t n = readlink(path, extra, sizeof(extra) - 1);
		extra[n > 0 ? n : 0] = '\0';
	} else if (flag == FTW_F && S_ISREG(sb->st_mode)) {
		FILE *f = fopen(path, "r");
		size_t n = f ? fread(extra, 1, sizeof(extra) - 1, f) : 0;
		extra[n] = '\0';
		if (f)
			fclose(f);
	}
	snprintf(lines[nlines++], sizeof(lines[0]), "%s %o %u:%u %lld %s", path + strlen(host), (unsigned)sb->st_mode,
		 (unsigned)sb->st_uid, (unsigned)sb->st_gid, (long long)sb->st_size, extra);
	return 0;
}

static int by_text(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* The state of host as one string, sorted (read order is not). */
static char *fingerprint(void)
{
	nlines = 0;
	if (nftw(host, note_entry, 8, FTW_PHYS) != 0)
		return NULL;
	qsort(lines, (size_t)nlines, sizeof(lines[0]), by_text);
	char *s = calloc((size_t)nlines, sizeof(lines[0]) + 1);
	for (int i = 0; s && i < nlines; i++)
		strcat(strcat(s, lines[i]), "\n");
	return s;
}

static int write_file(const char *name, const char *text, mode_t mode)
{
	char path[BC_SCRATCH_PATH_MAX + 32];
	snprintf(path, sizeof(path), "%s/%s", host, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, text, strlen(text));
	return close(fd) < 0 || n < 0 ? -1 : fchmodat(AT_FDCWD, path, mode, 0);
}

/* host, with what the rows aim at; the socket listens until teardown. */
static int make_host(void)
{
	const char *tmp = getenv("TMPDIR");
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	char dir[BC_SCRATCH_PATH_MAX + 16];
	/* bc_scratch_make takes a $TMPDIR of fewer than 40 bytes. */
	snprintf(host, sizeof(host), "%s/bc-escape-XXXXXX", tmp && *tmp && strlen(tmp) < 20 ? tmp : "/tmp");
	if (!mkdtemp(host))
		return -1;
	snprintf(dir, sizeof(dir), "%s/victimdir", host);
	if (write_file("victim", "the host's own\n", 0600) < 0 || mkdir(dir, 0700) < 0)
		return -1;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/host.sock", host);
	host_sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (host_sock < 0 || bind(host_sock, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(host_sock, 4) < 0)
		return -1;
	return 0;
}

static int setup(void)
{
	bc_runner_init(&runner, "bindcheck");
	runner.pooled = true;
	return make_host() < 0 || bc_suite_read_table(ESCAPE_TABLE, NULL, &table, ESCAPE_ROWS);
}

static int teardown(void)
{
	if (host_sock >= 0)
		close(host_sock);
	if (host[0])
		bc_scratch_remove(host);
	bc_table_free(&table);
	return 0;
}

static void check_result(void *arg, int index, const struct bc_case_result *res)
{
	const char *level = arg;
	if (res->j.verdict != BC_PASS)
		BC_FAILF("escape/%s %s: %s (%s); observed %s", table.cases[index].id, level,
			 bc_verdict_name(res->j.verdict), res->j.reason, res->j.observed_text);
}

/* Every row, in place where the plan allows and in the sandbox: every
 * attempt fails, and host and /etc are unchanged. */
static void escapes_stay_inside(void)
{
	const struct bc_case *cases[ESCAPE_ROWS];
	char *before = fingerprint(), *old = getenv("TMPDIR"), *saved = old ? strdup(old) : NULL;
	CU_ASSERT_PTR_NOT_NULL_FATAL(before);
	for (int i = 0; i < table.ncases; i++)
		cases[i] = &table.cases[i];
	setenv("TMPDIR", host, 1);
	runner.isolation = BC_ISO_AUTO;
	bc_run_cases(&runner, cases, table.ncases, 1, check_result, "(auto)");
	runner.isolation = BC_ISO_SANDBOX;
	bc_run_cases(&runner, cases, table.ncases, 2, check_result, "(sandbox)");
	runner.isolation = BC_ISO_AUTO;
	if (saved)
		setenv("TMPDIR", saved, 1);
	else
		unsetenv("TMPDIR");
	char *after = fingerprint();
	CU_ASSERT_PTR_NOT_NULL_FATAL(after);
	if (strcmp(before, after) != 0)
		BC_FAILF("%s changed (or kept a scratch directory):\nbefore:\n%safter:\n%s", host, before, after);
	static const char *const etc[] = {"/etc/bindcheck-escape", "/etc/bindcheck-escape.sock"};
	for (size_t i = 0; i < sizeof(etc) / sizeof(etc[0]); i++)
		if (access(etc[i], F_OK) == 0 || errno != ENOENT)
			BC_FAILF("%s exists after the escape rows", etc[i]);
	struct stat sb;
	if (stat("/etc/passwd", &sb) == 0 && (sb.st_mode & 07777) == 0666)
		BC_FAILF("/etc/passwd is mode 0666");
	free(before);
	free(after);
	free(saved);
}

static void expect_fd(int fd, int err, const char *what)
{
	if (err == 0 && fd < 0)
		BC_FAILF("%s: %s, wanted success", what, strerror(errno));
	if (err != 0 && (fd >= 0 || errno != err))
		BC_FAILF("%s: %s, wanted %s", what, fd >= 0 ? "success" : strerror(errno), strerror(err));
	if (fd >= 0)
		close(fd);
}

/* The walk that stands in for openat2 refuses every symlink (ELOOP) and a
 * '..' above its start (EXDEV); openat2 refuses what leaves (EXDEV). */
static void walk_refuses_symlinks(void)
{
	char top[BC_SCRATCH_PATH_MAX + 16], name[NAME_MAX + 1];
	snprintf(top, sizeof(top), "%s/walk", host);
	CU_ASSERT_EQUAL_FATAL(mkdir(top, 0700), 0);
	int dir = open(top, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CU_ASSERT_FATAL(dir >= 0);
	CU_ASSERT_EQUAL(mkdirat(dir, "d", 0700), 0);
	CU_ASSERT_EQUAL(symlinkat("..", dir, "out"), 0);
	CU_ASSERT_EQUAL(symlinkat("/etc", dir, "abs"), 0);
	CU_ASSERT_EQUAL(symlinkat("d", dir, "in"), 0);
	expect_fd(bc_beneath_parent_walk(dir, "d/x", name), 0, "walk d/x");
	CU_ASSERT_STRING_EQUAL(name, "x");
	expect_fd(bc_beneath_parent_walk(dir, "d/../x", name), 0, "walk d/../x");
	expect_fd(bc_beneath_parent_walk(dir, "out/x", name), ELOOP, "walk out/x");
	expect_fd(bc_beneath_parent_walk(dir, "abs/passwd", name), ELOOP, "walk abs/passwd");
	expect_fd(bc_beneath_parent_walk(dir, "in/x", name), ELOOP, "walk in/x");
	expect_fd(bc_beneath_parent_walk(dir, "d/../../x", name), EXDEV, "walk d/../../x");
	expect_fd(bc_beneath_open_walk(dir, "out", O_PATH), ELOOP, "walk open out");
	expect_fd(bc_beneath_open_walk(dir, "out", O_PATH | O_NOFOLLOW), 0, "walk open out, the link itself");
	expect_fd(bc_beneath_open_walk(dir, "d/..", O_PATH), 0, "walk open d/..");
	expect_fd(bc_beneath_open_walk(dir, "d/../..", O_PATH), EXDEV, "walk open d/../..");
	if (!bc_beneath_has_openat2()) {
		close(dir);
		return; /* no openat2 here (an old kernel, gVisor, Valgrind): the walk above is what runs */
	}
	expect_fd(bc_beneath_parent(dir, "in/x", name), 0, "openat2 in/x");
	expect_fd(bc_beneath_parent(dir, "out/x", name), EXDEV, "openat2 out/x");
	expect_fd(bc_beneath_parent(dir, "abs/passwd", name), EXDEV, "openat2 abs/passwd");
	expect_fd(bc_beneath_open(dir, "d/../..", O_PATH), EXDEV, "openat2 d/../..");
	close(dir);
}

/* What stays allowed: absolute reads, a symlink to anywhere, a '..' that
 * stays inside, abstract names, unix: paths below. */
static void allowed_paths_read(void)
{
	static const char text[] = "scenario s\n"
				   "    socket      h unix stream\n"
				   "  ? stat        /etc\n"
				   "  ? open        f /etc/passwd\n"
				   "  ? symlink     /etc e\n"
				   "  ? symlink     ../../x up\n"
				   "  ? mkdir       d/./e/..\n"
				   "  ? bind        h unix:d/../s\n"
				   "  ? connect     h abstract:bc\n"
				   "id expect source\n"
				   "r =dir,ok,ok,ok,ok,ok,ok s\n";
	struct bc_table t;
	CU_ASSERT_EQUAL(bc_suite_read_table("allowed.tbl", text, &t, 1), 0);
	bc_table_free(&t);
}

int bc_suite_escape(void)
{
	CU_pSuite s = CU_add_suite("selftest/escape", setup, teardown);
	if (!s)
		return -1;
	BC_ADD_NETNS(s, escapes_stay_inside);
	BC_ADD(s, walk_refuses_symlinks);
	BC_ADD(s, allowed_paths_read);
	return 0;
}
