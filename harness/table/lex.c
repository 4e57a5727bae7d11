/* lex: a table line into words.  Words are separated by blanks; a word with
 * blanks in it is written in double quotes (\" and \\ escape); a '#' that
 * starts a word, outside quotes, starts a comment (so "a#b" is one word, as
 * in the shell).  Linear in the line's length. */
#define _POSIX_C_SOURCE 200809L
#include "table/reader.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int push(struct bc_line *out, const char *s, size_t n, int col, bool quoted)
{
	struct bc_tok *v = realloc(out->tok, (size_t)(out->ntok + 1) * sizeof(*v));
	char *copy = malloc(n + 1);
	if (v)
		out->tok = v;
	if (!v || !copy) {
		free(copy);
		return -1;
	}
	memcpy(copy, s, n);
	copy[n] = '\0';
	out->tok[out->ntok++] = (struct bc_tok){copy, col, quoted};
	return 0;
}

static bool is_control(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

/* A cursor over the line that knows its character column. */
struct cur {
	const char *s;
	size_t i, len;
	int col;
	bool cut; /* the line is cut short at len (a bad byte there): a word that reaches len is lost, silently */
};

static void advance(struct cur *c)
{
	c->i++;
	/* Continuation bytes do not start a new column. */
	if (c->i >= c->len || ((unsigned char)c->s[c->i] & 0xc0) != 0x80)
		c->col++;
}

/* Where diagnostics about the line go. */
struct where {
	const char *file;
	int lineno;
	struct bc_diags *d;
};

/* A quoted word, from its opening quote, into buf (escapes undone).
 * Returns its length, or -1 after a diagnostic. */
static long read_quoted(struct cur *c, char *buf, int col, const struct where *at)
{
	size_t n = 0;
	const char *s = c->s;
	advance(c);
	for (;;) {
		if (c->i >= c->len && c->cut)
			return -1;
		if (c->i >= c->len) {
			bc_diag_add(at->d, at->file, at->lineno, col, "unterminated quote; hint: close the cell with '\"'");
			return -1;
		}
		unsigned char ch = (unsigned char)s[c->i];
		if (ch == '\\' && c->i + 1 < c->len && (s[c->i + 1] == '"' || s[c->i + 1] == '\\')) {
			advance(c);
			buf[n++] = s[c->i];
			advance(c);
		} else if (ch == '"') {
			advance(c);
			break;
		} else if (is_control(ch)) {
			bc_diag_add(at->d, at->file, at->lineno, c->col, "control character 0x%02x; hint: tables are plain text", ch);
			return -1;
		} else {
			buf[n++] = (char)ch;
			advance(c);
		}
	}
	if (c->i < c->len && s[c->i] != ' ' && s[c->i] != '\t') {
		bc_diag_add(at->d, at->file, at->lineno, c->col, "text right after a closing quote; hint: separate cells with blanks");
		return -1;
	}
	return (long)n;
}

/* A word without quotes, up to the next blank, into buf.  Returns its
 * length, or -1 after a diagnostic. */
static long read_bare(struct cur *c, char *buf, const struct where *at)
{
	size_t n = 0;
	while (c->i < c->len && c->s[c->i] != ' ' && c->s[c->i] != '\t') {
		unsigned char ch = (unsigned char)c->s[c->i];
		if (ch == '"') {
			bc_diag_add(at->d, at->file, at->lineno, c->col, "quote inside a word; hint: quote the whole cell, as \"a b\"");
			return -1;
		}
		if (is_control(ch)) {
			bc_diag_add(at->d, at->file, at->lineno, c->col, "control character 0x%02x; hint: tables are plain text", ch);
			return -1;
		}
		buf[n++] = (char)ch;
		advance(c);
	}
	return c->cut && c->i >= c->len ? -1 : (long)n;
}

static int lex(const char *file, int lineno, const char *start, size_t len, bool cut, struct bc_line *out,
	       struct bc_diags *d)
{
	struct cur c = {start, 0, len, 1, cut};
	const struct where at = {file, lineno, d};
	char *buf = NULL;
	memset(out, 0, sizeof(*out));
	out->lineno = lineno;
	if (len && start[len - 1] == '\r' && !cut)
		c.len = --len;
	if (len > BC_MAX_LINE) {
		/* Its first words still say what it was (a row, a step, ...). */
		bc_diag_add(d, file, lineno, 1, "line of %zu bytes, longer than the %d a table line may have", len, BC_MAX_LINE);
		c.len = len = BC_MAX_LINE;
		c.cut = out->bad = true;
	}
	buf = malloc(len + 1); /* one scratch buffer for every word of the line */
	if (!buf)
		goto oom;
	while (c.i < len && (start[c.i] == ' ' || start[c.i] == '\t'))
		advance(&c);
	out->indented = c.i > 0;
	while (c.i < len) {
		unsigned char ch = (unsigned char)start[c.i];
		int col = c.col;
		bool quoted = ch == '"';
		if (ch == ' ' || ch == '\t') {
			advance(&c);
			continue;
		}
		if (ch == '#') {
			out->comment = true;
			break;
		}
		long n = quoted ? read_quoted(&c, buf, col, &at) : read_bare(&c, buf, &at);
		if (n < 0)
			goto fail;
		if (push(out, buf, (size_t)n, col, quoted) < 0)
			goto oom;
	}
	free(buf);
	return out->bad ? -1 : 0;
oom:
	bc_diag_add(d, file, lineno, 1, "out of memory while reading this line");
fail:
	/* The words before the bad one stay: they say what the line was. */
	free(buf);
	out->bad = true;
	return -1;
}

int bc_lex_line(const char *file, int lineno, const char *start, size_t len, struct bc_line *out,
		struct bc_diags *d)
{
	return lex(file, lineno, start, len, false, out, d);
}

void bc_lex_line_cut(const char *file, int lineno, const char *start, size_t cut, struct bc_line *out)
{
	struct bc_diags quiet = {0};
	lex(file, lineno, start, cut, true, out, &quiet);
	bc_diags_free(&quiet);
	out->bad = true;
}

int bc_cell_col(const struct bc_tok *cell, size_t off)
{
	int col = cell->col + (cell->quoted ? 1 : 0);
	for (size_t i = 0; i < off && cell->s[i]; i++) {
		unsigned char ch = (unsigned char)cell->s[i];
		if ((ch & 0xc0) != 0x80)
			col++;
		if (cell->quoted && (ch == '"' || ch == '\\'))
			col++; /* written as \" or \\ */
	}
	if (cell->quoted && off > strlen(cell->s))
		col++; /* the closing quote */
	return col;
}

void bc_line_free(struct bc_line *l)
{
	for (int i = 0; i < l->ntok; i++)
		free(l->tok[i].s);
	free(l->tok);
	l->tok = NULL;
	l->ntok = 0;
}
