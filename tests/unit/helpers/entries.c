#include "config.h"
#include "entries.h"

#include <netinet/in.h>

#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_tcp.h>

#define SEEN (IPS_CONFIRMED | IPS_SEEN_REPLY)

#define E(p, os, od, osp, odp, rs, rd, rsp, rdp, st, stat, tmo)                                    \
	{                                                                                          \
		.type = CT_EVENT_DUMP, .proto = (p), .osrc = (os), .odst = (od), .osport = (osp),  \
		.odport = (odp), .rsrc = (rs), .rdst = (rd), .rsport = (rsp), .rdport = (rdp),     \
		.tcp_state = (st), .status = (stat), .timeout = (tmo), .id = 77                    \
	}

const struct ctmsg test_entries[TEST_NENTRIES] = {
	E(IPPROTO_TCP, "10.0.0.1", "10.0.0.2", 40000, 80, "10.0.0.2", "10.0.0.1", 80, 40000,
	  TCP_CONNTRACK_ESTABLISHED, SEEN | IPS_ASSURED, 431999),
	E(IPPROTO_TCP, "192.168.1.5", "203.0.113.9", 50000, 443, "203.0.113.9", "198.51.100.1", 443,
	  50000, TCP_CONNTRACK_TIME_WAIT, SEEN | IPS_ASSURED | IPS_SRC_NAT, 100),
	E(IPPROTO_UDP, "192.168.1.5", "203.0.113.9", 33000, 53, "203.0.113.9", "198.51.100.1", 53,
	  33000, -1, IPS_CONFIRMED | IPS_SRC_NAT, 25),
	E(IPPROTO_UDP, "192.168.1.6", "203.0.113.9", 33000, 53, "203.0.113.9", "198.51.100.1", 53,
	  61234, -1, IPS_CONFIRMED | IPS_SRC_NAT, 29),
	E(IPPROTO_UDP, "192.168.1.6", "203.0.113.9", 700, 53, "203.0.113.9", "198.51.100.1", 53,
	  701, -1, IPS_CONFIRMED | IPS_SRC_NAT, 5),
	E(IPPROTO_TCP, "203.0.113.7", "198.51.100.1", 51000, 8080, "172.17.0.2", "203.0.113.7", 80,
	  51000, TCP_CONNTRACK_SYN_SENT, IPS_CONFIRMED | IPS_DST_NAT, 119),
	E(IPPROTO_TCP, "172.17.0.3", "198.51.100.1", 52000, 8080, "172.17.0.2", "172.17.0.1", 80,
	  52000, TCP_CONNTRACK_ESTABLISHED, SEEN | IPS_SRC_NAT | IPS_DST_NAT, 400000),
};
