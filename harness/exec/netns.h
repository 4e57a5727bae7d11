/* netns: the network namespaces bindcheck makes get a TCP hash table of
 * their own, small, instead of sharing the host's.
 *
 * A network namespace's established-connections table is sized when the
 * namespace is made, from net.ipv4.tcp_child_ehash_entries of the
 * namespace of the process that makes it (Linux 6.1+; 0, the default,
 * shares the host's table, 262,144 buckets on a machine with a few GiB).
 * Reading /proc/net/tcp, or a sock_diag dump, walks every bucket: 3.3 ms
 * for an empty namespace that shares the host's table, 0.04 ms with 1,024.
 *
 * So the runner's probe (exec/sandbox.h) makes bindcheck's first namespace,
 * the base, and sets the sysctl there; workers (and a runner's own case
 * child) enter the base before they make theirs, and every namespace
 * bindcheck makes sets it again for the ones made from it.  The host's is
 * never written.  The table's size also sets the defaults of
 * net.ipv4.tcp_max_tw_buckets (entries / 2) and net.ipv4.tcp_max_syn_backlog
 * (max(128, entries / 128)) (tcp_ipv4.c tcp_set_hashinfo): those are pinned
 * in every namespace made to what a namespace sharing the host's table
 * starts with, so a case sees what it saw before.  Where the sysctl is
 * missing (before 6.1, gVisor) or cannot be written, nothing changes. */
#ifndef BC_NETNS_H
#define BC_NETNS_H

#include <stdbool.h>
#include <stddef.h>

/* The buckets of the table of every namespace made in the base. */
#define BC_NETNS_EHASH 1024

/* What a namespace sharing the host's table starts with (read in the base
 * as it was made), and the base's namespaces, held open. */
struct bc_netns_base {
	bool small;           /* the base is set up: the rest is valid */
	unsigned tw_buckets;  /* net.ipv4.tcp_max_tw_buckets */
	unsigned syn_backlog; /* net.ipv4.tcp_max_syn_backlog */
	int net;              /* the base's network namespace */
	int user;             /* the user namespace that owns it, or -1 when it is the caller's */
};

/* In a namespace just made (by the probe's child): read the defaults and
 * set tcp_child_ehash_entries.  false where it cannot (nothing written
 * then but, maybe, the sysctl of this throwaway namespace). */
bool bc_netns_base_setup(struct bc_netns_base *b);
/* The runner takes the base the probe made (the fds are its own now);
 * NULL, or one not set up, forgets any base. */
void bc_netns_base_keep(const struct bc_netns_base *b);
/* Is there a base (exec/netns.c's, for reports)? */
bool bc_netns_small(void);
/* Enter the base, its user namespace first, and let go of it: what this
 * process makes next has a small table.  Once per process (a fresh
 * worker, the runner's own case child), before it confines itself.  0 or
 * when there is no base; -1 when setns fails (the caller goes on where it
 * is, and what it makes shares the host's table as before). */
int bc_netns_enter_base(void);
/* In a namespace bindcheck just made: tcp_child_ehash_entries for the
 * namespaces made from it, and the two pinned defaults.  Nothing without
 * a base. */
void bc_netns_tables(void);

/* A small procfs file (a sysctl) into buf, NUL-terminated; false when it
 * cannot be read or is empty. */
bool bc_netns_read(const char *path, char *buf, size_t size);

#endif
