#ifndef NATSCOPE_CT_FLOW_H
#define NATSCOPE_CT_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An IPv4 or IPv6 address in network byte order; IPv4 uses a32[0], the rest is zero. */
union ct_addr {
	uint32_t a32[4];
	uint8_t a8[16];
};

struct ct_tuple {
	union ct_addr src, dst;
	uint16_t sport, dport; /* host order; the ICMP id for ICMP, 0 where none */
};

enum ct_nat_kind {
	CT_NAT_NONE,
	CT_NAT_SNAT,
	CT_NAT_DNAT,
	CT_NAT_BOTH,
	CT_NAT_KINDS,
};

/* TCP_CONNTRACK_* numbering (linux/netfilter/nf_conntrack_tcp.h). */
#define CT_TCP_STATES	   10
#define CT_TCP_SYN_SENT	   1
#define CT_TCP_ESTABLISHED 3
#define CT_TCP_TIME_WAIT   7
#define CT_TCP_CLOSE	   8

struct ct_flow {
	uint32_t id;
	uint8_t family;	 /* AF_INET or AF_INET6 */
	uint8_t l4proto; /* IPPROTO_* */
	bool has_tcp_state;
	uint8_t tcp_state; /* TCP_CONNTRACK_*, valid when has_tcp_state */
	uint32_t status;   /* IPS_* bits */
	uint32_t timeout;  /* seconds left */
	uint32_t mark;
	uint16_t zone;
	bool has_counters;
	struct ct_tuple orig, reply;
	uint64_t packets[2], bytes[2]; /* [0] original, [1] reply direction */
	/* set by the live model for the views; zero in what the kernel sends */
	uint8_t life; /* enum ct_flow_life */
	uint8_t age;  /* CT_LIFE_GONE: intervals since it was destroyed, 0 = the last one */
};

enum ct_flow_life {
	CT_LIFE_LIVE,
	CT_LIFE_NEW,  /* created in the interval that just ended */
	CT_LIFE_GONE, /* destroyed a moment ago, still shown */
};

/*
 * Where post-NAT source ports can clash: the reply tuple, which the kernel keeps unique,
 * seen from the NAT address.  Flows of one key share its 64,512 masquerade ports.
 */
struct ct_snat_key {
	uint8_t family, l4proto;
	uint16_t dport;		/* destination port (post-DNAT) */
	union ct_addr snat_src; /* post-NAT source address */
	union ct_addr dst;	/* destination address (post-DNAT) */
};

/** The SNAT key of @f; false (and *k untouched) when @f is not source-NAT'd. */
bool ct_flow_snat_key(const struct ct_flow *f, struct ct_snat_key *k);
bool ct_snat_key_eq(const struct ct_snat_key *a, const struct ct_snat_key *b);
uint32_t ct_snat_key_hash(const struct ct_snat_key *k);

/** NAT kind from the tuples: SNAT when the reply's destination is not the original
 *  source, DNAT when the reply's source is not the original destination. */
enum ct_nat_kind ct_flow_nat_kind(const struct ct_flow *f);
bool ct_flow_assured(const struct ct_flow *f);
bool ct_flow_unreplied(const struct ct_flow *f);
/** True for protocols whose tuples carry ports that NAT rewrites. */
bool ct_flow_proto_has_ports(uint8_t l4proto);

const char *ct_flow_nat_kind_name(enum ct_nat_kind kind);
/** "ESTABLISHED", "TIME_WAIT", ... as `conntrack -L` prints them. */
const char *ct_flow_tcp_state_name(unsigned int state);
/** "tcp", "udp", "icmp", ... or NULL for a number without a name. */
const char *ct_flow_proto_name(uint8_t l4proto);

/** The protocol's name, or "proto-N" in @buf. */
const char *ct_flow_proto_label(uint8_t l4proto, char *buf, size_t len);
/** "addr:port", "[v6addr]:port", or the address alone for a protocol without ports. */
const char *ct_flow_endpoint_str(uint8_t family, uint8_t l4proto, const union ct_addr *addr,
				 uint16_t port, char *buf, size_t len);
/** The protocol number of a name ct_flow_proto_name() gives (any case), or -1. */
int ct_flow_proto_by_name(const char *name);

/** Format @addr of @family into @buf (at least 46 bytes). */
const char *ct_flow_addr_str(uint8_t family, const union ct_addr *addr, char *buf, size_t len);
/** Whether @a's first @plen bits are @prefix's (the rest of either is not looked at). */
bool ct_addr_in_prefix(const union ct_addr *a, const union ct_addr *prefix, uint8_t plen);

/** The flow as one line: protocol, the three endpoints, state and NAT kind. */
void ct_flow_line(const struct ct_flow *f, char *buf, size_t len);

#endif
