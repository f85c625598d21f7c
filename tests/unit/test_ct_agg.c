#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <cmocka.h>
#include <libmnl/libmnl.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack_tcp.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "flows/ct_agg.h"
#include "netlink/ct_parse.h"

struct entry {
	uint8_t proto;
	const char *osrc, *odst;
	uint16_t osport, odport;
	const char *rsrc, *rdst;
	uint16_t rsport, rdport;
	int tcp_state; /* -1: none */
	uint32_t status;
	uint32_t timeout;
};

static char buf[8192];

/* Build the message the kernel would send for @e (libnetfilter_conntrack's encoder). */
static struct nlmsghdr *build(const struct entry *e, bool add_unknown_attr)
{
	struct nf_conntrack *ct = nfct_new();
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;

	nfct_set_attr_u8(ct, ATTR_ORIG_L3PROTO, AF_INET);
	nfct_set_attr_u8(ct, ATTR_REPL_L3PROTO, AF_INET);
	nfct_set_attr_u8(ct, ATTR_ORIG_L4PROTO, e->proto);
	nfct_set_attr_u8(ct, ATTR_REPL_L4PROTO, e->proto);
	nfct_set_attr_u32(ct, ATTR_ORIG_IPV4_SRC, inet_addr(e->osrc));
	nfct_set_attr_u32(ct, ATTR_ORIG_IPV4_DST, inet_addr(e->odst));
	nfct_set_attr_u32(ct, ATTR_REPL_IPV4_SRC, inet_addr(e->rsrc));
	nfct_set_attr_u32(ct, ATTR_REPL_IPV4_DST, inet_addr(e->rdst));
	nfct_set_attr_u16(ct, ATTR_ORIG_PORT_SRC, htons(e->osport));
	nfct_set_attr_u16(ct, ATTR_ORIG_PORT_DST, htons(e->odport));
	nfct_set_attr_u16(ct, ATTR_REPL_PORT_SRC, htons(e->rsport));
	nfct_set_attr_u16(ct, ATTR_REPL_PORT_DST, htons(e->rdport));
	if (e->tcp_state >= 0)
		nfct_set_attr_u8(ct, ATTR_TCP_STATE, (uint8_t)e->tcp_state);
	nfct_set_attr_u32(ct, ATTR_STATUS, e->status);
	nfct_set_attr_u32(ct, ATTR_TIMEOUT, e->timeout);

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_INET;
	nfg->version = NFNETLINK_V0;
	assert_int_equal(nfct_nlmsg_build(nlh, ct), 0);
	/* The kernel adds the id to dumps; nfct_nlmsg_build() never writes one. */
	mnl_attr_put_u32(nlh, CTA_ID, htonl(77));
	if (add_unknown_attr)
		mnl_attr_put_u32(nlh, CTA_MAX + 10, htonl(0xdeadbeef));
	nfct_destroy(ct);
	return nlh;
}

static void build_and_parse(const struct entry *e, struct ct_flow *flow, bool add_unknown_attr)
{
	assert_int_equal(ct_parse_msg(build(e, add_unknown_attr), flow), 0);
}

#define SEEN (IPS_CONFIRMED | IPS_SEEN_REPLY)

