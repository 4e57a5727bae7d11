/* bindcheck: the command-line program.  Only main decides to exit. */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* madvise */
#include <errno.h>
#include <getopt.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sut/bindpath.h"
#include "exec/pool.h"
#include "exec/sandbox.h"
#include "report/console.h"
#include "report/report.h"
#include "report/results.h"
#include "exec/runner.h"
#include "table/table.h"

#define EXIT_BAD_INPUT 2

static void usage(FILE *out)
{
	fputs("usage: bindcheck run [TABLE|DIR ...] [--filter PATTERN]... [--json FILE] [--summary FILE]\n"
	      "                     [--junit FILE] [--html FILE] [--report-dir DIR] [--timeout MS]\n"
	      "                     [--platform-profile bindv6only|noipv6|lowports] [--allow-host-network]\n"
	      "                     [--jobs N] [--order reversed|shuffled[:SEED]] [--isolation auto|sandbox]\n"
	      "       bindcheck list [TABLE|DIR ...] [--filter PATTERN]...\n"
	      "       bindcheck report RESULTS.json [--markdown FILE] [--junit FILE] [--html FILE] [--report-dir DIR]\n"
	      "       bindcheck merge RESULTS.json... [--html FILE] [--markdown FILE]\n"
	      "       bindcheck platform\n"
	      "       bindcheck serve [--family F] [--backlog N] [--once] HOST|- PORT   (the reference bind path)\n"
	      "Tables default to ./cases.  PATTERN is a shell glob over TABLE/ID, or a table name.\n"
	      "Cases run in a private network namespace; where none can be made they are skipped,\n"
	      "unless --allow-host-network lets them run in a forked child on the host's network.\n"
	      "Exit status: 0 all cases pass, 1 a case failed, 2 bad input or usage.\n",
	      out);
}

struct opts {
	char **filters;
	int nfilters;
	const char *json, *summary, *report_dir, *markdown, *junit, *html, *platform_profile, *order;
	int jobs;
	int timeout_ms;
	bool allow_host_net;
	bool sandbox_all; /* --isolation sandbox */
	char **paths;
	int npaths;
};

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{"filter", required_argument, NULL, 'f'},  {"json", required_argument, NULL, 1000},
		{"summary", required_argument, NULL, 's'}, {"report-dir", required_argument, NULL, 'r'},
		{"timeout", required_argument, NULL, 't'}, {"markdown", required_argument, NULL, 'm'},
		{"allow-host-network", no_argument, NULL, 'H'},
		{"junit", required_argument, NULL, 'J'},   {"html", required_argument, NULL, 'W'},
		{"platform-profile", required_argument, NULL, 'P'},
		{"jobs", required_argument, NULL, 'j'}, {"order", required_argument, NULL, 'O'},
		{"isolation", required_argument, NULL, 'I'},
		{"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
	};
	int ch;
	long v;
	memset(o, 0, sizeof(*o));
	o->filters = calloc((size_t)argc, sizeof(char *));
	if (!o->filters)
		return -1;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "f:j:s:r:t:m:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			o->filters[o->nfilters++] = optarg;
			break;
		case 1000:
			o->json = optarg;
			break;
		case 's':
			o->summary = optarg;
			break;
		case 'r':
			o->report_dir = optarg;
			break;
		case 'm':
			o->markdown = optarg;
			break;
		case 't':
			if (bc_parse_int(optarg, 1, 600000, &v) < 0) {
				fprintf(stderr, "bindcheck: bad --timeout '%s': milliseconds, 1 to 600000\n", optarg);
				return -1;
			}
			o->timeout_ms = (int)v;
			break;
		case 'H':
			o->allow_host_net = true;
			break;
		case 'J':
			o->junit = optarg;
			break;
		case 'W':
			o->html = optarg;
			break;
		case 'P':
			o->platform_profile = optarg;
			break;
		case 'j':
			if (bc_parse_int(optarg, 1, 64, &v) < 0) {
				fprintf(stderr, "bindcheck: bad --jobs '%s': 1 to 64\n", optarg);
				return -1;
			}
			o->jobs = (int)v;
			break;
		case 'O':
			if (strcmp(optarg, "reversed") != 0 && strncmp(optarg, "shuffled", 8) != 0) {
				fprintf(stderr, "bindcheck: bad --order '%s': reversed, shuffled or shuffled:SEED\n", optarg);
				return -1;
			}
			o->order = optarg;
			break;
		case 'I':
			if (strcmp(optarg, "auto") != 0 && strcmp(optarg, "sandbox") != 0) {
				fprintf(stderr, "bindcheck: bad --isolation '%s': auto or sandbox\n", optarg);
				return -1;
			}
			o->sandbox_all = strcmp(optarg, "sandbox") == 0;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	o->paths = argv + optind;
	o->npaths = argc - optind;
	return 0;
}

