/* bench-floor: the floor make bench measures the dual-stack table against.
 *
 * It execs, makes one network namespace, brings its loopback up, and then
 * makes the system calls the cases of cases/dualstack.tbl make, in their
 * order, and nothing else: no parsing of files, no workers, no reporting.
 * Per row, the steps of the table's scenario "pair":
 *
 *   socket(first's family, SOCK_STREAM, 0)            s0
 *   setsockopt(s0, IPV6_V6ONLY, 1)        when only0 is IPV6_V6ONLY
 *   setsockopt(s0, SOL_SOCKET, reuse, 1)  when reuse is SO_REUSE*
 *   bind(s0, first:0); getsockname(s0) -> P
 *   socket(second's family, SOCK_STREAM, 0)           s1
 *   setsockopt(s1, IPV6_V6ONLY, 1)        when only1 is IPV6_V6ONLY
 *   setsockopt(s1, SOL_SOCKET, reuse, 1)  when reuse is SO_REUSE*
 *   bind(s1, second:P)
 *   socket + bind on P of 0.0.0.0, 127.0.0.1, [::], [::1],
 *     [::ffff:0.0.0.0] and [::ffff:127.0.0.1]                  s2 .. s7
 *   close(s0) .. close(s7)               (a case's sockets, when it ends)
 *
 * A "-" cell makes no call (the runner skips a step whose value is "-").
 * The sequence was read from the table and from strace of `bindcheck run
 * cases/dualstack.tbl -j 1`, whose worker makes exactly these calls per
 * case, plus its own bookkeeping between cases (reading the next case,
 * writing the result), which is what the floor leaves out.
 *
 * The rows are the table's own: ci/bench writes the columns first, only0,
 * second, only1 and reuse of every row of cases/dualstack.tbl into
 * floor-rows.h, one ROW(...) per row, and builds this file with it; the
 * steps above are written out here and must follow the scenario.  ci/bench
 * checks that they do: it traces both programs (strace, where installed)
 * and compares their calls, file descriptors and ports masked.
 *
 * The results of the checked binds are not looked at (the calls are the
 * cost; the verdicts are bindcheck's business); a set-up call that fails
 * ends the program with status 1 and a message.
 *   bench-floor          (exit 0: every row ran)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define NSOCK 8

struct row {
	const char *first, *second;
	int only0, only1, reuse;
};

/* "-" in a cell: no call. */
#define ROW(first, only0, second, only1, reuse) {first, second, only0, only1, reuse},
static const struct row rows[] = {
#include "floor-rows.h"
};
#undef ROW

/* The addresses the checked sockets 2 to 7 bind, in the scenario's order. */
static const char *const fixed[] = {"0.0.0.0", "127.0.0.1", "[::]", "[::1]", "[::ffff:0.0.0.0]", "[::ffff:127.0.0.1]"};

/* sockaddr_storage too: getsockname is given its size, as the runner gives it. */
union sa {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
	struct sockaddr_storage ss;
};

static int fail(const char *what, const char *arg)
{
	fprintf(stderr, "bench-floor: %s %s: %s\n", what, arg, strerror(errno));
	return 1;
}

/* TEXT as the table writes it: an IPv4 literal, or an IPv6 one in brackets.
 * Returns its length, 0 when it is neither. */
static socklen_t parse(const char *text, union sa *a)
{
	char buf[INET6_ADDRSTRLEN];
	size_t n = strlen(text);
	memset(a, 0, sizeof(*a));
	if (text[0] == '[' && n >= 2 && n - 2 < sizeof(buf) && text[n - 1] == ']') {
		memcpy(buf, text + 1, n - 2);
		buf[n - 2] = '\0';
		a->in6.sin6_family = AF_INET6;
		return inet_pton(AF_INET6, buf, &a->in6.sin6_addr) == 1 ? sizeof(a->in6) : 0;
	}
	a->in.sin_family = AF_INET;
	return inet_pton(AF_INET, text, &a->in.sin_addr) == 1 ? sizeof(a->in) : 0;
}

static in_port_t get_port(const union sa *a)
{
	return a->sa.sa_family == AF_INET6 ? a->in6.sin6_port : a->in.sin_port;
}

static void set_port(union sa *a, in_port_t port)
{
	if (a->sa.sa_family == AF_INET6)
		a->in6.sin6_port = port;
	else
		a->in.sin_port = port;
}

/* One network namespace with its loopback up, as the worker's (as root, or
 * in a user namespace of its own where root is not given). */
static int namespace(void)
{
	struct ifreq ifr;
	int fd, rc;
	if (unshare(CLONE_NEWNET) < 0 && (errno != EPERM || unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0))
		return fail("unshare", "CLONE_NEWNET");
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return fail("socket", "AF_INET");
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	ifr.ifr_flags = IFF_UP;
	rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
	close(fd);
	return rc < 0 ? fail("SIOCSIFFLAGS", "lo") : 0;
}

/* socket, then the options that are not "-". */
static int open_socket(const union sa *a, int only, int reuse)
{
	int one = 1, fd = socket(a->sa.sa_family, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	if ((only && setsockopt(fd, IPPROTO_IPV6, only, &one, sizeof(one)) < 0) ||
	    (reuse && setsockopt(fd, SOL_SOCKET, reuse, &one, sizeof(one)) < 0)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One row: the scenario's calls, then the eight sockets closed. */
static int run_row(const struct row *r, const union sa *checked, const socklen_t *checked_len)
{
	union sa first, second, a, got;
	socklen_t first_len = parse(r->first, &first), second_len = parse(r->second, &second), got_len = sizeof(got);
	int fd[NSOCK], n = 0, rc = 0;
	if (!first_len || !second_len) {
		errno = EINVAL;
		return fail("address", first_len ? r->second : r->first);
	}
	fd[n] = open_socket(&first, r->only0, r->reuse);
	if (fd[n] < 0 || bind(fd[n], &first.sa, first_len) < 0 || getsockname(fd[n], &got.sa, &got_len) < 0)
		rc = fail("set-up of", r->first);
	if (fd[n] >= 0)
		n++;
	if (rc == 0 && (fd[n] = open_socket(&second, r->only1, r->reuse)) < 0)
		rc = fail("socket for", r->second);
	if (rc == 0) {
		set_port(&second, get_port(&got));
		(void)bind(fd[n++], &second.sa, second_len);
	}
	for (int i = 0; rc == 0 && i < NSOCK - 2; i++) {
		a = checked[i];
		set_port(&a, get_port(&got));
		if ((fd[n] = socket(a.sa.sa_family, SOCK_STREAM, 0)) < 0)
			rc = fail("socket for", fixed[i]);
		else
			(void)bind(fd[n++], &a.sa, checked_len[i]);
	}
	for (int i = 0; i < n; i++)
		close(fd[i]);
	return rc;
}

int main(void)
{
	union sa checked[NSOCK - 2];
	socklen_t checked_len[NSOCK - 2];
	for (int i = 0; i < NSOCK - 2; i++)
		checked_len[i] = parse(fixed[i], &checked[i]);
	if (namespace() != 0)
		return 1;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (run_row(&rows[i], checked, checked_len) != 0)
			return 1;
	return 0;
}
