/* confine: private PID, mount, UTS and IPC namespaces with a read-only
 * host, put up once per worker (see confine.h).  The layout follows what
 * bubblewrap does for a sandbox (a recursive bind of the host made
 * read-only, fresh /proc, a minimal /dev, pivot_root), cut to what one
 * worker needs and can pay for once: about a millisecond. */
#define _GNU_SOURCE /* unshare, pivot_root flags, close_range */
#include "exec/confine.h"

#include "exec/guard.h"
#include "exec/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef __linux__
#include <linux/capability.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/statvfs.h>

#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
#define ATTR_RDONLY 0x1 /* MOUNT_ATTR_RDONLY, linux/mount.h */
#define ATTR_NOSUID 0x2 /* MOUNT_ATTR_NOSUID */

/* struct mount_attr of mount_setattr(2), spelt here: glibc 2.36's
 * <sys/mount.h> and <linux/mount.h> cannot both be included. */
struct setattr {
	uint64_t attr_set, attr_clr, propagation, userns_fd;
};

static bool confined_here;

bool bc_confined(void)
{
	return confined_here;
}

#define FAIL(...) (snprintf(why, n, __VA_ARGS__), -1)

static int mnt(const char *src, const char *dst, const char *type, unsigned long fl, const char *data, char *why,
	       size_t n)
{
	if (mount(src, dst, type, fl, data) == 0)
		return 0;
	return FAIL("cannot mount %s on %s: %s", type && strcmp(type, "none") ? type : src, dst, strerror(errno));
}

/* The namespaces: as root, directly; otherwise inside a user namespace in
 * which the caller's uid and gid are root. */
static int make_namespaces(char *why, size_t n)
{
	const int base = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC;
	uid_t uid = geteuid();
	gid_t gid = getegid();
	if (unshare(base) == 0)
		return 0;
	if (errno != EPERM)
		return FAIL("unshare(CLONE_NEWNS|CLONE_NEWPID|CLONE_NEWUTS|CLONE_NEWIPC): %s", strerror(errno));
	if (unshare(base | CLONE_NEWUSER) < 0)
		return FAIL("needs CAP_SYS_ADMIN or unprivileged user namespaces: unshare: %s", strerror(errno));
	return bc_sandbox_map_self(uid, gid, why, n);
}

/* Where mount_setattr(2) is missing (before Linux 5.12, gVisor): every
 * mount, one by one, keeping the flags a less privileged namespace may
 * not clear. */
static int readonly_each(char *why, size_t n)
{
	char line[4096], path[1024];
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return FAIL("cannot read /proc/self/mountinfo: %s", strerror(errno));
	int rc = 0;
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		struct statvfs sv;
		if (sscanf(line, "%*s %*s %*s %*s %1023s", path) != 1 || statvfs(path, &sv) < 0)
			continue;
		unsigned long fl = MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID;
		fl |= (sv.f_flag & ST_NODEV ? MS_NODEV : 0) | (sv.f_flag & ST_NOEXEC ? MS_NOEXEC : 0) |
		      (sv.f_flag & ST_NOATIME ? MS_NOATIME : 0) | (sv.f_flag & ST_NODIRATIME ? MS_NODIRATIME : 0) |
		      (sv.f_flag & ST_RELATIME ? MS_RELATIME : 0);
		if (mount("none", path, "none", fl, NULL) < 0 && errno != EACCES && errno != ENOENT)
			rc = FAIL("cannot make %s read-only: %s", path, strerror(errno));
	}
	fclose(f);
	return rc;
}

/* The whole tree as this mount namespace has it (a copy of the host's),
 * read-only and nosuid all the way down. */
