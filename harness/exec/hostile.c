/* hostile: what a broken system under test does, so that the harness's
 * self-tests can show each is caught. */
#define _POSIX_C_SOURCE 200809L
#include "exec/step_ctx.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

int bc_exec_hostile(struct bc_step_ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	static const char chunk[65536];
	(void)x, (void)fd;
	switch (st->hostile.kind) {
	case BC_HOSTILE_HANG:
		for (;;)
			pause();
	case BC_HOSTILE_CRASH:
		signal(SIGSEGV, SIG_DFL); /* a sanitizer's handler would turn it into an exit */
		raise(SIGSEGV);
		abort();
	case BC_HOSTILE_LEAKFD:
		return open("/dev/null", O_RDONLY) < 0 ? -1 : 0;
	case BC_HOSTILE_LEAKMEM: {
		char *volatile p = malloc((size_t)st->hostile.mib << 20);
		if (!p)
			return -1;
		memset(p, 1, (size_t)st->hostile.mib << 20);
		p = NULL; /* lost */
		return 0;
	}
	case BC_HOSTILE_LINGER:
	case BC_HOSTILE_ESCAPE: {
		pid_t pid = fork();
		if (pid < 0)
			return -1;
		if (pid == 0) {
			/* The name the self-tests look for, on the host, after the
			 * case: its pid is its PID namespace's. */
			prctl(PR_SET_NAME, (unsigned long)BC_HOSTILE_LEFT_NAME, 0L, 0L, 0L);
			if (st->hostile.kind == BC_HOSTILE_ESCAPE)
				setsid();
			for (;;)
				pause();
		}
		out->kind = BC_OUT_VALUE;
		snprintf(out->value, sizeof(out->value), "%d", (int)pid);
		return 0;
	}
	case BC_HOSTILE_SPEW:
		for (int i = 0; i < st->hostile.mib * 16; i++)
			if (write(STDOUT_FILENO, chunk, sizeof(chunk)) < 0)
				return -1;
		return 0;
	}
	errno = EINVAL;
	return -1;
}
