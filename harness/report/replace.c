/* replace: a report file written whole or not at all (see replace.h). */
#define _GNU_SOURCE /* O_TMPFILE, AT_SYMLINK_FOLLOW, realpath */
#include "report/replace.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Names tried for the temporary file before giving up (EEXIST). */
#define TRIES 100

struct job {
	const char *target; /* the file to replace */
	char dir[PATH_MAX]; /* its directory, where the new text is made */
	const char *base;   /* its last component, for the temporary name */
	mode_t mode;        /* the previous file's permissions; 0: none */
	int (*fn)(void *, FILE *);
	void *arg;
};

/* fn's text into fd (left open for the caller), flushed and, when sync,
 * on the disk: 0, or the errno of the first call that failed. */
static int fill(const struct job *j, int fd, bool sync)
{
	int dup_fd = dup(fd);
	FILE *f = dup_fd < 0 ? NULL : fdopen(dup_fd, "w");
	if (!f) {
		int e = errno;
		if (dup_fd >= 0)
			close(dup_fd);
		return e;
	}
	errno = 0;
	int rc = j->fn(j->arg, f), err = rc < 0 || ferror(f) ? (errno ? errno : EIO) : 0;
	if (fflush(f) != 0 && !err)
		err = errno ? errno : EIO;
	if (!err && sync && fsync(fd) != 0)
		err = errno;
	if (fclose(f) != 0 && !err)
		err = errno ? errno : EIO;
	if (!err && j->mode && fchmod(fd, j->mode) != 0)
		err = errno;
	return err;
}

/* A hidden name beside the target for the i-th try: the pid and the time
 * make it one no other writer uses, and EEXIST catches the rest. */
static void tmp_name(const struct job *j, int i, char *buf, size_t n)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(buf, n, "%s/.%.120s.%ld-%lx-%d.tmp", j->dir, j->base, (long)getpid(), (unsigned long)ts.tv_nsec, i);
}

/* The new text in an unnamed file (O_TMPFILE), which a kill leaves nowhere,
 * linked under a temporary name only once it is whole.  *fallback when
 * this system or file system cannot do that (then nothing was made). */
static int write_unnamed(const struct job *j, bool *fallback)
{
	char proc[64], tmp[PATH_MAX + 192];
	int fd = open(j->dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666), err;
	if (fd < 0) {
		*fallback = errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL;
		return errno;
	}
	err = fill(j, fd, true);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	for (int i = 0; !err && i < TRIES; i++) {
		tmp_name(j, i, tmp, sizeof(tmp));
		if (linkat(AT_FDCWD, proc, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW) == 0)
			break;
		if (errno != EEXIST || i == TRIES - 1) {
			err = errno;
			*fallback = errno == ENOENT && access(proc, F_OK) != 0; /* no /proc */
		}
	}
	close(fd);
	if (err)
		return err;
	if (rename(tmp, j->target) != 0) {
		err = errno;
		unlink(tmp);
	}
	return err;
}

/* The same through a named temporary file, made with O_EXCL. */
static int write_named(const struct job *j)
{
	char tmp[PATH_MAX + 192];
	int fd = -1, err;
	for (int i = 0; fd < 0 && i < TRIES; i++) {
		tmp_name(j, i, tmp, sizeof(tmp));
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd < 0 && (errno != EEXIST || i == TRIES - 1))
			return errno;
	}
	err = fill(j, fd, true);
	close(fd);
	if (!err && rename(tmp, j->target) != 0)
		err = errno;
	if (err)
		unlink(tmp);
	return err;
}

/* Not a file to replace but one to write into: a device, a FIFO, or
 * anything under /dev or /proc (/dev/stdout may name a regular file that
 * the shell opened; replacing it would lose the output). */
static bool in_place(const char *path, const struct stat *st)
{
	return !S_ISREG(st->st_mode) || strncmp(path, "/dev/", 5) == 0 || strncmp(path, "/proc/", 6) == 0;
}

static int write_in_place(struct job *j)
{
	int fd = open(j->target, O_WRONLY | O_TRUNC | O_NOCTTY | O_CLOEXEC), err;
	if (fd < 0)
		return errno;
	j->mode = 0;
	err = fill(j, fd, false);
	close(fd);
	return err;
}

/* The directory's entry on the disk too; a file system that cannot sync a
 * directory has nothing more to do. */
static void sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

int bc_replace_file(const char *path, int (*fn)(void *arg, FILE *out), void *arg)
{
	struct job j = {.target = path, .fn = fn, .arg = arg};
	char real[PATH_MAX];
	struct stat st, lst;
	bool exists = stat(path, &st) == 0, fallback = false;
	int err;
	if (exists && in_place(path, &st)) {
		err = write_in_place(&j);
		goto out;
	}
	/* A symbolic link stays one: the file it names is replaced. */
	if (exists && lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode) && realpath(path, real))
		j.target = real;
	j.mode = exists ? st.st_mode & 0777 : 0;
	const char *slash = strrchr(j.target, '/');
	snprintf(j.dir, sizeof(j.dir), "%.*s", slash ? (slash == j.target ? 1 : (int)(slash - j.target)) : 1,
		 slash ? j.target : ".");
	j.base = slash ? slash + 1 : j.target;
	err = write_unnamed(&j, &fallback);
	if (err && fallback)
		err = write_named(&j);
	if (!err)
		sync_dir(j.dir);
out:
	errno = err;
	return err ? -1 : 0;
}
