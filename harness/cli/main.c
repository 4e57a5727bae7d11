/* bindcheck: the command-line program: the usage, and which command runs.
 * Only main decides to exit. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "report/results.h"
#include "sut/bindpath.h"

/* The errno of the first write to standard output that failed; 0: none.
 * stdio drops what it could not write, so a later flush may succeed on an
 * empty buffer and say nothing: the first failure is kept here. */
static int stdout_errno;

int bc_cli_flush_stdout(void)
{
	errno = 0;
	if (fflush(stdout) == 0 && !ferror(stdout))
		return 0;
	if (!stdout_errno)
		stdout_errno = errno ? errno : EIO;
	return -1;
}

/* What a command printed must reach standard output: a full disk or a
 * file that cannot be written is an error, not a quiet success. */
static int stdout_written(int rc)
{
	if (bc_cli_flush_stdout() == 0)
		return rc;
	fprintf(stderr, "bindcheck: cannot write standard output: %s\n", strerror(stdout_errno));
	return BC_EXIT_BAD_INPUT;
}

/* The commands that take the common options, by name. */
static int dispatch(const char *cmd, const struct bc_cli_opts *o, const char *prog)
{
	if (strcmp(cmd, "run") == 0)
		return bc_cli_run(o, prog);
	if (strcmp(cmd, "list") == 0)
		return bc_cli_list(o);
	if (strcmp(cmd, "report") == 0)
		return bc_cli_report(o);
	if (strcmp(cmd, "merge") == 0)
		return bc_cli_merge(o);
	if (strcmp(cmd, "bare") == 0)
		return bc_cli_bare(o);
	if (strcmp(cmd, "platform") == 0)
		return bc_cli_platform();
	fprintf(stderr, "bindcheck: unknown command '%s'\n", cmd);
	bc_cli_usage(stderr);
	return BC_EXIT_BAD_INPUT;
}

int main(int argc, char **argv)
{
	struct bc_cli_opts o;
	int rc;
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		bc_cli_usage(argc < 2 ? stderr : stdout);
		return stdout_written(argc < 2 ? BC_EXIT_BAD_INPUT : 0);
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("bindcheck %s\n", BC_VERSION);
		return stdout_written(0);
	}
	/* serve is a system under test: its exit statuses are what the fault
	 * tables expect of it, so they stay its own. */
	if (strcmp(argv[1], "serve") == 0)
		return bc_bindpath_main(argc - 1, argv + 1);
	/* audit takes a command after its options, and options of its own. */
	if (strcmp(argv[1], "audit") == 0)
		return stdout_written(bc_cli_audit(argc - 1, argv + 1, argv[0]));
	rc = bc_cli_parse(argc - 1, argv + 1, &o);
	if (rc == 0)
		rc = dispatch(argv[1], &o, argv[0]);
	else
		rc = rc > 0 ? 0 : BC_EXIT_BAD_INPUT; /* --help: the usage is printed */
	free(o.filters);
	return stdout_written(rc);
}
