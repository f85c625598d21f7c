/*
 * The apply batch, built in memory and parsed back the way libnftnl's own tests do:
 * batch begin with the planned generation id, the messages in order with their flags,
 * consecutive sequence numbers that map back to what each message does, batch end.
 */
#include "config.h"

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libmnl/libmnl.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "nftables/natfix.h"
#include "nftables/natrules.h"
#include "nftables/owner.h"
#include "nftables/ruleset.h"

#include "nftbuild.h"

static uint32_t counter(void *ctx)
{
	return (*(uint32_t *)ctx)++;
}

/* table ip nat { chain post { type nat hook postrouting priority 100; masquerade } } */
static struct ruleset *plain_masquerade(const char *natscope_comment)
{
	struct ruleset *rs;
	struct nftnl_rule *r;

	assert_int_equal(ruleset_new(&rs), 0);
	nb_feed_table(rs, NFPROTO_IPV4, "nat", NULL);
	nb_feed_chain(rs, NFPROTO_IPV4, "nat", "post", "nat", NF_INET_POST_ROUTING, 100);
	r = nb_rule(NFPROTO_IPV4, "nat", "post");
	nb_masq(r, 0);
	nb_feed_rule(rs, r);
	if (natscope_comment)
		nb_feed_table(rs, NFPROTO_IPV4, NATFIX_TABLE, natscope_comment);
	return rs;
}

struct seen {
	uint16_t type[32], flags[32];
	uint32_t seq[32];
	unsigned int n;
	uint32_t genid;
	bool rule_fully_random;
	char comment[256];
};

static int comment_cb(const struct nftnl_udata *attr, void *data)
{
	if (nftnl_udata_type(attr) == NFTNL_UDATA_TABLE_COMMENT)
		snprintf(data, 256, "%s", (const char *)nftnl_udata_get(attr));
	return 0;
}

static void look_inside(const struct nlmsghdr *nlh, struct seen *s)
{
	uint16_t msg = NFNL_MSG_TYPE(nlh->nlmsg_type);

	if (nlh->nlmsg_type == NFNL_MSG_BATCH_BEGIN) {
		const struct nlattr *a;

		mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg))
			if (mnl_attr_get_type(a) == NFNL_BATCH_GENID)
				s->genid = ntohl(mnl_attr_get_u32(a));
	} else if (msg == NFT_MSG_NEWRULE) {
		struct nftnl_rule *r = nftnl_rule_alloc();
		struct nftnl_expr_iter *it;
		struct nftnl_expr *e;

		assert_int_equal(nftnl_rule_nlmsg_parse(nlh, r), 0);
		it = nftnl_expr_iter_create(r);
		while ((e = nftnl_expr_iter_next(it)))
			if (strcmp(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), "masq") == 0)
				s->rule_fully_random =
					nftnl_expr_get_u32(e, NFTNL_EXPR_MASQ_FLAGS) &
					NF_NAT_RANGE_PROTO_RANDOM_FULLY;
		nftnl_expr_iter_destroy(it);
		nftnl_rule_free(r);
	} else if (msg == NFT_MSG_NEWTABLE) {
		struct nftnl_table *t = nftnl_table_alloc();
		const void *ud;
		uint32_t len;

		assert_int_equal(nftnl_table_nlmsg_parse(nlh, t), 0);
		assert_string_equal(nftnl_table_get_str(t, NFTNL_TABLE_NAME), NATFIX_TABLE);
		ud = nftnl_table_get_data(t, NFTNL_TABLE_USERDATA, &len);
		assert_non_null(ud);
		nftnl_udata_parse(ud, len, comment_cb, s->comment);
		nftnl_table_free(t);
	}
}

static void parse_batch(const struct natfix_batch *b, struct seen *s)
{
	size_t len;
	const void *buf = natfix_batch_data(b, &len);
	const struct nlmsghdr *nlh = buf;
	int left = (int)len;

	memset(s, 0, sizeof(*s));
	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		assert_true(s->n < 32);
		s->type[s->n] = nlh->nlmsg_type;
		s->flags[s->n] = nlh->nlmsg_flags;
		s->seq[s->n++] = nlh->nlmsg_seq;
		look_inside(nlh, s);
	}
	assert_int_equal(left, 0); /* nothing after the last message */
	assert_int_equal(s->n, natfix_batch_nmsgs(b));
}