static int readonly_host(char *why, size_t n)
{
	struct setattr a = {.attr_set = ATTR_RDONLY | ATTR_NOSUID};
	/* Valgrind 3.19 does not know mount_setattr (it warns, then says
	 * ENOSYS): under it, the remount per mount straight away. */
	if (!bc_guard_under_valgrind()) {
		if (syscall(SYS_mount_setattr, AT_FDCWD, "/", AT_RECURSIVE, &a, sizeof(a)) == 0)
			return 0;
		if (errno != ENOSYS && errno != EINVAL)
			return FAIL("cannot make the host read-only: mount_setattr: %s", strerror(errno));
	}
	return readonly_each(why, n);
}

/* What the host has at the places about to be covered, held open to be
 * bound back or read through (/proc/self/fd/N works as a mount source). */
/* No tty: with it a target could type into the user's terminal (TIOCSTI)
 * or read from it; the worker has no controlling terminal either (setsid
 * in bc_confine_enter). */
static const char *const devs[] = {"null", "zero", "full", "random", "urandom"};
#define NDEV (sizeof(devs) / sizeof(devs[0]))

struct held {
	int tmp;
	int dev[NDEV];
};

static void hold(struct held *h)
{
	char path[32];
	h->tmp = open("/tmp", O_PATH | O_DIRECTORY | O_CLOEXEC);
	for (size_t i = 0; i < NDEV; i++) {
		snprintf(path, sizeof(path), "/dev/%s", devs[i]);
		h->dev[i] = open(path, O_PATH | O_CLOEXEC);
	}
}

static void let_go(struct held *h)
{
	if (h->tmp >= 0)
		close(h->tmp);
	for (size_t i = 0; i < NDEV; i++)
		if (h->dev[i] >= 0)
			close(h->dev[i]);
}

static const char *fd_path(int fd, char buf[32])
{
	snprintf(buf, 32, "/proc/self/fd/%d", fd);
	return buf;
}

/* /tmp: the host's, read-only, under an overlay whose writes go to a
 * private tmpfs, so that what a case writes is its own and what bindcheck
 * keeps in /tmp (a checkout, an installation, a table) is still seen at
 * its path.  Where overlayfs is missing, the tmpfs alone. */
static int private_tmp(const struct held *h, char *why, size_t n)
{
	char opts[160], lower[32];
	if (mnt("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=256m", why, n) < 0)
		return -1;
	snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=/tmp/.upper,workdir=/tmp/.work", fd_path(h->tmp, lower));
	bool overlay = h->tmp >= 0 && mkdir("/tmp/.upper", 01777) == 0 && chmod("/tmp/.upper", 01777) == 0 &&
		       mkdir("/tmp/.work", 0700) == 0 &&
		       mount("overlay", "/tmp", "overlay", MS_NOSUID | MS_NODEV, opts) == 0;
	if (!overlay) {
		rmdir("/tmp/.upper");
		rmdir("/tmp/.work");
	}
	return 0;
}

/* Private and empty, where the host has them as directories (not links):
 * /var/tmp, and /run and /var/run, which hold the host's daemons' sockets
 * (D-Bus, systemd, the users' agents): a read-only mount does not stop a
 * target run as root from connecting to one, and a socket file seen
 * through a covering mount is no longer the daemon's. */
static int private_dirs(char *why, size_t n)
{
	static const struct {
		const char *path, *opts;
	} blank[] = {
		{"/var/tmp", "mode=1777,size=64m"}, {"/run", "mode=0755,size=1m"}, {"/var/run", "mode=0755,size=1m"}};
	struct stat sb;
	for (size_t i = 0; i < sizeof(blank) / sizeof(blank[0]); i++) {
		if (lstat(blank[i].path, &sb) < 0 || !S_ISDIR(sb.st_mode))
			continue;
		if (mnt("tmpfs", blank[i].path, "tmpfs", MS_NOSUID | MS_NODEV, blank[i].opts, why, n) < 0)
			return -1;
	}
	if (mkdir("/run/lock", 01777) == 0)
		chmod("/run/lock", 01777);
	return 0;
}

