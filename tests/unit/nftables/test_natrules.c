/* Kernel-free: rulesets built with libnftnl, serialised, fed back as the kernel would. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>

#include "nftables/natrules.h"
#include "nftables/owner.h"
#include "nftables/ruleset.h"
#include "nftbuild.h"

static const struct natrule *find(const struct natrules *nr, const char *table, uint64_t h)
{
	for (unsigned int i = 0; i < nr->n; i++)
		if (strcmp(nr->v[i].table, table) == 0 && nr->v[i].handle == h)
			return &nr->v[i];
	fail_msg("no rule %s/%llu", table, (unsigned long long)h);
	return NULL;
}

/* iptables-nft's Docker rule and a native fully-random one in table ip nat. */
static void docker_style_and_native(void **state)
{
	struct ruleset *rs;
	struct natrules nr;
	struct nftnl_rule *r;
	const struct natrule *x;
	char ifname[16] = "docker0";
	uint8_t net[2] = { 172, 17 };
	uint64_t h0 = nb_next_handle;

	assert_int_equal(ruleset_new(&rs), 0);
	nb_feed_table(rs, NFPROTO_IPV4, "nat", NULL);
	nb_feed_chain(rs, NFPROTO_IPV4, "nat", "POSTROUTING", "nat", NF_INET_POST_ROUTING, 100);
	nb_feed_chain(rs, NFPROTO_IPV4, "nat", "PREROUTING", "nat", NF_INET_PRE_ROUTING, -100);

	r = nb_rule(NFPROTO_IPV4, "nat", "POSTROUTING");
	nb_meta_load(r, NFT_META_OIFNAME, NFT_REG_1);
	nb_cmp(r, NFT_CMP_NEQ, ifname, sizeof(ifname));
	nb_payload_load(r, NFT_PAYLOAD_NETWORK_HEADER, 12, 2); /* /16 as a 2-byte load */
	nb_cmp(r, NFT_CMP_EQ, net, sizeof(net));
	nb_counter(r);
	nb_xt_masquerade(r, 0);
	nb_feed_rule(rs, r);

	r = nb_rule(NFPROTO_IPV4, "nat", "POSTROUTING");
	nb_xt_comment(r, "overlay test");
	nb_masq(r, NF_NAT_RANGE_PROTO_RANDOM_FULLY);
	nb_feed_rule(rs, r);

	/* xt MASQUERADE with --random-fully */
	r = nb_rule(NFPROTO_IPV4, "nat", "POSTROUTING");
	nb_xt_masquerade(r, NF_NAT_RANGE_PROTO_RANDOM_FULLY);
	nb_feed_rule(rs, r);

	/* a masquerade in prerouting is not source NAT on postrouting: ignored */
	r = nb_rule(NFPROTO_IPV4, "nat", "PREROUTING");
	nb_masq(r, 0);
	nb_feed_rule(rs, r);

	natrules_init(&nr);
	assert_int_equal(natrules_analyze(rs, &nr), 0);
	assert_int_equal(nr.base_chains, 1);
	assert_int_equal(nr.n, 3);

	x = find(&nr, "nat", h0);
	assert_true(x->compat);
	assert_int_equal(x->kind, NATRULE_MASQUERADE);
	assert_false(natrule_fully_random(x));
	assert_int_equal(x->owner, NATRULE_OWNER_DOCKER);
	assert_int_equal(x->base_priority, 100);
	assert_string_equal(x->base_chain, "POSTROUTING");
	assert_string_equal(x->text, "oifname != \"docker0\" ip saddr 172.17.0.0/16 counter "
				     "packets 7 bytes 420 masquerade (xt)");

	x = find(&nr, "nat", h0 + 1);
	assert_false(x->compat);
	assert_true(natrule_fully_random(x));
	assert_string_equal(x->text, "comment \"overlay test\" masquerade fully-random");

	x = find(&nr, "nat", h0 + 2);
	assert_true(x->compat);
	assert_true(natrule_fully_random(x));
	assert_string_equal(x->text, "masquerade fully-random (xt)");

	natrules_release(&nr);
	ruleset_free(rs);
}