static const struct entry entries[] = {
	/* TCP, no NAT, ESTABLISHED and assured */
	{ IPPROTO_TCP, "10.0.0.1", "10.0.0.2", 40000, 80, "10.0.0.2", "10.0.0.1", 80, 40000,
	  TCP_CONNTRACK_ESTABLISHED, SEEN | IPS_ASSURED, 431999 },
	/* TCP masqueraded, TIME_WAIT, port kept */
	{ IPPROTO_TCP, "192.168.1.5", "203.0.113.9", 50000, 443, "203.0.113.9", "198.51.100.1", 443,
	  50000, TCP_CONNTRACK_TIME_WAIT, SEEN | IPS_ASSURED | IPS_SRC_NAT, 100 },
	/* UDP masqueraded from two sources to one destination, unreplied; one port < 1024 */
	{ IPPROTO_UDP, "192.168.1.5", "203.0.113.9", 33000, 53, "203.0.113.9", "198.51.100.1", 53,
	  33000, -1, IPS_CONFIRMED | IPS_SRC_NAT, 25 },
	{ IPPROTO_UDP, "192.168.1.6", "203.0.113.9", 33000, 53, "203.0.113.9", "198.51.100.1", 53,
	  61234, -1, IPS_CONFIRMED | IPS_SRC_NAT, 29 },
	{ IPPROTO_UDP, "192.168.1.6", "203.0.113.9", 700, 53, "203.0.113.9", "198.51.100.1", 53,
	  701, -1, IPS_CONFIRMED | IPS_SRC_NAT, 5 },
	/* DNAT only (a published port) */
	{ IPPROTO_TCP, "203.0.113.7", "198.51.100.1", 51000, 8080, "172.17.0.2", "203.0.113.7", 80,
	  51000, TCP_CONNTRACK_SYN_SENT, IPS_CONFIRMED | IPS_DST_NAT, 119 },
	/* both SNAT and DNAT (hairpin) */
	{ IPPROTO_TCP, "172.17.0.3", "198.51.100.1", 52000, 8080, "172.17.0.2", "172.17.0.1", 80,
	  52000, TCP_CONNTRACK_ESTABLISHED, SEEN | IPS_SRC_NAT | IPS_DST_NAT, 400000 },
};

#define N_ENTRIES (sizeof(entries) / sizeof(entries[0]))

static void parses_entries_and_skips_unknown_attr(void **state)
{
	struct ct_flow f;

	build_and_parse(&entries[1], &f, true);
	assert_int_equal(f.family, AF_INET);
	assert_int_equal(f.l4proto, IPPROTO_TCP);
	assert_true(f.has_tcp_state);
	assert_int_equal(f.tcp_state, TCP_CONNTRACK_TIME_WAIT);
	assert_int_equal(f.orig.sport, 50000);
	assert_int_equal(f.reply.sport, 443);
	assert_int_equal(f.timeout, 100);
	assert_int_equal(f.id, 77);
	assert_int_equal(f.orig.src.a32[0], inet_addr("192.168.1.5"));
	assert_int_equal(f.reply.dst.a32[0], inet_addr("198.51.100.1"));

	/* A UDP entry after a TCP one keeps nothing of it. */
	build_and_parse(&entries[2], &f, false);
	assert_false(f.has_tcp_state);
	assert_int_equal(f.id, 77);
}

/* Our parser must read what libnetfilter_conntrack's own parser reads. */
static void agrees_with_libnetfilter_conntrack(void **state)
{
	for (size_t i = 0; i < N_ENTRIES; i++) {
		struct nlmsghdr *nlh = build(&entries[i], true);
		struct nf_conntrack *ct = nfct_new();
		struct ct_flow f;

		assert_int_equal(ct_parse_msg(nlh, &f), 0);
		assert_int_equal(nfct_nlmsg_parse(nlh, ct), 0);
		assert_int_equal(f.l4proto, nfct_get_attr_u8(ct, ATTR_ORIG_L4PROTO));
		assert_int_equal(f.orig.src.a32[0], nfct_get_attr_u32(ct, ATTR_ORIG_IPV4_SRC));
		assert_int_equal(f.orig.dst.a32[0], nfct_get_attr_u32(ct, ATTR_ORIG_IPV4_DST));
		assert_int_equal(f.reply.src.a32[0], nfct_get_attr_u32(ct, ATTR_REPL_IPV4_SRC));
		assert_int_equal(f.reply.dst.a32[0], nfct_get_attr_u32(ct, ATTR_REPL_IPV4_DST));
		assert_int_equal(f.orig.sport, ntohs(nfct_get_attr_u16(ct, ATTR_ORIG_PORT_SRC)));
		assert_int_equal(f.orig.dport, ntohs(nfct_get_attr_u16(ct, ATTR_ORIG_PORT_DST)));
		assert_int_equal(f.reply.sport, ntohs(nfct_get_attr_u16(ct, ATTR_REPL_PORT_SRC)));
		assert_int_equal(f.reply.dport, ntohs(nfct_get_attr_u16(ct, ATTR_REPL_PORT_DST)));
		assert_int_equal(f.status, nfct_get_attr_u32(ct, ATTR_STATUS));
		assert_int_equal(f.timeout, nfct_get_attr_u32(ct, ATTR_TIMEOUT));
		assert_int_equal(f.id, nfct_get_attr_u32(ct, ATTR_ID));
		assert_int_equal(f.has_tcp_state, nfct_attr_is_set(ct, ATTR_TCP_STATE) > 0);
		if (f.has_tcp_state)
			assert_int_equal(f.tcp_state, nfct_get_attr_u8(ct, ATTR_TCP_STATE));
		nfct_destroy(ct);
	}
}

