/* wire: a worker's answer on its pipe (see wire.h).  An observation goes
 * without the unused part of its step table: the fixed head, the steps
 * that ran, the tail (a third of the bytes for a typical case, and the
 * parent reads every one of them), and of the target's output only the
 * bytes kept. */
#define _POSIX_C_SOURCE 200809L
#include "exec/wire.h"

#include <errno.h>
#include <stddef.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "exec/sandbox.h" /* bc_sandbox_write */

#define HEAD offsetof(struct bc_observation, steps)
#define TAIL offsetof(struct bc_observation, ports)
#define OUT offsetof(struct bc_observation, target_out)

long bc_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000L + ts.tv_nsec / 1000;
}

bool bc_wire_read(int fd, void *buf, unsigned long n)
{
	char *p = buf;
	while (n) {
		ssize_t k = read(fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return false;
		p += k;
		n -= (size_t)k;
	}
	return true;
}

static size_t out_bytes(const struct bc_observation *obs)
{
	return obs->target_out_len > BC_OBS_OUT_MAX ? BC_OBS_OUT_MAX : obs->target_out_len;
}

/* The bytes of the steps that ran (nsteps, kept in bounds). */
static size_t steps_bytes(const struct bc_observation *obs)
{
	int ns = obs->nsteps < 0 ? 0 : obs->nsteps > BC_MAX_STEPS ? BC_MAX_STEPS : obs->nsteps;
	return (size_t)ns * sizeof(obs->steps[0]);
}

bool bc_wire_send(int fd, const struct bc_wire_head *h, const struct bc_run_facts *f, const struct bc_observation *obs)
{
	bool with_obs = f->end == BC_RUN_DONE;
	struct iovec v[6] = {
		{(void *)h, sizeof(*h)},
		{(void *)f, sizeof(*f)},
		{(void *)obs, with_obs ? HEAD : 0},
		{(void *)obs->steps, with_obs ? steps_bytes(obs) : 0},
		{(char *)obs + TAIL, with_obs ? OUT - TAIL : 0},
		{(void *)obs->target_out, with_obs ? out_bytes(obs) : 0},
	};
	/* One call, as a rule; what a signal or a full pipe leaves unwritten
	 * goes after it. */
	size_t total = 0;
	for (int i = 0; i < 6; i++)
		total += v[i].iov_len;
	ssize_t k;
	while ((k = writev(fd, v, 6)) < 0 && errno == EINTR)
		;
	if (k < 0)
		return false;
	size_t done = (size_t)k;
	for (int i = 0; i < 6 && done < total; i++) {
		if (done >= v[i].iov_len) {
			done -= v[i].iov_len;
			continue;
		}
		if (!bc_sandbox_write(fd, (const char *)v[i].iov_base + done, v[i].iov_len - done))
			return false;
		done = 0;
	}
	return true;
}

bool bc_wire_recv(int fd, struct bc_run_facts *f, struct bc_observation *obs)
{
	if (!bc_wire_read(fd, f, sizeof(*f)))
		return false;
	if (f->end != BC_RUN_DONE)
		return true;
	char *p = (char *)obs;
	if (!bc_wire_read(fd, p, HEAD) || !bc_wire_read(fd, obs->steps, steps_bytes(obs)) ||
	    !bc_wire_read(fd, p + TAIL, OUT - TAIL) || !bc_wire_read(fd, obs->target_out, out_bytes(obs)))
		return false;
	obs->target_out_len = (unsigned)out_bytes(obs);
	obs->target_out[obs->target_out_len] = '\0';
	return true;
}
