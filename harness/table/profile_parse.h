/* profile_parse: one line of a table's profile block into a bc_profile.
 * Pure: no system calls. */
#ifndef BC_PROFILE_PARSE_H
#define BC_PROFILE_PARSE_H

#include <stddef.h>

#include "model/profile.h"

/* One profile line, words[0] being its keyword:
 *   sysctl NAME VALUE        a per-namespace sysctl under net.
 *   user root|UID            the identity the steps run as
 *   caps -net_bind_service   drop CAP_NET_BIND_SERVICE (root keeps the rest)
 *   caps net_bind_service    keep only CAP_NET_BIND_SERVICE (with user UID)
 *   hostname NAME            a private UTS namespace with this host name
 *   hosts ADDR NAME... [#C]  a line of the case's own /etc/hosts; also
 *                            hosts "#C" (a comment), hosts "" (a blank
 *                            line), hosts "" NAME... (no address)
 *   hostconf multi on|off    /etc/host.conf's multi (default: on)
 *   addr lo ADDR/PREFIX      an extra address on lo
 *   lo down|up               a namespace whose lo never came up (default: up)
 *   peer ADDR/PREFIX ADDR/PREFIX   a veth pair to a peer namespace: this
 *                            side's address, then the peer's
 * Returns 0, or -1 with a message in err and the index of the word to blame
 * in *bad. */
int bc_profile_line(struct bc_profile *p, char *const *words, int nw, char *err, size_t errlen, int *bad);

#endif
