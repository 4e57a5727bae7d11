/* cli: the parts of the bindcheck command: the options (options.c), the run
 * command (run.c), the other commands (commands.c), and main.c, which
 * dispatches and alone decides to exit.  A command returns its exit status. */
#ifndef BC_CLI_H
#define BC_CLI_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include "model/case.h"
#include "report/write.h"
#include "table/diag.h"

#define BC_EXIT_BAD_INPUT 2

struct bc_cli_opts {
	char **filters;
	int nfilters;
	const char *json, *summary, *report_dir, *markdown, *junit, *html, *platform_profile, *order;
	int jobs;
	int timeout_ms;
	double time_scale; /* --time-scale, 0 when not given */
	bool allow_host_net;
	bool sandbox_all; /* --isolation sandbox */
	char **paths;
	int npaths;
};

void bc_cli_usage(FILE *out);
/* fflush(stdout), keeping the errno of the first failure for the exit
 * (main.c); 0, or -1 when stdout cannot be written. */
int bc_cli_flush_stdout(void);
/* The options after the command's name (argv[0] is the command).  0; 1 for
 * --help, with the usage printed; -1 for bad usage, said on stderr.  The
 * caller frees o->filters in every case. */
int bc_cli_parse(int argc, char **argv, struct bc_cli_opts *o);
/* The report files the options ask for, --summary before --markdown. */
void bc_cli_report_files(const struct bc_cli_opts *o, struct bc_report_files *f);

/* Every table the paths name (by default ./cases, else the installed ones:
 * exec/paths.h); rows that could not be read are in d, not lost.  The
 * number of tables, or -1. */
int bc_cli_load_tables(const struct bc_cli_opts *o, struct bc_table **tables, struct bc_diags *d);
void bc_cli_free_tables(struct bc_table *tables, int n);

int bc_cli_run(const struct bc_cli_opts *o, const char *prog);
/* bindcheck audit [options] -- COMMAND [ARGS...] (audit.c): argv[0] is
 * "audit"; the exit status. */
int bc_cli_audit(int argc, char **argv, const char *prog);
/* Catch SIGINT, SIGTERM and SIGHUP (once each) from now on: the flag to
 * give the runner (bc_runner.stop); and the signal caught, 0 if none. */
const volatile sig_atomic_t *bc_cli_catch_interrupts(void);
int bc_cli_interrupted_by(void);
const char *bc_cli_signal_name(int sig);
int bc_cli_list(const struct bc_cli_opts *o);
int bc_cli_report(const struct bc_cli_opts *o);
int bc_cli_merge(const struct bc_cli_opts *o);
int bc_cli_bare(const struct bc_cli_opts *o);
int bc_cli_platform(void);

#endif
