/* A libFuzzer target for the table reader: any bytes in, diagnostics out,
 * never a crash, a leak or undefined behaviour.  Built and run by
 * `make fuzz FUZZ_SECONDS=N`; see README.md. */
#include <stddef.h>
#include <stdint.h>

#include "table/table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bc_table t;
	struct bc_diags d = {0};
	bc_table_parse("fuzz.tbl", (const char *)data, size, &t, &d);
	bc_table_free(&t);
	bc_diags_free(&d);
	return 0;
}