/* IPv6: 16-byte addresses travel whole through parsing and grouping. */
static void parses_ipv6(void **state)
{
	struct nf_conntrack *ct = nfct_new();
	struct in6_addr osrc, odst, rdst;
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;
	struct ct_agg *agg;
	struct ct_summary sum;
	struct ct_flow f;
	char txt[64];

	inet_pton(AF_INET6, "fd00:1::5", &osrc);
	inet_pton(AF_INET6, "2001:db8::9", &odst);
	inet_pton(AF_INET6, "2001:db8:ffff::1", &rdst);
	nfct_set_attr_u8(ct, ATTR_ORIG_L3PROTO, AF_INET6);
	nfct_set_attr_u8(ct, ATTR_REPL_L3PROTO, AF_INET6);
	nfct_set_attr_u8(ct, ATTR_ORIG_L4PROTO, IPPROTO_UDP);
	nfct_set_attr_u8(ct, ATTR_REPL_L4PROTO, IPPROTO_UDP);
	nfct_set_attr(ct, ATTR_ORIG_IPV6_SRC, &osrc);
	nfct_set_attr(ct, ATTR_ORIG_IPV6_DST, &odst);
	nfct_set_attr(ct, ATTR_REPL_IPV6_SRC, &odst);
	nfct_set_attr(ct, ATTR_REPL_IPV6_DST, &rdst);
	nfct_set_attr_u16(ct, ATTR_ORIG_PORT_SRC, htons(5000));
	nfct_set_attr_u16(ct, ATTR_ORIG_PORT_DST, htons(443));
	nfct_set_attr_u16(ct, ATTR_REPL_PORT_SRC, htons(443));
	nfct_set_attr_u16(ct, ATTR_REPL_PORT_DST, htons(5000));
	nfct_set_attr_u32(ct, ATTR_STATUS, IPS_CONFIRMED | IPS_SRC_NAT);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_INET6;
	assert_int_equal(nfct_nlmsg_build(nlh, ct), 0);
	nfct_destroy(ct);

	assert_int_equal(ct_parse_msg(nlh, &f), 0);
	assert_int_equal(f.family, AF_INET6);
	assert_memory_equal(&f.orig.src, &osrc, 16);
	assert_memory_equal(&f.reply.dst, &rdst, 16);
	assert_int_equal(ct_flow_nat_kind(&f), CT_NAT_SNAT);
	assert_int_equal(ct_agg_new(&agg), 0);
	assert_int_equal(ct_agg_add(agg, &f), 0);
	ct_agg_summarize(agg, &sum);
	assert_int_equal(sum.counts.by_family[FLOW_IPV6], 1);
	assert_int_equal(sum.ntop, 1);
	assert_string_equal(ct_flow_addr_str(AF_INET6, &sum.top[0].key.snat_src, txt, sizeof(txt)),
			    "2001:db8:ffff::1");
	assert_string_equal(ct_flow_addr_str(AF_INET6, &sum.top[0].key.dst, txt, sizeof(txt)),
			    "2001:db8::9");
	ct_agg_free(agg);
}

