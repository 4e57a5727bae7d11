/* suite: the CUnit program behind `make check`.  Each file registers one
 * CUnit suite of unit tests; tables.c registers one suite per case table. */
#ifndef BC_SUITE_H
#define BC_SUITE_H

#include <CUnit/CUnit.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "model/case.h"

int bc_suite_values(void);
int bc_suite_table(void);
/* test_table_rows.c: per-scenario rows, added to unit/table. */
int bc_suite_table_rows(CU_pSuite s);
int bc_suite_verdict(void);
int bc_suite_gvisor(void);
int bc_suite_sandbox(void);
/* Every namespace bindcheck makes owns a small TCP table; the host is not written. */
int bc_suite_netns(void);
int bc_suite_results(void);
int bc_suite_matrix(void);
int bc_suite_runner(void);
int bc_suite_cli(void);
/* How reports and output are written, and the input report, merge and
 * serve refuse. */
int bc_suite_reports(void);
/* Bad input: non-regular files, bad bytes, refused options and names. */
int bc_suite_input(void);
int bc_suite_profile(void);
int bc_suite_hostile(void);
/* cases/selftest/escape.tbl, the walk beneath a directory, allowed paths. */
int bc_suite_escape(void);
/* cases/selftest/confine.tbl: targets try to leave the confinement; interruption. */
int bc_suite_confine(void);
/* --time-scale: scaled timeouts and target grace times. */
int bc_suite_timescale(void);
/* make kernels' host side without qemu: ci/kernels-result (needs python3). */
int bc_suite_kernels(void);
/* The generated tables match their generator (needs python3). */
int bc_suite_generated(void);
/* The examples of cases/README.md read, and the quick start runs. */
int bc_suite_manual(void);
/* make install into a temporary DESTDIR, and a run of the installed tables. */
int bc_suite_install(void);
/* bindcheck audit: the reference path, its broken variant, bad commands. */
int bc_suite_audit(void);
/* Targets: listeners (sock_diag and /proc), settings, readiness, daemons,
 * output; cases/selftest/target.tbl. */
int bc_suite_target(void);
/* Registered last: compares the host's state with the one at start. */
int bc_suite_host(void);
/* watch.c: watches this process's network namespace until stop is
 * readable (or closed): writes "TABLE LOCAL-ADDRESS (pid N)" to report for
 * each socket that appears there and belongs to a process of this session,
 * then "looks N scans M".  It looks every few milliseconds and scans the
 * socket tables when the namespace's socket counters moved, and every
 * `every`th look (0: never).  "ready" goes to ready (then closed; -1: none)
 * once the sockets already there are recorded. */
void bc_suite_watch(int stop, int report, int ready, int every);
/* `bc_suite --watch STOP-FD REPORT-FD`: the host's watcher as a program
 * of its own (under Memcheck); 0 when it ran, -1 when argv asks for
 * something else. */
int bc_suite_watch_main(int argc, char **argv);
/* One CUnit suite per table found under the given paths; one test per row.
 * A table runs in its suite's init function; rows found skipped then are
 * made inactive before CUnit reaches them. */
int bc_suite_tables(char *const *paths, int npaths);
void bc_suite_tables_done(void);
/* The test of the time limit (it runs this program with --limit-selftest),
 * and what that mode registers instead of the suite. */
int bc_suite_limit(const char *self);
int bc_suite_limit_selftest(void);

/* What a run's suites came to, added up. */
struct bc_suite_totals {
	unsigned suites_run, suites_failed, tests_run, tests_failed, tests_inactive, asserts, asserts_failed;
	bool framework_error; /* CUnit failed, or a suite could not be run */
};

/* run.c: the registry run as CUnit's basic mode runs it, each test and
 * each init function under a time limit (BC_TEST_TIMEOUT_S seconds,
 * default 300), jobs suites at a time (parallel.c when more than one).
 * Call bc_suite_limit_init before registering. */
int bc_suite_limit_init(void);
double bc_suite_limit_s(void);
void bc_suite_run(bool verbose, int jobs, struct bc_suite_totals *tot);
/* One CUnit run's summary, and the error it left, added to tot. */
void bc_suite_totals_add(struct bc_suite_totals *tot, const CU_RunSummary *r, CU_ErrorCode err);
/* The number of the suite that starts next (1-based, for its progress
 * line), and the slowest test so far: its time, its name into name. */
void bc_suite_set_index(unsigned i);
double bc_suite_slowest(char *name, size_t n);
void bc_suite_note_slowest(const char *name, double s);

/* parallel.c: how many suites run at once (BC_SUITE_JOBS; default one
 * per CPU plus one); every suite but the last registered on that many
 * runner processes, then the last one here; -1 when it could not start
 * (nothing ran).  See parallel.c for what it asks of a suite. */
int bc_suite_jobs(void);
int bc_suite_run_parallel(int jobs, struct bc_suite_totals *tot);
/* How many suites BC_SUITES left out (parallel.c). */
int bc_suite_left_out(void);
/* Why a runner process ended with more fds than it started with, or NULL. */
const char *bc_suite_runner_leaks(void);
/* fn(arg) under the limit plus extra_s, for a suite's init function: 0,
 * or -1 when it was stopped (its children killed). */
int bc_suite_run_limited(void (*fn)(void *), void *arg, double extra_s);
/* A child of the suite that a stopped test must not take with it. */
void bc_suite_keep_child(pid_t pid);

/* Skips.  CUnit 2.1-3 has no skip at run time: a test that cannot run here
 * is made inactive before CUnit reaches it (its Run Summary counts it under
 * "Inactive", the closing line as skipped), and the reason is printed. */
