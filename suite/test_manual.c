/* The manual's examples: every fenced block of cases/README.md says what it
 * is by the word after its opening backquotes.  "table" blocks are whole
 * tables and must read without an error; "table run" blocks (the quick
 * start) are also run with bindcheck, every row must pass, and the
 * "output" block that follows one must be exactly what the run printed.
 * Other words ("text", "sh") mark blocks that are not tables; a fence
 * without a word is an error, so that no example escapes the test. */
#define _XOPEN_SOURCE 700 /* realpath, mkdtemp */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "suite.h"
#include "table/table.h"

#ifndef BC_BUILD_DIR
#define BC_BUILD_DIR "build"
#endif
#define MANUAL "cases/README.md"
#define MAX_BLOCKS 64

struct block {
	int line;     /* of the opening fence */
	char info[64];
	char *text;   /* what is between the fences */
};

struct manual {
	int n;
	struct block b[MAX_BLOCKS];
};

/* Appends to a growing message. */
static void say(char *msg, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *msg, size_t n, const char *fmt, ...)
{
	size_t off = strlen(msg);
	va_list ap;
	va_start(ap, fmt);
	if (off < n)
		vsnprintf(msg + off, n - off, fmt, ap);
	va_end(ap);
}

/* Splits text into its fenced blocks; problems (a bare or unclosed fence)
 * go to msg.  The number of problems. */
static int split(const char *path, const char *text, struct manual *m, char *msg, size_t msglen)
{
	int bad = 0, line = 0;
	const char *p = text;
	struct block *open = NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *body = NULL;
	m->n = 0;
	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) : strlen(p);
		line++;
		if (n >= 3 && strncmp(p, "```", 3) == 0) {
			if (open) {
				fclose(body);
				open->text = buf;
				open = NULL;
			} else if (m->n < MAX_BLOCKS) {
				open = &m->b[m->n++];
				open->line = line;
				snprintf(open->info, sizeof(open->info), "%.*s", (int)(n - 3), p + 3);
				buf = NULL;
				body = open_memstream(&buf, &len);
				if (!open->info[0]) {
					say(msg, msglen,
					    "\n      %s:%d: a fence without a word; hint: ```table (a whole table, read), "
					    "```table run (also run: every row passes), ```output (what that run prints), "
					    "or ```text / ```sh (not a table)",
					    path, line);
					bad++;
				}
			}
		} else if (open && body) {
			fwrite(p, 1, n, body);
			fputc('\n', body);
		}
		p += n + (eol != NULL);
	}
	if (open) {
		fclose(body);
		open->text = buf;
		say(msg, msglen, "\n      %s:%d: a fence that is never closed", path, open->line);
		bad++;
	}
	return bad;
}

static void manual_free(struct manual *m)
{
	for (int i = 0; i < m->n; i++)
		free(m->b[i].text);
	m->n = 0;
}

static bool is_table(const struct block *b)
{
	return strcmp(b->info, "table") == 0 || strcmp(b->info, "table run") == 0;
}

/* Reads every table block; its errors, placed at their line in the manual,
 * go to msg.  The number of blocks with errors. */
static int read_tables(const char *path, const struct manual *m, char *msg, size_t msglen, int *ntables)
{
	int bad = 0;
	*ntables = 0;
	for (int i = 0; i < m->n; i++) {
		const struct block *b = &m->b[i];
		struct bc_table t;
		struct bc_diags d = {0};
		if (!is_table(b))
			continue;
		(*ntables)++;
		int n = bc_table_parse(path, b->text, strlen(b->text), &t, &d);
		for (int k = 0; k < d.n; k++) {
			say(msg, msglen, "\n      %s:%d:%d: %s", path, b->line + d.v[k].line, d.v[k].col, d.v[k].msg);
		}
		if (!n && t.ncases == 0)
			say(msg, msglen, "\n      %s:%d: a table example without a row", path, b->line);
		bad += n || t.ncases == 0;
		bc_table_free(&t);
		bc_diags_free(&d);
	}
	return bad;
}

static bool load(struct manual *m, char *msg, size_t msglen, int *problems)
{
	char *text = bc_suite_slurp(MANUAL);
	if (!text) {
		BC_FAILF("cannot read %s (make check runs from the top of the repository)", MANUAL);
		return false;
	}
	*problems = split(MANUAL, text, m, msg, msglen);
	free(text);
	return true;
}

