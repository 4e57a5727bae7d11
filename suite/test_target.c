/* Targets: what the run step sees of the program it starts.  The sockets
 * that serve in a namespace (exec/listeners.h: sock_diag, and /proc/net as
 * its fallback, alike), the target block's settings as the reader takes
 * them, and cases/selftest/target.tbl run both ways (in place and in the
 * sandbox): every row passes, a fallback is up long before its grace, a
 * daemon is followed, stopped and said to be, the output is kept bounded
 * and travels whole from a worker to results.json. */
#define _GNU_SOURCE /* realpath */
#include <arpa/inet.h>
#include <dirent.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec/listeners.h"
#include "exec/pool.h"
#include "exec/runner.h"
#include "exec/scratch.h"
#include "exec/step_ctx.h"
#include "exec/wire.h"
#include "report/check.h"
#include "report/results.h"
#include "exec/sandbox.h"
#include "suite.h"
#include "table/table.h"

static int sock_at(int family, int type, const char *ip, int port)
{
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	socklen_t len;
	if (family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		a->sin_port = htons((in_port_t)port);
		inet_pton(AF_INET, ip, &a->sin_addr);
		len = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((in_port_t)port);
		inet_pton(AF_INET6, ip, &a->sin6_addr);
		len = sizeof(*a);
	}
	int s = socket(family, type, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&ss, len) < 0)
		return -1;
	return s;
}

/* In a namespace of its own: two TCP listeners, two bound UDP sockets, and
 * what must not count (a bound TCP socket that does not listen, a
 * connected UDP socket).  Writes what sock_diag and /proc/net say. */
static int fn_listeners(void *arg, int fd)
{
	char a[512], b[512], both[1100];
	(void)arg;
	int t4 = sock_at(AF_INET, SOCK_STREAM, "127.0.0.1", 8080), t6 = sock_at(AF_INET6, SOCK_STREAM, "::1", 8080);
	int u4 = sock_at(AF_INET, SOCK_DGRAM, "127.0.0.1", 53), u6 = sock_at(AF_INET6, SOCK_DGRAM, "::1", 5353);
	int idle = sock_at(AF_INET, SOCK_STREAM, "127.0.0.1", 9090), client = sock_at(AF_INET, SOCK_DGRAM, "127.0.0.1", 0);
	struct sockaddr_in peer = {.sin_family = AF_INET, .sin_port = htons(9)};
	peer.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (t4 < 0 || t6 < 0 || u4 < 0 || u6 < 0 || idle < 0 || client < 0 || listen(t4, 1) < 0 || listen(t6, 1) < 0 ||
	    connect(client, (struct sockaddr *)&peer, sizeof(peer)) < 0)
		return 3;
	bc_target_listeners(a, sizeof(a));
	bc_target_listeners_proc(b, sizeof(b));
	int n = snprintf(both, sizeof(both), "%s|%s", a, b);
	return bc_sandbox_write(fd, both, (size_t)n) ? 0 : 4;
}

static void listeners_tcp_and_udp(void)
{
	struct bc_sandbox_cfg cfg = {.timeout_ms = 5000, .private_net = true};
	struct bc_sandbox_result r;
#define WANT "127.0.0.1:8080+[::1]:8080+udp:127.0.0.1:53+udp:[::1]:5353"
	bc_sandbox_run(&cfg, fn_listeners, NULL, &r);
	CU_ASSERT_EQUAL(r.end, BC_SB_EXITED);
	CU_ASSERT_EQUAL(r.status, 0);
	if (!r.out || strcmp(r.out, WANT "|" WANT) != 0)
		BC_FAILF("sock_diag|/proc: '%s', wanted '%s' from both", r.out ? r.out : "", WANT);
#undef WANT
	bc_sandbox_result_free(&r);
}

static int fn_none(void *arg, int fd)
{
	char a[64];
	(void)arg;
	bc_target_listeners(a, sizeof(a));
	return bc_sandbox_write(fd, a, strlen(a)) ? 0 : 4;
}

static void listeners_none(void)
{
	struct bc_sandbox_cfg cfg = {.timeout_ms = 5000, .private_net = true};
	struct bc_sandbox_result r;
	bc_sandbox_run(&cfg, fn_none, NULL, &r);
	CU_ASSERT(r.end == BC_SB_EXITED && r.status == 0 && r.out && strcmp(r.out, "none") == 0);
	bc_sandbox_result_free(&r);
}

/* "@tabledir" is the table's directory wherever it stands in an argument;
 * an argument without it is left alone. */
