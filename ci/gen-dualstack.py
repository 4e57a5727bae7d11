#!/usr/bin/env python3
"""Generate cases/udp.tbl and cases/dualstack-v6only.tbl from cases/dualstack.tbl.

The 44 bind_wildcard variants of cases/dualstack.tbl are re-stated for two more
settings.  The expectations do not come from a run; they come from the rules the
catalog states for the TCP matrix (catalog section 5 group D, rows DS-01 to
DS-20 and DS-23), written below as a small model:

  * what a bound socket reserves: 0.0.0.0 all IPv4; 127.0.0.1 itself; a
    v4-mapped address the IPv4 address it maps; [::] with IPV6_V6ONLY=0 all
    IPv4 and all IPv6; [::] with IPV6_V6ONLY=1 all IPv6; [::1] itself;
  * two reservations of the same port conflict when they overlap, unless both
    sockets set SO_REUSEADDR, or both set SO_REUSEPORT (nobody listens here);
  * a v4-mapped address on an IPV6_V6ONLY socket is EINVAL before any port
    check (DS-20, KSRC net/ipv6/af_inet6.c __inet6_bind).

Before writing anything the model is checked against every one of the 132
expectation strings of cases/dualstack.tbl (the selftest's own table); the
script stops if a single one differs.  Then:

  * udp.tbl: the same matrix over SOCK_DGRAM.  The catalog (section 2, "UDP
    matrix is identical to TCP", and section 6 item 5) states the same rules
    for UDP, so the expectations are the model's, unchanged.
  * dualstack-v6only.tbl: the matrix under net.ipv6.bindv6only=1, the BSD
    default (DS-23): every IPv6 socket that does not set IPV6_V6ONLY itself
    starts with it set.  Socket 0's bind is checked too, since a v4-mapped
    first address now fails.

Run it from the top of the repository:  python3 ci/gen-dualstack.py
"""
import re
import shlex
import sys

SRC = "cases/dualstack.tbl"

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


def bind(bound, addr, v6only, reuse):
    """Result of binding addr on the shared port, given the sockets bound so far."""
    kind, _ = ADDR[addr]
    if kind == "mapped" and v6only:
        return "EINVAL"
    mine = reserve(addr, v6only)
    for other, o_reuse in bound:
        if overlap(mine, other) and not (reuse and reuse == o_reuse):
            return "EADDRINUSE"
    bound.append((mine, reuse))
    return "ok"


def is_v6(addr):
    return ADDR[addr][0] != "v4"


def variant(first, only0, second, only1, reuse, bindv6only):
    """Results of sockets 0..7 (socket 0 included)."""
    reuse = None if reuse == "-" else reuse

    def v6only(addr, explicit):
        return is_v6(addr) and (explicit or bindv6only)

    bound = []
    out = [bind(bound, first, v6only(first, only0 != "-"), reuse)]
    if out[0] != "ok":
        # Socket 0 holds no port: P reads 0 and every later bind takes a
        # fresh ephemeral port, so only the EINVAL rule remains.
        bound = None
    def later(addr, explicit, r):
        if bound is None:
            return "EINVAL" if ADDR[addr][0] == "mapped" and v6only(addr, explicit) else "ok"
        return bind(bound, addr, v6only(addr, explicit), r)
    out.append(later(second, only1 != "-", reuse))
    for addr in TAIL:
        out.append(later(addr, False, None))
    return out


def read_rows():
    rows = []
    with open(SRC) as f:
        header = None
        for line in f:
            if line.startswith("id "):
                header = line.split()
                continue
            if header and line.strip() and not line.startswith("#"):
                cells = shlex.split(line)
                rows.append(dict(zip(header, cells)))
    return rows


def check_model(rows):
    bad = 0
    for r in rows:
        got = ",".join(variant(r["first"], r["only0"], r["second"], r["only1"], r["reuse"], False)[1:])
        if got != r["linux"]:
            print(f"model differs on {r['id']}: {got} vs {r['linux']}", file=sys.stderr)
            bad += 1
    if bad:
        sys.exit(f"{bad} of {len(rows)} rows differ; nothing written")
    print(f"model agrees with all {len(rows)} rows of {SRC}")


PAIR = """scenario pair
    socket      s0 $first {type}
    setsockopt  s0 $only0
    setsockopt  s0 $reuse
  {q0}bind        s0 $first:0
    getsockname s0 P
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


def write(path, head, rows, results, source, type_, check_first, profile=None):
    cols = ["id", "first", "only0", "second", "only1", "reuse", "linux", "source"]
    lines = []
    for r in rows:
        res = results(r)
        cells = [r["id"], r["first"], r["only0"], r["second"], r["only1"], r["reuse"], ",".join(res),
                 '"' + source(r) + '"']
        lines.append(cells)
    widths = [max(len(c[i]) for c in lines + [cols]) for i in range(len(cols))]
    with open(path, "w") as f:
        f.write(head)
        if profile:
            f.write(profile + "\n")
        f.write(PAIR.format(type=type_, q0="? " if check_first else "  "))
        f.write("\n" + "  ".join(c.ljust(w) for c, w in zip(cols, widths)).rstrip() + "\n")
        for cells in lines:
            f.write("  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip() + "\n")
    print(f"wrote {path}: {len(lines)} rows")


def kst(r):
    name, mode = r["id"].rsplit(".", 1)
    return f"KST bind_wildcard.c {name} {mode}"


def main():
    rows = read_rows()
    check_model(rows)
    write("cases/udp.tbl",
          "# udp: the dual-stack matrix of dualstack.tbl over UDP.  GENERATED by\n"
          "# ci/gen-dualstack.py from dualstack.tbl; edit the script, not this file.\n"
          "# The catalog states the same reservation rules for UDP (section 2: the UDP\n"
          "# matrix is identical to Appendix 1; section 6 item 5).\n\ntable udp\n\n",
          rows, lambda r: variant(r["first"], r["only0"], r["second"], r["only1"], r["reuse"], False)[1:],
          lambda r: kst(r) + " over SOCK_DGRAM; catalog section 2 (UDP matrix identical) and DS-01..DS-19",
          "dgram", False)
    write("cases/dualstack-v6only.tbl",
          "# dualstack-v6only: the dual-stack matrix under net.ipv6.bindv6only=1, the BSD\n"
          "# default (catalog DS-23).  GENERATED by ci/gen-dualstack.py from dualstack.tbl;\n"
          "# edit the script, not this file.  Every IPv6 socket that does not set\n"
          "# IPV6_V6ONLY starts with it set, so [::] reserves IPv6 only and a v4-mapped\n"
          "# address is EINVAL (DS-20).  Eight results: socket 0's bind is checked too.\n\n"
          "table dualstack-v6only\n\n",
          rows, lambda r: variant(r["first"], r["only0"], r["second"], r["only1"], r["reuse"], True),
          lambda r: kst(r) + " under bindv6only=1; catalog DS-20, DS-23; MAN ipv6(7) IPV6_V6ONLY; KSRC __inet6_bind",
          "stream", True, profile="profile default\n    sysctl net.ipv6.bindv6only 1\n")


if __name__ == "__main__":
    main()
