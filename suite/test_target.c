/* Targets: what the run step sees of the program it starts.  The sockets
 * that serve in a namespace (exec/listeners.h: sock_diag, and /proc/net as
 * its fallback, alike), and the target block's settings as the reader
 * takes them. */
#define _GNU_SOURCE /* realpath */
#include <arpa/inet.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "exec/listeners.h"
#include "exec/runner.h"
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

int bc_suite_target(void)
{
	CU_pSuite s = CU_add_suite("unit/target", NULL, NULL);
	if (!s)
		return -1;
	BC_ADD(s, tabledir_anywhere);
	BC_ADD(s, needs_root_skips);
	BC_ADD_NETNS(s, listeners_none);
	BC_ADD_NETNS(s, listeners_tcp_and_udp);
	return 0;
}
