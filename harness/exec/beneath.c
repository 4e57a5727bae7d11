/* beneath: a case's paths resolved beneath its scratch directory (see
 * beneath.h).  openat2(2) with RESOLVE_BENEATH refuses, with EXDEV, any
 * step of the lookup that would leave the starting directory: an absolute
 * path, a '..' above it, a symlink (absolute or relative) that points out;
 * RESOLVE_NO_MAGICLINKS refuses /proc/PID/fd links as well.  Where the
 * kernel has no openat2 (before Linux 5.6, gVisor: ENOSYS), the walk opens
 * one component at a time with O_NOFOLLOW and refuses every symlink (ELOOP),
 * keeping each directory it passed open, so that a '..' goes back to the one
 * it came from and never above the first. */
#define _GNU_SOURCE /* O_PATH */
#include "exec/beneath.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "exec/guard.h"

/* How many directories deep the walk goes: a step's path has at most
 * BC_STEP_PATH_MAX - 1 bytes, so at most half as many components. */
#define WALK_DEPTH 128

static int openat2_beneath(int dirfd, const char *path, int flags)
{
#ifdef SYS_openat2
	/* Valgrind 3.19 does not know the call (it warns, then says ENOSYS):
	 * the walk straight away there. */
	if (bc_guard_under_valgrind()) {
		errno = ENOSYS;
		return -1;
	}
	struct open_how how = {
		.flags = (unsigned long long)(flags | O_CLOEXEC),
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};
	/* EAGAIN: a rename or mount raced the lookup, which the kernel
	 * refuses to judge; a second look is a fresh lookup. */
	for (int tries = 0;; tries++) {
		int fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
		if (fd >= 0 || errno != EAGAIN || tries == 8)
			return fd;
	}
#else
	(void)dirfd, (void)path, (void)flags;
	errno = ENOSYS;
	return -1;
#endif
}

/* Split path into the part before its last component (".", when it has
 * none) and that component, trailing slashes dropped.  0, or -1 with errno:
 * EXDEV for an absolute path, ENAMETOOLONG, ENOENT for an empty one. */
static int split(const char *path, char dir[PATH_MAX], char name[NAME_MAX + 1])
{
	size_t len = strlen(path);
	if (path[0] == '/') {
		errno = EXDEV;
		return -1;
	}
	while (len > 1 && path[len - 1] == '/')
		len--;
	if (len == 0 || len >= PATH_MAX) {
		errno = len ? ENAMETOOLONG : ENOENT;
		return -1;
	}
	size_t cut = len;
	while (cut > 0 && path[cut - 1] != '/')
		cut--;
	if (len - cut > NAME_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(name, path + cut, len - cut);
	name[len - cut] = '\0';
	if (cut == 0) {
		strcpy(dir, ".");
	} else {
		memcpy(dir, path, cut);
		dir[cut] = '\0';
	}
	return 0;
}

static void close_all(const int *fds, int n)
{
	int e = errno;
	for (int i = 0; i < n; i++)
		close(fds[i]);
	errno = e;
}

/* One more directory for the walk: comp opened beneath at, which must be a
 * directory and not a symlink.  An fd, or -1 with errno. */
static int walk_into(int at, const char *comp)
{
	struct stat sb;
	int fd = openat(at, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode))
		return fd;
	errno = S_ISLNK(sb.st_mode) ? ELOOP : ENOTDIR;
	close_all(&fd, 1);
	return -1;
}

/* The directory path names beneath dirfd, every component a real
 * directory: an O_PATH fd, or -1 with errno. */
static int walk(int dirfd, const char *path)
{
	int stack[WALK_DEPTH + 1], top = 0;
	stack[0] = openat(dirfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (stack[0] < 0)
		return -1;
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, "/");
		char comp[NAME_MAX + 1];
		int err = n > NAME_MAX ? ENAMETOOLONG : 0;
		if (!err) {
			memcpy(comp, p, n);
			comp[n] = '\0';
		}
		p += n + strspn(p + n, "/");
		if (!err && (n == 0 || strcmp(comp, ".") == 0))
			continue;
		if (!err && strcmp(comp, "..") == 0) {
			if (top == 0) {
				err = EXDEV;
			} else {
				close(stack[top--]);
				continue;
			}
		}
		if (!err && top == WALK_DEPTH)
			err = ENAMETOOLONG;
		if (!err && (stack[top + 1] = walk_into(stack[top], comp)) >= 0) {
			top++;
			continue;
		}
		errno = err ? err : errno;
		close_all(stack, top + 1);
		return -1;
	}
	close_all(stack, top);
	return stack[top];
}

static int parent(int dirfd, const char *path, char name[NAME_MAX + 1], bool may_openat2)
{
	char dir[PATH_MAX];
	if (split(path, dir, name) < 0)
		return -1;
	if (may_openat2) {
		int fd = openat2_beneath(dirfd, dir, O_PATH | O_DIRECTORY);
		if (fd >= 0 || errno != ENOSYS)
			return fd;
	}
	return walk(dirfd, dir);
}

int bc_beneath_parent(int dirfd, const char *path, char name[NAME_MAX + 1])
{
	return parent(dirfd, path, name, true);
}

int bc_beneath_parent_walk(int dirfd, const char *path, char name[NAME_MAX + 1])
{
	return parent(dirfd, path, name, false);
}

int bc_beneath_open_walk(int dirfd, const char *path, int flags)
{
	char name[NAME_MAX + 1];
	struct stat sb;
	int at = parent(dirfd, path, name, false), fd;
	if (at < 0)
		return -1;
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
		/* A directory: the walk takes its '..' (never above dirfd). */
		close(at);
		at = walk(dirfd, path);
		if (at < 0)
			return -1;
		strcpy(name, ".");
	}
	fd = openat(at, name, flags | O_NOFOLLOW | O_CLOEXEC);
	close_all(&at, 1);
	if (fd < 0 || (flags & O_NOFOLLOW))
		return fd;
	/* O_PATH | O_NOFOLLOW opens a symlink itself; the walk follows none. */
	if (fstat(fd, &sb) == 0 && S_ISLNK(sb.st_mode)) {
		close(fd);
		errno = ELOOP;
		return -1;
	}
	return fd;
}

int bc_beneath_open(int dirfd, const char *path, int flags)
{
	int fd = openat2_beneath(dirfd, path, flags);
	if (fd >= 0 || errno != ENOSYS)
		return fd;
	return bc_beneath_open_walk(dirfd, path, flags);
}

bool bc_beneath_has_openat2(void)
{
	int fd = openat2_beneath(AT_FDCWD, ".", O_PATH | O_DIRECTORY);
	if (fd >= 0)
		close(fd);
	return fd >= 0 || errno != ENOSYS;
}
