/* blocks: the profile and target blocks of a table's preamble
 * (blocks.c).  Internal to the reader. */
#ifndef BC_BLOCKS_H
#define BC_BLOCKS_H

#include "table/reader.h"

/* "profile NAME" and "target NAME" start a block, each indented line adds
 * to the open one, and the next unindented line closes it. */
void bc_rd_open_profile(struct rd *r, struct bc_line *l);
void bc_rd_add_profile_line(struct rd *r, struct bc_line *l);
void bc_rd_close_profile(struct rd *r);
void bc_rd_open_target(struct rd *r, struct bc_line *l);
void bc_rd_add_target_line(struct rd *r, struct bc_line *l);
void bc_rd_close_target(struct rd *r);

#endif