static void tabledir_anywhere(void)
{
	static const char text[] = "target t\n    command @tabledir/x.py --conf=@tabledir/a.conf plain a@tabledir@tabledir\n"
				   "scenario s\n  ? run t\nid expect source\nr =running s\n";
	struct bc_table t;
	char dir[PATH_MAX], want[3 * PATH_MAX];
	CU_ASSERT_EQUAL_FATAL(bc_suite_read_table("cases/x.tbl", text, &t, 1), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(realpath("cases", dir));
	const struct bc_target *tg = t.cases[0].target;
	CU_ASSERT_PTR_NOT_NULL_FATAL(tg);
	snprintf(want, sizeof(want), "%s/x.py", dir);
	CU_ASSERT_STRING_EQUAL(tg->argv[0], want);
	snprintf(want, sizeof(want), "--conf=%s/a.conf", dir);
	CU_ASSERT_STRING_EQUAL(tg->argv[1], want);
	CU_ASSERT_STRING_EQUAL(tg->argv[2], "plain");
	snprintf(want, sizeof(want), "a%s%s", dir, dir);
	CU_ASSERT_STRING_EQUAL(tg->argv[3], want);
	bc_table_free(&t);
}

/* "needs root": a skip, with the reason, on a run that is not root with
 * the capabilities; nothing in the way on one that is. */
static void needs_root_skips(void)
{
	static const char text[] = "target t\n    command /bin/true\n    needs root\n    needs /bin/true\n"
				   "target u\n    command /bin/true\n"
				   "scenario s\n  ? run $target\nid target expect source\nr t =running s\nq u =running s\n";
	struct bc_table t;
	struct bc_runner r;
	char buf[512];
	CU_ASSERT_EQUAL_FATAL(bc_suite_read_table("root.tbl", text, &t, 2), 0);
	CU_ASSERT(t.cases[0].target->needs_root);
	CU_ASSERT_STRING_EQUAL(t.cases[0].target->needs, "/bin/true");
	CU_ASSERT_FALSE(t.cases[1].target->needs_root);
	bc_runner_init(&r, "bindcheck");
	r.root = false;
	const char *why = bc_runner_skip_reason(&r, &t.cases[0], buf, sizeof(buf));
	if (!why || !strstr(why, "target t needs root (uid 0 with CAP_SETUID"))
		BC_FAILF("not root: reason '%s'", why ? why : "(none)");
	why = bc_runner_skip_reason(&r, &t.cases[1], buf, sizeof(buf));
	CU_ASSERT(!why || !strstr(why, "needs root"));
	r.root = true;
	why = bc_runner_skip_reason(&r, &t.cases[0], buf, sizeof(buf));
	CU_ASSERT(!why || !strstr(why, "needs root"));
	if (geteuid() != 0)
		CU_ASSERT_FALSE(bc_runner_is_root());
	bc_table_free(&t);
}

#define TARGET_TABLE "cases/selftest/target.tbl"
#define TARGET_ROWS 6

static struct bc_runner runner;
static struct bc_table table;
/* Each row's result, in place [0] and in the sandbox [1]. */
static struct bc_case_result results[2][TARGET_ROWS];

static void keep(void *arg, int index, const struct bc_case_result *res)
{
	((struct bc_case_result *)arg)[index] = *res;
}

static int setup(void)
{
	const struct bc_case *cases[TARGET_ROWS];
	bc_runner_init(&runner, "bindcheck");
	runner.pooled = true;
	if (bc_suite_read_table(TARGET_TABLE, NULL, &table, TARGET_ROWS) != 0)
		return -1;
	for (int i = 0; i < TARGET_ROWS; i++)
		cases[i] = &table.cases[i];
	for (int k = 0; k < 2; k++) {
		runner.isolation = k ? BC_ISO_SANDBOX : BC_ISO_AUTO;
		bc_run_cases(&runner, cases, TARGET_ROWS, 2, keep, results[k]);
	}
	return 0;
}

static int teardown(void)
{
	bc_table_free(&table);
	return 0;
}

static const struct bc_case_result *result(int k, const char *id)
{
	for (int i = 0; i < TARGET_ROWS; i++)
		if (strcmp(table.cases[i].id, id) == 0)
			return &results[k][i];
	BC_FAILF("no row %s", id);
	return NULL;
}

static void every_row_passes_both_ways(void)
{
	for (int k = 0; k < 2; k++)
		for (int i = 0; i < TARGET_ROWS; i++)
			if (results[k][i].j.verdict != BC_PASS)
				BC_FAILF("%s %s: %s (%s), observed %s", table.cases[i].id, k ? "in the sandbox" : "in place",
					 bc_verdict_name(results[k][i].j.verdict), results[k][i].j.reason, results[k][i].j.observed_text);
}

/* Grace 10 s, settle 300 ms: up once 127.0.0.1:8080 settled, without the
 * 127.0.0.2:8080 its listens names, with the message it wrote after. */
static void fallback_is_up_after_settling(void)
{
	for (int k = 0; k < 2; k++) {
		const struct bc_case_result *r = result(k, "TGT-settle.fallback");
		CU_ASSERT_PTR_NOT_NULL_FATAL(r);
		if (r->duration_us > 5000000)
			BC_FAILF("fallback took %ld ms: it sat out its grace instead of settling", r->duration_us / 1000);
	}
}

/* Processes whose command line holds needle, anywhere this suite sees. */
static int running_with(const char *needle)
{
	char path[300], cmd[512];
	int n = 0;
	DIR *d = opendir("/proc");
	for (struct dirent *e; d && (e = readdir(d));) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/cmdline", e->d_name);
		FILE *f = fopen(path, "re");
		if (!f)
			continue;
		size_t len = fread(cmd, 1, sizeof(cmd) - 1, f);
		fclose(f);
		for (size_t i = 0; i < len; i++)
			cmd[i] = cmd[i] ? cmd[i] : ' ';
		cmd[len] = '\0';
		n += strstr(cmd, needle) != NULL;
	}
	if (d)
		closedir(d);
	return n;
}

