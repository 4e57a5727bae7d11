/* bindpath: the reference server bind path, "the recipe done right", and
 * `bindcheck serve`, which runs it as the default system under fault
 * injection.
 *
 * getaddrinfo(AI_PASSIVE, SOCK_STREAM) -> for every address, in order:
 * socket -> SO_REUSEADDR -> IPV6_V6ONLY (an IPv6 socket, when IPv4 is served
 * too) -> bind -> listen.  A failure is reported with the step, the address
 * and the errno by name, the socket is closed, and the next address is
 * tried.  The server is up when at least one address listens; it then waits
 * for SIGTERM or SIGINT, closes everything and exits 0.  Nothing listens:
 * exit 1.  Every path frees and closes what it took.
 *
 * --broken leak-on-listen is the deliberately broken variant the self-tests
 * use: a failed listen() forgets to close its socket.
 *
 * Keep it so: what a failure does must not depend on which errno or EAI
 * code the call gave, but for EAI_SYSTEM's message.  make check-valgrind
 * runs one case per swept call under Memcheck on that ground (steps.c). */
#define _GNU_SOURCE
#include "sut/bindpath.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "model/values.h"

#define MAX_LISTENERS 16

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void say_errno(const char *step, const char *where, int e)
{
	const char *name = bc_errno_name(e);
	fprintf(stderr, "bindcheck serve: %s %s: %s (%s)\n", step, where, strerror(e), name ? name : "unknown errno");
}

static int try_address(const struct addrinfo *ai, bool dual, int backlog, enum bc_broken broken)
{
	char where[BC_VALUE_MAX];
	int one = 1, fd, e;
	bc_sockaddr_format(ai->ai_addr, ai->ai_addrlen, where, sizeof(where));
	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0) {
		say_errno("socket", where, errno);
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0) {
		e = errno;
		close(fd);
		say_errno("setsockopt SO_REUSEADDR", where, e);
		return -1;
	}
	/* Serving both families: each socket takes its own, so that [::] and
	 * 0.0.0.0 on one port do not collide (catalog HOST-03). */
	if (ai->ai_family == AF_INET6 && dual && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0) {
		e = errno;
		close(fd);
		say_errno("setsockopt IPV6_V6ONLY", where, e);
		return -1;
	}
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		e = errno;
		close(fd);
		say_errno("bind", where, e);
		return -1;
	}
	if (listen(fd, backlog) < 0) {
		e = errno;
		if (broken != BC_BROKEN_LEAK_ON_LISTEN)
			close(fd);
		say_errno("listen", where, e);
		return -1;
	}
	printf("bindcheck serve: listening on %s\n", where);
	return fd;
}

int bc_bindpath_serve(const struct bc_bindpath_opts *o)
{
	struct addrinfo hints, *res = NULL;
	int fds[MAX_LISTENERS], n = 0;
	bool v4 = false, v6 = false;
	/* Before anything else: a stop request that comes as soon as the
	 * service says it is ready must find the handler in place. */
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &old); /* taken only in sigsuspend below */
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = o->family;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	int rc = getaddrinfo(o->host, o->port, &hints, &res);
	if (rc != 0) {
		const char *name = bc_eai_name(rc);
		if (rc == EAI_SYSTEM) {
			int e = errno;
			const char *en = bc_errno_name(e);
			fprintf(stderr, "bindcheck serve: resolve %s port %s: %s (EAI_SYSTEM: %s, %s)\n",
				o->host ? o->host : "(any)", o->port, gai_strerror(rc), strerror(e), en ? en : "unknown errno");
		} else {
			fprintf(stderr, "bindcheck serve: resolve %s port %s: %s (%s)\n", o->host ? o->host : "(any)", o->port,
				gai_strerror(rc), name ? name : "unknown EAI code");
		}
		sigprocmask(SIG_SETMASK, &old, NULL);
		return 1;
	}
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		v4 |= ai->ai_family == AF_INET;
		v6 |= ai->ai_family == AF_INET6;
	}
	for (struct addrinfo *ai = res; ai && n < MAX_LISTENERS; ai = ai->ai_next) {
		int fd = try_address(ai, v4 && v6, o->backlog, o->broken);
		if (fd >= 0)
			fds[n++] = fd;
	}
	freeaddrinfo(res);
	if (n > 0)
		printf("bindcheck serve: ready\n");
	fflush(stdout);
	if (n == 0) {
		fprintf(stderr, "bindcheck serve: no address could be bound\n");
		sigprocmask(SIG_SETMASK, &old, NULL);
		return 1;
	}
	while (!stop && !o->once)
		sigsuspend(&old);
	sigprocmask(SIG_SETMASK, &old, NULL);
	for (int i = 0; i < n; i++)
		close(fds[i]);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: bindcheck serve [--family inet|inet6|unspec] [--backlog N] [--once] [--broken leak-on-listen] HOST|- PORT\n");
}

int bc_bindpath_main(int argc, char **argv)
{
	struct bc_bindpath_opts o = {.family = AF_UNSPEC, .backlog = 128};
	int i = 1;
	for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		long v;
		if (strcmp(argv[i], "--once") == 0) {
			o.once = true;
		} else if (strcmp(argv[i], "--family") == 0 && i + 1 < argc) {
			if (bc_family_from_name(argv[++i], &o.family) < 0) {
				usage();
				return 2;
			}
		} else if (strcmp(argv[i], "--backlog") == 0 && i + 1 < argc) {
			if (bc_parse_int(argv[++i], -1, 1 << 20, &v) < 0) {
				usage();
				return 2;
			}
			o.backlog = (int)v;
		} else if (strcmp(argv[i], "--broken") == 0 && i + 1 < argc && strcmp(argv[i + 1], "leak-on-listen") == 0) {
			o.broken = BC_BROKEN_LEAK_ON_LISTEN;
			i++;
		} else {
			usage();
			return 2;
		}
	}
	if (argc - i != 2) {
		usage();
		return 2;
	}
	o.host = strcmp(argv[i], "-") == 0 ? NULL : argv[i];
	o.port = argv[i + 1];
	/* getaddrinfo takes 99999 and binds 99999 mod 65536 (34463), and a
	 * service name from /etc/services: only a port number is meant. */
	long port;
	if (bc_parse_int(o.port, 0, 65535, &port) < 0) {
		fprintf(stderr, "bindcheck serve: bad port '%s': a number from 0 to 65535\n", o.port);
		return 2;
	}
	return bc_bindpath_serve(&o);
}
