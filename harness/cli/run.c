/* run: `bindcheck run`: the tables' cases on the worker pool, one line per
 * case as each is judged, the summary line, and the reports asked for. */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* madvise */
#include <stdint.h>
#include <stdlib.h>
#ifdef __GLIBC__ /* defined by the headers above */
#include <malloc.h>
#endif
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "exec/paths.h"
#include "exec/pool.h"
#include "exec/runner.h"
#include "exec/zygote.h"
#include "report/console.h"
#include "report/results.h"
#include "table/table.h"

/* Fault in, in one call, the heap that loading these tables will fill.
 * A page touched for the first time costs a fault each, and on a VM a
 * fault costs as much as a dozen system calls (12-15 us measured here,
 * against 1-2 us a page populated in bulk); parsed tables take about 5
 * times their text.  The memory is malloc's to hand out, as it would
 * have been. */
static void prefault_heap(char **files, int n)
{
#if defined(__GLIBC__) && defined(MADV_POPULATE_WRITE)
	size_t text = 0;
	struct stat sb;
	for (int i = 0; i < n; i++)
		if (stat(files[i], &sb) == 0)
			text += (size_t)sb.st_size;
	size_t want = text * 5 + (1u << 20), cap = 64u << 20;
	if (want > cap)
		want = cap;
	/* Keep it in the heap: not an mmap of its own, not trimmed on free. */
	mallopt(M_MMAP_THRESHOLD, (int)(want + (1u << 20)));
	mallopt(M_TRIM_THRESHOLD, (int)(want * 2));
	char *p = malloc(want);
	if (!p)
		return;
	long pg = sysconf(_SC_PAGESIZE);
	uintptr_t lo = ((uintptr_t)p + (uintptr_t)pg - 1) & ~((uintptr_t)pg - 1);
	uintptr_t hi = ((uintptr_t)p + want) & ~((uintptr_t)pg - 1);
	if (hi > lo)
		madvise((void *)lo, hi - lo, MADV_POPULATE_WRITE); /* a hint: an old kernel says EINVAL */
	free(p);
#else
	(void)files, (void)n;
#endif
}

/* Two tables of one name in one run would give two results of one
 * name (table/id), which results.json, merge and --filter cannot tell
 * apart: the later table is refused, the first one runs. */
static void refuse_duplicate_names(struct bc_table *tables, int n, struct bc_diags *d)
{
	for (int i = 1; i < n; i++) {
		for (int k = 0; k < i; k++) {
			if (!tables[k].name[0] || strcmp(tables[k].name, tables[i].name) != 0)
				continue;
			if (strcmp(tables[k].path, tables[i].path) == 0)
				bc_diag_add(d, tables[i].path, 1, 1, "this table is given twice; hint: name each table once");
			else
				bc_diag_add(d, tables[i].path, 1, 1,
					    "table name '%s' is already used by %s; hint: tables run together need different names: change the 'table' line or the file name",
					    tables[i].name, tables[k].path);
			bc_table_free(&tables[i]);
			break;
		}
	}
}

int bc_cli_load_tables(const struct bc_cli_opts *o, struct bc_table **tables, struct bc_diags *d)
{
	/* ./cases, else the installed tables (exec/paths.h). */
	char deflt[1100], *defaults[] = {deflt};
	char **files;
	if (!o->npaths)
		bc_paths_default_tables(deflt, sizeof(deflt));
	int nfiles = o->npaths ? bc_table_find(o->paths, o->npaths, &files, d) : bc_table_find(defaults, 1, &files, d);
	if (nfiles < 0)
		return -1;
	prefault_heap(files, nfiles);
	*tables = calloc((size_t)(nfiles ? nfiles : 1), sizeof(**tables));
	if (!*tables) {
		bc_table_files_free(files, nfiles);
		return -1;
	}
	for (int i = 0; i < nfiles; i++)
		bc_table_load(files[i], &(*tables)[i], d);
	refuse_duplicate_names(*tables, nfiles, d);
	bc_table_files_free(files, nfiles);
	return nfiles;
}

void bc_cli_free_tables(struct bc_table *tables, int n)
{
	for (int t = 0; t < n; t++)
		bc_table_free(&tables[t]);
	free(tables);
}

