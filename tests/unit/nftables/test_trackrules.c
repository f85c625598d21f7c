/*
 * The rules that bear on exempting traffic from tracking: notrack rules and those that
 * need conntrack, with the hooks that reach them and what they are limited to; and
 * whether such a rule may match a tunnel's carriers or a bridge's local traffic.
 */
#include "config.h"

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "nftables/ruleset.h"
#include "nftables/trackrules.h"

#include "nftbuild.h"

static void ct_state(struct nftnl_rule *r)
{
	struct nftnl_expr *e = nftnl_expr_alloc("ct");
	uint32_t est = 2; /* NF_CT_STATE_BIT(IP_CT_ESTABLISHED) */

	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, NFT_CT_STATE);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, NFT_REG_1);
	nb_add(r, e);
	nb_bitwise(r, &est, 4);
	nb_cmp(r, NFT_CMP_NEQ, "\0\0\0\0", 4);
}

static void ifname(struct nftnl_rule *r, uint32_t key, uint32_t op, const char *name)
{
	char buf[16] = { 0 };

	snprintf(buf, sizeof(buf), "%s", name);
	nb_meta_load(r, key, NFT_REG_1);
	nb_cmp(r, op, buf, 16);
}

static void udp_dport(struct nftnl_rule *r, uint16_t port)
{
	uint8_t udp = IPPROTO_UDP;
	uint16_t p = htons(port);

	nb_meta_load(r, NFT_META_L4PROTO, NFT_REG_1);
	nb_cmp(r, NFT_CMP_EQ, &udp, 1);
	nb_payload_load(r, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2);
	nb_cmp(r, NFT_CMP_EQ, &p, 2);
}

static void saddr_prefix(struct nftnl_rule *r, const char *addr, const char *mask)
{
	uint32_t a, m;

	inet_pton(AF_INET, addr, &a);
	inet_pton(AF_INET, mask, &m);
	nb_payload_load(r, NFT_PAYLOAD_NETWORK_HEADER, 12, 4);
	nb_bitwise(r, &m, 4);
	nb_cmp(r, NFT_CMP_EQ, &a, 4);
}

static struct ruleset *rules(void)
{
	struct ruleset *rs;
	struct nftnl_rule *r;

	assert_int_equal(ruleset_new(&rs), 0);
	nb_feed_table(rs, NFPROTO_INET, "filter", NULL);
	nb_feed_chain(rs, NFPROTO_INET, "filter", "forward", "filter", NF_INET_FORWARD, 0);
	nb_feed_chain(rs, NFPROTO_INET, "filter", "input", "filter", NF_INET_LOCAL_IN, 0);
	nb_feed_chain(rs, NFPROTO_INET, "filter", "docker-user", NULL, -1, 0);
	nb_feed_chain(rs, NFPROTO_INET, "filter", "orphan", NULL, -1, 0);
	/* forward: oifname "br0" ct state established accept */
	r = nb_rule(NFPROTO_INET, "filter", "forward");
	ifname(r, NFT_META_OIFNAME, NFT_CMP_EQ, "br0");
	ct_state(r);
	nb_verdict(r, NF_ACCEPT, NULL);
	nb_feed_rule(rs, r);
	/* forward: jump docker-user; there: ip saddr 10.9.0.0/16 ct state ... */
	r = nb_rule(NFPROTO_INET, "filter", "forward");
	nb_verdict(r, NFT_JUMP, "docker-user");
	nb_feed_rule(rs, r);
	r = nb_rule(NFPROTO_INET, "filter", "docker-user");
	saddr_prefix(r, "10.9.0.0", "255.255.0.0");
	ct_state(r);
	nb_verdict(r, NF_ACCEPT, NULL);
	nb_feed_rule(rs, r);
	/* input: udp dport 53 ct state ... */
	r = nb_rule(NFPROTO_INET, "filter", "input");
	udp_dport(r, 53);
	ct_state(r);
	nb_verdict(r, NF_ACCEPT, NULL);
	nb_feed_rule(rs, r);
	/* a chain no base chain reaches: never runs */
	r = nb_rule(NFPROTO_INET, "filter", "orphan");
	ct_state(r);
	nb_feed_rule(rs, r);
	/* raw prerouting: udp dport 4789 notrack */
	nb_feed_table(rs, NFPROTO_INET, "raw", NULL);
	nb_feed_chain(rs, NFPROTO_INET, "raw", "pre", "filter", NF_INET_PRE_ROUTING, -300);
	r = nb_rule(NFPROTO_INET, "raw", "pre");
	udp_dport(r, 4789);
	nb_add(r, nftnl_expr_alloc("notrack"));
	nb_feed_rule(rs, r);
	return rs;
}

