/* filter: the system calls a target may not make, whatever its
 * capabilities (a seccomp filter, installed just before it execs, after
 * PR_SET_NO_NEW_PRIVS; see confine.h):
 *
 *  - add_key, request_key, keyctl: the kernel's keyrings have no
 *    namespace, so a target run as root would write the host root's, and
 *    what it wrote would outlive the run;
 *  - ioctl TIOCSTI and TIOCLINUX: typing into a terminal (the worker has
 *    none, but a terminal fd could still be handed to a target).
 *
 * Each fails with EPERM.  A system call of another ABI than the build's
 * (i386 or x32 calls from an x86_64 target) fails too: their numbers are
 * not the ones checked. */
#define _GNU_SOURCE
#include "exec/confine.h"

#include <errno.h>
#include <stddef.h>

#if defined(__linux__) && (defined(__x86_64__) || defined(__aarch64__))
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#ifdef __x86_64__
#define ARCH AUDIT_ARCH_X86_64
#define X32_BIT 0x40000000u
#else
#define ARCH AUDIT_ARCH_AARCH64
#define X32_BIT 0u
#endif
#ifndef TIOCLINUX
#define TIOCLINUX 0x541C
#endif

#define DENY (SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA))
#define LOAD(field) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, field))
/* if A == k, return ret; else go on */
#define IS(k, ret) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), 0, 1), BPF_STMT(BPF_RET | BPF_K, (ret))

int bc_confine_filter(void)
{
	static struct sock_filter code[] = {
		LOAD(arch),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, DENY),
		LOAD(nr),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, X32_BIT, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, DENY),
		IS(__NR_add_key, DENY),
		IS(__NR_request_key, DENY),
		IS(__NR_keyctl, DENY),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_ioctl, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		LOAD(args[1]), /* the request's low 32 bits (little-endian) */
		IS(TIOCSTI, DENY),
		IS(TIOCLINUX, DENY),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	static struct sock_fprog prog = {sizeof(code) / sizeof(code[0]), code};
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0L, 0L);
}
#else
int bc_confine_filter(void)
{
	return 0;
}
#endif
