/* runner: one case through sandbox and verdict; printing of its line. */
#define _XOPEN_SOURCE 700
#include "exec/runner.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec/confine.h"
#include "exec/guard.h"
#include "exec/netns.h"
#include "exec/paths.h"
#include "exec/profile.h"
#include "exec/scratch.h"
#include "exec/target_elf.h"
#include "fault/protocol.h"
#include "model/profile.h"

#define EXIT_PROFILE_UNAVAILABLE 77 /* the sandbox's "isolation unavailable" */
#define EXIT_PROFILE_FAILED 78

int bc_runner_set_platform_profile(struct bc_runner *r, const char *name)
{
	const struct bc_profile *p = bc_profile_builtin(name);
	if (!p)
		return -1;
	r->run_profile = p;
	snprintf(r->run_profile_name, sizeof(r->run_profile_name), "%s", name);
	size_t len = strlen(r->platform.id);
	snprintf(r->platform.id + len, sizeof(r->platform.id) - len, "+%s", name);
	return 0;
}

bool bc_runner_is_root(void)
{
	static const cap_value_t wanted[] = {CAP_SETUID, CAP_SETGID, CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_NET_BIND_SERVICE};
	if (geteuid() != 0)
		return false;
	cap_t caps = cap_get_proc();
	bool all = caps != NULL;
	for (size_t i = 0; all && i < sizeof(wanted) / sizeof(wanted[0]); i++) {
		cap_flag_value_t v = CAP_CLEAR;
		all = cap_get_flag(caps, wanted[i], CAP_EFFECTIVE, &v) == 0 && v == CAP_SET;
	}
	if (caps)
		cap_free(caps);
	return all;
}

void bc_runner_init(struct bc_runner *r, const char *prog)
{
	memset(r, 0, sizeof(*r));
	r->prog = prog;
	bc_platform_detect(&r->platform);
	bc_sandbox_probe(&r->caps);
	bc_profile_set_platform(r->caps.shared_sysctls, r->caps.v6only_by_socket);
	r->host_net = bc_profile_net_id();
	r->reaper = bc_guard_become_reaper();
	r->root = bc_runner_is_root();
}

const char *bc_runner_confinement(const struct bc_runner *r)
{
	if (!bc_runner_confines(r))
		return "runsc's sandbox (gVisor): its own kernel, a read-only view of the host's files under a private overlay";
	return "per worker: private PID namespace with its own /proc, private mount namespace with the host read-only "
	       "and nosuid, private /tmp (an overlay), /var/tmp and /dev/shm, a minimal /dev, only /proc/sys/net "
	       "writable; private UTS and IPC namespaces; no new privileges; targets without CAP_SYS_ADMIN, "
	       "CAP_SYS_PTRACE and CAP_SETPCAP";
}

static const char *isolation_mode(const struct bc_runner *r)
{
	if (r->caps.private_net && r->pooled && r->isolation == BC_ISO_SANDBOX)
		return "pool workers, each in its own network namespace; every case in a forked child with private namespaces (--isolation sandbox)";
	if (r->caps.private_net && r->pooled)
		return "pool workers, each in its own network namespace: cases that change no identity, file or name service of their own run in place (in a fresh namespace after one that connected or ran a target, or with its profile's sysctls and addresses; a target sets up its profile's names itself), the others in a forked child with private namespaces; the same guards at both levels";
	if (r->caps.private_net)
		return "fork + private network namespace";
	if (r->allow_host_net)
		return "fork, on the host's network (--allow-host-network)";
	return "none available: cases skipped";
}

const char *bc_runner_isolation(const struct bc_runner *r)
{
	static char mode[1024];
	if (!r->caps.private_net || !r->caps.small_tables)
		return isolation_mode(r);
	snprintf(mode, sizeof(mode),
		 "%s; every network namespace made inside bindcheck's first one, with a TCP hash table of its own "
		 "(net.ipv4.tcp_child_ehash_entries %d there, never on the host) and net.ipv4.tcp_max_tw_buckets %u and "
		 "tcp_max_syn_backlog %u, as a namespace sharing the host's table has them",
		 isolation_mode(r), BC_NETNS_EHASH, r->caps.tw_buckets, r->caps.syn_backlog);
	return mode;
}

/* The child's report: one byte per step as it starts (the index), then the
 * whole observation.  A case killed at its timeout leaves only the bytes,
 * and the last one names the step it hung in. */
static void step_started(void *arg, int i)
{
	unsigned char b = (unsigned char)i;
	bc_sandbox_write(*(int *)arg, &b, 1);
}

struct child_arg {
	const struct bc_case *c;
	const struct bc_profile *profile; /* the case's, under the run's */
	unsigned long host_net;
	const char *scratch; /* the case's working directory, or NULL */
	double time_scale;
	bool own_scratch;    /* the child makes it, in its own private /tmp */
};

/* In the case's child: its working directory, its profile, then the steps.
 * A profile that cannot be applied ends the child before any step, with the
 * reason as its whole report. */