void bc_suite_skip(CU_pTest test, const char *suite, const char *why);
/* Registers fn; inactive, with the reason, when why is not NULL. */
int bc_suite_add_test_unless(CU_pSuite s, const char *name, CU_TestFunc fn, const char *why);
/* Makes the registered test suite/name inactive; -1 when there is none. */
int bc_suite_skip_by_name(const char *suite, const char *name, const char *why);

/* Start argv[0] (argv NULL-terminated) with its stdout and stderr in the
 * files out and err (truncated), BC_TARGET_VALGRIND unset, after prep(arg)
 * in the child when prep is given (a uid, the environment, a working
 * directory; nonzero ends the child with that status): the child's pid,
 * or -1. */
pid_t bc_suite_spawn(const char *out, const char *err, char *const *argv, int (*prep)(void *), void *arg);

/* What a program run by bc_suite_exec did: its exit status (-1 when it did
 * not exit), its stdout and stderr (never NULL) and how long it took. */
struct bc_suite_out {
	int status;
	char *out, *err;
	double seconds;
};
/* argv through bc_suite_spawn, its output in dir/out and dir/err, waited
 * for. */
struct bc_suite_out bc_suite_exec(const char *dir, char *const *argv, int (*prep)(void *), void *arg);
void bc_suite_out_free(struct bc_suite_out *r);
/* A whole file, malloc'd; NULL when it cannot be read. */
char *bc_suite_slurp(const char *path);
/* The path of this program (read once), for starting it again natively
 * under Memcheck, which does not follow an exec; NULL when unknown. */
const char *bc_suite_self(void);

/* `bc_suite --sandbox-run TABLE FD`: a table's run with --isolation sandbox,
 * natively, for the suite under Memcheck (tables.c): its exit status, or
 * -1 when these are not its arguments. */
int bc_suite_sandbox_main(int argc, char **argv);
/* results_count.c: how many cases the results file at path holds, -1 when
 * it is not a whole one, -2 when it could not be counted; dir takes the
 * output of the native count under Memcheck.  `bc_suite --results-cases
 * PATH` prints it: 0, or -1 when these are not its arguments. */
long bc_suite_results_cases(const char *path, const char *dir);
int bc_suite_results_cases_main(int argc, char **argv);

/* background.c: fn(arg, mem) in a child of this process, which writes
 * what it found to mem (n bytes, zeroed, shared with this process) and
 * ends; the caller goes on meanwhile.  bc_suite_bg_start returns mem, or
 * NULL when the child could not be started (then nothing ran);
 * bc_suite_bg_wait waits for the child: 0 when it ended normally.  mem
 * lasts until bc_suite_bg_free. */
struct bc_suite_bg {
	pid_t pid;
	void *mem;
	size_t n;
};
void *bc_suite_bg_start(struct bc_suite_bg *bg, size_t n, void (*fn)(void *arg, void *mem), void *arg);
/* The same with this program started again, natively even under Memcheck
 * (which does not follow an exec): `bc_suite ARGS... FD`, where FD holds
 * the n bytes of mem (see bc_suite_bg_attach).  NULL when it could not be
 * started. */
void *bc_suite_bg_exec(struct bc_suite_bg *bg, size_t n, const char *const *args);
/* In the program bc_suite_bg_exec started: the memory behind fd (n bytes),
 * or NULL. */
void *bc_suite_bg_attach(const char *fd, size_t n);
int bc_suite_bg_wait(struct bc_suite_bg *bg);
void bc_suite_bg_free(struct bc_suite_bg *bg);

/* The absolute path of the interpreter "python3" on PATH runs (asked once,
 * through it), or NULL when there is none. */
const char *bc_suite_python(void);

/* A failing assertion whose message is built at run time (CU_ASSERT would
 * only print the expression). */
void bc_failf(unsigned line, const char *file, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
#define BC_FAILF(...) bc_failf(__LINE__, __FILE__, __VA_ARGS__)

/* A test that runs cases: where no private network namespace can be made
 * it is registered inactive (CUnit's skip, not a pass) and says why.  The
 * sandbox is probed once for all suites. */
int bc_suite_add_netns_test(CU_pSuite s, const char *name, CU_TestFunc fn);
#define BC_ADD_NETNS(suite, fn)                                           \
	do {                                                              \
		if (bc_suite_add_netns_test((suite), #fn, (fn)) < 0)      \
			return -1;                                        \
	} while (0)

/* The cases a bindcheck run's output (one line per case) says failed,
 * errored or passed unexpectedly, one a line with what their failure block
 * says (why, expected, observed), into buf; their number, -1 when buf
 * cannot be written. */
int bc_suite_failing_cases(const char *out, char *buf, size_t n);

/* Why row id of the table at path cannot run here (a skip reason), or NULL
 * when it can; a reason too when the row is not there. */
const char *bc_suite_row_skip(const char *path, const char *id, char *why, size_t n);
/* The case with this id in t, NULL when there is none. */
const struct bc_case *bc_suite_find_case(const struct bc_table *t, const char *id);
/* A suite's own table: text, or the file at path when text is NULL.  Its
 * diagnostics are printed; 0 when it read cleanly into exactly ncases. */
int bc_suite_read_table(const char *path, const char *text, struct bc_table *t, int ncases);

#define BC_ADD(suite, fn)                                 \
	do {                                              \
		if (!CU_add_test((suite), #fn, (fn)))     \
			return -1;                        \
	} while (0)

#endif
