/* cells: small readers every part of the table reader shares: ids,
 * timeouts, column names and "$column" references. */
#define _POSIX_C_SOURCE 200809L
#include "table/reader.h"

#include <string.h>

bool bc_rd_valid_id(const char *s)
{
	return strlen(s) < BC_ID_MAX && bc_rd_id_chars(s);
}

bool bc_rd_id_chars(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		char c = *s;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
		      c == '.' || c == '+'))
			return false;
	}
	return true;
}

void bc_rd_bad_id(struct rd *r, const char *what, const char *name, int line, int col)
{
	if (bc_rd_id_chars(name))
		BC_RD_ERR(r, line, col, "%s '%.20s...' is %zu characters long; hint: at most %d characters", what, name, strlen(name),
			  BC_ID_MAX - 1);
	else
		BC_RD_ERR(r, line, col, "bad %s '%s'; hint: letters, digits, '_', '-', '.', '+', at most %d characters", what, name,
			  BC_ID_MAX - 1);
}

/* "5s", "250ms" */
int bc_rd_parse_timeout(const char *s, int *ms)
{
	char num[16];
	size_t n = strlen(s);
	long v;
	int mult;
	if (n > 2 && strcmp(s + n - 2, "ms") == 0) {
		mult = 1;
		n -= 2;
	} else if (n > 1 && s[n - 1] == 's') {
		mult = 1000;
		n -= 1;
	} else {
		return -1;
	}
	if (n >= sizeof(num))
		return -1;
	memcpy(num, s, n);
	num[n] = '\0';
	if (bc_parse_int(num, 1, 600000, &v) < 0 || v * mult > 600000)
		return -1;
	*ms = (int)(v * mult);
	return 0;
}

int bc_rd_column_index(const struct rd *r, const char *name, size_t n)
{
	for (int i = 0; i < r->ncols; i++)
		if (strlen(r->cols[i].name) == n && strncmp(r->cols[i].name, name, n) == 0)
			return i;
	return -1;
}

size_t bc_rd_ref(const char *p, const char **name, size_t *len)
{
	bool brace = p[1] == '{';
	const char *s = p + 1 + brace, *e = s;
	while (bc_is_name_char(*e))
		e++;
	if (e == s || (brace && *e != '}'))
		return 0;
	*name = s;
	*len = (size_t)(e - s);
	return (size_t)(e + brace - p);
}

long bc_rd_scan_refs(const char *w, void (*fn)(void *, const char *, size_t), void *arg)
{
	for (size_t i = 0; w[i]; i++) {
		const char *name;
		size_t len, n;
		if (w[i] != '$')
			continue;
		if (!(n = bc_rd_ref(w + i, &name, &len)))
			return (long)i;
		fn(arg, name, len);
		i += n - 1;
	}
	return -1;
}