/* inet table: base chain jumps to a user chain (twice, and in a loop); snat there. */
static void follows_jumps_in_inet(void **state)
{
	struct ruleset *rs;
	struct natrules nr;
	struct nftnl_rule *r;
	const struct natrule *x;
	uint8_t v4 = NFPROTO_IPV4;
	uint8_t mask[4] = { 255, 255, 254, 0 };
	uint8_t net[4] = { 192, 168, 0, 0 };
	uint64_t h0 = nb_next_handle;

	assert_int_equal(ruleset_new(&rs), 0);
	nb_feed_table(rs, NFPROTO_INET, "filt", NULL);
	nb_feed_chain(rs, NFPROTO_INET, "filt", "post", "nat", NF_INET_POST_ROUTING, 110);
	nb_feed_chain(rs, NFPROTO_INET, "filt", "sub", NULL, -1, 0);
	nb_feed_chain(rs, NFPROTO_INET, "filt", "unused", NULL, -1, 0);

	r = nb_rule(NFPROTO_INET, "filt", "post");
	nb_meta_load(r, NFT_META_NFPROTO, NFT_REG_1);
	nb_cmp(r, NFT_CMP_EQ, &v4, 1);
	nb_payload_load(r, NFT_PAYLOAD_NETWORK_HEADER, 12, 4);
	{
		struct nftnl_expr *e = nftnl_expr_alloc("bitwise");
		uint8_t xor [4] = { 0 };

		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, 4);
		nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, mask, 4);
		nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, xor, 4);
		nb_add(r, e);
	}
	nb_cmp(r, NFT_CMP_EQ, net, 4);
	nb_verdict(r, NFT_JUMP, "sub");
	nb_feed_rule(rs, r);

	r = nb_rule(NFPROTO_INET, "filt", "sub");
	nb_snat_to(r, NFPROTO_INET, "10.9.9.9", 1024, 2047, 0);
	nb_feed_rule(rs, r);
	r = nb_rule(NFPROTO_INET, "filt", "sub");
	nb_verdict(r, NFT_GOTO, "post"); /* a loop back: must terminate */
	nb_feed_rule(rs, r);
	r = nb_rule(NFPROTO_INET, "filt", "unused"); /* not reachable: not listed */
	nb_masq(r, 0);
	nb_feed_rule(rs, r);

	natrules_init(&nr);
	assert_int_equal(natrules_analyze(rs, &nr), 0);
	assert_int_equal(nr.n, 1);
	x = find(&nr, "filt", h0 + 1);
	assert_int_equal(x->family, NFPROTO_INET);
	assert_int_equal(x->kind, NATRULE_SNAT);
	assert_string_equal(x->chain, "sub");
	assert_string_equal(x->base_chain, "post");
	assert_true(x->addr_range);
	assert_true(x->port_range);
	assert_string_equal(x->text, "snat ip to 10.9.9.9:1024-2047");
	natrules_release(&nr);
	ruleset_free(rs);
}

static void natscope_tables_are_marked(void **state)
{
	struct ruleset *rs;
	struct natrules nr;
	struct nftnl_rule *r;

	assert_int_equal(ruleset_new(&rs), 0);
	nb_feed_table(rs, NFPROTO_IPV4, "natscope", OWNER_MARK " v2");
	nb_feed_table(rs, NFPROTO_IPV4, "natscope2", "someone else's");
	nb_feed_chain(rs, NFPROTO_IPV4, "natscope", "post", "nat", NF_INET_POST_ROUTING, 99);
	nb_feed_chain(rs, NFPROTO_IPV4, "natscope2", "post", "nat", NF_INET_POST_ROUTING, 99);
	r = nb_rule(NFPROTO_IPV4, "natscope", "post");
	nb_masq(r, NF_NAT_RANGE_PROTO_RANDOM_FULLY);
	nb_feed_rule(rs, r);
	r = nb_rule(NFPROTO_IPV4, "natscope2", "post");
	nb_masq(r, NF_NAT_RANGE_PROTO_RANDOM_FULLY);
	nb_feed_rule(rs, r);
	natrules_init(&nr);
	assert_int_equal(natrules_analyze(rs, &nr), 0);
	assert_int_equal(nr.n, 2);
	assert_int_equal(nr.v[0].owner, NATRULE_OWNER_NATSCOPE);
	/* A table named like ours without the marker is not ours. */
	assert_int_equal(nr.v[1].owner, NATRULE_OWNER_UNKNOWN);
	natrules_release(&nr);
	ruleset_free(rs);
}