static void rejects_malformed_entries(void **state)
{
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;
	struct nlattr *tuple, *ip;
	struct ct_flow f;

	/* A status attribute of the wrong size. */
	nlh = build(&entries[0], false);
	mnl_attr_put_u16(nlh, CTA_STATUS, 1);
	assert_int_equal(ct_parse_msg(nlh, &f), -EBADMSG);

	/* An IPv4 address of the wrong size inside the nested tuple. */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_INET;
	tuple = mnl_attr_nest_start(nlh, CTA_TUPLE_ORIG);
	ip = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	mnl_attr_put_u16(nlh, CTA_IP_V4_SRC, 1);
	mnl_attr_nest_end(nlh, ip);
	mnl_attr_nest_end(nlh, tuple);
	assert_int_equal(ct_parse_msg(nlh, &f), -EBADMSG);

	/* No original tuple at all. */
	nlh = mnl_nlmsg_put_header(buf);
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	mnl_attr_put_u32(nlh, CTA_STATUS, 0);
	assert_int_equal(ct_parse_msg(nlh, &f), -EPROTO);

	/* Truncated: shorter than its nfgenmsg. */
	nlh = mnl_nlmsg_put_header(buf);
	assert_int_equal(ct_parse_msg(nlh, &f), -EBADMSG);
}

static void classifies_nat_kind(void **state)
{
	static const enum ct_nat_kind want[N_ENTRIES] = {
		CT_NAT_NONE, CT_NAT_SNAT, CT_NAT_SNAT, CT_NAT_SNAT,
		CT_NAT_SNAT, CT_NAT_DNAT, CT_NAT_BOTH,
	};
	struct ct_flow f;

	for (size_t i = 0; i < N_ENTRIES; i++) {
		build_and_parse(&entries[i], &f, i % 2);
		assert_int_equal(ct_flow_nat_kind(&f), want[i]);
	}
}

static void aggregates_a_table(void **state)
{
	struct ct_agg *agg;
	struct ct_summary sum;
	struct ct_flow f;

	assert_int_equal(ct_agg_new(&agg), 0);
	for (size_t i = 0; i < N_ENTRIES; i++) {
		build_and_parse(&entries[i], &f, true);
		assert_int_equal(ct_agg_add(agg, &f), 0);
	}
	ct_agg_summarize(agg, &sum);

	assert_int_equal(sum.counts.total, N_ENTRIES);
	assert_int_equal(sum.counts.by_family[FLOW_IPV4], N_ENTRIES);
	assert_int_equal(sum.counts.by_proto[IPPROTO_TCP], 4);
	assert_int_equal(sum.counts.by_proto[IPPROTO_UDP], 3);
	assert_int_equal(sum.counts.tcp_state[TCP_CONNTRACK_ESTABLISHED], 2);
	assert_int_equal(sum.counts.tcp_state[TCP_CONNTRACK_TIME_WAIT], 1);
	assert_int_equal(sum.counts.tcp_state[TCP_CONNTRACK_SYN_SENT], 1);
	assert_int_equal(sum.counts.assured, 2);
	assert_int_equal(sum.counts.unreplied, 4);
	assert_int_equal(sum.counts.nat_kind[CT_NAT_NONE], 1);
	assert_int_equal(sum.counts.nat_kind[CT_NAT_SNAT], 4);
	assert_int_equal(sum.counts.nat_kind[CT_NAT_DNAT], 1);
	assert_int_equal(sum.counts.nat_kind[CT_NAT_BOTH], 1);
	/* TIME_WAIT with 100 s left: bucket [60,120). Unreplied: 25 s, 29 s, 5 s, 119 s. */
	assert_int_equal(sum.time_wait_timeout[3], 1);
	assert_int_equal(sum.unreplied_timeout[0], 1);
	assert_int_equal(sum.unreplied_timeout[1], 2);
	assert_int_equal(sum.unreplied_timeout[3], 1);

	/* Groups: udp->203.0.113.9:53 (3), tcp->203.0.113.9:443 (1), hairpin tcp->:80 (1). */
	assert_int_equal(sum.ngroups, 3);
	assert_int_equal(sum.ntop, 3);
	assert_int_equal(sum.top[0].key.l4proto, IPPROTO_UDP);
	assert_int_equal(sum.top[0].key.dport, 53);
	assert_int_equal(sum.top[0].entries, 3);
	assert_int_equal(sum.top[0].sources, 2);
	assert_int_equal(sum.top[0].unreplied, 3);
	assert_int_equal(sum.top[0].ports_in_range, 2); /* port 701 is below 1024 */
	assert_int_equal(sum.top[0].key.snat_src.a32[0], inet_addr("198.51.100.1"));
	assert_int_equal(sum.top[0].key.dst.a32[0], inet_addr("203.0.113.9"));
	/* Ties sorted by protocol, then port: tcp/80 before tcp/443. */
	assert_int_equal(sum.top[1].key.dport, 80);
	assert_int_equal(sum.top[2].key.dport, 443);
	assert_false(sum.groups_truncated);

	ct_agg_free(agg);
}

