/* reader internals shared by the lexer, the table reader, the step parser
 * and the expectation parser.  Not part of the harness's public surface. */
#ifndef BC_READER_H
#define BC_READER_H

#include <stdbool.h>
#include <stddef.h>

#include "model/case.h"
#include "table/diag.h"

struct bc_tok {
	char *s;
	int col;
	bool quoted;
};

struct bc_line {
	int lineno;
	bool indented;
	bool comment;   /* it has a comment (after its words, if any) */
	bool bad;       /* it could not be read whole (said): tok holds the words before the bad one */
	int ntok;
	struct bc_tok *tok;
};

/* A word of a step after the row's cells were put in, with the place to
 * blame when it is wrong: the cell it came from, or the scenario itself. */
struct bc_word {
	char *s;
	int line;
	int col;
};

#define BC_MAX_LINE 65536 /* bytes in one table line */
#define BC_MAX_WORDS 16 /* words in one step, verb included */

struct bc_step_memo;

struct bc_tmpl_step {
	int line;
	bool checked;
	int nwords;
	struct bc_tok *words;
	struct bc_step_memo *memo; /* a step without cells, parsed once (instantiate.c) */
};

struct bc_scenario {
	char name[BC_NAME_MAX];
	int line;
	int col;
	bool bad;  /* a line of it could not be read (said): its rows are dropped without a message each */
	int nsteps;
	struct bc_tmpl_step steps[BC_MAX_STEPS];
};

/* Split one line into tokens.  Returns 0, or -1 after adding a diagnostic;
 * then out is marked bad and holds the words before the bad one. */
int bc_lex_line(const char *file, int lineno, const char *start, size_t len, struct bc_line *out,
		struct bc_diags *d);
/* The words of a line that is cut at byte cut (where a byte that is not
 * text was found, and said), without the word the cut runs into and
 * without a message; out is marked bad. */
void bc_lex_line_cut(const char *file, int lineno, const char *start, size_t cut, struct bc_line *out);
void bc_line_free(struct bc_line *l);
/* The column of byte off of a cell's text, quotes and escapes counted;
 * off past the end is the column just after the cell. */
int bc_cell_col(const struct bc_tok *cell, size_t off);

/* Turn the words of one step into a bc_step.  handles and vars are the
 * names the scenario has defined so far and grow as steps define more. */
struct bc_names {
	int n;
	char v[BC_MAX_HANDLES][BC_NAME_MAX];
};
/* In a dry run (a scenario checked before any row) BC_ANY_VALUE stands for
 * each cell; a word holding it is taken as valid, and so is any handle or
 * variable, since their names may come from cells. */
#define BC_ANY_VALUE "\x01"
/* The names a scenario has defined so far: handles (fds), port variables,
 * and the result lists of resolve steps. */
struct bc_scope {
	struct bc_names handles, vars, lists;
};
/* The words of a step joined by spaces, as reports show it; malloc'd. */
char *bc_step_text(const struct bc_word *w, int nw);
int bc_step_parse(const char *file, struct bc_word *w, int nw, bool checked, struct bc_step *st,
		  struct bc_scope *scope, bool dry, struct bc_diags *d);
bool bc_step_verb_known(const char *word);

/* Parse an expectation cell for a case with nchecked checked steps.  On error
 * returns -1 with a message and the byte offset of the bad part. */
int bc_expect_parse(struct bc_store *st, const char *text, int nchecked, struct bc_expect *e, char *err,
		    size_t errlen, size_t *offset);

/* The reader's state while one table is read (table.c, table_rows.c). */
enum colkind {
	COL_ID, COL_SCENARIO, COL_SLOT, COL_SOURCE, COL_DEVIATION, COL_NOTE, COL_TIMEOUT, COL_PROFILE, COL_FAULT, COL_PARAM,
	COL_BAD
};

struct column {
	const char *name;
	enum colkind kind;
	int slot;
};

struct bc_rd_id {
	char id[BC_ID_MAX];
	int line;
};

