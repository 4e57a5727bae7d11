/* wire: what a pool worker tells the parent about one case (the facts of
 * how it ran and, when its steps ran, the observation), and the memory the
 * two share so that a case that hangs in place is reported with its step.
 * Private to exec/. */
#ifndef BC_WIRE_H
#define BC_WIRE_H

#include <stdbool.h>
#include <sys/types.h>

#include "model/result.h"

/* Where a worker is, written by it, read by the parent. */
struct bc_beat {
	volatile int idx;       /* the case it runs in place, -1 none */
	volatile int step;      /* the step that case is in, -1 before the first */
	volatile long start_us; /* when that case started (CLOCK_MONOTONIC) */
	pid_t pid;              /* the worker's PID namespace's pid 1 (exec/confine.h), 0 until known */
};

/* An answer starts with this: the case's index, and whether the worker
 * ends after it (a case that tripped a guard in place takes its worker
 * with it; the cases queued behind go to a fresh one). */
struct bc_wire_head {
	int idx;
	int retiring;
};

bool bc_wire_send(int fd, const struct bc_wire_head *h, const struct bc_run_facts *f, const struct bc_observation *obs);
/* Reads the rest of an answer whose head was already read. */
bool bc_wire_recv(int fd, struct bc_run_facts *f, struct bc_observation *obs);
bool bc_wire_read(int fd, void *buf, unsigned long n);
/* A case to a worker (case_wire.c): its index and what the worker reads of
 * it.  false when it could not be written. */
bool bc_wire_send_case(int fd, int idx, const struct bc_case *c);
/* The next case on fd, into storage that the next call reuses; NULL at the
 * end of the pipe or on a message that does not hold together. */
const struct bc_case *bc_wire_recv_case(int fd, int *idx);
long bc_now_us(void);

#endif