static void port_share_arithmetic(void **state)
{
	struct ct_agg_group g = { .ports_in_range = CT_AGG_PORT_SPACE / 2 };

	assert_int_equal(CT_AGG_PORT_SPACE, 64512);
	assert_true(ct_agg_group_port_share(&g) == 0.5);
	g.ports_in_range = CT_AGG_PORT_SPACE;
	assert_true(ct_agg_group_port_share(&g) == 1.0);
	assert_int_equal(ct_agg_timeout_bucket(0), 0);
	assert_int_equal(ct_agg_timeout_bucket(9), 0);
	assert_int_equal(ct_agg_timeout_bucket(10), 1);
	assert_int_equal(ct_agg_timeout_bucket(120), 4);
	assert_int_equal(ct_agg_timeout_bucket(299), 4);
	assert_int_equal(ct_agg_timeout_bucket(300), 5);
}

/* Many destinations, many sources: bounds hold, counts stay exact below them. */
static void groups_and_sources_scale(void **state)
{
	struct ct_agg *agg;
	struct ct_summary sum;
	struct ct_flow f;

	assert_int_equal(ct_agg_new(&agg), 0);
	memset(&f, 0, sizeof(f));
	f.family = AF_INET;
	f.l4proto = IPPROTO_UDP;
	f.status = IPS_CONFIRMED;
	f.reply.dst.a32[0] = inet_addr("198.51.100.1");
	f.reply.src.a32[0] = inet_addr("203.0.113.9");
	/* 2,000 destination ports x 50 sources + one hot port with 5,000 sources. */
	for (uint32_t d = 0; d < 2000; d++)
		for (uint32_t s = 0; s < 50; s++) {
			f.orig.src.a32[0] = htonl(0x0a000000 + s);
			f.orig.sport = (uint16_t)(2000 + s);
			f.reply.sport = (uint16_t)(1 + d);
			f.reply.dport = (uint16_t)(30000 + s);
			assert_int_equal(ct_agg_add(agg, &f), 0);
		}
	for (uint32_t s = 0; s < 5000; s++) {
		f.orig.src.a32[0] = htonl(0x0a100000 + s);
		f.orig.sport = 1025;
		f.reply.sport = 5353;
		f.reply.dport = (uint16_t)(1024 + s);
		assert_int_equal(ct_agg_add(agg, &f), 0);
	}
	ct_agg_summarize(agg, &sum);
	assert_int_equal(sum.ngroups, 2001);
	assert_int_equal(sum.counts.total, 105000);
	assert_int_equal(sum.top[0].key.dport, 5353);
	assert_int_equal(sum.top[0].sources, 5000);
	assert_int_equal(sum.top[1].entries, 50);
	assert_int_equal(sum.top[1].sources, 50);
	assert_int_equal(sum.ntop, CT_AGG_TOP);
	ct_agg_free(agg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_entries_and_skips_unknown_attr),
		cmocka_unit_test(agrees_with_libnetfilter_conntrack),
		cmocka_unit_test(rejects_malformed_entries),
		cmocka_unit_test(parses_ipv6),
		cmocka_unit_test(classifies_nat_kind),
		cmocka_unit_test(aggregates_a_table),
		cmocka_unit_test(port_share_arithmetic),
		cmocka_unit_test(groups_and_sources_scale),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
