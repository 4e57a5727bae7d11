/* runner: one case through sandbox and verdict; printing of its line. */
#define _POSIX_C_SOURCE 200809L
#include "runner.h"

#include <fnmatch.h>
#include <string.h>
#include <unistd.h>

void bc_runner_init(struct bc_runner *r, const char *prog)
{
	memset(r, 0, sizeof(*r));
	r->prog = prog;
	bc_platform_detect(&r->platform);
	bc_sandbox_probe(&r->caps);
}

const char *bc_runner_isolation(const struct bc_runner *r)
{
	if (r->caps.private_net)
		return "fork + private network namespace";
	if (r->allow_host_net)
		return "fork, on the host's network (--allow-host-network)";
	return "none available: cases skipped";
}

/* The child's report: one byte per step as it starts (the index), then the
 * whole observation.  A case killed at its timeout leaves only the bytes,
 * and the last one names the step it hung in. */
static void step_started(void *arg, int i)
{
	unsigned char b = (unsigned char)i;
	bc_sandbox_write(*(int *)arg, &b, 1);
}

static int case_child(void *arg, int out_fd)
{
	const struct bc_case *c = arg;
	struct bc_observation obs;
	bc_steps_run(c, &obs, step_started, &out_fd);
	bc_sandbox_write(out_fd, &obs, sizeof(obs));
	return 0;
}

/* The observation is the last thing the child wrote. */
static bool take_observation(const struct bc_sandbox_result *sb, struct bc_observation *obs)
{
	if (sb->outlen < sizeof(*obs))
		return false;
	memcpy(obs, sb->out + sb->outlen - sizeof(*obs), sizeof(*obs));
	return obs->magic == BC_OBS_MAGIC && obs->nsteps >= 0 && obs->nsteps <= BC_MAX_STEPS;
}

static void set_error(struct bc_case_result *res, enum bc_verdict v, const char *reason)
{
	res->j.verdict = v;
	res->j.posix = -1; /* conformance speaks only of cases judged on their results */
	snprintf(res->j.reason, sizeof(res->j.reason), "%s", reason);
}

/* What the sandbox saw, turned into the case's result. */
static void interpret(const struct bc_runner *r, const struct bc_case *c, const struct bc_sandbox_cfg *cfg,
		      const struct bc_sandbox_result *sb, struct bc_case_result *res)
{
	char why[512];
	switch (sb->end) {
	case BC_SB_TIMEOUT:
		if (sb->outlen > 0 && (unsigned char)sb->out[sb->outlen - 1] < c->nsteps) {
			int i = (unsigned char)sb->out[sb->outlen - 1];
			snprintf(why, sizeof(why), "timeout: killed after %d ms in step %d (%s)", cfg->timeout_ms, i + 1,
				 c->steps[i].text);
		} else {
			snprintf(why, sizeof(why), "timeout: killed after %d ms", cfg->timeout_ms);
		}
		set_error(res, BC_ERROR, why);
		break;
	case BC_SB_SIGNALED:
		snprintf(why, sizeof(why), "signal %d (%s)", sb->status, strsignal(sb->status));
		set_error(res, BC_ERROR, why);
		break;
	case BC_SB_UNAVAILABLE:
		set_error(res, BC_SKIP, sb->detail);
		break;
	case BC_SB_FAILED:
		set_error(res, BC_ERROR, sb->detail);
		break;
	case BC_SB_EXITED:
		if (sb->status == BC_SANDBOX_VALGRIND_EXIT) {
			set_error(res, BC_ERROR, "valgrind reported errors in the case child (exit 99)");
		} else if (sb->status != 0) {
			snprintf(why, sizeof(why), "the case child exited with status %d", sb->status);
			set_error(res, BC_ERROR, why);
		} else if (!take_observation(sb, &res->obs)) {
			snprintf(why, sizeof(why), "incomplete report from the case child (%zu bytes)", sb->outlen);
			set_error(res, BC_ERROR, why);
		} else {
			res->ran = true;
			bc_judge(c, &r->platform, &res->obs, &res->j);
			if (sb->fds_before != sb->fds_after) {
				snprintf(why, sizeof(why), "fd leak: %d fds before, %d after", sb->fds_before, sb->fds_after);
				set_error(res, BC_ERROR, why);
			}
		}
		break;
	}
}