struct run_ctx {
	const struct bc_run_info *run;
	json_t *root;
	int counts[BC_VERDICT_COUNT];
	int failed;
	bool tty;
	int planned, printed;
};

/* One case's result, in order: printed, and added to results.json. */
static void one_done(void *arg, int index, const struct bc_case_result *res)
{
	struct run_ctx *x = arg;
	const struct bc_case *c = res->c;
	(void)index;
	x->printed++;
	if (x->tty) {
		printf("\r\033[K[%d/%d] %s/%s", x->printed, x->planned, c->table, c->id);
		fflush(stdout);
	}
	if (x->tty && bc_verdict_is_failure(res->j.verdict))
		fputs("\r\033[K\033[1;31m", stdout);
	if (!x->tty || bc_verdict_is_failure(res->j.verdict)) {
		bc_console_print_result(x->run->prog, res, stdout);
		if (x->tty)
			fputs("\033[0m", stdout);
	}
	/* Each case's lines whole and at once, on a pipe or in a file too: a
	 * run that is stopped keeps every verdict it printed, and no half
	 * line.  (The buffer holds a whole block: main_buffer.) */
	bc_cli_flush_stdout();
	if (x->root)
		bc_results_add_case(x->root, x->run, res);
	x->counts[res->j.verdict]++;
	x->failed += bc_verdict_is_failure(res->j.verdict);
}

/* --order reversed|shuffled[:SEED]: to show that cases cannot see each
 * other, their verdicts must not depend on the order they run in. */
static void reorder(const struct bc_case **list, int n, const char *order)
{
	if (strcmp(order, "reversed") == 0) {
		for (int i = 0, j = n - 1; i < j; i++, j--) {
			const struct bc_case *t = list[i];
			list[i] = list[j];
			list[j] = t;
		}
		return;
	}
	unsigned long long seed = order[8] == ':' ? strtoull(order + 9, NULL, 10) : 1;
	for (int i = n - 1; i > 0; i--) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		int j = (int)((seed >> 33) % (unsigned long long)(i + 1));
		const struct bc_case *t = list[i];
		list[i] = list[j];
		list[j] = t;
	}
}

/* The runner the options ask for; -1, said, for an unknown profile. */
static int setup_runner(struct bc_runner *r, const struct bc_cli_opts *o, const char *prog)
{
	bc_runner_init(r, prog);
	r->timeout_ms = o->timeout_ms;
	r->time_scale = o->time_scale > 1.0 ? o->time_scale : 1.0;
	r->allow_host_net = o->allow_host_net;
	if (o->platform_profile && bc_runner_set_platform_profile(r, o->platform_profile) < 0) {
		fprintf(stderr, "bindcheck: unknown --platform-profile '%s'; hint: bindv6only, noipv6 or lowports\n",
			o->platform_profile);
		return -1;
	}
	r->pooled = true;
	r->isolation = o->sandbox_all ? BC_ISO_SANDBOX : BC_ISO_AUTO;
	return 0;
}

/* The cases the filters select, in table order (then in --order's); NULL,
 * with *n 0, when out of memory. */
static const struct bc_case **select_cases(struct bc_table *tables, int ntables, const struct bc_cli_opts *o, int *n)
{
	int ncases = 0;
	*n = 0;
	for (int t = 0; t < ntables; t++)
		ncases += tables[t].ncases;
	const struct bc_case **list = calloc((size_t)(ncases ? ncases : 1), sizeof(*list));
	if (!list)
		return NULL;
	for (int t = 0; t < ntables; t++)
		for (int i = 0; i < tables[t].ncases; i++)
			if (bc_filter_match(&tables[t].cases[i], o->filters, o->nfilters))
				list[(*n)++] = &tables[t].cases[i];
	if (o->order)
		reorder(list, *n, o->order);
	return list;
}

static void print_summary(const struct run_ctx *x, int input_errors, const struct bc_cli_opts *o)
{
	const int *counts = x->counts;
	if (x->tty)
		printf("\r\033[K%s", x->failed ? "\033[1;31m" : "\033[1;32m");
	printf("summary: %d cases: %d pass, %d fail, %d xfail, %d xpass, %d skip, %d error; %d input errors\n",
	       x->printed, counts[BC_PASS], counts[BC_FAIL], counts[BC_XFAIL], counts[BC_XPASS], counts[BC_SKIP],
	       counts[BC_ERROR], input_errors);
	if (x->tty)
		fputs("\033[0m", stdout);
	if (input_errors)
		fprintf(stderr, "bindcheck: %d input error%s (listed above); the rows that could be read were run\n",
			input_errors, input_errors == 1 ? "" : "s");
	if (o->nfilters && x->printed == 0)
		fprintf(stderr, "bindcheck: no case matches the filter\n");
}

