/* text: checks on text that more than one stage reads or writes (the table
 * reader takes files of it, results.json must hold it as JSON strings). */
#ifndef BC_TEXT_H
#define BC_TEXT_H

#include <stddef.h>

/* Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing past
 * U+10FFFF, and no NUL byte.  Returns the offset of the first bad byte and
 * sets *why to what is wrong there, or returns -1 when the text is clean. */
long bc_text_find_binary(const char *text, size_t len, const char **why);

#endif
