#!/usr/bin/env python3
"""Generate cases/udp.tbl and cases/dualstack-v6only.tbl from cases/dualstack.tbl.

The 44 bind_wildcard variants of cases/dualstack.tbl are re-stated for two more
settings that the kernel selftest (tools/testing/selftests/net/bind_wildcard.c)
does not run: it runs SOCK_STREAM only, under net.ipv6.bindv6only=0.  The
expectations therefore do not come from the selftest, nor from a run; they come
from the rules the catalog states for the TCP matrix (catalog section 5 group
D, rows DS-01 to DS-20 and DS-23), written below as a small model:

  * what a bound socket reserves: 0.0.0.0 all IPv4; 127.0.0.1 itself; a
    v4-mapped address the IPv4 address it maps; [::] with IPV6_V6ONLY=0 all
    IPv4 and all IPv6; [::] with IPV6_V6ONLY=1 all IPv6; [::1] itself;
  * two reservations of the same port conflict when they overlap, unless both
    sockets set SO_REUSEADDR, or both set SO_REUSEPORT (nobody listens here);
  * a v4-mapped address on an IPV6_V6ONLY socket is EINVAL before any port
    check (DS-20, KSRC net/ipv6/af_inet6.c __inet6_bind).

The model has a second kernel: Linux 6.1.168 and later 6.1.y, whose TCP bind()
misses a [::ffff:0.0.0.0] holder when it binds [::ffff:127.0.0.1] (a kernel
bug, below: BHASH2_611).  Where the two kernels give different results, the
linux cell holds version clauses, upstream's first:

    >=6.2:UPSTREAM;>=6.1.168:LINUX_6_1_168;UPSTREAM

Before writing anything the model is checked against every one of the 132
expectation cells of cases/dualstack.tbl (the selftest's own table, TCP,
bindv6only=0; the clauses included); the script stops if a single one
differs.  Then:

  * udp.tbl: the same matrix over SOCK_DGRAM.  The catalog (section 2, "UDP
    matrix is identical to TCP", and section 6 item 5) states the same rules
    for UDP, so the expectations are the model's, unchanged.
  * dualstack-v6only.tbl: the matrix under net.ipv6.bindv6only=1, the BSD
    default (DS-23): every IPv6 socket that does not set IPV6_V6ONLY itself
    starts with it set.  Socket 0's bind is checked too, since a v4-mapped
    first address now fails.

A row whose first bind fails runs the scenario "first", which ends at that
bind: socket 0 then holds no port, so the port variable P would read 0 and
every later bind would test a fresh ephemeral port instead of P (bindcheck
makes such a use of P a setup error that names the step).

Every row's source names the model and the catalog rows it applies; the
selftest is named only as what the model was checked against (its TCP run).

Run it from the top of the repository:
    python3 ci/gen-dualstack.py            write both tables
    python3 ci/gen-dualstack.py --check    write nothing; exit 1 when a table
                                           differs from what would be written
    --cases DIR                            read and write DIR instead of cases/
"""
import argparse
import os
import shlex
import sys

SRC = "dualstack.tbl"

ADDR = {
    "0.0.0.0": ("v4", None),
    "127.0.0.1": ("v4", "127.0.0.1"),
    "[::]": ("v6", None),
    "[::1]": ("v6", "::1"),
    "[::ffff:0.0.0.0]": ("mapped", None),
    "[::ffff:127.0.0.1]": ("mapped", "127.0.0.1"),
}
TAIL = ["0.0.0.0", "127.0.0.1", "[::]", "[::1]", "[::ffff:0.0.0.0]", "[::ffff:127.0.0.1]"]


def reserve(addr, v6only):
    """The (family, address) pairs a bound socket holds; None is the wildcard."""
    kind, host = ADDR[addr]
    if kind == "v4" or kind == "mapped":
        return [("4", host)]
    if host is None and not v6only:
        return [("4", None), ("6", None)]
    return [("6", host)]


def overlap(a, b):
    return any(fa == fb and (ha is None or hb is None or ha == hb) for fa, ha in a for fb, hb in b)


