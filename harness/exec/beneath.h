/* beneath: resolve a case's path beneath its scratch directory, so that
 * nothing a file step or a unix: address does lands outside it, whatever
 * symlinks the case made.  openat2(2) with RESOLVE_BENEATH where the kernel
 * has it; elsewhere a walk one component at a time that refuses symlinks. */
#ifndef BC_BENEATH_H
#define BC_BENEATH_H

#include <limits.h>
#include <stdbool.h>

/* The directory that holds path's last component, opened O_PATH beneath
 * dirfd, and that component in name: an fd, or -1 with errno (EXDEV for a
 * path that would leave dirfd, ELOOP for a symlink loop or, in the walk, any
 * symlink on the way).  name is never empty and holds no '/'; it may be "."
 * or "..", which a call that creates or removes refuses on its own. */
int bc_beneath_parent(int dirfd, const char *path, char name[NAME_MAX + 1]);
/* The object path names, opened beneath dirfd with flags (O_PATH, and
 * O_NOFOLLOW not to follow a last component that is a symlink; symlinks on
 * the way are followed while they stay beneath): an fd, or -1 with errno. */
int bc_beneath_open(int dirfd, const char *path, int flags);
/* Does the kernel (or what stands in for it) have openat2? */
bool bc_beneath_has_openat2(void);
/* The same, always by the walk (for the suite: the fallback where openat2
 * is missing). */
int bc_beneath_parent_walk(int dirfd, const char *path, char name[NAME_MAX + 1]);
int bc_beneath_open_walk(int dirfd, const char *path, int flags);

#endif