static void owner_guesses(void **state)
{
	assert_int_equal(natrules_guess_owner("nat", "DOCKER"), NATRULE_OWNER_DOCKER);
	assert_int_equal(natrules_guess_owner("nat", "KUBE-POSTROUTING"), NATRULE_OWNER_KUBE_PROXY);
	assert_int_equal(natrules_guess_owner("kube-proxy", "nat-postrouting"),
			 NATRULE_OWNER_KUBE_PROXY);
	assert_int_equal(natrules_guess_owner("nat", "FLANNEL-POSTRTG"), NATRULE_OWNER_FLANNEL);
	assert_int_equal(natrules_guess_owner("nat", "cali-nat-outgoing"), NATRULE_OWNER_CALICO);
	assert_int_equal(natrules_guess_owner("nat", "LIBVIRT_PRT"), NATRULE_OWNER_LIBVIRT);
	assert_int_equal(natrules_guess_owner("firewalld", "nat_POST_public"),
			 NATRULE_OWNER_FIREWALLD);
	assert_int_equal(natrules_guess_owner("nat", "CILIUM_POST_nat"), NATRULE_OWNER_CILIUM);
	assert_int_equal(natrules_guess_owner("lxd", "pstrt.lxdbr0"), NATRULE_OWNER_LXD);
	assert_int_equal(natrules_guess_owner("fw4", "srcnat_wan"), NATRULE_OWNER_FW4);
	assert_string_equal(natrules_owner_name(NATRULE_OWNER_FW4), "fw4");
	assert_int_equal(natrules_guess_owner("nat", "POSTROUTING"), NATRULE_OWNER_UNKNOWN);
	assert_string_equal(natrules_owner_name(NATRULE_OWNER_KUBE_PROXY), "kube-proxy");
}

/* An xt match @name with a zeroed info blob of @len bytes (libnftnl owns it). */
static void xt_match(struct nftnl_rule *r, const char *name, size_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("match");

	nftnl_expr_set_str(e, NFTNL_EXPR_MT_NAME, name);
	nftnl_expr_set_u32(e, NFTNL_EXPR_MT_REV, 1);
	nftnl_expr_set(e, NFTNL_EXPR_MT_INFO, calloc(1, len), (uint32_t)len);
	nb_add(r, e);
}

/*
 * Issue 10: Docker's rules whatever its bridge is called (a custom bridge name, the
 * hairpin rule per published port, the addrtype rule without userland-proxy), Docker
 * 29's docker-bridges table, Podman's netavark and the CNI plugins keep their owners;
 * hairpin rules are marked as such.
 */
