/* interrupt: SIGINT, SIGTERM and SIGHUP end a run in order.  The first
 * one sets a flag the pool reads (exec/runner.h): no case starts after it,
 * the running ones end with their workers (every process of a worker's
 * PID namespace, and its private /tmp with every scratch directory, go
 * with it), and the run writes what finished, marked interrupted.  A
 * second signal ends the runner at once; its workers follow it
 * (PR_SET_PDEATHSIG, exec/confine.c). */
#define _POSIX_C_SOURCE 200809L
#include "cli/cli.h"

#include <signal.h>
#include <string.h>

static volatile sig_atomic_t caught;

static void on_signal(int sig)
{
	caught = sig;
}

static const int signals[] = {SIGINT, SIGTERM, SIGHUP};

const volatile sig_atomic_t *bc_cli_catch_interrupts(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	/* No SA_RESTART: a wait in the pool returns at once and sees the flag. */
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	caught = 0;
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		sigaction(signals[i], &sa, NULL);
	return &caught;
}

int bc_cli_interrupted_by(void)
{
	return caught;
}

const char *bc_cli_signal_name(int sig)
{
	return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : sig == SIGHUP ? "SIGHUP" : "a signal";
}
