/* Single expressions: source-NAT statements (native and xt, every revision), jumps. */
#include "config.h"

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

#include <cmocka.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>

#include "nftables/natexpr.h"

#include "nftbuild.h"

/* The last expression of @r. */
static struct nftnl_expr *last(struct nftnl_rule *r)
{
	struct nftnl_expr_iter *it = nftnl_expr_iter_create(r);
	struct nftnl_expr *e, *l = NULL;

	while ((e = nftnl_expr_iter_next(it)))
		l = e;
	nftnl_expr_iter_destroy(it);
	return l;
}

static void xt_range_of_every_revision(void **state)
{
	struct nftnl_rule *r = nb_rule(NFPROTO_IPV4, "nat", "POSTROUTING");
	struct natexpr_range rg;
	struct natexpr_nat nat;
	uint8_t want4[4], want6[16];

	/* IPv4 rev 0: nf_nat_ipv4_multi_range_compat */
	nb_xt_snat(r, NFPROTO_IPV4, "198.51.100.7", 2000, 3000, NF_NAT_RANGE_PROTO_RANDOM_FULLY);
	assert_int_equal(natexpr_xt_range(last(r), NFPROTO_IPV4, &rg), 0);
	inet_pton(AF_INET, "198.51.100.7", want4);
	assert_memory_equal(rg.min_addr, want4, 4);
	assert_memory_equal(rg.max_addr, want4, 4);
	assert_int_equal(rg.min_port[0] << 8 | rg.min_port[1], 2000);
	assert_int_equal(rg.max_port[0] << 8 | rg.max_port[1], 3000);
	assert_true(rg.flags & NF_NAT_RANGE_PROTO_RANDOM_FULLY);
	assert_true(rg.flags & NF_NAT_RANGE_MAP_IPS);
	assert_int_equal(natexpr_snat(last(r), NFPROTO_IPV4, &nat), 1);
	assert_int_equal(nat.kind, NATEXPR_SNAT);
	assert_true(nat.compat && nat.addr_range && nat.port_range);
	nftnl_rule_free(r);

	/* IPv6 rev 1: nf_nat_range */
	r = nb_rule(NFPROTO_IPV6, "nat", "POSTROUTING");
	nb_xt_snat(r, NFPROTO_IPV6, "2001:db8::7", 0, 0, 0);
	assert_int_equal(natexpr_xt_range(last(r), NFPROTO_IPV6, &rg), 0);
	inet_pton(AF_INET6, "2001:db8::7", want6);
	assert_memory_equal(rg.min_addr, want6, 16);
	assert_false(rg.flags & NF_NAT_RANGE_PROTO_SPECIFIED);
	assert_int_equal(natexpr_snat(last(r), NFPROTO_IPV6, &nat), 1);
	assert_false(nat.port_range);
	nftnl_rule_free(r);
}

/* A blob shorter than its structure is refused; the statement is still recognised. */
static void short_xt_blob(void **state)
{
	struct nftnl_rule *r = nb_rule(NFPROTO_IPV4, "nat", "POSTROUTING");
	struct nftnl_expr *e = nftnl_expr_alloc("target");
	struct natexpr_range rg;
	struct natexpr_nat nat;
	uint32_t flags;
	char *blob = calloc(1, 6);

	nftnl_expr_set_str(e, NFTNL_EXPR_TG_NAME, "MASQUERADE");
	nftnl_expr_set_u32(e, NFTNL_EXPR_TG_REV, 0);
	nftnl_expr_set(e, NFTNL_EXPR_TG_INFO, blob, 6);
	nb_add(r, e);
	assert_int_equal(natexpr_xt_range(e, NFPROTO_IPV4, &rg), -EBADMSG);
	assert_int_equal(natexpr_snat(e, NFPROTO_IPV4, &nat), 1);
	assert_int_equal(nat.flags, 0);
	assert_true(natexpr_snat_flags(e, NFPROTO_IPV4, &flags));
	nftnl_rule_free(r);
}

static void native_statements_and_jumps(void **state)
{
	struct nftnl_rule *r = nb_rule(NFPROTO_INET, "t", "c");
	struct natexpr_nat nat;
	struct nftnl_expr *e;

	nb_masq(r, NF_NAT_RANGE_PROTO_RANDOM);
	e = last(r);
	assert_int_equal(natexpr_snat(e, NFPROTO_INET, &nat), 1);
	assert_int_equal(nat.kind, NATEXPR_MASQUERADE);
	assert_false(nat.compat);
	assert_int_equal(nat.flags, NF_NAT_RANGE_PROTO_RANDOM);
	assert_null(natexpr_jump(e));
	nb_verdict(r, NFT_JUMP, "sub");
	assert_string_equal(natexpr_jump(last(r)), "sub");
	assert_int_equal(natexpr_snat(last(r), NFPROTO_INET, &nat), 0);
	nb_verdict(r, NFT_GOTO, "other");
	assert_string_equal(natexpr_jump(last(r)), "other");
	nb_verdict(r, NF_ACCEPT, NULL);
	assert_null(natexpr_jump(last(r)));
	nb_snat_to(r, NFPROTO_IPV4, "192.0.2.1", 0, 0, NF_NAT_RANGE_PROTO_RANDOM_FULLY);
	assert_int_equal(natexpr_snat(last(r), NFPROTO_INET, &nat), 1);
	assert_int_equal(nat.kind, NATEXPR_SNAT);
	assert_true(nat.addr_range);
	nftnl_rule_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(xt_range_of_every_revision),
		cmocka_unit_test(short_xt_blob),
		cmocka_unit_test(native_statements_and_jumps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