/* /dev with the harmless devices only, bound from the host's. */
static int minimal_dev(const struct held *h, char *why, size_t n)
{
	static const char *const links[][2] = {
		{"/proc/self/fd", "fd"}, {"/proc/self/fd/0", "stdin"},
		{"/proc/self/fd/1", "stdout"}, {"/proc/self/fd/2", "stderr"},
	};
	char dst[64], src[32];
	if (mnt("tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755,size=64k", why, n) < 0)
		return -1;
	for (size_t i = 0; i < NDEV; i++) {
		if (h->dev[i] < 0)
			continue;
		snprintf(dst, sizeof(dst), "/dev/%s", devs[i]);
		int fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd < 0)
			return FAIL("cannot make %s: %s", dst, strerror(errno));
		close(fd);
		if (mnt(fd_path(h->dev[i], src), dst, "none", MS_BIND, NULL, why, n) < 0)
			return -1;
	}
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		snprintf(dst, sizeof(dst), "/dev/%s", links[i][1]);
		if (symlink(links[i][0], dst) < 0)
			return FAIL("cannot make %s: %s", dst, strerror(errno));
	}
	if (mkdir("/dev/shm", 01777) < 0)
		return FAIL("cannot make /dev/shm: %s", strerror(errno));
	return mnt("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=64m", why, n);
}

/* A bind of path onto itself, then read-only: the way to make one part of
 * a mount read-only. */
static int readonly_part(const char *path, unsigned long rec, char *why, size_t n)
{
	if (access(path, F_OK) < 0)
		return 0;
	if (mnt(path, path, "none", MS_BIND | rec, NULL, why, n) < 0)
		return -1;
	return mnt("none", path, "none", MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, why,
		   n);
}

/* This PID namespace's own /proc.  Of the kernel's settings only the
 * network namespace's (/proc/sys/net) stay writable: a profile sets them. */
static int own_proc(char *why, size_t n)
{
	if (mnt("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, why, n) < 0)
		return -1;
	if (mnt("/proc/sys/net", "/proc/sys/net", "none", MS_BIND, NULL, why, n) < 0 ||
	    readonly_part("/proc/sys", MS_REC, why, n) < 0)
		return -1;
	static const char *const ro[] = {"/proc/sysrq-trigger", "/proc/irq", "/proc/bus"};
	for (size_t i = 0; i < sizeof(ro) / sizeof(ro[0]); i++)
		if (readonly_part(ro[i], 0, why, n) < 0)
			return -1;
	return 0;
}

/* The namespace's copy of the host's tree is changed in place: made
 * read-only (its mounts are this namespace's own; the host's keep their
 * flags), then /proc, /dev and /tmp are covered.  No pivot_root: the
 * root stays the host's, read-only, and there is no other tree to leave
 * reachable (and an initramfs root, as in bindcheck's qemu guests, could
 * not be pivoted anyway). */
static int build_root(char *why, size_t n)
{
	struct held h;
	/* Nothing done here may show in the host's namespace. */
	if (mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0)
		return FAIL("cannot make the mount namespace private: %s", strerror(errno));
	hold(&h);
	int rc = readonly_host(why, n) < 0 || own_proc(why, n) < 0 || minimal_dev(&h, why, n) < 0 ||
			 private_tmp(&h, why, n) < 0 || private_dirs(why, n) < 0
		 ? -1
		 : 0;
	let_go(&h);
	return rc;
}

/* Capabilities no case and no harness step uses.  Kept: CAP_SYS_ADMIN
 * (namespaces and mounts for the next cases), CAP_NET_* (the case's own
 * namespace), CAP_SETUID/SETGID (identity profiles), CAP_SETPCAP (to
 * drop more in targets), CAP_SYS_PTRACE (reading a target's /proc), and
 * the file-permission ones (DAC_OVERRIDE, FOWNER, CHOWN, FSETID). */
static const int never[] = {
	CAP_DAC_READ_SEARCH, CAP_LINUX_IMMUTABLE, CAP_SYS_MODULE, CAP_SYS_RAWIO, CAP_SYS_PACCT, CAP_SYS_BOOT,
	CAP_SYS_TIME, CAP_SYS_TTY_CONFIG, CAP_MKNOD, CAP_AUDIT_CONTROL, CAP_SETFCAP, CAP_MAC_OVERRIDE, CAP_MAC_ADMIN,
	CAP_SYSLOG, CAP_WAKE_ALARM, CAP_BLOCK_SUSPEND, 37 /* AUDIT_READ */, 38 /* PERFMON */, 39 /* BPF */,
	40 /* CHECKPOINT_RESTORE */,
};
/* And in a target: what would let a program that runs as root out
 * (mount, setns, ptrace), or reach past its case: real-time priority and
 * locked memory over the host's, leases on the host's files, raised
 * limits. */
static const int target_never[] = {CAP_SYS_ADMIN, CAP_SYS_PTRACE, CAP_SYS_NICE, CAP_IPC_LOCK,
				   CAP_LEASE,     CAP_SYS_RESOURCE, CAP_SETPCAP};

/* Off the bounding set (for what is executed) and off the effective,
 * permitted and inheritable sets (for this process).  Async-signal-safe. */
static int drop_caps(const int *caps, size_t k)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	for (size_t i = 0; i < k; i++)
		if (prctl(PR_CAPBSET_DROP, (unsigned long)caps[i], 0L, 0L, 0L) < 0 && errno != EINVAL && errno != EPERM)
			return -1;
	if (syscall(SYS_capget, &h, d) < 0)
		return -1;
	for (size_t i = 0; i < k; i++) {
		uint32_t bit = 1u << (caps[i] & 31);
		int w = caps[i] >> 5;
		d[w].effective &= ~bit;
		d[w].permitted &= ~bit;
		d[w].inheritable &= ~bit;
	}
	return (int)syscall(SYS_capset, &h, d);
}

int bc_confine_target(void)
{
	/* A crash makes no core: where core_pattern pipes to a helper, the
	 * kernel would start that helper on the host (core(5): a limit of 1
	 * stops a dump to a pipe too). */
	struct rlimit core = {1, 1};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) < 0 || setrlimit(RLIMIT_CORE, &core) < 0)
		return -1;
	if (drop_caps(target_never, sizeof(target_never) / sizeof(target_never[0])) < 0)
		return -1;
	return bc_confine_filter();
}

