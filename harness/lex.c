/* lex: a table line into words.  Words are separated by blanks; a word with
 * blanks in it is written in double quotes (\" and \\ escape); '#' outside
 * quotes starts a comment. */
#define _POSIX_C_SOURCE 200809L
#include "reader.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

long bc_lex_find_binary(const char *text, size_t len, const char **why)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t i = 0;
	while (i < len) {
		unsigned char c = p[i];
		size_t need;
		if (c == 0) {
			*why = "a NUL byte";
			return (long)i;
		}
		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0 && c >= 0xc2)
			need = 1;
		else if ((c & 0xf0) == 0xe0)
			need = 2;
		else if ((c & 0xf8) == 0xf0 && c <= 0xf4)
			need = 3;
		else {
			*why = "a byte that is not UTF-8";
			return (long)i;
		}
		for (size_t k = 1; k <= need; k++) {
			if (i + k >= len || (p[i + k] & 0xc0) != 0x80) {
				*why = "an invalid UTF-8 sequence";
				return (long)i;
			}
		}
		i += need + 1;
	}
	return -1;
}

static int push(struct bc_line *out, char *s, int col, bool quoted)
{
	struct bc_tok *v = realloc(out->tok, (size_t)(out->ntok + 1) * sizeof(*v));
	if (!v) {
		free(s);
		return -1;
	}
	out->tok = v;
	out->tok[out->ntok++] = (struct bc_tok){s, col, quoted};
	return 0;
}

/* Columns count characters, not bytes, so that an editor finds them. */
static int col_of(const char *start, size_t off)
{
	int col = 1;
	for (size_t i = 0; i < off; i++)
		if (((unsigned char)start[i] & 0xc0) != 0x80)
			col++;
	return col;
}

int bc_lex_line(const char *file, int lineno, const char *start, size_t len, struct bc_line *out,
		struct bc_diags *d)
{
	size_t i = 0;
	memset(out, 0, sizeof(*out));
	out->lineno = lineno;
	if (len && start[len - 1] == '\r')
		len--;
	while (i < len && (start[i] == ' ' || start[i] == '\t'))
		i++;
	out->indented = i > 0;
	while (i < len) {
		char c = start[i];
		if (c == ' ' || c == '\t') {
			i++;
			continue;
		}
		if (c == '#')
			break;
		if ((unsigned char)c < 0x20 || c == 0x7f) {
			bc_diag_add(d, file, lineno, col_of(start, i), "control character 0x%02x; hint: tables are plain text",
				    (unsigned char)c);
			goto fail;
		}
		char *buf = malloc(len - i + 1);
		size_t n = 0;
		int col = col_of(start, i);
		bool quoted = c == '"';
		if (!buf)
			goto fail;
		if (quoted) {
			i++;
			for (;;) {
				if (i >= len) {
					free(buf);
					bc_diag_add(d, file, lineno, col, "unterminated quote; hint: close the cell with '\"'");
					goto fail;
				}
				if (start[i] == '\\' && i + 1 < len && (start[i + 1] == '"' || start[i + 1] == '\\')) {
					buf[n++] = start[i + 1];
					i += 2;
				} else if (start[i] == '"') {
					i++;
					break;
				} else {
					buf[n++] = start[i++];
				}
			}
			if (i < len && start[i] != ' ' && start[i] != '\t' && start[i] != '#') {
				free(buf);
				bc_diag_add(d, file, lineno, col_of(start, i),
					    "text right after a closing quote; hint: separate cells with blanks");
				goto fail;
			}
		} else {
			while (i < len && start[i] != ' ' && start[i] != '\t') {
				if (start[i] == '"') {
					free(buf);
					bc_diag_add(d, file, lineno, col_of(start, i),
						    "quote inside a word; hint: quote the whole cell, as \"a b\"");
					goto fail;
				}
				if ((unsigned char)start[i] < 0x20 || start[i] == 0x7f) {
					free(buf);
					bc_diag_add(d, file, lineno, col_of(start, i),
						    "control character 0x%02x; hint: tables are plain text",
						    (unsigned char)start[i]);
					goto fail;
				}
				buf[n++] = start[i++];
			}
		}
		buf[n] = '\0';
		if (push(out, buf, col, quoted) < 0)
			goto fail;
	}
	return 0;
fail:
	bc_line_free(out);
	return -1;
}

void bc_line_free(struct bc_line *l)
{
	for (int i = 0; i < l->ntok; i++)
		free(l->tok[i].s);
	free(l->tok);
	l->tok = NULL;
	l->ntok = 0;
}