# The kernels the model knows.  UPSTREAM is every Linux release the selftest
# describes (and 6.1.y before 6.1.168).  BHASH2_611 is 6.1.168 and later 6.1.y
# over TCP: 6.1.168 took upstream 5e07e672412b ("tcp: Use bhash2 for
# v4-mapped-v6 non-wildcard address.", v6.8) without the rest of its series,
# notably 06a8c04f8994 ("tcp: Save v4 address as v4-mapped-v6 in
# inet_bind2_bucket.v6_rcv_saddr.") and 5a22bba13d01.  So a socket binding a
# v4-mapped address other than [::ffff:0.0.0.0] is checked in bhash2 only
# (inet_use_hash2_on_bind), and inet_bhash2_addr_any_conflict() asks
# inet_bind2_bucket_match_addr_any(), which for an AF_INET6 socket and an
# AF_INET6 bucket matches [::] alone: the bucket of a [::ffff:0.0.0.0] holder
# (AF_INET6, not ipv6_addr_any) is never looked at, and the bind succeeds.
# Read in linux-source-6.1 6.1.192-3 (Debian): net/ipv4/inet_hashtables.c,
# net/ipv4/inet_connection_sock.c, include/net/inet_hashtables.h.  UDP does not
# use bhash2 (udp_lib_lport_inuse compares with ipv6_rcv_saddr_equal), so the
# UDP matrix is UPSTREAM's on every kernel.
UPSTREAM = "upstream"
BHASH2_611 = "6.1.168"
# The linux cell of a row whose results differ between the two.
CLAUSES = ">=6.2:{up};>=6.1.168:{k611};{up}"


def unseen(kernel, addr, other_addr):
    """Whether the kernel's conflict check never looks at a socket bound to
    other_addr when binding addr (BHASH2_611: the v4-mapped any bucket)."""
    return kernel == BHASH2_611 and ADDR[addr] == ("mapped", "127.0.0.1") and ADDR[other_addr] == ("mapped", None)


# gVisor refuses a v4-mapped address on a V6ONLY socket with ErrNoRoute,
# EHOSTUNREACH (pkg/tcpip/stack TransportEndpointInfo.AddrNetProtoLocked);
# Linux with EINVAL.  Its reservation rules are Linux's otherwise.
GVISOR = "gvisor"
GVISOR_REASON = ("gvisor: a v4-mapped address on a V6ONLY socket is EHOSTUNREACH, not EINVAL: "
                 "google/gvisor pkg/tcpip/stack TransportEndpointInfo.AddrNetProtoLocked returns ErrNoRoute "
                 "for an IPv4 address on a v6only IPv6 endpoint")


def bucket(addr, bound):
    """The bind2 bucket a socket bound to addr joins, named by the address of
    the socket that made it.  Before 06a8c04f8994 (so on 6.1.y),
    inet_bind2_bucket_addr_match() lets an AF_INET socket join an AF_INET6
    bucket whose address is the v4-mapped form of its own (5456262d2baa): a
    0.0.0.0 bound after [::ffff:0.0.0.0] sits in that socket's bucket, which
    BHASH2_611's wildcard check does not see either."""
    if ADDR[addr] == ("v4", None):
        for other_addr, _, _, other_bucket in bound:
            if ADDR[other_addr] == ("mapped", None):
                return other_bucket
    return addr


def bind(bound, addr, v6only, reuse, kernel=UPSTREAM):
    """Result of binding addr on the shared port, given the sockets bound so far."""
    kind, _ = ADDR[addr]
    if kind == "mapped" and v6only:
        return "EHOSTUNREACH" if kernel == GVISOR else "EINVAL"
    mine = reserve(addr, v6only)
    for other_addr, other, o_reuse, other_bucket in bound:
        if unseen(kernel, addr, other_bucket):
            continue
        if overlap(mine, other) and not (reuse and reuse == o_reuse):
            return "EADDRINUSE"
    bound.append((addr, mine, reuse, bucket(addr, bound)))
    return "ok"


def is_v6(addr):
    return ADDR[addr][0] != "v4"


def variant(first, only0, second, only1, reuse, bindv6only, kernel=UPSTREAM):
    """Results of sockets 0..7 (socket 0 included); only socket 0's when its
    bind fails, since the others would have no port to bind."""
    reuse = None if reuse == "-" else reuse

    def v6only(addr, explicit):
        return is_v6(addr) and (explicit or bindv6only)

    bound = []
    out = [bind(bound, first, v6only(first, only0 != "-"), reuse, kernel)]
    if out[0] != "ok":
        return out
    out.append(bind(bound, second, v6only(second, only1 != "-"), reuse, kernel))
    for addr in TAIL:
        out.append(bind(bound, addr, v6only(addr, False), None, kernel))
    return out


def kernels(r, bindv6only, stream=True):
    """(upstream, 6.1.168+) results of row r; the same twice over UDP."""
    up = variant(r["first"], r["only0"], r["second"], r["only1"], r["reuse"], bindv6only)
    k611 = variant(r["first"], r["only0"], r["second"], r["only1"], r["reuse"], bindv6only,
                   BHASH2_611 if stream else UPSTREAM)
    return up, k611