/* Move fd to 10 or above: two of them must survive the close of all else. */
static int fd_up(int fd)
{
	int up = fcntl(fd, F_DUPFD_CLOEXEC, 10);
	return up >= 0 ? up : fd;
}

/* Close every fd but a and b. */
static void close_all_but(int a, int b)
{
	int lo = a < b ? a : b, hi = a < b ? b : a;
#ifdef SYS_close_range
	if (syscall(SYS_close_range, 0u, (unsigned)lo - 1, 0u) == 0 &&
	    (hi == lo + 1 || syscall(SYS_close_range, (unsigned)lo + 1, (unsigned)hi - 1, 0u) == 0) &&
	    syscall(SYS_close_range, (unsigned)hi + 1, ~0u, 0u) == 0)
		return;
#endif
	for (int fd = 0; fd < 1024; fd++)
		if (fd != a && fd != b)
			close(fd);
}

/* End as a process whose wait status was st: the same exit code, or the
 * same signal. */
static _Noreturn void end_as(int st)
{
	if (WIFSIGNALED(st)) {
		signal(WTERMSIG(st), SIG_DFL);
		prctl(PR_SET_PDEATHSIG, 0L, 0L, 0L, 0L);
		kill(getpid(), WTERMSIG(st));
		_exit(128 + WTERMSIG(st));
	}
	_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 1);
}

/* The caller's side: it holds nothing, ignores the signals meant for the
 * runner (which ends the confined process itself), and ends as the
 * confined worker did: its wait status comes on the status pipe from the
 * namespace's pid 1 (which, being pid 1, could not die of a signal it
 * sent itself); without one (pid 1 was killed), as pid 1 ended.  If the
 * runner dies, it dies, and so does its child. */