/* Whether it keeps its pipes or closes its fds, a daemon is followed, said
 * to be, and gone after its case. */
static void daemon_is_followed_and_stopped(void)
{
	static const char *const ids[] = {"TGT-daemon.keep", "TGT-daemon.close"};
	for (int k = 0; k < 2; k++)
		for (int i = 0; i < 2; i++) {
			const struct bc_case_result *r = result(k, ids[i]);
			CU_ASSERT_PTR_NOT_NULL_FATAL(r);
			CU_ASSERT_TRUE(r->obs.has_target);
			if (!strstr(r->obs.target_note, "daemonized: its first process exited 0 and left 1 process running; stopped with SIGTERM"))
				BC_FAILF("%s: note '%s'", ids[i], r->obs.target_note);
		}
	const struct bc_case_result *keep_r = result(0, "TGT-daemon.keep");
	CU_ASSERT_PTR_NOT_NULL_FATAL(keep_r);
	CU_ASSERT_STRING_EQUAL(keep_r->obs.target_out, "daemon: forking\ndaemon: listening\n");
	const struct bc_case_result *dies = result(1, "TGT-daemon.dies");
	CU_ASSERT_PTR_NOT_NULL_FATAL(dies);
	CU_ASSERT_PTR_NOT_NULL(strstr(dies->obs.target_note, "ended before it was up"));
	CU_ASSERT_EQUAL(running_with("serve.py daemon-"), 0);
}

/* 10000 bytes written: the first BC_OBS_OUT_MAX kept, the rest counted,
 * at both levels, and results.json says how many more there were. */
static void output_is_kept_bounded(void)
{
	char want[64];
	for (int k = 0; k < 2; k++) {
		const struct bc_case_result *r = result(k, "TGT-output.spew");
		CU_ASSERT_PTR_NOT_NULL_FATAL(r);
		CU_ASSERT_EQUAL(r->obs.target_out_total, 10000);
		CU_ASSERT_EQUAL(r->obs.target_out_len, BC_OBS_OUT_MAX);
		CU_ASSERT_EQUAL(strlen(r->obs.target_out), BC_OBS_OUT_MAX);
		CU_ASSERT_NSTRING_EQUAL(r->obs.target_out, "spew line 000 ", 14);
		struct bc_run_info info;
		bc_runner_describe(&runner, &info);
		json_t *root = bc_results_new(&info);
		bc_results_add_case(root, &info, r);
		json_t *c = json_array_get(json_object_get(root, "cases"), 0), *o = json_object_get(c, "output");
		const char *text = json_string_value(json_object_get(o, "text"));
		snprintf(want, sizeof(want), "\n... %d bytes more", 10000 - BC_OBS_OUT_MAX);
		CU_ASSERT(text && strlen(text) > strlen(want) && strcmp(text + strlen(text) - strlen(want), want) == 0);
		CU_ASSERT_EQUAL(json_integer_value(json_object_get(o, "bytes")), 10000);
		CU_ASSERT(json_is_null(json_object_get(o, "note")));
		char why[256];
		bc_results_finish(root);
		if (bc_results_check(root, why, sizeof(why)) < 0)
			BC_FAILF("results.json with output: %s", why);
		json_object_set_new(c, "output", json_integer(5));
		CU_ASSERT_EQUAL(bc_results_check(root, why, sizeof(why)), -1);
		json_decref(root);
	}
}

