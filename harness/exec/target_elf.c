/* target_elf: is a target's program statically linked (target_elf.h)? */
#define _POSIX_C_SOURCE 200809L
#include "exec/target_elf.h"

#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool on_path(const char *name, char *buf, size_t n)
{
	char path[1024];
	const char *env = getenv("PATH");
	if (strchr(name, '/')) {
		snprintf(buf, n, "%s", name);
		return access(buf, X_OK) == 0;
	}
	snprintf(path, sizeof(path), "%s", env ? env : "/usr/bin:/bin");
	for (char *save = NULL, *d = strtok_r(path, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		snprintf(buf, n, "%s/%s", d, name);
		if (access(buf, X_OK) == 0)
			return true;
	}
	return false;
}

/* The interpreter a "#!" line names (env's program after /usr/bin/env),
 * into buf; false when path is no script. */
static bool interpreter(const char *path, char *buf, size_t n)
{
	char line[512], *save = NULL;
	FILE *f = fopen(path, "r");
	bool script = f && fgets(line, sizeof(line), f) && strncmp(line, "#!", 2) == 0;
	if (f)
		fclose(f);
	if (!script)
		return false;
	const char *interp = strtok_r(line + 2, " \t\r\n", &save);
	if (!interp)
		return false;
	const char *base = strrchr(interp, '/');
	if (strcmp(base ? base + 1 : interp, "env") == 0) {
		const char *prog = strtok_r(NULL, " \t\r\n", &save);
		while (prog && prog[0] == '-') /* env -S and the like */
			prog = strtok_r(NULL, " \t\r\n", &save);
		return prog && on_path(prog, buf, n);
	}
	snprintf(buf, n, "%s", interp);
	return true;
}

bool bc_target_program(const char *argv0, char *buf, size_t n)
{
	char interp[1024];
	if (!on_path(argv0, buf, n))
		return false;
	if (interpreter(buf, interp, sizeof(interp)))
		snprintf(buf, n, "%s", interp);
	return true;
}

/* Is there a PT_INTERP among the program headers of this ELF file (of
 * this machine's byte order; 64-bit or not)?  -1 when they cannot be read.
 * p_type is the first 32-bit word of a program header in either class. */
static int has_interp(FILE *f, bool is64)
{
	unsigned long phoff;
	unsigned phnum, phentsize;
	if (is64) {
		Elf64_Ehdr eh;
		if (fseek(f, 0, SEEK_SET) != 0 || fread(&eh, sizeof(eh), 1, f) != 1)
			return -1;
		phoff = (unsigned long)eh.e_phoff, phnum = eh.e_phnum, phentsize = eh.e_phentsize;
	} else {
		Elf32_Ehdr eh;
		if (fseek(f, 0, SEEK_SET) != 0 || fread(&eh, sizeof(eh), 1, f) != 1)
			return -1;
		phoff = eh.e_phoff, phnum = eh.e_phnum, phentsize = eh.e_phentsize;
	}
	if (phentsize < sizeof(uint32_t))
		return -1;
	for (unsigned i = 0; i < phnum; i++) {
		uint32_t type;
		if (fseek(f, (long)(phoff + (unsigned long)i * phentsize), SEEK_SET) != 0 || fread(&type, sizeof(type), 1, f) != 1)
			return -1;
		if (type == PT_INTERP)
			return 1;
	}
	return 0;
}

bool bc_elf_is_static(const char *path)
{
	unsigned char id[EI_NIDENT];
	static const union {
		unsigned short s;
		unsigned char c;
	} order = {1};
	FILE *f = fopen(path, "rb");
	if (!f)
		return false;
	int interp = -1;
	if (fread(id, sizeof(id), 1, f) == 1 && memcmp(id, ELFMAG, SELFMAG) == 0 &&
	    id[EI_DATA] == (order.c ? ELFDATA2LSB : ELFDATA2MSB)) {
		if (id[EI_CLASS] == ELFCLASS64 || id[EI_CLASS] == ELFCLASS32)
			interp = has_interp(f, id[EI_CLASS] == ELFCLASS64);
	}
	fclose(f);
	return interp == 0;
}

const char *bc_target_static_reason(const char *name, const char *argv0, char *buf, unsigned len)
{
	char prog[1024];
	if (!bc_target_program(argv0, prog, sizeof(prog)) || !bc_elf_is_static(prog))
		return NULL;
	snprintf(buf, len,
		 "target %s runs %s, which is statically linked (no PT_INTERP): libfiu's preload (LD_PRELOAD) cannot reach "
		 "its calls",
		 name, prog);
	return buf;
}
