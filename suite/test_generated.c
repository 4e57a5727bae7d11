/* Generated tables: cases/udp.tbl and cases/dualstack-v6only.tbl are what
 * ci/gen-dualstack.py writes today (its --check mode), and that check does
 * fail on a table edited by hand.  Both need python3; without it they are
 * skipped with the reason. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "suite.h"

#define GENERATOR "ci/gen-dualstack.py"

static const char *const generated[] = {"dualstack.tbl", "udp.tbl", "dualstack-v6only.tbl"};

/* Runs the generator with args; its exit status (-1: it did not run) and,
 * in out, what it wrote to stdout and stderr. */
static int run_generator(const char *args, char *out, size_t n)
{
	char cmd[4700];
	size_t len = 0;
	snprintf(cmd, sizeof(cmd), "%s " GENERATOR " %s 2>&1", bc_suite_python(), args);
	FILE *p = popen(cmd, "r");
	out[0] = '\0';
	if (!p)
		return -1;
	size_t k;
	while (len + 1 < n && (k = fread(out + len, 1, n - 1 - len, p)) > 0)
		len += k;
	out[len] = '\0';
	char drain[256];
	while (fread(drain, 1, sizeof(drain), p) > 0)
		;
	int st = pclose(p);
	return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void generated_tables_are_current(void)
{
	char out[8192];
	int rc = run_generator("--check", out, sizeof(out));
	if (rc != 0)
		BC_FAILF(GENERATOR " --check exited %d: a generated table differs from what the script writes; edit "
			 "the script, not the table, and run python3 " GENERATOR ":\n%s",
			 rc, out);
}

static bool copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "r"), *o = in ? fopen(to, "w") : NULL;
	char buf[65536];
	size_t k;
	bool ok = in && o;
	while (ok && (k = fread(buf, 1, sizeof(buf), in)) > 0)
		ok = fwrite(buf, 1, k, o) == k;
	if (in)
		fclose(in);
	if (o && fclose(o) != 0)
		ok = false;
	return ok;
}

/* Changes the first "EADDRINUSE" after the header of path into "ok": one
 * cell of one row, edited by hand.  The line number it was on, 0 when none. */
static int edit_a_cell(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = NULL, *line;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	char buf[8192];
	int at = 0, n = 0;
	bool header = false;
	if (!f || !m) {
		if (f)
			fclose(f);
		if (m)
			fclose(m);
		free(text);
		return 0;
	}
	while (fgets(buf, sizeof(buf), f)) {
		n++;
		header = header || strncmp(buf, "id ", 3) == 0;
		if (header && !at && (line = strstr(buf, "EADDRINUSE,")) != NULL) {
			at = n;
			fprintf(m, "%.*sok,%s", (int)(line - buf), buf, line + strlen("EADDRINUSE,"));
		} else {
			fputs(buf, m);
		}
	}
	fclose(f);
	fclose(m);
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0)
		at = 0;
	if (f)
		fclose(f);
	free(text);
	return at;
}

/* The check is not a formality: a copy of the tables with one cell changed
 * makes it exit 1, naming the file and the line. */
static void check_fails_on_an_edited_cell(void)
{
	char dir[] = "/tmp/bc-generated-XXXXXX", path[128], args[160], out[8192], want[256];
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	for (size_t i = 0; i < sizeof(generated) / sizeof(generated[0]); i++) {
		char from[64];
		snprintf(from, sizeof(from), "cases/%s", generated[i]);
		snprintf(path, sizeof(path), "%s/%s", dir, generated[i]);
		CU_ASSERT(copy_file(from, path));
	}
	snprintf(args, sizeof(args), "--check --cases %s", dir);
	int rc = run_generator(args, out, sizeof(out));
	if (rc != 0)
		BC_FAILF("the unedited copy: --check exited %d:\n%s", rc, out);
	snprintf(path, sizeof(path), "%s/udp.tbl", dir);
	int line = edit_a_cell(path);
	CU_ASSERT(line > 0);
	rc = run_generator(args, out, sizeof(out));
	snprintf(want, sizeof(want), "%s:%d: differs from what " GENERATOR " writes", path, line);
	if (rc != 1 || !strstr(out, want))
		BC_FAILF("after editing %s:%d, --check exited %d and said:\n%s", path, line, rc, out);
	for (size_t i = 0; i < sizeof(generated) / sizeof(generated[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, generated[i]);
		unlink(path);
	}
	rmdir(dir);
}

int bc_suite_generated(void)
{
	CU_pSuite s = CU_add_suite("unit/generated", NULL, NULL);
	const char *why = bc_suite_python() ? NULL : "python3 is not installed; " GENERATOR " --check needs it";
	if (!s || bc_suite_add_test_unless(s, "generated_tables_are_current", generated_tables_are_current, why) < 0 ||
	    bc_suite_add_test_unless(s, "check_fails_on_an_edited_cell", check_fails_on_an_edited_cell, why) < 0)
		return -1;
	return 0;
}
