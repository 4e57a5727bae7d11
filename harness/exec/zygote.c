/* zygote: the process pool workers are made from (see zygote.h).  It is
 * forked while the runner is still small, waits on a socket for a beat
 * slot and a worker's two pipe ends, makes the worker with clone(2) and
 * CLONE_PARENT (so that the runner waits for it, kills it and reads its
 * beat as it does a worker it forked), and answers with its pid.  It ends
 * when the runner closes the socket, or dies. */
#define _GNU_SOURCE
#include "exec/zygote.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec/wire.h"
#include "exec/worker.h"

static struct {
	pid_t pid;
	int sock;
	struct bc_beat *beats;
} z = {-1, -1, NULL};

/* Workers started before the tables were read (bc_zygote_warm), by slot:
 * the runner's ends of their pipes; pid 0 once taken or never made. */
static struct warm {
	pid_t pid;
	int cmd, res;
} warm[BC_ZYGOTE_SLOTS];

/* A request: the slot, and the two fds as SCM_RIGHTS. */
static int recv_request(int sock, int *slot, int fds[2])
{
	char ctl[CMSG_SPACE(2 * sizeof(int))];
	struct iovec iov = {slot, sizeof(*slot)};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)};
	ssize_t k;
	while ((k = recvmsg(sock, &m, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
		;
	struct cmsghdr *cm = k == (ssize_t)sizeof(*slot) ? CMSG_FIRSTHDR(&m) : NULL;
	if (!cm || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS ||
	    cm->cmsg_len != CMSG_LEN(2 * sizeof(int)))
		return -1;
	memcpy(fds, CMSG_DATA(cm), 2 * sizeof(int));
	return *slot >= 0 && *slot < BC_ZYGOTE_SLOTS ? 0 : -1;
}

static _Noreturn void zygote_main(const struct bc_runner *r, int sock, pid_t runner)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0L, 0L, 0L) < 0 || getppid() != runner)
		_exit(0);
	for (;;) {
		int slot, fds[2];
		if (recv_request(sock, &slot, fds) < 0)
			_exit(0);
		/* Its workers' stdio starts empty, as a forked worker's would. */
		fflush(NULL);
		pid_t pid = (pid_t)syscall(SYS_clone, (unsigned long)(CLONE_PARENT | SIGCHLD), NULL, NULL, NULL, NULL);
		if (pid == 0) {
			close(sock);
			bc_worker_main(r, fds[0], fds[1], &z.beats[slot]);
		}
		close(fds[0]);
		close(fds[1]);
		if (send(sock, &pid, sizeof(pid), MSG_NOSIGNAL) != (ssize_t)sizeof(pid))
			_exit(0);
	}
}

int bc_zygote_start(const struct bc_runner *r)
{
	int sv[2];
	if (z.pid > 0)
		return 0;
	z.beats = mmap(NULL, BC_ZYGOTE_SLOTS * sizeof(*z.beats), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (z.beats == MAP_FAILED) {
		z.beats = NULL;
		return -1;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		bc_zygote_stop();
		return -1;
	}
	pid_t runner = getpid();
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		close(sv[0]);
		zygote_main(r, sv[1], runner);
	}
	close(sv[1]);
	z.sock = sv[0];
	z.pid = pid;
	if (pid < 0) {
		bc_zygote_stop();
		return -1;
	}
	return 0;
}

struct bc_beat *bc_zygote_beats(void)
{
	return z.pid > 0 ? z.beats : NULL;
}

pid_t bc_zygote_spawn(int slot, int cmd, int out)
{
	int fds[2] = {cmd, out};
	char ctl[CMSG_SPACE(sizeof(fds))];
	struct iovec iov = {&slot, sizeof(slot)};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
	pid_t pid = -1;
	ssize_t k;
	if (z.pid <= 0)
		return -1;
	memset(ctl, 0, sizeof(ctl));
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(fds));
	memcpy(CMSG_DATA(cm), fds, sizeof(fds));
	while ((k = sendmsg(z.sock, &m, MSG_NOSIGNAL)) < 0 && errno == EINTR)
		;
	if (k == (ssize_t)sizeof(slot)) {
		while ((k = recv(z.sock, &pid, sizeof(pid), 0)) < 0 && errno == EINTR)
			;
	}
	if (k != (ssize_t)sizeof(pid) || pid <= 0) {
		bc_zygote_stop(); /* it is gone, or cannot make workers: the pool forks them */
		return -1;
	}
	return pid;
}

void bc_zygote_warm(int n)
{
	n = n > BC_ZYGOTE_SLOTS ? BC_ZYGOTE_SLOTS : n;
	for (int slot = 0; slot < n && z.pid > 0; slot++) {
		int c[2], o[2];
		if (pipe2(c, O_CLOEXEC) < 0)
			return;
		if (pipe2(o, O_CLOEXEC) < 0) {
			close(c[0]);
			close(c[1]);
			return;
		}
		z.beats[slot].pid = 0; /* the new worker writes it */
		z.beats[slot].idx = -1;
		pid_t pid = bc_zygote_spawn(slot, c[0], o[1]);
		close(c[0]);
		close(o[1]);
		if (pid < 0) {
			close(c[1]);
			close(o[0]);
			return;
		}
		warm[slot] = (struct warm){pid, c[1], o[0]};
	}
}

bool bc_zygote_take(int slot, pid_t *pid, int *cmd, int *res)
{
	if (slot < 0 || slot >= BC_ZYGOTE_SLOTS || warm[slot].pid <= 0)
		return false;
	*pid = warm[slot].pid;
	*cmd = warm[slot].cmd;
	*res = warm[slot].res;
	warm[slot].pid = 0;
	return true;
}

/* The warm workers no run took: killed as the pool kills its own
 * (bc_worker_kill), then waited for. */
static void end_warm(void)
{
	for (int slot = 0; slot < BC_ZYGOTE_SLOTS; slot++) {
		struct warm *w = &warm[slot];
		if (w->pid <= 0)
			continue;
		close(w->cmd);
		close(w->res);
		bc_worker_kill(w->pid, &z.beats[slot]);
		while (waitpid(w->pid, NULL, 0) < 0 && errno == EINTR)
			;
		w->pid = 0;
	}
}

void bc_zygote_stop(void)
{
	end_warm();
	if (z.sock >= 0)
		close(z.sock);
	z.sock = -1;
	if (z.pid > 0) {
		kill(z.pid, SIGKILL);
		while (waitpid(z.pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	z.pid = -1;
	/* The beats stay: a worker it made may still be writing its own. */
}