static int case_child(void *arg, int out_fd)
{
	const struct child_arg *a = arg;
	struct bc_observation obs;
	struct bc_step_env env;
	char why[256], own[BC_SCRATCH_PATH_MAX];
	const char *scratch = a->scratch;
	if (a->own_scratch) {
		if (bc_scratch_make(own, why, sizeof(why)) < 0) {
			bc_sandbox_write(out_fd, why, strlen(why));
			return EXIT_PROFILE_FAILED;
		}
		scratch = own;
	}
	if (scratch && chdir(scratch) < 0) {
		snprintf(why, sizeof(why), "cannot enter the scratch directory %s: %s", scratch, strerror(errno));
		bc_sandbox_write(out_fd, why, strlen(why));
		return EXIT_PROFILE_FAILED;
	}
	enum bc_profile_rc rc = bc_profile_apply(a->profile, a->host_net, &env, why, sizeof(why));
	if (rc != BC_PROFILE_OK) {
		bc_profile_release(&env);
		bc_sandbox_write(out_fd, why, strlen(why));
		return rc == BC_PROFILE_UNAVAILABLE ? EXIT_PROFILE_UNAVAILABLE : EXIT_PROFILE_FAILED;
	}
	env.time_scale = a->time_scale;
	bc_steps_run(a->c, &env, &obs, step_started, &out_fd);
	bc_profile_release(&env);
	bc_sandbox_write(out_fd, &obs, sizeof(obs));
	return 0;
}

/* The observation is the last thing the child wrote. */
static bool take_observation(const struct bc_sandbox_result *sb, struct bc_observation *obs)
{
	if (sb->outlen < sizeof(*obs))
		return false;
	memcpy(obs, sb->out + sb->outlen - sizeof(*obs), sizeof(*obs));
	obs->target_out[BC_OBS_OUT_MAX] = '\0';
	obs->target_note[BC_OBS_NOTE_MAX - 1] = '\0';
	return obs->magic == BC_OBS_MAGIC && obs->nsteps >= 0 && obs->nsteps <= BC_MAX_STEPS &&
	       obs->target_out_len <= BC_OBS_OUT_MAX;
}

/* What the sandbox saw, as the facts of the case's run. */
static void sandbox_facts(const struct bc_case *c, const char *profile, const struct bc_sandbox_cfg *cfg,
			  const struct bc_sandbox_result *sb, struct bc_observation *obs, struct bc_run_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->step = -1;
	f->timeout_ms = cfg->timeout_ms;
	f->fds_before = sb->fds_before;
	f->fds_after = sb->fds_after;
	f->heap_delta = sb->heap_delta;
	f->lingering = sb->lingering;
	f->log_total = sb->log_total;
	f->log_kept = sb->loglen;
	f->duration_us = sb->duration_us;
	f->status = sb->status;
	switch (sb->end) {
	case BC_SB_TIMEOUT:
		f->end = BC_RUN_TIMEOUT;
		if (sb->outlen > 0 && (unsigned char)sb->out[sb->outlen - 1] < c->nsteps)
			f->step = (unsigned char)sb->out[sb->outlen - 1];
		return;
	case BC_SB_SIGNALED:
		f->end = BC_RUN_SIGNALED;
		return;
	case BC_SB_UNAVAILABLE:
	case BC_SB_FAILED:
		f->end = sb->end == BC_SB_UNAVAILABLE ? BC_RUN_UNAVAILABLE : BC_RUN_FAILED;
		snprintf(f->detail, sizeof(f->detail), "%s", sb->detail);
		return;
	case BC_SB_EXITED:
		break;
	}
	if (sb->status == EXIT_PROFILE_UNAVAILABLE && sb->outlen && sb->outlen < 200 && !memchr(sb->out, 0, sb->outlen)) {
		f->end = BC_RUN_UNAVAILABLE;
		snprintf(f->detail, sizeof(f->detail), "profile %s: %.*s", profile, (int)sb->outlen, sb->out);
	} else if (sb->status == EXIT_PROFILE_FAILED) {
		f->end = BC_RUN_FAILED;
		snprintf(f->detail, sizeof(f->detail), "profile %s: %.*s", profile, (int)(sb->outlen < 200 ? sb->outlen : 200),
			 sb->out);
	} else if (sb->status == BC_SANDBOX_VALGRIND_EXIT) {
		f->end = BC_RUN_VALGRIND;
	} else if (sb->status != 0) {
		f->end = BC_RUN_EXITED;
	} else if (!take_observation(sb, obs)) {
		f->end = BC_RUN_FAILED;
		snprintf(f->detail, sizeof(f->detail), "incomplete report from the case child (%zu bytes)", sb->outlen);
	} else {
		f->end = BC_RUN_DONE;
	}
}