static int mkdirs(const char *path)
{
	char buf[4096];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

/* Reads every table; rows that could not be read are reported, not lost. */
/* Fault in, in one call, the heap that loading these tables will fill.
 * A page touched for the first time costs a fault each, and on a VM a
 * fault costs as much as a dozen system calls (12-15 us measured here,
 * against 1-2 us a page populated in bulk); parsed tables take about 50
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
	size_t want = text * 50 + (1u << 20), cap = 64u << 20;
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

static int load_tables(struct opts *o, struct bc_table **tables, struct bc_diags *d)
{
	static char *defaults[] = {"cases"};
	char **files;
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
	bc_table_files_free(files, nfiles);
	return nfiles;
}

/* Write one report made by fn from root into path. */
static int write_with(int (*fn)(const json_t *, FILE *), const json_t *root, const char *path)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "bindcheck: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	int rc = fn(root, f);
	if (fclose(f) != 0 || rc < 0) {
		fprintf(stderr, "bindcheck: cannot write %s\n", path);
		return -1;
	}
	return 0;
}

static int write_summary(const json_t *root, const char *path)
{
	return write_with(bc_report_markdown, root, path);
}

/* results.json's companions in DIR: summary.md, junit.xml, index.html. */
static int write_derived(const json_t *root, const char *dir, bool say)
{
	static const struct {
		const char *name;
		int (*fn)(const json_t *, FILE *);
	} reports[] = {{"summary.md", bc_report_markdown}, {"junit.xml", bc_report_junit}, {"index.html", bc_report_html}};
	char path[4096];
	int rc = 0;
	for (size_t i = 0; i < sizeof(reports) / sizeof(reports[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, reports[i].name);
		if (write_with(reports[i].fn, root, path) < 0)
			rc = -1;
		else if (say)
			printf("report: %s\n", path);
	}
	return rc;
}

/* --summary, --junit, --html: each report where the user asked for it. */
static int write_requested(const json_t *root, const struct opts *o)
{
	int rc = 0;
	if ((o->summary || o->markdown) && write_summary(root, o->summary ? o->summary : o->markdown) < 0)
		rc = -1;
	if (o->junit && write_with(bc_report_junit, root, o->junit) < 0)
		rc = -1;
	if (o->html && write_with(bc_report_html, root, o->html) < 0)
		rc = -1;
	return rc;
}

static int write_reports(const json_t *root, const struct opts *o, const struct bc_run_info *run)
{
	char path[4096];
	int rc = 0;
	if (o->json && bc_results_write(root, o->json) < 0) {
		fprintf(stderr, "bindcheck: cannot write %s\n", o->json);
		rc = -1;
	}
	if (write_requested(root, o) < 0)
		rc = -1;
	if (o->report_dir) {
		snprintf(path, sizeof(path), "%s/%s", o->report_dir, run->platform.id);
		if (mkdirs(path) < 0) {
			fprintf(stderr, "bindcheck: cannot create %s: %s\n", path, strerror(errno));
			return -1;
		}
		snprintf(path, sizeof(path), "%s/%s/results.json", o->report_dir, run->platform.id);
		if (bc_results_write(root, path) < 0) {
			fprintf(stderr, "bindcheck: cannot write %s\n", path);
			rc = -1;
		} else {
			printf("report: %s\n", path);
		}
		snprintf(path, sizeof(path), "%s/%s", o->report_dir, run->platform.id);
		if (write_derived(root, path, true) < 0)
			rc = -1;
	}
	return rc;
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

/* What cmd_run leaves to the exit (see there). */
static struct bc_table *volatile kept_tables;

static int cmd_run(struct opts *o, const char *prog)
{
	struct bc_diags d = {0};
	struct bc_table *tables = NULL;
	struct bc_runner r;
	int ntables, ncases = 0;

	ntables = load_tables(o, &tables, &d);
	bc_diags_print(&d, stderr);
	if (ntables < 0)
		return EXIT_BAD_INPUT;
	bc_runner_init(&r, prog);
	r.timeout_ms = o->timeout_ms;
	r.allow_host_net = o->allow_host_net;
	if (o->platform_profile && bc_runner_set_platform_profile(&r, o->platform_profile) < 0) {
		fprintf(stderr, "bindcheck: unknown --platform-profile '%s'; hint: bindv6only, noipv6 or lowports\n",
			o->platform_profile);
		for (int t = 0; t < ntables; t++)
			bc_table_free(&tables[t]);
		free(tables);
		bc_diags_free(&d);
		return EXIT_BAD_INPUT;
	}
	r.pooled = true;
	r.isolation = o->sandbox_all ? BC_ISO_SANDBOX : BC_ISO_AUTO;
	/* The results document is built only when a report is asked for:
	 * for a plain run its cost per case would be more than the case's. */
	bool want = o->json || o->summary || o->markdown || o->junit || o->html || o->report_dir;
	struct bc_run_info info;
	bc_runner_describe(&r, &info);
	json_t *root = want ? bc_results_new(&info) : NULL;
	for (int t = 0; t < ntables; t++)
		ncases += tables[t].ncases;
	const struct bc_case **list = calloc((size_t)(ncases ? ncases : 1), sizeof(*list));
	int nlist = 0;
	for (int t = 0; t < ntables; t++) {
		if (root)
			bc_results_add_table(root, &tables[t]);
		for (int i = 0; i < tables[t].ncases; i++)
			if (bc_filter_match(&tables[t].cases[i], o->filters, o->nfilters) && list)
				list[nlist++] = &tables[t].cases[i];
	}
	/* On a terminal (and not in CI): one progress line, and only the
	 * cases that need attention in full; otherwise one stable line per
	 * case. */
	struct run_ctx rc_ = {.run = &info, .root = root, .tty = isatty(STDOUT_FILENO) && !getenv("CI"), .planned = nlist};
	if (list && o->order)
		reorder(list, nlist, o->order);
	int jobs = o->jobs > 0 ? o->jobs : (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (list)
		bc_run_cases(&r, list, nlist, jobs, one_done, &rc_);
	free(list);
	const int *counts = rc_.counts, failed = rc_.failed, total = rc_.printed;
	const bool tty = rc_.tty;

	if (root) {
		bc_results_add_diags(root, &d);
		bc_results_finish(root);
	}
	if (tty)
		printf("\r\033[K%s", failed ? "\033[1;31m" : "\033[1;32m");
	printf("summary: %d cases: %d pass, %d fail, %d xfail, %d xpass, %d skip, %d error; %d input errors\n", total,
	       counts[BC_PASS], counts[BC_FAIL], counts[BC_XFAIL], counts[BC_XPASS], counts[BC_SKIP], counts[BC_ERROR],
	       d.n);
	if (tty)
		fputs("\033[0m", stdout);
	if (d.n)
		fprintf(stderr, "bindcheck: %d input error%s (listed above); the rows that could be read were run\n", d.n,
			d.n == 1 ? "" : "s");
	if (o->nfilters && total == 0)
		fprintf(stderr, "bindcheck: no case matches the filter\n");
	int wrote = root ? write_reports(root, o, &info) : 0;
	json_decref(root);
	/* The tables are left for the exit to take back: freeing them would
	 * touch every page they fill once more (a fault each on a VM) only to
	 * give them back a moment before the process ends.  A static pointer
	 * keeps them reachable, so a leak check does not count them. */
	kept_tables = tables;
	int bad_input = d.n > 0 || wrote < 0 || (o->nfilters && total == 0);
	bc_diags_free(&d);
	return bad_input ? EXIT_BAD_INPUT : failed ? 1 : 0;
}

static int cmd_list(struct opts *o)
{
	struct bc_diags d = {0};
	struct bc_table *tables = NULL;
	int ntables = load_tables(o, &tables, &d), n = 0;
	bc_diags_print(&d, stderr);
	for (int t = 0; t < ntables; t++) {
		for (int i = 0; i < tables[t].ncases; i++) {
			const struct bc_case *c = &tables[t].cases[i];
			if (!bc_filter_match(c, o->filters, o->nfilters))
				continue;
			printf("%s/%s\t%s:%d\t%s\n", c->table, c->id, c->file, c->line, c->scenario);
			n++;
		}
		bc_table_free(&tables[t]);
	}
	free(tables);
	fprintf(stderr, "%d cases\n", n);
	int rc = d.n || ntables < 0 ? EXIT_BAD_INPUT : 0;
	bc_diags_free(&d);
	return rc;
}

/* Load a results file, or say what is wrong with it. */
static json_t *load_results(const char *path)
{
	json_error_t err;
	json_t *root = json_load_file(path, 0, &err);
	if (!root) {
		fprintf(stderr, "%s:%d:%d: %s\n", path, err.line, err.column, err.text);
		return NULL;
	}
	const char *schema = json_string_value(json_object_get(root, "schema"));
	if (!schema || strcmp(schema, BC_RESULTS_SCHEMA) != 0) {
		fprintf(stderr, "%s:1:1: not a bindcheck results file (no \"schema\": \"%s\")\n", path, BC_RESULTS_SCHEMA);
		json_decref(root);
		return NULL;
	}
	return root;
}

static int cmd_report(struct opts *o)
{
	json_t *root;
	if (o->npaths != 1) {
		usage(stderr);
		return EXIT_BAD_INPUT;
	}
	if (!(root = load_results(o->paths[0])))
		return EXIT_BAD_INPUT;
	int rc;
	if (o->markdown || o->summary || o->junit || o->html || o->report_dir) {
		rc = write_requested(root, o);
		if (o->report_dir && (mkdirs(o->report_dir) < 0 || write_derived(root, o->report_dir, true) < 0))
			rc = -1;
	} else {
		rc = bc_report_markdown(root, stdout);
	}
	json_decref(root);
	return rc < 0 ? EXIT_BAD_INPUT : 0;
}

static int cmd_merge(struct opts *o)
{
	json_t **roots;
	int rc = 0;
	if (o->npaths < 1 || (!o->html && !o->markdown && !o->summary)) {
		fprintf(stderr, "bindcheck: merge needs results files and --html FILE and/or --markdown FILE\n");
		return EXIT_BAD_INPUT;
	}
	roots = calloc((size_t)o->npaths, sizeof(*roots));
	if (!roots)
		return EXIT_BAD_INPUT;
	for (int i = 0; i < o->npaths && rc == 0; i++)
		if (!(roots[i] = load_results(o->paths[i])))
			rc = EXIT_BAD_INPUT;
	if (rc == 0 && o->html) {
		FILE *f = fopen(o->html, "w");
		if (!f || bc_report_merge_html(roots, o->npaths, f) < 0 || fclose(f) != 0) {
			fprintf(stderr, "bindcheck: cannot write %s\n", o->html);
			rc = EXIT_BAD_INPUT;
		}
	}
	const char *md = o->markdown ? o->markdown : o->summary;
	if (rc == 0 && md) {
		FILE *f = fopen(md, "w");
		if (!f || bc_report_merge_markdown(roots, o->npaths, f) < 0 || fclose(f) != 0) {
			fprintf(stderr, "bindcheck: cannot write %s\n", md);
			rc = EXIT_BAD_INPUT;
		}
	}
	for (int i = 0; i < o->npaths; i++)
		if (roots[i])
			json_decref(roots[i]);
	free(roots);
	return rc;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return x < y ? -1 : x > y;
}

/* bindcheck bare TABLE...: the benchmark's baseline.  In a private network
 * namespace, run the steps of every case that can run in place, back to
 * back, with no isolation at all, and print the time per case. */
static int cmd_bare(struct opts *o)
{
	struct bc_diags d = {0};
	struct bc_table *tables = NULL;
	char why[256];
	int ntables = load_tables(o, &tables, &d), n = 0;
	long *us = NULL;
	if (ntables < 0 || bc_sandbox_enter_private_net(why, sizeof(why)) < 0) {
		fprintf(stderr, "bindcheck bare: %s\n", ntables < 0 ? "no tables" : why);
		return EXIT_BAD_INPUT;
	}
	for (int t = 0; t < ntables; t++)
		n += tables[t].ncases;
	us = calloc((size_t)(n ? n : 1), sizeof(*us));
	n = 0;
	static struct bc_observation obs;
	for (int rep = 0; rep < 5; rep++) {
		int k = 0;
		for (int t = 0; t < ntables; t++) {
			for (int i = 0; i < tables[t].ncases; i++) {
				const struct bc_case *c = &tables[t].cases[i];
				if (!bc_pool_inprocess_ok(c) || !us)
					continue;
				struct timespec a, b;
				clock_gettime(CLOCK_MONOTONIC, &a);
				bc_steps_run(c, NULL, &obs, NULL, NULL);
				clock_gettime(CLOCK_MONOTONIC, &b);
				long v = (b.tv_sec - a.tv_sec) * 1000000L + (b.tv_nsec - a.tv_nsec) / 1000;
				if (rep == 0 || v < us[k])
					us[k] = v; /* the best of five: the cost of the calls themselves */
				k++;
			}
		}
		n = k;
	}
	long total = 0;
	for (int i = 0; i < n; i++)
		total += us[i];
	qsort(us, (size_t)n, sizeof(*us), cmp_long);
	printf("bare: %d cases, %ld us in all, median %ld us per case\n", n, total, n ? us[n / 2] : 0);
	free(us);
	for (int t = 0; t < ntables; t++)
		bc_table_free(&tables[t]);
	free(tables);
	bc_diags_free(&d);
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o;
	int rc;
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_BAD_INPUT : 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("bindcheck %s\n", BC_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "serve") == 0)
		return bc_bindpath_main(argc - 1, argv + 1);
	if (parse_opts(argc - 1, argv + 1, &o) < 0) {
		free(o.filters);
		return EXIT_BAD_INPUT;
	}
	if (strcmp(argv[1], "run") == 0) {
		rc = cmd_run(&o, argv[0]);
	} else if (strcmp(argv[1], "list") == 0) {
		rc = cmd_list(&o);
	} else if (strcmp(argv[1], "report") == 0) {
		rc = cmd_report(&o);
	} else if (strcmp(argv[1], "merge") == 0) {
		rc = cmd_merge(&o);
	} else if (strcmp(argv[1], "bare") == 0) {
		rc = cmd_bare(&o);
	} else if (strcmp(argv[1], "platform") == 0) {
		struct bc_platform p;
		bc_platform_detect(&p);
		printf("%s\n", p.id);
		rc = 0;
	} else {
		fprintf(stderr, "bindcheck: unknown command '%s'\n", argv[1]);
		usage(stderr);
		rc = EXIT_BAD_INPUT;
	}
	free(o.filters);
	return rc;
}