def linux_cell(up, k611, skip_first):
    """The linux cell: one result list, or version clauses when 6.1.168+ differs."""
    a, b = (up[1:], k611[1:]) if skip_first else (up, k611)
    if a == b:
        return ",".join(a)
    return CLAUSES.format(up=",".join(a), k611=",".join(b))


def read_rows(cases):
    rows = []
    with open(os.path.join(cases, SRC)) as f:
        header = None
        for line in f:
            if line.startswith("id "):
                header = line.split()
                continue
            if header and line.strip() and not line.startswith("#"):
                cells = shlex.split(line)
                rows.append(dict(zip(header, cells)))
    return rows


def check_model(rows, quiet):
    bad = 0
    for r in rows:
        up, k611 = kernels(r, False)
        got = linux_cell(up, k611, True) if up[0] == "ok" else f"socket 0: {up[0]}"
        if got != r["linux"]:
            print(f"model differs on {r['id']}: {got} vs {r['linux']}", file=sys.stderr)
            bad += 1
    if bad:
        sys.exit(f"{bad} of {len(rows)} rows differ; nothing written")
    if not quiet:
        print(f"model agrees with all {len(rows)} rows of {SRC}")


def steps(type_, q0):
    return f"""    socket      s0 $first {type_}
    setsockopt  s0 $only0
    setsockopt  s0 $reuse
  {q0}bind        s0 $first:0
"""


PAIR_TAIL = """    getsockname s0 P
    socket      s1 $second {type}
    setsockopt  s1 $only1
    setsockopt  s1 $reuse
  ? bind        s1 $second:P
    socket      s2 inet {type}
  ? bind        s2 0.0.0.0:P
    socket      s3 inet {type}
  ? bind        s3 127.0.0.1:P
    socket      s4 inet6 {type}
  ? bind        s4 [::]:P
    socket      s5 inet6 {type}
  ? bind        s5 [::1]:P
    socket      s6 inet6 {type}
  ? bind        s6 [::ffff:0.0.0.0]:P
    socket      s7 inet6 {type}
  ? bind        s7 [::ffff:127.0.0.1]:P
"""

FIRST_HEAD = """
# "first": socket 0's bind fails, so it holds no port; the scenario ends
# there, since P would read 0 and the other binds would test nothing.
"""