static bool on_path(const char *prog)
{
	char path[1024], full[1100];
	const char *env = getenv("PATH");
	if (strchr(prog, '/'))
		return access(prog, X_OK) == 0;
	snprintf(path, sizeof(path), "%s", env ? env : "/usr/bin:/bin");
	for (char *save = NULL, *d = strtok_r(path, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		snprintf(full, sizeof(full), "%s/%s", d, prog);
		if (access(full, X_OK) == 0)
			return true;
	}
	return false;
}

/* What a case with a target needs: the program, and for faults libfiu's
 * preload and ours. */
static const char *target_skip_reason(const struct bc_runner *r, const struct bc_case *c, char *buf, unsigned len)
{
	char shim[1100];
	if (c->target->needs_root && !r->root) {
		snprintf(buf, len, "target %s needs root (uid 0 with %s), and this run is uid %u%s", c->target->name,
			 BC_ROOT_CAPS_TEXT, r->platform.euid, r->platform.euid == 0 ? " without them" : "");
		return buf;
	}
	if (c->target->needs[0] && !on_path(c->target->needs)) {
		snprintf(buf, len, "target %s needs %s, which is not installed (ci/install-deps installs it)", c->target->name,
			 c->target->needs);
		return buf;
	}
	if (strcmp(c->target->argv[0], "@bindcheck") != 0 &&
	    bc_target_static_reason(c->target->name, c->target->argv[0], buf, len))
		return buf;
#if defined(__SANITIZE_ADDRESS__)
	if (strcmp(c->target->argv[0], "@bindcheck") == 0)
		return "this bindcheck is built with AddressSanitizer, whose allocator cannot share the process with libfiu's "
		       "preload (it wraps malloc); make check runs these cases natively, make check-valgrind under Memcheck";
#endif
	if (access(BC_FIU_PRELOAD, R_OK) < 0)
		return "libfiu's POSIX preload (" BC_FIU_PRELOAD ", Debian package libfiu0) is not installed";
	bc_paths_fiu_shim(shim, sizeof(shim));
	if (access(shim, R_OK) < 0) {
		snprintf(buf, len, "the fault preload %s is missing; hint: make build, or make install (" BC_ENV_LIBEXECDIR
			 " overrides where it is looked for)", shim);
		return buf;
	}
	return NULL;
}

static bool sets_bindv6only(const struct bc_profile *p)
{
	for (int i = 0; p && i < p->nsysctl; i++)
		if (strcmp(p->sysctl[i].name, BC_SYSCTL_BINDV6ONLY) == 0)
			return true;
	return false;
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
	if ((c->profile || r->run_profile) && !r->caps.private_net)
		return "its profile needs a private network namespace, and profiles never change the host's";
	/* IPV6_V6ONLY per socket stands in for the sysctl only for the
	 * sockets the steps create (exec/profile.c set_sysctl). */
	if (c->target && r->caps.v6only_by_socket && (sets_bindv6only(c->profile) || sets_bindv6only(r->run_profile)))
		return "sysctl net.ipv6.bindv6only cannot be set for a namespace here, and a target's sockets are its own";
	if (c->target)
		return target_skip_reason(r, c, buf, len);
	return NULL;
}

int bc_runner_timeout_ms(const struct bc_runner *r, const struct bc_case *c)
{
	double scale = (r->time_scale > 0 ? r->time_scale : 1.0) * bc_target_slowdown(c);
	return bc_scaled_ms(scale, r->timeout_ms > 0 ? r->timeout_ms : c->timeout_ms);
}

void bc_run_sandboxed(const struct bc_runner *r, const struct bc_case *c, const struct bc_profile *profile,
		      struct bc_observation *obs, struct bc_run_facts *f)
{
	struct bc_sandbox_cfg cfg;
	struct bc_sandbox_result sb;
	char why[256], scratch[BC_SCRATCH_PATH_MAX];
	cfg.timeout_ms = bc_runner_timeout_ms(r, c);
	cfg.private_net = r->caps.private_net;
	cfg.reap_orphans = r->reaper;
	/* Outside a worker (the runner's own fallback), the case child puts
	 * up the walls itself. */
	cfg.confine = bc_runner_confines(r) && !bc_confined();
	struct child_arg arg = {c, profile, r->host_net, NULL, r->time_scale, false};
	/* A child that confines itself makes its scratch directory in its own
	 * /tmp, which goes with it: a runner killed meanwhile leaves none. */
	if ((c->needs & BC_NEEDS_SCRATCH) && cfg.confine) {
		arg.own_scratch = true;
	} else if (c->needs & BC_NEEDS_SCRATCH) {
		if (bc_scratch_make(scratch, why, sizeof(why)) < 0) {
			bc_facts_refused(f, BC_RUN_FAILED, why);
			return;
		}
		arg.scratch = scratch;
	}
	bc_sandbox_run(&cfg, case_child, &arg, &sb);
	if (arg.scratch)
		bc_scratch_remove(scratch);
	sandbox_facts(c, c->profile ? c->profile->name : r->run_profile_name, &cfg, &sb, obs, f);
	bc_sandbox_result_free(&sb);
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