static void reads_rules(void **state)
{
	struct ruleset *rs = rules();
	struct trackrules t;

	assert_int_equal(trackrules_analyze(rs, &t), 0);
	assert_true(t.have);
	assert_int_equal(t.n, 4); /* the orphan's rule is left out */
	assert_true(t.v[0].needs_ct);
	assert_string_equal(t.v[0].why, "ct state");
	assert_int_equal(t.v[0].hooks, TRACKRULES_HOOK(NF_INET_FORWARD));
	assert_true(t.v[0].oif.set && !t.v[0].oif.neg);
	assert_string_equal(t.v[0].oif.name, "br0");
	/* the jumped-to chain inherits its base chain's hook */
	assert_string_equal(t.v[1].chain, "docker-user");
	assert_int_equal(t.v[1].hooks, TRACKRULES_HOOK(NF_INET_FORWARD));
	assert_true(t.v[1].saddr.set);
	assert_int_equal(t.v[1].saddr.plen, 16);
	assert_int_equal(t.v[2].dport, 53);
	assert_int_equal(t.v[2].l4proto, IPPROTO_UDP);
	assert_true(t.v[3].notrack);
	assert_false(t.v[3].needs_ct);
	assert_int_equal(t.v[3].priority, -300);
	assert_int_equal(t.v[3].dport, 4789);
	trackrules_release(&t);
	ruleset_free(rs);
}

static void may_match(void **state)
{
	struct ruleset *rs = rules();
	struct trackrules t;
	struct trackrule_prefix br = { .set = true, .family = AF_INET, .plen = 24 };
	struct track_scope bridge = { .hooks = TRACKRULES_HOOK(NF_INET_PRE_ROUTING) |
					       TRACKRULES_HOOK(NF_INET_FORWARD),
				      .l4proto = -1,
				      .dport = -1,
				      .ifname = "br0" };
	struct track_scope vxlan = { .hooks = TRACKRULES_HOOK(NF_INET_PRE_ROUTING) |
					      TRACKRULES_HOOK(NF_INET_LOCAL_IN),
				     .l4proto = IPPROTO_UDP,
				     .dport = 4789 };

	inet_pton(AF_INET, "10.1.0.0", br.addr.a8);
	bridge.src = bridge.dst = br;
	assert_int_equal(trackrules_analyze(rs, &t), 0);
	/* oifname br0 + ct state on forward: matches br0's bridged traffic */
	assert_true(trackrule_may_match(&t.v[0], &bridge));
	bridge.ifname = "br1";
	assert_false(trackrule_may_match(&t.v[0], &bridge)); /* another bridge */
	bridge.ifname = "br0";
	/* 10.9.0.0/16 is not the bridge's 10.1.0.0/24 */
	assert_false(trackrule_may_match(&t.v[1], &bridge));
	/* an input rule is not on the bridged path; a VXLAN carrier is not udp 53 */
	assert_false(trackrule_may_match(&t.v[2], &bridge));
	assert_false(trackrule_may_match(&t.v[2], &vxlan));
	vxlan.dport = 53;
	assert_true(trackrule_may_match(&t.v[2], &vxlan));
	trackrules_release(&t);
	ruleset_free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_rules),
		cmocka_unit_test(may_match),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
