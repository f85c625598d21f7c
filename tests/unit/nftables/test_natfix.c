/* The fix planner without a kernel: in-memory rulesets, plans read through their script. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libnftnl/expr.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>

#include "nftables/natfix.h"
#include "nftables/natrules.h"
#include "nftables/owner.h"
#include "nftables/ruleset.h"
#include "nftbuild.h"

/*
 * The script is nft's own text of the plan applied to an empty namespace (natfix_render.c):
 * it needs root and a kernel with nf_tables, which CI has; elsewhere these checks skip, and
 * under valgrind (contrib/test.sh), which follows the fork into libnftables.
 */
static char *script(const struct natfix_plan *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	char why[160];

	if (geteuid() != 0 || getenv("NATSCOPE_VALGRIND"))
		return NULL; /* the callers' checks of it are left out */
	f = open_memstream(&buf, &len);

	assert_int_equal(natfix_plan_script(p, f, why, sizeof(why)), 0);
	fclose(f);
	return buf;
}

/* table ip nat: Docker's iptables-nft rule, plus a named-set chain elsewhere. */
static struct ruleset *docker_ruleset(const char *natscope_comment)
{
	struct ruleset *rs;
	struct nftnl_rule *r;
	char ifname[16] = "docker0";
	uint8_t net[2] = { 172, 17 };

	assert_int_equal(ruleset_new(&rs), 0);
	nb_feed_table(rs, NFPROTO_IPV4, "nat", NULL);
	nb_feed_chain(rs, NFPROTO_IPV4, "nat", "POSTROUTING", "nat", NF_INET_POST_ROUTING, 100);
	r = nb_rule(NFPROTO_IPV4, "nat", "POSTROUTING");
	nb_meta_load(r, NFT_META_OIFNAME, NFT_REG_1);
	nb_cmp(r, NFT_CMP_NEQ, ifname, sizeof(ifname));
	nb_payload_load(r, NFT_PAYLOAD_NETWORK_HEADER, 12, 2);
	nb_cmp(r, NFT_CMP_EQ, net, sizeof(net));
	nb_counter(r);
	nb_xt_masquerade(r, 0);
	nb_feed_rule(rs, r);

	nb_feed_table(rs, NFPROTO_IPV4, "other", NULL);
	nb_feed_chain(rs, NFPROTO_IPV4, "other", "post", "nat", NF_INET_POST_ROUTING, 50);
	r = nb_rule(NFPROTO_IPV4, "other", "post");
	nb_payload_load(r, NFT_PAYLOAD_NETWORK_HEADER, 12, 4);
	{
		struct nftnl_expr *e = nftnl_expr_alloc("lookup");

		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
		nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, "allowed");
		nb_add(r, e);
	}
	nb_masq(r, 0);
	nb_feed_rule(rs, r);

	if (natscope_comment) {
		nb_feed_table(rs, NFPROTO_IPV4, NATFIX_TABLE, natscope_comment);
		nb_feed_chain(rs, NFPROTO_IPV4, NATFIX_TABLE, "nat/POSTROUTING", "nat",
			      NF_INET_POST_ROUTING, 99);
	}
	return rs;
}

static void mirrors_xt_masquerade_as_native(void **state)
{
	struct ruleset *rs = docker_ruleset(NULL);
	struct natfix_opts o = { 0 };
	struct natfix_plan *p;
	char *text;

	assert_int_equal(natfix_plan_new(rs, 7, &o, &p), 0);
	assert_true(natfix_plan_has_changes(p));
	assert_int_equal(natfix_plan_nmirrored(p), 1);
	assert_int_equal(natfix_plan_nskipped(p), 1);
	assert_true(natfix_plan_mirrors(p, NFPROTO_IPV4, "nat", "POSTROUTING"));
	assert_false(natfix_plan_mirrors(p, NFPROTO_IPV4, "other", "post"));
	text = script(p);
	if (text) {
		assert_non_null(strstr(text, "# natscope fix: planned at ruleset generation 7\n"));
		assert_non_null(strstr(text, "# skip   ip other post: it references set @allowed"));
		assert_non_null(
			strstr(text, "table ip natscope {\n\tcomment \"natscope-managed v2\"\n"));
		assert_non_null(strstr(text,
				       "\tchain nat/POSTROUTING {\n\t\ttype nat hook postrouting "
				       "priority srcnat - 1; policy accept;\n"));
		/* the xt target became the native statement; the counter starts again at zero */
		assert_non_null(strstr(text,
				       "\t\toifname != \"docker0\" ip saddr 172.17.0.0/16 counter "
				       "packets 0 bytes 0 masquerade fully-random\n"));
		assert_null(strstr(text, "(xt)"));
		assert_null(strstr(text, "delete table"));
	}
	free(text);
	natfix_plan_free(p);
	ruleset_free(rs);
}

