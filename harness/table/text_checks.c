/* text_checks: what is said about a table's bytes before its lines are
 * read: a file that is not text at all, a byte order mark, and the column
 * of a bad byte. */
#define _POSIX_C_SOURCE 200809L
#include "table/reader.h"

#include <string.h>

#include "model/text.h"

/* How much of a file is looked at to tell a binary file from a table
 * with a few bad bytes, and how many bad bytes it takes. */
#define SNIFF_BYTES 8192
#define SNIFF_MIN_BAD 16

static bool is_control(unsigned char c)
{
	return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f;
}

bool bc_rd_not_text(const char *path, const char *text, size_t len, struct bc_diags *d)
{
	size_t n = len < SNIFF_BYTES ? len : SNIFF_BYTES, bad = 0;
	const char *why;
	for (size_t i = 0; i < n;) {
		long at = bc_text_find_binary(text + i, n - i, &why);
		size_t end = at < 0 ? n : i + (size_t)at;
		for (size_t k = i; k < end; k++)
			bad += is_control((unsigned char)text[k]);
		if (at < 0)
			break;
		bad++; /* a NUL, or a byte that starts no UTF-8 sequence */
		i = end + 1;
	}
	/* One bad byte in a table loses its row (bc_table_parse); a file of
	 * them is not a table, and one message says so instead of fifty. */
	if (bad < SNIFF_MIN_BAD || bad * 8 < n)
		return false;
	bc_diag_add(d, path, 1, 1, "not a text table: %zu of its first %zu bytes are binary data (NUL, control "
		    "characters or bytes that are not UTF-8); hint: a case table is UTF-8 text", bad, n);
	return true;
}

size_t bc_rd_skip_bom(const char *path, const char *text, size_t len, struct bc_diags *d)
{
	if (len < 3 || memcmp(text, "\xef\xbb\xbf", 3) != 0)
		return 0;
	bc_diag_add(d, path, 1, 1, "the file starts with a byte order mark (U+FEFF, bytes EF BB BF); hint: save the table as "
		    "UTF-8 without a BOM (the rest of the file is read as if it were not there)");
	return 3;
}

int bc_rd_byte_col(const char *line, size_t off)
{
	int col = 1;
	for (size_t i = 0; i < off; i++)
		if (((unsigned char)line[i] & 0xc0) != 0x80)
			col++;
	return col;
}