static void docker_shapes_and_other_owners(void **state)
{
	struct ruleset *rs;
	struct natrules nr;
	struct nftnl_rule *r;
	char br[16] = "mybridge", lo[16] = "br-x";
	uint8_t net[2] = { 10, 5 }, c[4] = { 10, 5, 0, 2 }, other[4] = { 10, 5, 0, 3 };
	uint16_t port = htons(8080);
	uint64_t h0 = nb_next_handle;
	const struct {
		const char *table, *chain;
	} plain[] = {
		{ "docker-bridges", "nat-postrouting-in-br1" },
		{ "netavark", "nat-postrouting" },
		{ "nat", "NETAVARK-1D8721804F16F" },
		{ "nat", "CNI-2bb32e4a1e" },
	};
	const enum natrule_owner want[] = { NATRULE_OWNER_DOCKER, NATRULE_OWNER_PODMAN,
					    NATRULE_OWNER_PODMAN, NATRULE_OWNER_CNI };

	assert_int_equal(ruleset_new(&rs), 0);
	nb_feed_table(rs, NFPROTO_IPV4, "nat", NULL);
	nb_feed_chain(rs, NFPROTO_IPV4, "nat", "POSTROUTING", "nat", NF_INET_POST_ROUTING, 100);
	/* -s 10.5.0.0/16 ! -o mybridge -j MASQUERADE */
	r = nb_rule(NFPROTO_IPV4, "nat", "POSTROUTING");
	nb_payload_load(r, NFT_PAYLOAD_NETWORK_HEADER, 12, 2);
	nb_cmp(r, NFT_CMP_EQ, net, sizeof(net));
	nb_meta_load(r, NFT_META_OIFNAME, NFT_REG_1);
	nb_cmp(r, NFT_CMP_NEQ, br, sizeof(br));
	nb_xt_masquerade(r, 0);
	nb_feed_rule(rs, r);
	/* -s 10.5.0.2/32 -d 10.5.0.2/32 -p tcp --dport 8080 -j MASQUERADE */
	r = nb_rule(NFPROTO_IPV4, "nat", "POSTROUTING");
	nb_payload_load(r, NFT_PAYLOAD_NETWORK_HEADER, 12, 4);
	nb_cmp(r, NFT_CMP_EQ, c, sizeof(c));
	nb_payload_load(r, NFT_PAYLOAD_NETWORK_HEADER, 16, 4);
	nb_cmp(r, NFT_CMP_EQ, c, sizeof(c));
	nb_payload_load(r, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2);
	nb_cmp(r, NFT_CMP_EQ, &port, sizeof(port));
	nb_xt_masquerade(r, 0);
	nb_feed_rule(rs, r);
	/* -o br-x -m addrtype --src-type LOCAL -j MASQUERADE */
	r = nb_rule(NFPROTO_IPV4, "nat", "POSTROUTING");
	nb_meta_load(r, NFT_META_OIFNAME, NFT_REG_1);
	nb_cmp(r, NFT_CMP_EQ, lo, sizeof(lo));
	xt_match(r, "addrtype", 12);
	nb_xt_masquerade(r, 0);
	nb_feed_rule(rs, r);
	/* not a hairpin: two different addresses */
	r = nb_rule(NFPROTO_IPV4, "nat", "POSTROUTING");
	nb_payload_load(r, NFT_PAYLOAD_NETWORK_HEADER, 12, 4);
	nb_cmp(r, NFT_CMP_EQ, c, sizeof(c));
	nb_payload_load(r, NFT_PAYLOAD_NETWORK_HEADER, 16, 4);
	nb_cmp(r, NFT_CMP_EQ, other, sizeof(other));
	nb_xt_masquerade(r, 0);
	nb_feed_rule(rs, r);
	for (size_t i = 0; i < 4; i++) {
		if (strcmp(plain[i].table, "nat") != 0)
			nb_feed_table(rs, NFPROTO_IPV4, plain[i].table, NULL);
		nb_feed_chain(rs, NFPROTO_IPV4, plain[i].table, plain[i].chain, "nat",
			      NF_INET_POST_ROUTING, 100);
		r = nb_rule(NFPROTO_IPV4, plain[i].table, plain[i].chain);
		nb_masq(r, 0);
		nb_feed_rule(rs, r);
	}

	natrules_init(&nr);
	assert_int_equal(natrules_analyze(rs, &nr), 0);
	assert_int_equal(nr.n, 8);
	assert_int_equal(find(&nr, "nat", h0)->owner, NATRULE_OWNER_DOCKER);
	assert_false(find(&nr, "nat", h0)->hairpin);
	assert_int_equal(find(&nr, "nat", h0 + 1)->owner, NATRULE_OWNER_DOCKER);
	assert_true(find(&nr, "nat", h0 + 1)->hairpin);
	assert_int_equal(find(&nr, "nat", h0 + 2)->owner, NATRULE_OWNER_DOCKER);
	assert_false(find(&nr, "nat", h0 + 2)->hairpin);
	/* the same shape as a hairpin with two addresses is nobody's in particular */
	assert_false(find(&nr, "nat", h0 + 3)->hairpin);
	assert_int_equal(find(&nr, "nat", h0 + 3)->owner, NATRULE_OWNER_UNKNOWN);
	for (unsigned int i = 0; i < nr.n; i++)
		for (size_t k = 0; k < 4; k++)
			if (strcmp(nr.v[i].chain, plain[k].chain) == 0 && nr.v[i].owner != want[k])
				fail_msg("%s %s: owner %s", plain[k].table, plain[k].chain,
					 natrules_owner_name(nr.v[i].owner));
	natrules_release(&nr);
	ruleset_free(rs);
}

/* The fallback text (offline, or when nft cannot list): meta values in host order. */
static void mark_in_host_order(void **state)
{
	struct ruleset *rs;
	struct natrules nr;
	struct nftnl_rule *r;
	uint32_t mark = 1;

	assert_int_equal(ruleset_new(&rs), 0);
	nb_feed_table(rs, NFPROTO_IPV4, "kube", NULL);
	nb_feed_chain(rs, NFPROTO_IPV4, "kube", "post", "nat", NF_INET_POST_ROUTING, 100);
	r = nb_rule(NFPROTO_IPV4, "kube", "post");
	nb_meta_load(r, NFT_META_MARK, NFT_REG_1);
	nb_cmp(r, NFT_CMP_EQ, &mark, sizeof(mark));
	nb_masq(r, 0);
	nb_feed_rule(rs, r);
	natrules_init(&nr);
	assert_int_equal(natrules_analyze(rs, &nr), 0);
	assert_int_equal(nr.n, 1);
	assert_string_equal(nr.v[0].text, "meta mark 0x00000001 masquerade");
	natrules_release(&nr);
	ruleset_free(rs);
}

