/* store: the memory a table's cases share.  Equal strings and equal blocks
 * of bytes (a parsed step, a profile, a target) are kept once, in chunks
 * that go all together when the store is freed: a table of thousands of
 * rows repeats a few hundred distinct steps and one source many times. */
#ifndef BC_STORE_H
#define BC_STORE_H

#include <stddef.h>

struct bc_store;

struct bc_store *bc_store_new(void);
void bc_store_free(struct bc_store *s);
/* The store's copy of s (NULL for NULL): one copy per distinct string.
 * NULL when out of memory. */
const char *bc_store_str(struct bc_store *s, const char *str);
/* The store's copy of the n bytes at p, one per distinct content, aligned
 * for any object.  Compare whole objects only when every byte of them,
 * padding too, was written (a struct cleared before it was filled).  NULL
 * when out of memory. */
const void *bc_store_blob(struct bc_store *s, const void *p, size_t n);
/* The value kept under the key of n bytes at key: a slot that is NULL
 * until the caller fills it, with something that lives as long as the
 * store (from bc_store_alloc, say).  NULL when out of memory. */
void **bc_store_memo(struct bc_store *s, const void *key, size_t n);
/* n zeroed bytes, aligned for any object, freed with the store.  NULL when
 * out of memory. */
void *bc_store_alloc(struct bc_store *s, size_t n);
/* The bytes in the store: what its chunks hold. */
size_t bc_store_bytes(const struct bc_store *s);

#endif
