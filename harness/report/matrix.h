/* matrix: what `bindcheck merge` lays out, made from several results.json.
 *
 * A run is either a platform (the host, another kernel, gVisor: its
 * platform.profile is null) or a profile run of the host (platform.profile
 * names bindv6only, noipv6 or lowports).  A profile run judges every row
 * against the host's own expectations, so its failures are by design: it is
 * never a platform column but a sensitivity column, compared with its base
 * platform (the run whose platform id it extends with "+PROFILE").
 *
 * A row disagrees when two platforms that have the case gave different
 * verdicts, or observed different results once ephemeral ports are masked
 * (bc_matrix_mask).  Rows come disagreeing first, then the others, each
 * group in run order. */
#ifndef BC_MATRIX_H
#define BC_MATRIX_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct bc_mrow {
	const char *table, *id;
	const json_t **cells; /* one per run (NULL: that run lacks the case) */
	char **masked;        /* per run: the observation with ports masked, NULL when none */
	bool disagrees;       /* among the platforms */
	unsigned changed;     /* bit k: profile k (index into bc_matrix.prof) changes the row */
};

struct bc_matrix {
	json_t *const *roots;
	int nruns;
	int *plat, nplat; /* the platform runs, in the order given */
	int *prof, nprof; /* the profile runs, in the order given */
	int *base;        /* per profile run: the run it is compared with, -1 for none */
	struct bc_mrow *rows;
	int nrows, ndis, nchanged;
	const char **tables; /* every table, in order of first appearance */
	int ntables;
};

/* Builds the matrix of n runs (at most 32 profile runs); -1 when out of
 * memory.  roots must outlive m. */
int bc_matrix_build(struct bc_matrix *m, json_t *const *roots, int n);
void bc_matrix_free(struct bc_matrix *m);

/* observed with every ephemeral port replaced by '*': a port of an
 * ADDR:PORT (A.B.C.D:PORT or [V6]:PORT) that is 1024 or above and that the
 * case does not name (no step and no expectation cell of the row holds that
 * number).  Fixed ports (8080, or 80 under lowports) stay. */
void bc_matrix_mask(const json_t *c, const char *observed, char *buf, size_t n);

/* The name of run k: its platform id. */
const char *bc_matrix_run_name(const struct bc_matrix *m, int k);
/* The profile of run k, "" for a platform. */
const char *bc_matrix_run_profile(const struct bc_matrix *m, int k);
/* Count of verdict v ("pass", ...) of run k in table t (NULL: every table). */
int bc_matrix_count(const struct bc_matrix *m, int k, const char *t, const char *v);

#endif