const char *bc_runner_skip_reason(const struct bc_runner *r, const struct bc_case *c, char *buf, unsigned len)
{
	int slot;
	if (!bc_expect_for(c, &r->platform, &slot, buf, len))
		return buf;
	if (!r->caps.private_net && !r->allow_host_net) {
		/* Never fall back to the host's network unless told to. */
		snprintf(buf, len, "%s; --allow-host-network runs it on the host's loopback instead", r->caps.reason);
		return buf;
	}
	if ((c->needs & BC_NEEDS_INET6) && !r->caps.ipv6)
		return "no IPv6 on this host";
	return NULL;
}

void bc_run_case(const struct bc_runner *r, const struct bc_case *c, struct bc_case_result *res)
{
	struct bc_sandbox_cfg cfg;
	struct bc_sandbox_result sb;
	char why[512];
	const char *skip;

	memset(res, 0, sizeof(*res));
	res->c = c;
	res->j.posix = -1;
	res->j.slot = -1;
	if ((skip = bc_runner_skip_reason(r, c, why, sizeof(why)))) {
		set_error(res, BC_SKIP, skip);
		return;
	}
	cfg.timeout_ms = r->timeout_ms > 0 ? r->timeout_ms : c->timeout_ms;
	cfg.private_net = r->caps.private_net;
	bc_sandbox_run(&cfg, case_child, (void *)c, &sb);
	res->duration_us = sb.duration_us;
	interpret(r, c, &cfg, &sb, res);
	bc_sandbox_result_free(&sb);
}

void bc_rerun_command(const struct bc_runner *r, const struct bc_case *c, char *buf, unsigned buflen)
{
	snprintf(buf, buflen, "%s run %s --filter '%s/%s'", r->prog ? r->prog : "bindcheck", c->file, c->table, c->id);
}

bool bc_filter_match(const struct bc_case *c, char *const *patterns, int n)
{
	char full[2 * BC_ID_MAX + 2];
	if (n == 0)
		return true;
	bc_case_fullname(c, full, sizeof(full));
	for (int i = 0; i < n; i++)
		if (fnmatch(patterns[i], full, 0) == 0 || fnmatch(patterns[i], c->table, 0) == 0)
			return true;
	return false;
}

void bc_print_result(const struct bc_runner *r, const struct bc_case_result *res, FILE *out)
{
	static const char *const upper[BC_VERDICT_COUNT] = {"PASS", "FAIL", "XFAIL", "XPASS", "SKIP", "ERROR"};
	const struct bc_case *c = res->c;
	enum bc_verdict v = res->j.verdict;
	char rerun[512];

	fprintf(out, "%-5s %s/%s", upper[v], c->table, c->id);
	if ((v == BC_SKIP || v == BC_XFAIL) && res->j.reason[0])
		fprintf(out, " (%s)", res->j.reason);
	fputc('\n', out);
	if (!bc_verdict_is_failure(v))
		return;
	if (res->j.reason[0])
		fprintf(out, "      why:      %s\n", res->j.reason);
	if (res->j.slot >= 0)
		fprintf(out, "      expected: %s (column %s)\n", res->j.expected_text, bc_slot_name(res->j.slot));
	if (res->ran) {
		fprintf(out, "      observed: %s\n", res->j.observed_text);
		int k = 0;
		for (int i = 0; i < res->obs.nsteps; i++) {
			const struct bc_step *st = &c->steps[i];
			char o[BC_VALUE_MAX + 16], want[BC_MAX_ALTS * (BC_VALUE_MAX + 16)] = "";
			bc_outcome_format(&res->obs.steps[i].out, o, sizeof(o));
			if (st->checked && res->j.expected && k < res->j.expected->nitems) {
				const struct bc_expect_item *it = &res->j.expected->items[k++];
				if (!bc_item_matches(it, &res->obs.steps[i].out, &res->obs))
					bc_item_format(it, want, sizeof(want));
			}
			fprintf(out, "      step %-3d  %s%s -> %s%s%s\n", i + 1, st->checked ? "? " : "  ", st->text, o,
				want[0] ? "   <- expected " : "", want);
		}
	}
	fprintf(out, "      source:   %s\n", c->source);
	fprintf(out, "      table:    %s:%d\n", c->file, c->line);
	bc_rerun_command(r, c, rerun, sizeof(rerun));
	fprintf(out, "      rerun:    %s\n", rerun);
}
