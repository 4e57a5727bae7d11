/* options: the command line after the command's name, into bc_cli_opts. */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "model/values.h"

void bc_cli_usage(FILE *out)
{
	fputs("usage: bindcheck run [TABLE|DIR ...] [--filter PATTERN]... [--json FILE] [--summary FILE]\n"
	      "                     [--junit FILE] [--html FILE] [--report-dir DIR] [--timeout MS]\n"
	      "                     [--platform-profile bindv6only|noipv6|lowports] [--allow-host-network]\n"
	      "                     [--jobs N] [--order reversed|shuffled[:SEED]] [--isolation auto|sandbox]\n"
	      "                     [--time-scale N]\n"
	      "       bindcheck audit [--port N] [--grace MS] [--only PATTERN] [-j N] [--report-dir DIR]\n"
	      "                       [--emit-table FILE] [...] -- COMMAND [ARGS...]   (bindcheck audit --help)\n"
	      "       bindcheck list [TABLE|DIR ...] [--filter PATTERN]...\n"
	      "       bindcheck report RESULTS.json [--markdown FILE] [--junit FILE] [--html FILE] [--report-dir DIR]\n"
	      "       bindcheck merge RESULTS.json... [--html FILE] [--markdown FILE]\n"
	      "       bindcheck platform\n"
	      "       bindcheck serve [--family F] [--backlog N] [--once] HOST|- PORT   (the reference bind path)\n"
	      "Tables default to ./cases, else the installed ones.  PATTERN is a shell glob over TABLE/ID,\n"
	      "or a table name.\n"
	      "Cases run in a private network namespace; where none can be made they are skipped,\n"
	      "unless --allow-host-network lets them run in a forked child on the host's network.\n"
	      "Exit status: 0 all cases pass, 1 a case failed, 2 bad input or usage.  See bindcheck(1).\n",
	      out);
}

/* A number option's value, lo to hi, or -1 with what is wrong said. */
static int number(const char *arg, long lo, long hi, const char *name, const char *range, int *out)
{
	long v;
	if (bc_parse_int(arg, lo, hi, &v) < 0) {
		fprintf(stderr, "bindcheck: bad --%s '%s': %s\n", name, arg, range);
		return -1;
	}
	*out = (int)v;
	return 0;
}

/* --time-scale N: a number from 1 to 100 (1.5 is fine). */
static int time_scale(const char *arg, struct bc_cli_opts *o)
{
	char *end;
	errno = 0;
	double v = strtod(arg, &end);
	if (!*arg || isspace((unsigned char)*arg) || errno || *end || !(v >= 1.0 && v <= 100.0)) {
		fprintf(stderr, "bindcheck: bad --time-scale '%s': a number from 1 to 100\n", arg);
		return -1;
	}
	o->time_scale = v;
	return 0;
}

/* A seed is decimal digits that fit 64 bits: "shuffled:abc" was seed 0. */
static bool is_seed(const char *s)
{
	char *end;
	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	strtoull(s, &end, 10);
	return !*end && errno == 0;
}

static int order(const char *arg, struct bc_cli_opts *o)
{
	bool shuffled = strncmp(arg, "shuffled", 8) == 0 &&
			(arg[8] == '\0' || (arg[8] == ':' && is_seed(arg + 9)));
	if (strcmp(arg, "reversed") != 0 && !shuffled) {
		fprintf(stderr, "bindcheck: bad --order '%s': reversed, shuffled or shuffled:SEED (SEED a number, 0 to %llu)\n",
			arg, ULLONG_MAX);
		return -1;
	}
	o->order = arg;
	return 0;
}

static int isolation(const char *arg, struct bc_cli_opts *o)
{
	if (strcmp(arg, "auto") != 0 && strcmp(arg, "sandbox") != 0) {
		fprintf(stderr, "bindcheck: bad --isolation '%s': auto or sandbox\n", arg);
		return -1;
	}
	o->sandbox_all = strcmp(arg, "sandbox") == 0;
	return 0;
}

/* One option: 0, 1 for --help, -1 for a bad one. */
static int take(int ch, char *arg, struct bc_cli_opts *o)
{
	switch (ch) {
	case 'f':
		o->filters[o->nfilters++] = arg;
		return 0;
	case 1000:
		o->json = arg;
		return 0;
	case 's':
		o->summary = arg;
		return 0;
	case 'r':
		o->report_dir = arg;
		return 0;
	case 'm':
		o->markdown = arg;
		return 0;
	case 'J':
		o->junit = arg;
		return 0;
	case 'W':
		o->html = arg;
		return 0;
	case 'P':
		o->platform_profile = arg;
		return 0;
	case 'H':
		o->allow_host_net = true;
		return 0;
	case 't':
		return number(arg, 1, 600000, "timeout", "milliseconds, 1 to 600000", &o->timeout_ms);
	case 'j':
		return number(arg, 1, 64, "jobs", "1 to 64", &o->jobs);
	case 'O':
		return order(arg, o);
	case 'I':
		return isolation(arg, o);
	case 'T':
		return time_scale(arg, o);
	case 'h':
		bc_cli_usage(stdout);
		return 1;
	default:
		bc_cli_usage(stderr);
		return -1;
	}
}

int bc_cli_parse(int argc, char **argv, struct bc_cli_opts *o)
{
	static const struct option longopts[] = {
		{"filter", required_argument, NULL, 'f'},  {"json", required_argument, NULL, 1000},
		{"summary", required_argument, NULL, 's'}, {"report-dir", required_argument, NULL, 'r'},
		{"timeout", required_argument, NULL, 't'}, {"markdown", required_argument, NULL, 'm'},
		{"allow-host-network", no_argument, NULL, 'H'},
		{"junit", required_argument, NULL, 'J'},   {"html", required_argument, NULL, 'W'},
		{"platform-profile", required_argument, NULL, 'P'},
		{"jobs", required_argument, NULL, 'j'}, {"order", required_argument, NULL, 'O'},
		{"isolation", required_argument, NULL, 'I'}, {"time-scale", required_argument, NULL, 'T'},
		{"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
	};
	int ch, rc;
	memset(o, 0, sizeof(*o));
	o->filters = calloc((size_t)argc, sizeof(char *));
	if (!o->filters)
		return -1;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "f:j:s:r:t:m:h", longopts, NULL)) != -1)
		if ((rc = take(ch, optarg, o)) != 0)
			return rc;
	o->paths = argv + optind;
	o->npaths = argc - optind;
	return 0;
}

void bc_cli_report_files(const struct bc_cli_opts *o, struct bc_report_files *f)
{
	f->json = o->json;
	f->markdown = o->summary ? o->summary : o->markdown;
	f->junit = o->junit;
	f->html = o->html;
	f->dir = o->report_dir;
}
