/* text: the UTF-8 check.  A table file must pass it to be read, and a string
 * must pass it to go into results.json (jansson takes only UTF-8). */
#define _POSIX_C_SOURCE 200809L
#include "model/text.h"

#include <stdbool.h>

long bc_text_find_binary(const char *text, size_t len, const char **why)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t i = 0;
	while (i < len) {
		unsigned char c = p[i];
		size_t need;
		unsigned char lo = 0x80, hi = 0xbf; /* range of the second byte */
		if (c == 0) {
			*why = "a NUL byte";
			return (long)i;
		}
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			need = 1;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2;
			if (c == 0xe0)
				lo = 0xa0; /* overlong */
			else if (c == 0xed)
				hi = 0x9f; /* surrogates */
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3;
			if (c == 0xf0)
				lo = 0x90; /* overlong */
			else if (c == 0xf4)
				hi = 0x8f; /* past U+10FFFF */
		} else {
			*why = "a byte that is not UTF-8";
			return (long)i;
		}
		for (size_t k = 1; k <= need; k++) {
			unsigned char b = i + k < len ? p[i + k] : 0;
			bool ok = k == 1 ? (b >= lo && b <= hi) : (b & 0xc0) == 0x80;
			if (i + k >= len || !ok) {
				*why = "an invalid UTF-8 sequence";
				return (long)i;
			}
		}
		i += need + 1;
	}
	return -1;
}
