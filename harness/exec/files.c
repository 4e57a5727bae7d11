/* files: the file verbs (mkfile, mkdir, symlink, chmod, unlink, stat), for
 * AF_UNIX cases, and the unix: paths of bind, connect and send.
 *
 * A case's relative paths are in its scratch directory, which runner.c's
 * case_child makes the working directory before the first step.  Whatever
 * writes resolves beneath it (exec/beneath.c): the directory that holds the
 * last component is opened beneath ".", and the call is made relative to
 * that fd with the last component's name, which is never followed if it is
 * a symlink.  A symlink the case made that points out (or a '..' through
 * one) makes the step fail with EXDEV and touches nothing outside.  The
 * table reader has already refused absolute paths and '..' that leave
 * (table/step_args.c); this holds on its own.  stat and open only read and
 * take their path as given: absolute ones read the host. */
#define _GNU_SOURCE /* O_PATH */
#include "exec/step_ctx.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "exec/beneath.h"

static void close_keep_errno(int fd)
{
	int e = errno;
	close(fd);
	errno = e;
}

/* The case's working directory: its scratch directory. */
static int here(void)
{
	return open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
}

/* The directory that holds path's last component, beneath the scratch
 * directory, and that component in name. */
static int parent_of(const char *path, char name[NAME_MAX + 1])
{
	int dir = here();
	if (dir < 0)
		return -1;
	int fd = bc_beneath_parent(dir, path, name);
	close_keep_errno(dir);
	return fd;
}

/* chmod of what fd (O_PATH | O_NOFOLLOW) holds.  Linux has no chmod of a
 * symlink itself (fchmodat's AT_SYMLINK_NOFOLLOW is EOPNOTSUPP) and
 * chmod(2) of one changes what it points to: a symlink is refused with
 * ELOOP, as O_NOFOLLOW refuses it.  An O_PATH fd takes no fchmod, but
 * /proc/self/fd/N names exactly its inode (the permission checks are those
 * of the inode); without /proc, fchmodat2's AT_EMPTY_PATH (Linux 6.6) does
 * the same where the headers know it. */