/* Every id a table has used, dropped rows' included (ids.c). */
struct bc_rd_ids {
	struct bc_rd_id *v;
	int n, cap;
	int *slot;        /* open addressing: 1 + an index into v, 0 for free */
	size_t nslots;    /* a power of two, at least twice n */
};
/* 0 when id is new (it is added, with line), else the line that used it
 * first; -1 when out of memory.  O(1) on average. */
int bc_rd_ids_claim(struct bc_rd_ids *ids, const char *id, int line);
void bc_rd_ids_free(struct bc_rd_ids *ids);

/* A profile block: "profile NAME" and its indented settings. */
struct bc_rd_profile {
	char name[BC_NAME_MAX];
	int line, col;
	int nlines;
	bool bad;                  /* a setting was wrong: rows naming it are dropped */
	struct bc_profile p;
};

/* A target block: "target NAME" and its indented lines. */
struct bc_rd_target {
	int line, col;
	int nlines;
	bool bad;
	bool has_command;
	struct bc_target t;
};

struct rd {
	const char *file;
	struct bc_diags *d;
	struct bc_table *t;
	int cases_cap;          /* t->cases has room for this many */
	int timeout_ms;
	int nsc;
	struct bc_scenario *sc;
	struct bc_scenario *open_sc;
	int nprof;
	struct bc_rd_profile *prof;
	int open_prof;          /* index of the profile being read, -1 none */
	int ntgt;
	struct bc_rd_target *tgt;
	int open_tgt;           /* index of the target being read, -1 none */
	bool have_header;
	/* What the lines after the preamble are (cases/README.md, "Rows per
	 * scenario"): rows of the table-wide header, or of a 'rows NAME'
	 * section, whose scenario is section. */
	enum { AT_PREAMBLE, AT_SECTION_HEADER, AT_ROWS, AT_NO_HEADER } at;
	int section;        /* index in sc of the section's scenario; -1: the table-wide header */
	int section_line;   /* the 'rows NAME' line of the section */
	bool quiet;         /* the current rows' header or section was reported bad: drop them silently */
	bool skip_block;    /* a block reported out of place: its indented lines are dropped */
	bool rows_dropped;  /* the header lacks a required column */
	bool lost_names;    /* a line that may have named a scenario, profile or target could not be read:
			       a row naming one that is unknown is dropped without a message */
	int ncols;
	struct column *cols;
	struct bc_line header;
	struct bc_rd_ids ids; /* every id seen, dropped rows' included */
};

/* text_checks.c.  A file that is mostly not text (a binary file): said
 * once at 1:1, and true; the file is not read further. */
bool bc_rd_not_text(const char *path, const char *text, size_t len, struct bc_diags *d);
/* A byte order mark at the start: said; the offset after it (3), else 0. */
size_t bc_rd_skip_bom(const char *path, const char *text, size_t len, struct bc_diags *d);
/* The column (in characters, from 1) of byte off of a line. */
int bc_rd_byte_col(const char *line, size_t off);

#define BC_RD_ERR(r, line, col, ...) bc_diag_add((r)->d, (r)->file, (line), (col), __VA_ARGS__)

/* Shared by every part of the reader (cells.c).  p points at a '$': if
 * "$name" or "${name}" starts there, set *name and *len to the name and
 * return the whole reference's length; else 0. */
size_t bc_rd_ref(const char *p, const char **name, size_t *len);
/* Letters, digits, '_', '-', '.', '+', shorter than BC_ID_MAX. */
bool bc_rd_valid_id(const char *s);
/* Only those characters, and at least one (of any length). */
bool bc_rd_id_chars(const char *s);
/* Says what is wrong with name, an id or a table's name (what), at line:col. */
void bc_rd_bad_id(struct rd *r, const char *what, const char *name, int line, int col);
/* Calls fn with the name of each "$name" or "${name}" in w; returns the
 * offset of the first '$' that starts no reference, or -1. */
long bc_rd_scan_refs(const char *w, void (*fn)(void *, const char *, size_t), void *arg);
/* "5s", "250ms", at most 600 s. */
int bc_rd_parse_timeout(const char *s, int *ms);
/* The header's column named by n bytes of name, or -1. */
int bc_rd_column_index(const struct rd *r, const char *name, size_t n);

#endif