static void bitwise(struct nftnl_rule *r, uint32_t mask)
{
	struct nftnl_expr *e = nftnl_expr_alloc("bitwise");
	uint32_t zero = 0;

	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, sizeof(mask));
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, &mask, sizeof(mask));
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, &zero, sizeof(zero));
	nb_add(r, e);
}

static void ct_load(struct nftnl_rule *r, uint32_t key)
{
	struct nftnl_expr *e = nftnl_expr_alloc("ct");

	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, NFT_REG_1);
	nb_add(r, e);
}

/*
 * The fallback text keeps a mask (issue 10: kube-proxy's mark rule lost it, "ct state
 * new" read "ct state != 0x00000000", which matches every state).
 */
static void masked_values_named(void **state)
{
	uint32_t mark = 0x4000, zero = 0;
	struct ruleset *rs;
	struct natrules nr;
	struct nftnl_rule *r;

	assert_int_equal(ruleset_new(&rs), 0);
	nb_feed_table(rs, NFPROTO_IPV4, "kube", NULL);
	nb_feed_chain(rs, NFPROTO_IPV4, "kube", "post", "nat", NF_INET_POST_ROUTING, 100);
	r = nb_rule(NFPROTO_IPV4, "kube", "post");
	nb_meta_load(r, NFT_META_MARK, NFT_REG_1);
	bitwise(r, mark);
	nb_cmp(r, NFT_CMP_EQ, &mark, sizeof(mark));
	ct_load(r, NFT_CT_STATE);
	bitwise(r, NF_CT_STATE_BIT(IP_CT_NEW));
	nb_cmp(r, NFT_CMP_NEQ, &zero, sizeof(zero));
	ct_load(r, NFT_CT_STATUS);
	bitwise(r, IPS_SRC_NAT);
	nb_cmp(r, NFT_CMP_NEQ, &zero, sizeof(zero));
	ct_load(r, NFT_CT_STATUS);
	bitwise(r, IPS_SRC_NAT | IPS_DST_NAT);
	nb_cmp(r, NFT_CMP_EQ, &zero, sizeof(zero));
	nb_masq(r, 0);
	nb_feed_rule(rs, r);
	natrules_init(&nr);
	assert_int_equal(natrules_analyze(rs, &nr), 0);
	assert_int_equal(nr.n, 1);
	assert_string_equal(nr.v[0].text, "meta mark & 0x00004000 == 0x00004000 ct state new "
					  "ct status snat ct status & 0x00000030 == 0x00000000 "
					  "masquerade");
	natrules_release(&nr);
	ruleset_free(rs);
}

static void legacy_tables(void **state)
{
	char dir[] = "/tmp/natscope-legacy-XXXXXX", path[64];
	struct natrules nr;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ip_tables_names", dir);
	f = fopen(path, "w");
	fputs("filter\nnat\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/ip6_tables_names", dir);
	f = fopen(path, "w");
	fputs("filter\nnatx\n", f);
	fclose(f);
	natrules_init(&nr);
	natrules_read_legacy(dir, &nr);
	assert_true(nr.legacy_nat_ipv4);
	assert_false(nr.legacy_nat_ipv6);
	unlink(path);
	snprintf(path, sizeof(path), "%s/ip_tables_names", dir);
	unlink(path);
	rmdir(dir);
	natrules_read_legacy("/nonexistent-natscope", &nr);
	assert_false(nr.legacy_nat_ipv4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(docker_style_and_native),
		cmocka_unit_test(follows_jumps_in_inet),
		cmocka_unit_test(natscope_tables_are_marked),
		cmocka_unit_test(owner_guesses),
		cmocka_unit_test(docker_shapes_and_other_owners),
		cmocka_unit_test(mark_in_host_order),
		cmocka_unit_test(masked_values_named),
		cmocka_unit_test(legacy_tables),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