static void examples_read_cleanly(void)
{
	struct manual m;
	char msg[8192] = "";
	int problems, ntables = 0, runs = 0;
	if (!load(&m, msg, sizeof(msg), &problems))
		return;
	problems += read_tables(MANUAL, &m, msg, sizeof(msg), &ntables);
	for (int i = 0; i < m.n; i++)
		runs += strcmp(m.b[i].info, "table run") == 0;
	if (problems)
		BC_FAILF("%d problem%s with the examples of %s:%s", problems, problems == 1 ? "" : "s", MANUAL, msg);
	if (ntables < 5 || runs < 1)
		BC_FAILF("%s has %d table examples and %d to run; expected the quick start and the reference's", MANUAL,
			 ntables, runs);
	manual_free(&m);
}

/* The checker itself fails on a broken example, a bare fence and an
 * unclosed one, at the right lines. */
static void a_broken_example_is_caught(void)
{
	static const char text[] = "# t\n\n```table\nscenario s\n    socket x inet stream\n  ? bnid x 127.0.0.1:0\n\n"
				   "id r expect source\nr1 ok \"s\"\n```\n\n```\nplain\n```\n\n```table\nid\n";
	struct manual m;
	char msg[8192] = "";
	int ntables;
	int problems = split("m.md", text, &m, msg, sizeof(msg));
	problems += read_tables("m.md", &m, msg, sizeof(msg), &ntables);
	CU_ASSERT_EQUAL(ntables, 2);
	CU_ASSERT(problems >= 3);
	static const char *const want[] = {"m.md:6:5: unknown step 'bnid'", "m.md:12: a fence without a word",
					   "m.md:16: a fence that is never closed"};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(msg, want[i]))
			BC_FAILF("no '%s' in:%s", want[i], msg);
	manual_free(&m);
}

/* Runs one table block as NAME.tbl in a directory of its own, through
 * build/bindcheck linked there, as the quick start tells a reader to. */
static void run_block(const struct block *b, const struct block *output)
{
	char dir[] = "/tmp/bc-manual-XXXXXX", path[PATH_MAX], exe[PATH_MAX], cmd[PATH_MAX + 64];
	struct bc_table t;
	struct bc_diags d = {0};
	bc_table_parse(MANUAL, b->text, strlen(b->text), &t, &d);
	bc_diags_free(&d);
	if (!realpath(BC_BUILD_DIR "/bindcheck", exe) || !mkdtemp(dir)) {
		BC_FAILF("cannot set up a run of %s:%d", MANUAL, b->line);
		bc_table_free(&t);
		return;
	}
	snprintf(path, sizeof(path), "%s/build", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/build/bindcheck", dir);
	CU_ASSERT_EQUAL(symlink(exe, path), 0);
	snprintf(path, sizeof(path), "%s/%s.tbl", dir, t.name);
	FILE *f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(b->text, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "cd %s && build/bindcheck run %s.tbl 2>&1", dir, t.name);
	char *out = NULL;
	size_t len = 0;
	FILE *p = popen(cmd, "r"), *m = open_memstream(&out, &len);
	char chunk[4096];
	size_t k;
	while (p && (k = fread(chunk, 1, sizeof(chunk), p)) > 0)
		fwrite(chunk, 1, k, m);
	int st = p ? pclose(p) : -1;
	fclose(m);
	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		BC_FAILF("%s:%d: bindcheck run %s.tbl did not pass (status %d):\n%s", MANUAL, b->line, t.name,
			 st == -1 || !WIFEXITED(st) ? -1 : WEXITSTATUS(st), out);
	else if (output && strcmp(out, output->text) != 0)
		BC_FAILF("%s:%d: the output block does not show what the run printed:\n%s", MANUAL, output->line, out);
	free(out);
	unlink(path);
	snprintf(path, sizeof(path), "%s/build/bindcheck", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/build", dir);
	rmdir(path);
	rmdir(dir);
	bc_table_free(&t);
}

static void quick_start_runs_and_passes(void)
{
	struct manual m;
	char msg[8192] = "";
	int problems, runs = 0;
	if (!load(&m, msg, sizeof(msg), &problems))
		return;
	for (int i = 0; i < m.n; i++) {
		if (strcmp(m.b[i].info, "table run") != 0)
			continue;
		runs++;
		/* Its output block: the first after it, before the next table. */
		const struct block *output = NULL;
		for (int k = i + 1; k < m.n && !output && !is_table(&m.b[k]); k++)
			if (strcmp(m.b[k].info, "output") == 0)
				output = &m.b[k];
		run_block(&m.b[i], output);
	}
	CU_ASSERT(runs >= 1);
	manual_free(&m);
}

int bc_suite_manual(void)
{
	CU_pSuite s = CU_add_suite("unit/manual", NULL, NULL);
	if (!s)
		return -1;
	BC_ADD(s, examples_read_cleanly);
	BC_ADD(s, a_broken_example_is_caught);
	BC_ADD_NETNS(s, quick_start_runs_and_passes);
	return 0;
}
