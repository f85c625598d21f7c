#include "config.h"
#include "ct_flow.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_tcp.h>

#include "hash.h"

_Static_assert(CT_TCP_STATES == TCP_CONNTRACK_MAX, "TCP_CONNTRACK_* numbering");
_Static_assert(CT_TCP_TIME_WAIT == TCP_CONNTRACK_TIME_WAIT, "TCP_CONNTRACK_TIME_WAIT");

static bool addr_eq(const union ct_addr *a, const union ct_addr *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

enum ct_nat_kind ct_flow_nat_kind(const struct ct_flow *f)
{
	bool snat = !addr_eq(&f->orig.src, &f->reply.dst) || f->orig.sport != f->reply.dport;
	bool dnat = !addr_eq(&f->orig.dst, &f->reply.src) || f->orig.dport != f->reply.sport;

	if (snat && dnat)
		return CT_NAT_BOTH;
	if (snat)
		return CT_NAT_SNAT;
	if (dnat)
		return CT_NAT_DNAT;
	return CT_NAT_NONE;
}

bool ct_flow_snat_key(const struct ct_flow *f, struct ct_snat_key *k)
{
	enum ct_nat_kind kind = ct_flow_nat_kind(f);

	if (kind != CT_NAT_SNAT && kind != CT_NAT_BOTH)
		return false;
	memset(k, 0, sizeof(*k));
	k->family = f->family;
	k->l4proto = f->l4proto;
	k->snat_src = f->reply.dst;
	k->dst = f->reply.src;
	k->dport = f->reply.sport;
	return true;
}

bool ct_snat_key_eq(const struct ct_snat_key *a, const struct ct_snat_key *b)
{
	return a->family == b->family && a->l4proto == b->l4proto && a->dport == b->dport &&
	       addr_eq(&a->snat_src, &b->snat_src) && addr_eq(&a->dst, &b->dst);
}

uint32_t ct_snat_key_hash(const struct ct_snat_key *k)
{
	uint64_t h = hash_mix(0, (uint64_t)k->family << 24 | (uint64_t)k->l4proto << 16 | k->dport);

	return hash_fold(hash_mix16(hash_mix16(h, &k->snat_src), &k->dst));
}

bool ct_flow_assured(const struct ct_flow *f)
{
	return f->status & IPS_ASSURED;
}

bool ct_flow_unreplied(const struct ct_flow *f)
{
	return !(f->status & IPS_SEEN_REPLY);
}

bool ct_flow_proto_has_ports(uint8_t l4proto)
{
	switch (l4proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_SCTP:
	case IPPROTO_DCCP:
		return true;
	default:
		return false;
	}
}

const char *ct_flow_nat_kind_name(enum ct_nat_kind kind)
{
	static const char *const names[CT_NAT_KINDS] = {
		[CT_NAT_NONE] = "none",
		[CT_NAT_SNAT] = "snat",
		[CT_NAT_DNAT] = "dnat",
		[CT_NAT_BOTH] = "both",
	};
	return kind < CT_NAT_KINDS ? names[kind] : "?";
}

const char *ct_flow_tcp_state_name(unsigned int state)
{
	static const char *const names[CT_TCP_STATES] = {
		"NONE",	      "SYN_SENT", "SYN_RECV",  "ESTABLISHED", "FIN_WAIT",
		"CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE",	      "SYN_SENT2",
	};
	return state < CT_TCP_STATES ? names[state] : "UNKNOWN";
}

const char *ct_flow_proto_name(uint8_t l4proto)
{
	switch (l4proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_UDPLITE:
		return "udplite";
	case IPPROTO_SCTP:
		return "sctp";
	case IPPROTO_DCCP:
		return "dccp";
	case IPPROTO_ICMP:
		return "icmp";
	case IPPROTO_ICMPV6:
		return "icmpv6";
	case IPPROTO_GRE:
		return "gre";
	case IPPROTO_IGMP:
		return "igmp";
	case IPPROTO_IPIP:
		return "ipip";
	case IPPROTO_IPV6:
		return "ipv6";
	case IPPROTO_ESP:
		return "esp";
	case IPPROTO_AH:
		return "ah";
	case IPPROTO_PIM:
		return "pim";
	case 89:
		return "ospf"; /* no IPPROTO_ constant in the libc headers */
	case 112:
		return "vrrp";
	case IPPROTO_MPLS:
		return "mpls";
	default:
		return NULL;
	}
}

int ct_flow_proto_by_name(const char *name)
{
	for (unsigned int p = 0; p < 256; p++) {
		const char *n = ct_flow_proto_name((uint8_t)p);

		if (n && strcasecmp(n, name) == 0)
			return (int)p;
	}
	return -1;
}

bool ct_addr_in_prefix(const union ct_addr *a, const union ct_addr *prefix, uint8_t plen)
{
	unsigned int full = plen / 8, rest = plen % 8;

	if (full > sizeof(a->a8))
		return false;
	if (memcmp(a->a8, prefix->a8, full) != 0)
		return false;
	return !rest || ((a->a8[full] ^ prefix->a8[full]) & (0xff00u >> rest)) == 0;
}

const char *ct_flow_addr_str(uint8_t family, const union ct_addr *addr, char *buf, size_t len)
{
	if (!inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, addr, buf, (socklen_t)len))
		return "?";
	return buf;
}

const char *ct_flow_proto_label(uint8_t l4proto, char *buf, size_t len)
{
	const char *name = ct_flow_proto_name(l4proto);

	if (name)
		return name;
	snprintf(buf, len, "proto-%u", l4proto);
	return buf;
}

const char *ct_flow_endpoint_str(uint8_t family, uint8_t l4proto, const union ct_addr *addr,
				 uint16_t port, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	ct_flow_addr_str(family, addr, a, sizeof(a));
	if (!ct_flow_proto_has_ports(l4proto))
		snprintf(buf, len, "%s", a);
	else
		snprintf(buf, len, family == AF_INET6 ? "[%s]:%u" : "%s:%u", a, port);
	return buf;
}

void ct_flow_line(const struct ct_flow *f, char *buf, size_t len)
{
	char p[16], s[64], d[64], n[64];

	snprintf(buf, len, "%-5s %s %s %s %s %s", ct_flow_proto_label(f->l4proto, p, sizeof(p)),
		 ct_flow_endpoint_str(f->family, f->l4proto, &f->orig.src, f->orig.sport, s,
				      sizeof(s)),
		 ct_flow_endpoint_str(f->family, f->l4proto, &f->orig.dst, f->orig.dport, d,
				      sizeof(d)),
		 ct_flow_endpoint_str(f->family, f->l4proto, &f->reply.dst, f->reply.dport, n,
				      sizeof(n)),
		 f->has_tcp_state ? ct_flow_tcp_state_name(f->tcp_state) : "-",
		 ct_flow_nat_kind_name(ct_flow_nat_kind(f)));
}
