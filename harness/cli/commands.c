/* commands: `bindcheck list`, `report`, `merge`, `platform`, and `bare`,
 * the benchmark's baseline. */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "exec/plan.h"
#include "exec/pool.h"
#include "exec/runner.h"
#include "exec/sandbox.h"
#include "exec/steps.h"
#include "model/platform.h"
#include "report/check.h"
#include "report/report.h"
#include "report/results.h"
#include "table/table.h"

int bc_cli_list(const struct bc_cli_opts *o)
{
	struct bc_diags d = {0};
	struct bc_table *tables = NULL;
	int ntables = bc_cli_load_tables(o, &tables, &d), n = 0;
	bc_diags_print(&d, stderr);
	for (int t = 0; t < ntables; t++) {
		for (int i = 0; i < tables[t].ncases; i++) {
			const struct bc_case *c = &tables[t].cases[i];
			if (!bc_filter_match(c, o->filters, o->nfilters))
				continue;
			printf("%s/%s\t%s:%d\t%s\n", c->table, c->id, c->file, c->line, c->scenario);
			n++;
		}
	}
	bc_cli_free_tables(tables, ntables);
	/* After the listing, on stdout with it: a count in the middle of the
	 * lines (stderr, unbuffered) was hard to read and to pipe. */
	printf("%d cases\n", n);
	int rc = d.n || ntables < 0 ? BC_EXIT_BAD_INPUT : 0;
	bc_diags_free(&d);
	return rc;
}

/* Load a results file, or say what is wrong with it: not JSON (where), or
 * JSON of another shape (which field). */
static json_t *load_results(const char *path)
{
	json_error_t err;
	char why[512];
	/* A FIFO or a device would block the read or never end it. */
	int fd = bc_table_open_regular(path, why, sizeof(why));
	if (fd < 0) {
		fprintf(stderr, "%s:1:1: %s%s\n", path, why, fd == -2 ? "; hint: a results file is a regular file" : "");
		return NULL;
	}
	json_t *root = json_loadfd(fd, 0, &err);
	close(fd);
	if (!root) {
		fprintf(stderr, "%s:%d:%d: %s\n", path, err.line, err.column, err.text);
		return NULL;
	}
	if (bc_results_check(root, why, sizeof(why)) < 0) {
		fprintf(stderr, "bindcheck: %s: not a bindcheck results file: %s\n", path, why);
		json_decref(root);
		return NULL;
	}
	return root;
}

int bc_cli_report(const struct bc_cli_opts *o)
{
	struct bc_report_files files;
	json_t *root;
	int rc;
	if (o->npaths != 1) {
		bc_cli_usage(stderr);
		return BC_EXIT_BAD_INPUT;
	}
	if (!(root = load_results(o->paths[0])))
		return BC_EXIT_BAD_INPUT;
	bc_cli_report_files(o, &files);
	if (files.markdown || files.junit || files.html || files.dir) {
		rc = bc_report_write_requested(root, &files);
		if (files.dir && (bc_report_mkdirs_said(files.dir) < 0 || bc_report_write_derived(root, files.dir, true) < 0))
			rc = -1;
	} else {
		rc = bc_report_markdown(root, stdout);
	}
	json_decref(root);
	return rc < 0 ? BC_EXIT_BAD_INPUT : 0;
}

int bc_cli_merge(const struct bc_cli_opts *o)
{
	/* --markdown before --summary here, as merge has always read them. */
	const char *md = o->markdown ? o->markdown : o->summary;
	json_t **roots;
	int rc = 0;
	if (o->npaths < 1 || (!o->html && !md)) {
		fprintf(stderr, "bindcheck: merge needs results files and --html FILE and/or --markdown FILE\n");
		return BC_EXIT_BAD_INPUT;
	}
	roots = calloc((size_t)o->npaths, sizeof(*roots));
	if (!roots)
		return BC_EXIT_BAD_INPUT;
	for (int i = 0; i < o->npaths && rc == 0; i++)
		if (!(roots[i] = load_results(o->paths[i])))
			rc = BC_EXIT_BAD_INPUT;
	if (rc == 0 && o->html && bc_report_write_merged(bc_report_merge_html, roots, o->npaths, o->html) < 0)
		rc = BC_EXIT_BAD_INPUT;
	if (rc == 0 && md && bc_report_write_merged(bc_report_merge_markdown, roots, o->npaths, md) < 0)
		rc = BC_EXIT_BAD_INPUT;
	for (int i = 0; i < o->npaths; i++)
		json_decref(roots[i]);
	free(roots);
	return rc;
}

int bc_cli_platform(void)
{
	struct bc_platform p;
	bc_platform_detect(&p);
	printf("%s\n", p.id);
	return 0;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return x < y ? -1 : x > y;
}

/* The steps of every case that can run in place, once, into us[] (the best
 * of the passes so far); the number of such cases. */
static int time_cases(const struct bc_table *tables, int ntables, long *us, bool first)
{
	static struct bc_observation obs;
	int k = 0;
	for (int t = 0; t < ntables; t++) {
		for (int i = 0; i < tables[t].ncases; i++) {
			const struct bc_case *c = &tables[t].cases[i];
			if (!bc_plan_in_place_clean(c))
				continue;
			struct timespec a, b;
			clock_gettime(CLOCK_MONOTONIC, &a);
			bc_steps_run(c, NULL, &obs, NULL, NULL);
			clock_gettime(CLOCK_MONOTONIC, &b);
			long v = (b.tv_sec - a.tv_sec) * 1000000L + (b.tv_nsec - a.tv_nsec) / 1000;
			if (first || v < us[k])
				us[k] = v;
			k++;
		}
	}
	return k;
}

/* bindcheck bare TABLE...: the benchmark's baseline.  In a private network
 * namespace, run the steps of every case that can run in place, back to
 * back, with no isolation at all, and print the time per case. */
int bc_cli_bare(const struct bc_cli_opts *o)
{
	struct bc_diags d = {0};
	struct bc_table *tables = NULL;
	char why[256];
	int ntables = bc_cli_load_tables(o, &tables, &d), n = 0;
	if (ntables < 0 || bc_sandbox_enter_private_net(why, sizeof(why)) < 0) {
		fprintf(stderr, "bindcheck bare: %s\n", ntables < 0 ? "no tables" : why);
		bc_cli_free_tables(tables, ntables);
		bc_diags_free(&d);
		return BC_EXIT_BAD_INPUT;
	}
	for (int t = 0; t < ntables; t++)
		n += tables[t].ncases;
	long *us = calloc((size_t)(n ? n : 1), sizeof(*us)), total = 0;
	n = 0;
	/* The best of five: the cost of the calls themselves. */
	for (int rep = 0; us && rep < 5; rep++)
		n = time_cases(tables, ntables, us, rep == 0);
	for (int i = 0; i < n; i++)
		total += us[i];
	if (n)
		qsort(us, (size_t)n, sizeof(*us), cmp_long);
	printf("bare: %d cases, %ld us in all, median %ld us per case\n", n, total, n ? us[n / 2] : 0);
	free(us);
	bc_cli_free_tables(tables, ntables);
	bc_diags_free(&d);
	return 0;
}