/* The scope is part of the mark, so that audit can plan again with it. */
static void mark_records_the_scope(void **state)
{
	struct ruleset *rs = docker_ruleset(NULL);
	struct natfix_opts scoped = { .oif = "eth0", .saddr = "10.0.0.0/8" };
	struct natfix_plan *p;
	struct owner_mark m;

	assert_int_equal(natfix_plan_new(rs, 7, &scoped, &p), 0);
	assert_string_equal(natfix_plan_comment(p, NFPROTO_IPV4),
			    "natscope-managed v2 oif=eth0 saddr=10.0.0.0/8");
	assert_string_equal(natfix_plan_comment(p, NFPROTO_IPV6), "");
	assert_int_equal(owner_mark_parse(natfix_plan_comment(p, NFPROTO_IPV4), &m), 0);
	assert_string_equal(m.oif, "eth0");
	assert_string_equal(m.saddr, "10.0.0.0/8");
	natfix_plan_free(p);
	ruleset_free(rs);
}

static void revert_and_ownership(void **state)
{
	struct ruleset *rs = docker_ruleset(OWNER_MARK " v2");
	struct natfix_opts revert = { .revert = true }, o = { 0 };
	struct natfix_plan *p;
	char *text;

	assert_int_equal(natfix_plan_new(rs, 3, &revert, &p), 0);
	text = script(p);
	if (text) {
		assert_non_null(strstr(text, "delete table ip natscope\n"));
		assert_null(strstr(text, "table ip natscope {"));
	}
	free(text);
	natfix_plan_free(p);
	ruleset_free(rs);

	/* a table called natscope without the mark is someone else's */
	rs = docker_ruleset("hand-made");
	assert_int_equal(natfix_plan_new(rs, 3, &o, &p), -EEXIST);
	ruleset_free(rs);
}

static void scope_and_in_place(void **state)
{
	struct ruleset *rs;
	struct natfix_opts o = { .oif = "wan0", .saddr = "10.1.0.0/16" };
	struct natfix_plan *p;
	struct nftnl_rule *r;
	char *text;
	uint64_t h;

	/* guards at the head of the mirrored base chain */
	rs = docker_ruleset(NULL);
	assert_int_equal(natfix_plan_new(rs, 1, &o, &p), 0);
	text = script(p);
	if (text) {
		assert_non_null(strstr(text, "\t\toifname != \"wan0\" return\n"
					     "\t\tip saddr != 10.1.0.0/16 return\n"));
	}
	free(text);
	natfix_plan_free(p);
	o.saddr = "10.1.0.0/33";
	assert_int_equal(natfix_plan_new(rs, 1, &o, &p), -EINVAL);
	ruleset_free(rs);

	/* --in-place: the native rule is replaced by handle, the xt one left alone */
	assert_int_equal(ruleset_new(&rs), 0);
	nb_feed_table(rs, NFPROTO_IPV4, "nat", NULL);
	nb_feed_chain(rs, NFPROTO_IPV4, "nat", "post", "nat", NF_INET_POST_ROUTING, 100);
	h = nb_next_handle;
	r = nb_rule(NFPROTO_IPV4, "nat", "post");
	nb_snat_to(r, NFPROTO_IPV4, "192.0.2.1", 1000, 2000, NF_NAT_RANGE_PROTO_RANDOM);
	nb_feed_rule(rs, r);
	r = nb_rule(NFPROTO_IPV4, "nat", "post");
	nb_xt_masquerade(r, 0);
	nb_feed_rule(rs, r);
	{
		struct natfix_opts inplace = { .in_place = true };
		char want[160];

		assert_int_equal(natfix_plan_new(rs, 1, &inplace, &p), 0);
		assert_true(natfix_plan_has_changes(p));
		assert_int_equal(natfix_plan_nskipped(p), 1);
		text = script(p);
		if (text) {
			snprintf(want, sizeof(want),
				 "replace rule ip nat post handle %llu snat to 192.0.2.1:1000-2000 "
				 "random,fully-random\n",
				 (unsigned long long)h);
			assert_non_null(strstr(text, want));
			assert_null(strstr(text, "table ip natscope"));
		}
		free(text);
		natfix_plan_free(p);
	}
	ruleset_free(rs);
}

/* No source NAT at all: --oif brings a plain masquerade fully-random. */
static void plain_masquerade_for_scope(void **state)
{
	struct ruleset *rs;
	struct natfix_opts o = { .oif = "wan0" };
	struct natfix_plan *p;
	char *text;

	assert_int_equal(ruleset_new(&rs), 0);
	assert_int_equal(natfix_plan_new(rs, 1, &o, &p), 0);
	text = script(p);
	if (text) {
		assert_non_null(strstr(text, "table inet natscope {"));
		assert_non_null(
			strstr(text, "\tchain scope {\n\t\ttype nat hook postrouting priority "
				     "srcnat - 1; policy accept;\n\t\toifname != \"wan0\" return\n"
				     "\t\tmasquerade fully-random\n"));
	}
	free(text);
	natfix_plan_free(p);
	/* without a scope, nothing to mirror means nothing to do */
	o.oif = NULL;
	assert_int_equal(natfix_plan_new(rs, 1, &o, &p), 0);
	assert_false(natfix_plan_has_changes(p));
	natfix_plan_free(p);
	ruleset_free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mirrors_xt_masquerade_as_native),
		cmocka_unit_test(mark_records_the_scope),
		cmocka_unit_test(revert_and_ownership),
		cmocka_unit_test(scope_and_in_place),
		cmocka_unit_test(plain_masquerade_for_scope),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
