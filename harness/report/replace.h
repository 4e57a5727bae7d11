/* replace: a report file written whole or not at all.  The new text goes to
 * a file of its own in the target's directory (unnamed where the file
 * system allows O_TMPFILE, else a hidden name no other writer shares), is
 * flushed and synced, and is renamed over the target.  A reader, a second
 * run writing the same path, a full disk or a SIGKILL in the middle sees
 * the previous file or the new one, whole; never a part.  A path that is
 * not a regular file (/dev/stdout, /dev/full, a FIFO) is written in place. */
#ifndef BC_REPLACE_H
#define BC_REPLACE_H

#include <stdio.h>

/* Make path's new text with fn(arg, out) and put it in place.  0; -1 with
 * errno set (EIO when the failing call left none), the previous file
 * untouched and no temporary file left. */
int bc_replace_file(const char *path, int (*fn)(void *arg, FILE *out), void *arg);

#endif