#define NFT(m) ((NFNL_SUBSYS_NFTABLES << 8) | (m))

static void builds_a_generation_bound_batch(void **state)
{
	struct ruleset *rs = plain_masquerade(NULL);
	struct natfix_opts o = { 0 };
	struct natfix_plan *p;
	struct natfix_batch *b;
	uint32_t seq = 1000;
	struct seen s;

	assert_int_equal(natfix_plan_new(rs, 4242, &o, &p), 0);
	assert_int_equal(natfix_batch_new(p, counter, &seq, &b), 0);
	parse_batch(b, &s);
	/* begin, table, the mirror chain and the count chain, their rules, end */
	assert_int_equal(s.n, 7);
	assert_int_equal(s.type[0], NFNL_MSG_BATCH_BEGIN);
	assert_int_equal(s.genid, 4242);
	assert_int_equal(s.type[1], NFT(NFT_MSG_NEWTABLE));
	assert_int_equal(s.type[2], NFT(NFT_MSG_NEWCHAIN));
	assert_int_equal(s.type[3], NFT(NFT_MSG_NEWCHAIN));
	assert_int_equal(s.type[4], NFT(NFT_MSG_NEWRULE));
	assert_int_equal(s.type[5], NFT(NFT_MSG_NEWRULE));
	assert_int_equal(s.type[6], NFNL_MSG_BATCH_END);
	for (unsigned int i = 1; i < 6; i++) {
		assert_true(s.flags[i] & NLM_F_REQUEST);
		assert_true(s.flags[i] & NLM_F_ACK); /* every message is answered */
		assert_true(s.flags[i] & NLM_F_CREATE);
	}
	assert_true(s.flags[4] & NLM_F_APPEND);
	assert_true(s.flags[5] & NLM_F_APPEND);
	for (unsigned int i = 0; i < s.n; i++)
		assert_int_equal(s.seq[i], 1000 + i);
	assert_true(s.rule_fully_random);
	assert_non_null(strstr(s.comment, OWNER_MARK " v2"));
	assert_string_equal(s.comment, natfix_plan_comment(p, NFPROTO_IPV4));
	/* sequence numbers map back to the message, for error reports */
	assert_string_equal(natfix_batch_what(b, 1000), "batch begin");
	assert_string_equal(natfix_batch_what(b, 1001), "add table ip natscope");
	assert_string_equal(natfix_batch_what(b, 1002), "add chain ip natscope nat/post");
	assert_string_equal(natfix_batch_what(b, 1003), "add chain ip natscope count");
	assert_non_null(strstr(natfix_batch_what(b, 1004), "masquerade fully-random"));
	assert_non_null(strstr(natfix_batch_what(b, 1005), "ct state new ct status snat counter"));
	assert_null(natfix_batch_what(b, 999));
	natfix_batch_free(b);
	natfix_plan_free(p);
	ruleset_free(rs);
}

/* An overlay that changes is deleted and added in the same batch; a revert only deletes. */
static void replaces_and_reverts_atomically(void **state)
{
	struct ruleset *rs = plain_masquerade(OWNER_MARK " v1 digest=0000000000000000");
	struct natfix_opts o = { 0 }, rev = { .revert = true };
	struct natfix_plan *p;
	struct natfix_batch *b;
	uint32_t seq = 1;
	struct seen s;

	assert_int_equal(natfix_plan_new(rs, 9, &o, &p), 0);
	assert_int_equal(natfix_batch_new(p, counter, &seq, &b), 0);
	parse_batch(b, &s);
	assert_int_equal(s.type[1], NFT(NFT_MSG_DELTABLE));
	assert_false(s.flags[1] & NLM_F_CREATE);
	assert_int_equal(s.type[2], NFT(NFT_MSG_NEWTABLE));
	assert_int_equal(s.type[s.n - 1], NFNL_MSG_BATCH_END);
	natfix_batch_free(b);
	natfix_plan_free(p);

	assert_int_equal(natfix_plan_new(rs, 9, &rev, &p), 0);
	assert_int_equal(natfix_batch_new(p, counter, &seq, &b), 0);
	parse_batch(b, &s);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.type[1], NFT(NFT_MSG_DELTABLE));
	natfix_batch_free(b);
	natfix_plan_free(p);
	ruleset_free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(builds_a_generation_bound_batch),
		cmocka_unit_test(replaces_and_reverts_atomically),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
