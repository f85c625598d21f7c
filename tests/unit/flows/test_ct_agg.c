/* The streaming aggregator: totals, histograms, SNAT groups, and its bounds. */
#include "config.h"

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>

#include <cmocka.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_tcp.h>

#include "flows/ct_agg.h"
#include "netlink/ct_parse.h"

#include "ctmsg.h"
#include "entries.h"

static char buf[8192];

static void aggregates_a_table(void **state)
{
	struct ct_agg *agg;
	struct ct_summary sum;
	struct ct_flow f;

	assert_int_equal(ct_agg_new(&agg), 0);
	for (size_t i = 0; i < TEST_NENTRIES; i++) {
		assert_int_equal(ct_parse_msg(ctmsg_build(buf, sizeof(buf), &test_entries[i]), &f),
				 0);
		assert_int_equal(ct_agg_add(agg, &f), 0);
	}
	ct_agg_summarize(agg, &sum);

	assert_int_equal(sum.counts.total, TEST_NENTRIES);
	assert_int_equal(sum.counts.by_family[FLOW_IPV4], TEST_NENTRIES);
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
	assert_false(sum.top[0].sources_capped);
	ct_agg_free(agg);
}

static void ipv6_groups(void **state)
{
	struct ct_agg *agg;
	struct ct_summary sum;
	struct ct_flow f = { .family = AF_INET6, .l4proto = IPPROTO_UDP };
	char txt[64];

	inet_pton(AF_INET6, "fd00:1::5", &f.orig.src);
	inet_pton(AF_INET6, "2001:db8::9", &f.orig.dst);
	f.reply.src = f.orig.dst;
	inet_pton(AF_INET6, "2001:db8:ffff::1", &f.reply.dst);
	f.orig.sport = f.reply.dport = 5000;
	f.orig.dport = f.reply.sport = 443;
	f.reply.dport = 5001;
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

static void snat_flow(struct ct_flow *f, uint32_t src, uint16_t dport, uint16_t nat_port)
{
	memset(f, 0, sizeof(*f));
	f->family = AF_INET;
	f->l4proto = IPPROTO_UDP;
	f->status = IPS_CONFIRMED;
	f->orig.src.a32[0] = htonl(src);
	f->orig.sport = 40000;
	f->orig.dport = dport;
	f->reply.src.a32[0] = inet_addr("203.0.113.9");
	f->orig.dst = f->reply.src;
	f->reply.dst.a32[0] = inet_addr("198.51.100.1");
	f->reply.sport = dport;
	f->reply.dport = nat_port;
}

/* Many destinations, many sources: counts stay exact below the bounds. */
static void groups_and_sources_scale(void **state)
{
	struct ct_agg *agg;
	struct ct_summary sum;
	struct ct_flow f;

	assert_int_equal(ct_agg_new(&agg), 0);
	/* 2,000 destination ports x 50 sources + one hot port with 5,000 sources. */
	for (uint32_t d = 0; d < 2000; d++)
		for (uint32_t s = 0; s < 50; s++) {
			snat_flow(&f, 0x0a000000 + s, (uint16_t)(1 + d), (uint16_t)(30000 + s));
			assert_int_equal(ct_agg_add(agg, &f), 0);
		}
	for (uint32_t s = 0; s < 5000; s++) {
		snat_flow(&f, 0x0a100000 + s, 5353, (uint16_t)(1024 + s));
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
	assert_false(sum.groups_truncated);
	assert_int_equal(sum.untracked_snat, 0);
	ct_agg_free(agg);
}

/* Each top group's busiest sources: by entries, ties by address, at most three. */
static void busiest_sources(void **state)
{
	static const uint32_t per_source[] = { 5, 40, 7, 40, 1 }; /* 10.0.0.1 .. 10.0.0.5 */
	struct ct_agg *agg;
	struct ct_summary sum;
	struct ct_flow f;

	assert_int_equal(ct_agg_new(&agg), 0);
	for (uint32_t s = 0; s < 5; s++)
		for (uint32_t k = 0; k < per_source[s]; k++) {
			snat_flow(&f, 0x0a000001 + s, 53, (uint16_t)(2000 + s * 100 + k));
			assert_int_equal(ct_agg_add(agg, &f), 0);
		}
	/* another group: its one source must not leak into the first's list */
	snat_flow(&f, 0x0a0000ff, 80, 3000);
	assert_int_equal(ct_agg_add(agg, &f), 0);
	ct_agg_summarize(agg, &sum);
	assert_int_equal(sum.ntop, 2);
	assert_int_equal(sum.top[0].key.dport, 53);
	assert_int_equal(sum.ntop_src[0], CT_AGG_TOP_SOURCES);
	assert_int_equal(sum.top_src[0][0].src.a32[0], htonl(0x0a000002));
	assert_int_equal(sum.top_src[0][0].entries, 40);
	assert_int_equal(sum.top_src[0][1].src.a32[0], htonl(0x0a000004));
	assert_int_equal(sum.top_src[0][1].entries, 40);
	assert_int_equal(sum.top_src[0][2].src.a32[0], htonl(0x0a000003));
	assert_int_equal(sum.top_src[0][2].entries, 7);
	assert_int_equal(sum.ntop_src[1], 1);
	assert_int_equal(sum.top_src[1][0].src.a32[0], htonl(0x0a0000ff));
	assert_int_equal(sum.top_src[1][0].entries, 1);
	ct_agg_free(agg);
}

/*
 * Past the bounds: groups beyond CT_AGG_MAX_GROUPS are counted as untracked and the
 * summary says truncated; sources beyond CT_AGG_MAX_SOURCES make a group's count a
 * lower bound, flagged.  Totals stay exact either way.
 */
static void bounds_are_reported(void **state)
{
	const uint32_t groups = CT_AGG_MAX_GROUPS + 100;
	struct ct_agg *agg;
	struct ct_summary sum;
	struct ct_flow f;
	uint64_t flows = 0;

	assert_int_equal(ct_agg_new(&agg), 0);
	/* one flow to each of CT_AGG_MAX_GROUPS + 100 destinations (address x port) */
	for (uint32_t g = 0; g < groups; g++) {
		snat_flow(&f, 0x0a000001, (uint16_t)(1 + g % 60000), 2000);
		f.reply.src.a32[0] = htonl(0xcb007100 + g / 60000);
		assert_int_equal(ct_agg_add(agg, &f), 0);
		flows++;
	}
	/* then enough distinct sources into the first group to pass the source bound */
	for (uint32_t s = 0; s < CT_AGG_MAX_SOURCES; s++) {
		snat_flow(&f, 0x0b000000 + s, 1, (uint16_t)(1024 + s % 60000));
		f.reply.src.a32[0] = htonl(0xcb007100);
		assert_int_equal(ct_agg_add(agg, &f), 0);
		flows++;
	}
	ct_agg_summarize(agg, &sum);
	assert_int_equal(sum.counts.total, flows);
	assert_int_equal(sum.ngroups, CT_AGG_MAX_GROUPS);
	assert_true(sum.groups_truncated);
	assert_int_equal(sum.untracked_snat, 100);
	assert_int_equal(sum.top[0].key.dport, 1);
	assert_true(sum.top[0].sources_capped);
	assert_true(sum.top[0].sources < CT_AGG_MAX_SOURCES);
	assert_true(sum.top[0].sources > 100000);
	ct_agg_free(agg);
}

static void tcp_flow(struct ct_flow *f, const char *src, uint16_t sport, const char *dst,
		     uint16_t dport, uint8_t state, bool replied)
{
	memset(f, 0, sizeof(*f));
	f->family = AF_INET;
	f->l4proto = IPPROTO_TCP;
	f->status = IPS_CONFIRMED | (replied ? IPS_SEEN_REPLY : 0);
	f->has_tcp_state = true;
	f->tcp_state = state;
	f->orig.src.a32[0] = inet_addr(src);
	f->orig.dst.a32[0] = inet_addr(dst);
	f->orig.sport = sport;
	f->orig.dport = dport;
	f->reply.src = f->orig.dst;
	f->reply.dst = f->orig.src;
	f->reply.sport = dport;
	f->reply.dport = sport;
}

/* Connections one way of which passes: unanswered SYNs, and entries picked up from one
 * side, whose server is the lower port; pairs merge, the first CT_AGG_PAIRS are kept. */
static void one_way_pairs(void **state)
{
	struct ct_agg *agg;
	struct ct_summary sum;
	struct ct_flow f;

	assert_int_equal(ct_agg_new(&agg), 0);
	for (uint16_t p = 0; p < 5; p++) {
		tcp_flow(&f, "10.0.0.2", 40000 + p, "10.0.9.2", 8080, TCP_CONNTRACK_SYN_SENT,
			 false);
		assert_int_equal(ct_agg_add(agg, &f), 0);
		/* the server's packets only: picked up from 10.0.9.2:443 */
		tcp_flow(&f, "10.0.9.2", 443, "10.0.0.3", 50000 + p, TCP_CONNTRACK_ESTABLISHED,
			 false);
		assert_int_equal(ct_agg_add(agg, &f), 0);
	}
	/* the client's packets only, picked up mid-stream */
	tcp_flow(&f, "10.0.0.4", 51000, "10.0.9.2", 22, TCP_CONNTRACK_FIN_WAIT, false);
	assert_int_equal(ct_agg_add(agg, &f), 0);
	/* answered: none of these */
	tcp_flow(&f, "10.0.0.5", 51000, "10.0.9.2", 22, TCP_CONNTRACK_ESTABLISHED, true);
	assert_int_equal(ct_agg_add(agg, &f), 0);
	tcp_flow(&f, "10.0.0.5", 51001, "10.0.9.2", 22, TCP_CONNTRACK_SYN_RECV, true);
	assert_int_equal(ct_agg_add(agg, &f), 0);
	ct_agg_summarize(agg, &sum);
	assert_int_equal(sum.syn_unreplied.entries, 5);
	assert_int_equal(sum.syn_unreplied.n, 1);
	assert_int_equal(sum.syn_unreplied.v[0].entries, 5);
	assert_int_equal(sum.syn_unreplied.v[0].dport, 8080);
	assert_int_equal(sum.oneway.entries, 6);
	assert_int_equal(sum.oneway.n, 2);
	assert_int_equal(sum.oneway.v[0].src.a32[0], inet_addr("10.0.0.3")); /* the client */
	assert_int_equal(sum.oneway.v[0].dst.a32[0], inet_addr("10.0.9.2"));
	assert_int_equal(sum.oneway.v[0].dport, 443);
	assert_true(sum.oneway.v[0].from_server);
	assert_int_equal(sum.oneway.v[0].entries, 5);
	assert_int_equal(sum.oneway.v[1].dport, 22);
	assert_false(sum.oneway.v[1].from_server);
	assert_false(sum.oneway.capped);
	ct_agg_free(agg);

	/* more pairs than are kept: all counted, the first kept, capped said */
	assert_int_equal(ct_agg_new(&agg), 0);
	for (uint16_t p = 0; p < CT_AGG_PAIRS + 3; p++) {
		tcp_flow(&f, "10.0.0.2", 40000, "10.0.9.2", 1000 + p, TCP_CONNTRACK_SYN_SENT,
			 false);
		assert_int_equal(ct_agg_add(agg, &f), 0);
	}
	ct_agg_summarize(agg, &sum);
	assert_int_equal(sum.syn_unreplied.entries, CT_AGG_PAIRS + 3);
	assert_int_equal(sum.syn_unreplied.n, CT_AGG_PAIRS);
	assert_true(sum.syn_unreplied.capped);
	ct_agg_free(agg);
}

/* Hairpin DNAT: an unanswered SYN DNAT'd into its client's own network, not SNAT'd. */
static void hairpin_pairs(void **state)
{
	struct localnets nets = { 0 };
	struct ct_agg *agg;
	struct ct_summary sum;
	struct ct_flow f;
	char a[64];
	uint32_t net = inet_addr("10.77.0.1");

	assert_int_equal(localnets_add(&nets, AF_INET, &net, 24, "br0"), 0);
	assert_int_equal(ct_agg_new(&agg), 0);
	ct_agg_set_nets(agg, &nets);
	for (uint16_t p = 0; p < 3; p++) {
		tcp_flow(&f, "10.77.0.2", 40000 + p, "198.18.50.1", 8080, TCP_CONNTRACK_SYN_SENT,
			 false);
		f.reply.src.a32[0] = inet_addr("10.77.0.3"); /* dnat to 10.77.0.3:80 */
		f.reply.sport = 80;
		assert_int_equal(ct_agg_add(agg, &f), 0);
	}
	/* masqueraded too (Docker's hairpin rule): its replies come back here */
	f.reply.dst.a32[0] = inet_addr("10.77.0.1");
	assert_int_equal(ct_agg_add(agg, &f), 0);
	/* DNAT'd to another network: routed through here both ways */
	tcp_flow(&f, "10.77.0.2", 41000, "198.18.50.1", 8080, TCP_CONNTRACK_SYN_SENT, false);
	f.reply.src.a32[0] = inet_addr("10.88.0.3");
	assert_int_equal(ct_agg_add(agg, &f), 0);
	/* answered */
	tcp_flow(&f, "10.77.0.2", 42000, "198.18.50.1", 8080, TCP_CONNTRACK_SYN_SENT, true);
	f.reply.src.a32[0] = inet_addr("10.77.0.3");
	assert_int_equal(ct_agg_add(agg, &f), 0);
	ct_agg_summarize(agg, &sum);
	assert_int_equal(sum.syn_unreplied.entries, 5);
	assert_int_equal(sum.hairpin.entries, 3);
	assert_int_equal(sum.hairpin.n, 1);
	assert_string_equal(ct_flow_addr_str(AF_INET, &sum.hairpin.v[0].to, a, sizeof(a)),
			    "10.77.0.3");
	assert_int_equal(sum.hairpin.v[0].to_port, 80);
	assert_int_equal(sum.hairpin.v[0].dport, 8080);
	ct_agg_free(agg);
	/* without the attached networks, nothing is hairpin */
	assert_int_equal(ct_agg_new(&agg), 0);
	tcp_flow(&f, "10.77.0.2", 40000, "198.18.50.1", 8080, TCP_CONNTRACK_SYN_SENT, false);
	f.reply.src.a32[0] = inet_addr("10.77.0.3");
	assert_int_equal(ct_agg_add(agg, &f), 0);
	ct_agg_summarize(agg, &sum);
	assert_int_equal(sum.hairpin.entries, 0);
	ct_agg_free(agg);
	localnets_release(&nets);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(aggregates_a_table),	 cmocka_unit_test(ipv6_groups),
		cmocka_unit_test(port_share_arithmetic), cmocka_unit_test(groups_and_sources_scale),
		cmocka_unit_test(bounds_are_reported),	 cmocka_unit_test(busiest_sources),
		cmocka_unit_test(one_way_pairs),	 cmocka_unit_test(hairpin_pairs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