/* Not on a terminal, stdout is written once per case (one_done): a buffer
 * that holds the longest failure block, so that it goes out in one write. */
static void main_buffer(bool tty)
{
	static char buf[1 << 16];
	if (!tty)
		setvbuf(stdout, buf, _IOFBF, sizeof(buf));
}

/* What bc_cli_run leaves to the exit (see there). */
static struct bc_table *volatile kept_tables;
static json_t *volatile kept_root;

int bc_cli_run(const struct bc_cli_opts *o, const char *prog)
{
	struct bc_diags d = {0};
	struct bc_table *tables = NULL;
	struct bc_runner r;
	struct bc_run_info info;
	struct bc_report_files files;
	int ntables, nlist;
	/* The probe's namespace becomes the first one, the base with small
	 * TCP tables (exec/netns.h): setup_runner waits for it, and the
	 * zygote started after it makes workers that enter it. */
	bc_sandbox_probe_early();

	if (setup_runner(&r, o, prog) < 0)
		return BC_EXIT_BAD_INPUT;
	/* The workers' zygote (exec/zygote.h) starts now, small: before the
	 * tables are read, with the interrupt handlers its workers keep. */
	r.stop = bc_cli_catch_interrupts();
	int jobs = o->jobs > 0 ? o->jobs : (int)sysconf(_SC_NPROCESSORS_ONLN);
	bc_zygote_start(&r);
	/* Its workers make their namespaces while the tables are read. */
	if (r.pooled)
		bc_zygote_warm(jobs);
	ntables = bc_cli_load_tables(o, &tables, &d);
	bc_diags_print(&d, stderr);
	if (ntables < 0) {
		bc_zygote_stop();
		return BC_EXIT_BAD_INPUT;
	}
	bc_runner_describe(&r, &info);
	bc_cli_report_files(o, &files);
	/* The results document is built only when a report is asked for:
	 * for a plain run its cost per case would be more than the case's. */
	json_t *root = bc_report_files_any(&files) ? bc_results_new(&info) : NULL;
	for (int t = 0; root && t < ntables; t++)
		bc_results_add_table(root, &tables[t]);
	const struct bc_case **list = select_cases(tables, ntables, o, &nlist);
	/* On a terminal (and not in CI): one progress line, and only the
	 * cases that need attention in full; otherwise one stable line per
	 * case. */
	struct run_ctx x = {.run = &info, .root = root, .tty = isatty(STDOUT_FILENO) && !getenv("CI"), .planned = nlist};
	main_buffer(isatty(STDOUT_FILENO));
	if (list)
		bc_run_cases(&r, list, nlist, jobs, one_done, &x);
	bc_zygote_stop();
	free(list);
	int sig = bc_cli_interrupted_by();
	if (root) {
		bc_results_add_diags(root, &d);
		bc_results_finish(root);
		if (sig)
			bc_results_mark_interrupted(root, bc_cli_signal_name(sig), nlist);
	}
	print_summary(&x, d.n, o);
	if (sig)
		fprintf(stderr, "bindcheck: interrupted by %s after %d of %d cases; the reports hold those %d, marked interrupted\n",
			bc_cli_signal_name(sig), x.printed, nlist, x.printed);
	bc_cli_flush_stdout(); /* out before the reports, which may take a while */
	int wrote = root ? bc_report_write_run(root, &files) : 0;
	/* The results document is left to the exit as the tables are (below). */
	kept_root = root;
	/* The tables are left for the exit to take back: freeing them would
	 * touch every page they fill once more (a fault each on a VM) only to
	 * give them back a moment before the process ends.  A static pointer
	 * keeps them reachable, so a leak check does not count them. */
	kept_tables = tables;
	int bad_input = d.n > 0 || wrote < 0 || (o->nfilters && x.printed == 0);
	bc_diags_free(&d);
	return sig ? 128 + sig : bad_input ? BC_EXIT_BAD_INPUT : x.failed ? 1 : 0;
}
