/* escape: reading strings out of results.json and writing them safely into
 * the reports' formats (Markdown, XML, HTML).  Every report uses these. */
#ifndef BC_ESCAPE_H
#define BC_ESCAPE_H

#include <jansson.h>
#include <stdio.h>

/* The string at key of a JSON object, "" when there is none. */
const char *bc_json_str(const json_t *o, const char *key);
/* Text for a Markdown table cell: '|' escaped, line breaks as blanks. */
void bc_md_cell(FILE *out, const char *s);
/* Escapes for XML and HTML text and attributes (the same five characters);
 * control characters become visible \xNN text. */
void bc_xml_escape(FILE *out, const char *s);

#endif