static _Noreturn void stand_by(pid_t child, pid_t parent, int alive, int status)
{
	int st = 0, ws;
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0L, 0L, 0L) < 0 || getppid() != parent)
		kill(child, SIGKILL);
	alive = fd_up(alive);
	status = fd_up(status);
	close_all_but(alive, status);
	while (waitpid(child, &st, 0) < 0 && errno == EINTR)
		;
	if (read(status, &ws, sizeof(ws)) == (ssize_t)sizeof(ws))
		st = ws;
	end_as(st);
}

/* The namespace's pid 1: it only waits.  The worker runs as its child,
 * not as pid 1 itself, because the kernel keeps from a PID namespace's
 * init every signal it has no handler for that comes from inside the
 * namespace (pid_namespaces(7)): a worker that raised SIGSEGV, or got a
 * SIGPIPE, would live on where a case child dies.  Orphans go to the
 * worker, a child subreaper, while it lives. */
static _Noreturn void be_init(pid_t worker, int status)
{
	int st = 0;
	for (;;) {
		pid_t p = waitpid(-1, &st, 0);
		if (p == worker || (p < 0 && errno == ECHILD))
			break;
	}
	if (write(status, &st, sizeof(st)) < 0)
		_exit(1);
	_exit(0);
}

/* The child's side: it dies with the caller (PDEATHSIG), and if the
 * caller is already gone its end of the pipe says so. */
static int bound_to_caller(int alive, char *why, size_t n)
{
	struct pollfd p = {alive, POLLIN, 0};
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0L, 0L, 0L) < 0)
		return FAIL("prctl(PR_SET_PDEATHSIG): %s", strerror(errno));
	if (poll(&p, 1, 0) != 0)
		_exit(1);
	close(alive);
	return 0;
}

/* Inside, as pid 1, before the worker is forked: the walls, no terminal,
 * stdin from /dev/null, no new privileges, fewer capabilities. */
static int wall_in(char *why, size_t n)
{
	/* No controlling terminal: nothing inside can read the user's or
	 * type into it; the runner alone answers the terminal's signals. */
	setsid();
	if (build_root(why, n) < 0)
		return -1;
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null >= 0 && null != STDIN_FILENO) {
		dup2(null, STDIN_FILENO);
		close(null);
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) < 0 || drop_caps(never, sizeof(never) / sizeof(never[0])) < 0)
		return FAIL("cannot drop capabilities: %s", strerror(errno));
	setenv("TMPDIR", "/tmp", 1);
	return 0;
}

int bc_confine_enter(pid_t *real_pid, char *why, size_t n)
{
	int alive[2], status[2];
	pid_t parent = getppid();
	if (make_namespaces(why, n) < 0)
		return -1;
	if (pipe2(alive, O_CLOEXEC) < 0)
		return FAIL("pipe: %s", strerror(errno));
	if (pipe2(status, O_CLOEXEC) < 0)
		return FAIL("pipe: %s", strerror(errno));
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return FAIL("cannot start the confined process: fork: %s", strerror(errno));
	if (pid > 0) {
		if (real_pid)
			__atomic_store_n(real_pid, pid, __ATOMIC_RELEASE);
		close(alive[0]);
		close(status[1]);
		stand_by(pid, parent, alive[1], status[0]);
	}
	close(alive[1]);
	close(status[0]);
	if (bound_to_caller(alive[0], why, n) < 0 || wall_in(why, n) < 0)
		return -1;
	fflush(NULL);
	pid_t worker = fork();
	if (worker < 0)
		return FAIL("cannot start the confined worker: fork: %s", strerror(errno));
	if (worker > 0)
		be_init(worker, status[1]);
	close(status[1]);
	confined_here = true;
	return 0;
}
#else
bool bc_confined(void)
{
	return false;
}

int bc_confine_target(void)
{
	return 0;
}

int bc_confine_enter(pid_t *real_pid, char *why, size_t n)
{
	(void)real_pid;
	snprintf(why, n, "confinement needs Linux namespaces");
	return -1;
}
#endif
