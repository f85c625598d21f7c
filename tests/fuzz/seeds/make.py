#!/usr/bin/env python3
"""Make the fuzzers' seed corpora (tests/fuzz/corpus/) from a real recording.

Usage: make.py PROCFS_STATS_FILE RECORDING.pcap [RECORDING.pcap...]

RECORDINGs are captures from `natscope record` (the committed seeds came from 100 events
of TCP, UDP and ICMP flows through a masquerade in two namespaces, and 26 of IPv4 and
IPv6 UDP flows with accounting on, expiring after a second: DESTROY events with
counters); PROCFS_STATS_FILE a copy of /proc/net/stat/nf_conntrack.  Besides cutting the recording into messages and
shorter captures, it writes the shapes the hardening regressions were about: a capture
with overrun and resync markers, one cut mid-record, an IPv6 update of an IPv4 flow's id,
and statistics messages as ctnetlink sends them.
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "..", "corpus")


def records(path):
    data = open(path, "rb").read()
    head, off, out = data[:24], 24, []
    while off + 16 <= len(data):
        ts, tu, incl, orig = struct.unpack_from("<IIII", data, off)
        out.append((ts, tu, data[off + 16: off + 16 + incl]))
        off += 16 + incl
    return head, out


def capture(head, recs):
    b = bytearray(head)
    for ts, tu, body in recs:
        b += struct.pack("<IIII", ts, tu, len(body), len(body)) + body
    return bytes(b)


def marker(mark, arg):
    nlh = struct.pack("<IHHII", 16 + 16, 1, 0, 0, 0)  # NLMSG_NOOP
    return nlh + b"NSCP" + struct.pack("<BBxxQ", 1, mark, arg)


def cooked(msg):
    # LINKTYPE_NETLINK cooked header: packet type, ARPHRD_NETLINK, addr len, addr, proto
    return struct.pack(">HHH8sH", 4, 824, 0, b"", 12) + msg


def write(target, name, blob):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    open(os.path.join(d, name), "wb").write(blob)


def nfmsg(subsys_type, family, attrs):
    body = struct.pack("<BBH", family, 0, 0)
    for t, payload in attrs:
        a = struct.pack("<HH", 4 + len(payload), t) + payload
        body += a + b"\0" * (-len(a) % 4)
    return struct.pack("<IHHII", 16 + len(body), subsys_type, 0x2, 1, 0) + body


def main():
    kinds = {}
    for n, path in enumerate(sys.argv[3:], 2):
        head, more = records(path)
        write("replay", "recording-%d.pcap" % n, capture(head, more))
        for _, _, body in more:
            m = body[16:]
            typ, flags = struct.unpack_from("<HH", m, 4)
            kinds.setdefault((typ, flags, m[16]), m)
    head, recs = records(sys.argv[2])
    msgs = [body[16:] for _, _, body in recs]
    for m in msgs:
        typ, flags = struct.unpack_from("<HH", m, 4)
        kinds.setdefault((typ, flags, m[16]), m)
    for i, m in enumerate(kinds.values()):
        write("ct_parse", "msg-%02d" % i, m)
    write("ct_parse", "sequence", b"".join(m + b"\0" * (-len(m) % 4) for m in msgs[:12]))

    write("replay", "recording.pcap", capture(head, recs))
    write("replay", "first-10.pcap", capture(head, recs[:10]))
    cut = capture(head, recs[:6])
    write("replay", "cut-mid-record.pcap", cut[:-37])
    t = recs[0][0]
    marked = [(t, 0, cooked(marker(1, 0)))] + recs[:5] + [(t, 0, cooked(marker(2, 0))),
              (t + 1, 0, cooked(marker(4, 8))), (t + 1, 0, cooked(marker(1, 1)))] + \
        recs[5:9] + [(t + 1, 0, cooked(marker(3, 0))), (t + 2, 0, cooked(marker(1, 2)))] + \
        recs[9:12] + [(t + 2, 0, cooked(marker(2, 0)))]
    write("replay", "markers.pcap", capture(head, marked))
    # an IPv6 entry that reuses the id of the recording's first IPv4 flow
    v4 = next(m for m in msgs if m[16] == 2)
    v6 = bytearray(v4)
    v6[16] = 10
    write("replay", "ipv6-reuses-ipv4-id.pcap", capture(head, recs[:3] + [(t, 5, cooked(bytes(v6)))]))
    write("replay", "year-1970.pcap", capture(head, [(1, 0, recs[0][2])] + recs[1:4]))

    # statistics: per-CPU (IPCTNL_MSG_CT_GET_STATS_CPU = 4) and global (5) replies
    u32 = lambda v: struct.pack(">I", v)
    cpu = nfmsg((1 << 8) | 4, 2, [(i, u32(i * 7)) for i in range(1, 17)])
    glob = nfmsg((1 << 8) | 5, 2, [(1, u32(1234)), (2, u32(262144))])
    write("ct_stats", "cpu", b"\x00" + cpu)
    write("ct_stats", "global", b"\x01" + glob)
    write("ct_stats", "procfs", b"\x02" + open(sys.argv[1], "rb").read())

    for i, f in enumerate(["", "udp", "tcp 10.0.0.0/8", "!established 443", "snat udp 53",
                           "fd00::/64 !dnat", "time_wait"]):
        write("filter", "expr-%d" % i, bytes([len(f)]) + f.encode() + bytes(64))
    for i, s in enumerate(["1", "0.5", "natscope-managed v2", "natscope-managed v2 oif=eth0 "
                           "saddr=10.0.0.0/8", "natscope-managed v1 digest=0123456789abcdef",
                           "10.0.0.0/33", "eth0.100@x"]):
        write("options", "opt-%d" % i, s.encode())


if __name__ == "__main__":
    main()
