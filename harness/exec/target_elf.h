/* target_elf: can libfiu's preload reach a target's program?  LD_PRELOAD is
 * read by the dynamic loader, which a statically linked program (no
 * PT_INTERP program header; a static PIE has none either) never runs, so
 * its calls cannot be made to fail: its cases are skips, not results. */
#ifndef BC_TARGET_ELF_H
#define BC_TARGET_ELF_H

#include <stdbool.h>
#include <stddef.h>

/* The program argv0 names: a path, or a name looked up in $PATH.  A script
 * ("#!") is its interpreter (after /usr/bin/env, the program env runs),
 * one level deep.  False when there is no such executable. */
bool bc_target_program(const char *argv0, char *buf, size_t n);
/* Is the ELF file at path statically linked?  False for a dynamically
 * linked ELF, and for a file that is not ELF or cannot be read (the exec
 * then says what is wrong). */
bool bc_elf_is_static(const char *path);
/* Why the program argv0 names cannot run under the preload, into buf, or
 * NULL when it can (or is not there to say). */
const char *bc_target_static_reason(const char *name, const char *argv0, char *buf, unsigned len);

#endif