/* What a worker sends: the output's kept bytes and nothing past them. */
static void wire_carries_the_output(void)
{
	static struct bc_observation a, b;
	struct bc_run_facts f = {.end = BC_RUN_DONE}, g;
	struct bc_wire_head h;
	int p[2];
	memset(&a, 0, sizeof(a));
	memset(&b, 0x55, sizeof(b));
	memset(&h, 0, sizeof(h));
	a.magic = BC_OBS_MAGIC;
	a.has_target = true;
	snprintf(a.target_note, sizeof(a.target_note), "a note");
	snprintf(a.target_out, sizeof(a.target_out), "hello\n");
	a.target_out_len = 6;
	a.target_out_total = 99;
	CU_ASSERT_EQUAL_FATAL(pipe(p), 0);
	CU_ASSERT_TRUE(bc_wire_send(p[1], &h, &f, &a));
	CU_ASSERT_TRUE(bc_wire_read(p[0], &h, sizeof(h)));
	CU_ASSERT_TRUE(bc_wire_recv(p[0], &g, &b));
	CU_ASSERT_STRING_EQUAL(b.target_out, "hello\n");
	CU_ASSERT_STRING_EQUAL(b.target_note, "a note");
	CU_ASSERT_EQUAL(b.target_out_total, 99);
	CU_ASSERT_TRUE(b.has_target);
	close(p[1]);
	char extra;
	CU_ASSERT_EQUAL(read(p[0], &extra, 1), 0); /* nothing more was sent */
	close(p[0]);
}

/* Where no child subreaper can be had (gVisor), what a target left is
 * found by its run's mark in its environment or by working in its case
 * directory, and only that: a process with neither survives. */
static pid_t sleeper(const char *env0, const char *dir)
{
	pid_t pid = fork();
	if (pid == 0) {
		char *const argv[] = {"sleep", "30", NULL};
		char *const envp[] = {(char *)env0, NULL};
		if (dir && chdir(dir) < 0)
			_exit(126);
		execve("/bin/sleep", argv, envp);
		_exit(127);
	}
	return pid;
}

static void strays_are_found_and_only_they(void)
{
	char dir[BC_SCRATCH_PATH_MAX], why[256], mark[BC_SCRATCH_PATH_MAX + 32];
	int ws;
	CU_ASSERT_FATAL(bc_scratch_make(dir, why, sizeof(why)) == 0);
	snprintf(mark, sizeof(mark), "BC_REPORT_DIR=%s/reports", dir);
	pid_t by_env = sleeper(mark, NULL), by_dir = sleeper("PATH=/bin", dir), other = sleeper("PATH=/bin", NULL);
	CU_ASSERT_FATAL(by_env > 0 && by_dir > 0 && other > 0);
	usleep(100000); /* each has exec'd sleep */
	CU_ASSERT_EQUAL(bc_target_strays_kill(mark, dir), 2);
	CU_ASSERT(waitpid(by_env, &ws, 0) == by_env && WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL);
	CU_ASSERT(waitpid(by_dir, &ws, 0) == by_dir && WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL);
	CU_ASSERT(waitpid(other, &ws, WNOHANG) == 0);
	kill(other, SIGKILL);
	waitpid(other, &ws, 0);
	bc_scratch_remove(dir);
}

int bc_suite_target(void)
{
	CU_pSuite s = CU_add_suite("unit/target", NULL, NULL);
	if (!s)
		return -1;
	BC_ADD(s, tabledir_anywhere);
	BC_ADD(s, strays_are_found_and_only_they);
	BC_ADD(s, needs_root_skips);
	BC_ADD(s, wire_carries_the_output);
	BC_ADD_NETNS(s, listeners_none);
	BC_ADD_NETNS(s, listeners_tcp_and_udp);
	/* cases/selftest/target.tbl, run once both ways in the suite's init */
	const char *why = access("/usr/bin/python3", X_OK) == 0 ? NULL : "its targets need /usr/bin/python3";
	CU_pSuite t = CU_add_suite("selftest/target", why ? NULL : setup, why ? NULL : teardown);
	if (!t)
		return -1;
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{"every_row_passes_both_ways", every_row_passes_both_ways},
		{"fallback_is_up_after_settling", fallback_is_up_after_settling},
		{"daemon_is_followed_and_stopped", daemon_is_followed_and_stopped},
		{"output_is_kept_bounded", output_is_kept_bounded},
	};
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if ((why ? bc_suite_add_test_unless(t, tests[i].name, tests[i].fn, why)
			 : bc_suite_add_netns_test(t, tests[i].name, tests[i].fn)) < 0)
			return -1;
	return 0;
}