static int chmod_fd(int fd, mode_t mode)
{
	struct stat sb;
	char proc[32];
	if (fstat(fd, &sb) < 0)
		return -1;
	if (S_ISLNK(sb.st_mode)) {
		errno = ELOOP;
		return -1;
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (chmod(proc, mode) == 0)
		return 0;
#ifdef SYS_fchmodat2
	if (errno == ENOENT && access("/proc/self/fd", F_OK) < 0)
		return (int)syscall(SYS_fchmodat2, fd, "", mode, AT_EMPTY_PATH);
#endif
	return -1;
}

/* chmod of name in the directory at, not following a symlink. */
static int chmod_at(int at, const char *name, mode_t mode)
{
	int fd = openat(at, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = chmod_fd(fd, mode);
	close_keep_errno(fd);
	return rc;
}

/* What the file verbs below do in the directory that holds the path. */
enum file_op { OP_MKFILE, OP_MKDIR, OP_SYMLINK, OP_UNLINK };

/* A name that is "." or ".." creates or removes nothing: each call below
 * refuses it by itself (EEXIST, EISDIR), as it would refuse the whole path. */
static int file_op(const struct bc_step *st, enum file_op op)
{
	char name[NAME_MAX + 1];
	int at = parent_of(st->file.path, name), rc = -1;
	mode_t mode = (mode_t)st->file.mode;
	if (at < 0)
		return -1;
	switch (op) {
	case OP_MKFILE:
		rc = openat(at, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		rc = rc < 0 ? -1 : close(rc);
		break;
	case OP_MKDIR:
		/* The umask must not change the mode the table asked for. */
		rc = mkdirat(at, name, mode) < 0 ? -1 : chmod_at(at, name, mode);
		break;
	case OP_SYMLINK:
		rc = symlinkat(st->file.target, at, name);
		break;
	case OP_UNLINK:
		rc = unlinkat(at, name, 0);
		break;
	}
	close_keep_errno(at);
	return rc;
}

int bc_exec_mkfile(struct bc_step_ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	(void)x, (void)fd, (void)out;
	return file_op(st, OP_MKFILE);
}

int bc_exec_mkdir(struct bc_step_ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	(void)x, (void)fd, (void)out;
	return file_op(st, OP_MKDIR);
}

/* The link's target is only data: it may point anywhere, and nothing a
 * later step resolves is followed out through it. */
int bc_exec_symlink(struct bc_step_ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	(void)x, (void)fd, (void)out;
	return file_op(st, OP_SYMLINK);
}

int bc_exec_unlink(struct bc_step_ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	(void)x, (void)fd, (void)out;
	return file_op(st, OP_UNLINK);
}

/* The whole path is resolved beneath (its last component may be "..",
 * which only the lookup can keep inside), not following a last symlink. */
int bc_exec_chmod(struct bc_step_ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	(void)x, (void)fd, (void)out;
	int dir = here();
	if (dir < 0)
		return -1;
	int f = bc_beneath_open(dir, st->file.path, O_PATH | O_NOFOLLOW);
	close_keep_errno(dir);
	if (f < 0)
		return -1;
	int rc = chmod_fd(f, (mode_t)st->file.mode);
	close_keep_errno(f);
	return rc;
}

/* stat: what is at a path, "=socket", "=file", "=dir", "=symlink" or
 * "=other", or the errno (ENOENT when nothing is there).  It only reads. */
int bc_exec_stat(struct bc_step_ctx *x, const struct bc_step *st, int fd, struct bc_outcome *out)
{
	struct stat sb;
	(void)x, (void)fd;
	if (lstat(st->file.path, &sb) < 0)
		return -1;
	out->kind = BC_OUT_VALUE;
	snprintf(out->value, sizeof(out->value), "%s",
		 S_ISSOCK(sb.st_mode) ? "socket" : S_ISREG(sb.st_mode) ? "file" : S_ISDIR(sb.st_mode) ? "dir"
		 : S_ISLNK(sb.st_mode) ? "symlink" : "other");
	return 0;
}

/* --- unix: paths -------------------------------------------------------- */

/* The path the kernel would look up for this address on sock, into path:
 * true only for an AF_UNIX socket given an AF_UNIX address of a valid
 * length with a path (not abstract, not the autobind length).  For any
 * other the kernel never looks at a path, and the call goes as it is. */
static bool unix_path(int sock, const struct sockaddr_storage *ss, socklen_t len, char path[PATH_MAX])
{
	const struct sockaddr_un *sun = (const struct sockaddr_un *)ss;
	int domain = 0;
	socklen_t dlen = sizeof(domain);
	size_t off = offsetof(struct sockaddr_un, sun_path);
	if (ss->ss_family != AF_UNIX || len <= off || len > sizeof(*sun) || !sun->sun_path[0])
		return false;
	if (getsockopt(sock, SOL_SOCKET, SO_DOMAIN, &domain, &dlen) < 0 || domain != AF_UNIX)
		return false;
	/* The kernel ends the path at the length given, or at its NUL. */
	size_t n = strnlen(sun->sun_path, len - off);
	memcpy(path, sun->sun_path, n);
	path[n] = '\0';
	return true;
}

/* bind creates the socket's file at its path: the directory that holds it
 * is resolved beneath, and bind gets only the last name, relative to that
 * directory.  A path of one name needs nothing more: bind never follows a
 * last component (an existing name, symlinks included, is EADDRINUSE), and
 * the working directory is the scratch directory, so the address goes
 * unchanged and getsockname gives back what the table wrote.  Deeper, the
 * case's process enters the directory for the call (fchdir) and returns:
 * bind takes no directory fd, and a /proc/self/fd/N/NAME path would cost
 * sun_path room (a 108-byte name must still fit) and be what getsockname
 * reports.  With fchdir, getsockname reports the last name.  The steps run
 * one at a time in one thread, so nothing else sees the moment away. */
int bc_unix_bind(int sock, const struct sockaddr_storage *ss, socklen_t len)
{
	char path[PATH_MAX], name[NAME_MAX + 1];
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	if (!unix_path(sock, ss, len, path) || !strchr(path, '/'))
		return bind(sock, (const struct sockaddr *)ss, len);
	int dir = here();
	if (dir < 0)
		return -1;
	int at = bc_beneath_parent(dir, path, name), rc = -1;
	if (at >= 0 && fchdir(at) == 0) {
		memcpy(sun.sun_path, name, strlen(name) + 1);
		rc = bind(sock, (const struct sockaddr *)&sun, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(name) + 1));
		if (fchdir(dir) < 0 && rc == 0)
			rc = -1;
	}
	if (at >= 0)
		close_keep_errno(at);
	close_keep_errno(dir);
	return rc;
}

/* connect and sendto follow the whole path, a last symlink included, so
 * the whole path is opened beneath (O_PATH) and the address becomes
 * /proc/self/fd/N, the socket file that was found: the kernel's own lookup
 * then reaches exactly it, with its permission checks.  *held is N, for the
 * caller to close after the call, or -1 when the address is left as it is. */
int bc_unix_reach(int sock, struct sockaddr_storage *ss, socklen_t *len, int *held)
{
	char path[PATH_MAX];
	struct sockaddr_un *sun = (struct sockaddr_un *)ss;
	*held = -1;
	if (!unix_path(sock, ss, *len, path))
		return 0;
	int dir = here();
	if (dir < 0)
		return -1;
	*held = bc_beneath_open(dir, path, O_PATH);
	close_keep_errno(dir);
	if (*held < 0)
		return -1;
	memset(sun->sun_path, 0, sizeof(sun->sun_path));
	snprintf(sun->sun_path, sizeof(sun->sun_path), "/proc/self/fd/%d", *held);
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(sun->sun_path) + 1);
	return 0;
}