def render(head, rows, results, source, type_, check_first, profile=None, gvisor=None):
    """The text of one generated table; gvisor(r), when given, is gVisor's
    result list, stated where it differs from upstream's."""
    res = {r["id"]: results(r) for r in rows}
    two = any(up[0] != "ok" for up, _ in res.values())
    cols = ["id"] + (["scenario"] if two else []) + ["first", "only0", "second", "only1", "reuse", "linux",
                                                       "source"] + (["gvisor", "deviation"] if gvisor else [])
    lines = []
    for r in rows:
        up, k611 = res[r["id"]]
        first_only = up[0] != "ok"
        skip_first = not check_first and not first_only
        cells = [r["id"]] + (["first" if first_only else "pair"] if two else [])
        cells += [r["first"], r["only0"], r["second"], r["only1"], r["reuse"],
                  linux_cell(up, k611, skip_first),
                  '"' + source(r, first_only) + '"']
        if gvisor:
            gv = gvisor(r)
            gv = gv[1:] if skip_first else gv
            differs = gv != (up[1:] if skip_first else up)
            cells += [",".join(gv), '"' + GVISOR_REASON + '"'] if differs else ["-", "-"]
        lines.append(cells)
    widths = [max(len(c[i]) for c in lines + [cols]) for i in range(len(cols))]
    out = [head]
    if profile:
        out.append(profile + "\n")
    out.append("scenario pair\n" + steps(type_, "? " if check_first else "  ") + PAIR_TAIL.format(type=type_))
    if two:
        out.append(FIRST_HEAD + "scenario first\n" + steps(type_, "? "))
    out.append("\n" + "  ".join(c.ljust(w) for c, w in zip(cols, widths)).rstrip() + "\n")
    for cells in lines:
        out.append("  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip() + "\n")
    return "".join(out), len(lines)


def variant_name(r):
    name, mode = r["id"].rsplit(".", 1)
    return f"{name} {mode}"


MODEL = "model ci/gen-dualstack.py"


def udp_source(r, first_only):
    assert not first_only
    return (f"{MODEL} over SOCK_DGRAM (it matches the TCP run of KST bind_wildcard.c {variant_name(r)}); "
            "catalog section 2 (UDP matrix identical to TCP), section 6 item 5, DS-01..DS-19")


def v6only_source(r, first_only):
    if first_only:
        return (f"{MODEL} under bindv6only=1: a v4-mapped bind on a V6ONLY socket; catalog DS-20, DS-23, "
                "section 6 item 4; MAN ipv6(7) IPV6_V6ONLY; KSRC net/ipv6/af_inet6.c __inet6_bind")
    return (f"{MODEL} under bindv6only=1 (it matches the bindv6only=0 run of KST bind_wildcard.c {variant_name(r)}); "
            "catalog DS-01..DS-20, DS-23, section 6 item 4; MAN ipv6(7) IPV6_V6ONLY; "
            "KSRC net/ipv6/af_inet6.c __inet6_bind")


UDP_HEAD = """# udp: the dual-stack matrix of dualstack.tbl over UDP.  GENERATED by
# ci/gen-dualstack.py from dualstack.tbl; edit the script, not this file
# (make check fails when the two disagree).  The kernel selftest runs this
# matrix over TCP only: the expectations are the script's model of the
# reservation rules, which the catalog states for UDP too (section 2: the UDP
# matrix is identical to Appendix 1; section 6 item 5).

table udp

"""

V6ONLY_HEAD = """# dualstack-v6only: the dual-stack matrix under net.ipv6.bindv6only=1, the BSD
# default (catalog DS-23).  GENERATED by ci/gen-dualstack.py from dualstack.tbl;
# edit the script, not this file (make check fails when the two disagree).  The
# kernel selftest never runs under bindv6only=1: the expectations are the
# script's model of the reservation rules.  Every IPv6 socket that does not set
# IPV6_V6ONLY starts with it set, so [::] reserves IPv6 only and a v4-mapped
# address is EINVAL (DS-20).  Eight results: socket 0's bind is checked too; a
# row whose first bind fails runs "first" and checks that bind alone.  Where
# the sysctl cannot be set for a namespace (gVisor has none), the run gives
# IPV6_V6ONLY to every AF_INET6 socket the steps create instead, the sysctl's
# documented effect (ipv6(7)): every socket here comes from a socket step, and
# no row reads the option back.  The gvisor column: gVisor answers a v4-mapped
# bind on a V6ONLY socket with EHOSTUNREACH.

table dualstack-v6only

"""


def tables(rows):
    """(file name, text, rows) of every generated table."""
    def model(v6only, stream):
        return lambda r: kernels(r, v6only, stream)
    udp = render(UDP_HEAD, rows, model(False, False), udp_source, "dgram", False)
    def gvisor_v6only(r):
        return variant(r["first"], r["only0"], r["second"], r["only1"], r["reuse"], True, GVISOR)
    v6 = render(V6ONLY_HEAD, rows, model(True, True), v6only_source, "stream", True,
                profile="profile default\n    sysctl net.ipv6.bindv6only 1\n", gvisor=gvisor_v6only)
    return [("udp.tbl", *udp), ("dualstack-v6only.tbl", *v6)]


def check(cases, generated):
    """0 when every generated table on disk is what would be written."""
    stale = 0
    for name, text, _ in generated:
        path = os.path.join(cases, name)
        try:
            with open(path) as f:
                have = f.read()
        except OSError as e:
            print(f"{path}: {e.strerror}; run python3 ci/gen-dualstack.py", file=sys.stderr)
            stale += 1
            continue
        if have == text:
            continue
        stale += 1
        a, b = have.splitlines(), text.splitlines()
        n = next((i for i in range(max(len(a), len(b))) if i >= len(a) or i >= len(b) or a[i] != b[i]))
        print(f"{path}:{n + 1}: differs from what ci/gen-dualstack.py writes; edit the script, not the table, "
              "and run python3 ci/gen-dualstack.py", file=sys.stderr)
        print(f"  table:     {a[n] if n < len(a) else '(end of file)'}", file=sys.stderr)
        print(f"  generated: {b[n] if n < len(b) else '(end of file)'}", file=sys.stderr)
    return 1 if stale else 0


def main():
    ap = argparse.ArgumentParser(description="Generate udp.tbl and dualstack-v6only.tbl from dualstack.tbl.")
    ap.add_argument("--check", action="store_true", help="write nothing; exit 1 when a table is not up to date")
    ap.add_argument("--cases", default="cases", help="the directory of the tables (default: cases)")
    args = ap.parse_args()
    rows = read_rows(args.cases)
    check_model(rows, args.check)
    generated = tables(rows)
    if args.check:
        rc = check(args.cases, generated)
        if rc == 0:
            print(f"{', '.join(n for n, _, _ in generated)} are what ci/gen-dualstack.py writes")
        sys.exit(rc)
    for name, text, n in generated:
        path = os.path.join(args.cases, name)
        with open(path, "w") as f:
            f.write(text)
        print(f"wrote {path}: {n} rows")


if __name__ == "__main__":
    main()
