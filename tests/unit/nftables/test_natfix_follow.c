/*
 * fix --follow's parts that need no kernel: which notifications are someone else's
 * changes (NEWGEN closes a batch and names its process), when a burst has settled, and
 * whether a plan that differs from what is in force changes what the overlay does.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <libmnl/libmnl.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "nftables/natfix.h"
#include "nftables/ruleset.h"

#include "nftbuild.h"

/* One notification of type @type; NEWGEN with @pid and @name (NULL: none). */
static const struct nlmsghdr *note(char *buf, uint16_t type, uint32_t pid, const char *name,
				   size_t name_len)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));

	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | type;
	g->nfgen_family = NFPROTO_UNSPEC;
	if (type == NFT_MSG_NEWGEN) {
		mnl_attr_put_u32(nlh, NFTA_GEN_ID, htonl(42));
		mnl_attr_put_u32(nlh, NFTA_GEN_PROC_PID, htonl(pid));
		mnl_attr_put_u32(nlh, 99, 7); /* an attribute this version does not know */
		if (name)
			mnl_attr_put(nlh, NFTA_GEN_PROC_NAME, name_len, name);
	}
	return nlh;
}

static void own_batches_are_not_changes(void **state)
{
	struct natfix_monitor m = { .own_pid = 1234 };
	char buf[512];

	/* natscope's own batch: three messages, then NEWGEN with its PID */
	for (int i = 0; i < 3; i++)
		assert_int_equal(natfix_monitor_feed(note(buf, NFT_MSG_NEWRULE, 0, NULL, 0), &m),
				 0);
	natfix_monitor_feed(note(buf, NFT_MSG_NEWGEN, 1234, "natscope", 9), &m);
	assert_int_equal(m.changes, 0);
	assert_int_equal(m.own, 3);
	assert_int_equal(m.genid, 42);
	assert_string_equal(m.who, "");

	/* someone else's: counted, named (a name without its NUL is cut, never over-read) */
	natfix_monitor_feed(note(buf, NFT_MSG_DELTABLE, 0, NULL, 0), &m);
	natfix_monitor_feed(note(buf, NFT_MSG_NEWGEN, 77, "dockerd-no-nul!!xyz", 19), &m);
	assert_int_equal(m.changes, 1);
	assert_int_equal(m.batches, 1);
	assert_string_equal(m.who, "dockerd-no-nul!");

	/* a NEWGEN without messages before it (they were lost) still counts */
	natfix_monitor_feed(note(buf, NFT_MSG_NEWGEN, 78, "nft", 4), &m);
	assert_int_equal(m.changes, 2);
	assert_string_equal(m.who, "nft");

	/* another subsystem's message and a cut-short one are ignored */
	{
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

		nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | 1;
		mnl_nlmsg_put_extra_header(nlh, sizeof(struct nfgenmsg));
		natfix_monitor_feed(nlh, &m);
		nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWGEN;
		nlh->nlmsg_len = NLMSG_HDRLEN + 2;
		natfix_monitor_feed(nlh, &m);
	}
	assert_int_equal(m.changes, 2);
	assert_int_equal(m.batch_msgs, 0);

	natfix_monitor_clear(&m);
	assert_int_equal(m.changes, 0);
	assert_string_equal(m.who, "");
}

static void debounce(void **state)
{
	struct natfix_debounce d = { .quiet = 0.2, .max_wait = 1.0 };

	assert_true(natfix_debounce_wait(&d, 10.0) < 0);
	natfix_debounce_note(&d, 10.0);
	assert_float_equal(natfix_debounce_wait(&d, 10.0), 0.2, 1e-9);
	assert_float_equal(natfix_debounce_wait(&d, 10.15), 0.05, 1e-9);
	assert_float_equal(natfix_debounce_wait(&d, 10.3), 0, 0);
	/* a change every 0.1 s: due at the latest 1 s after the first */
	for (double t = 10.1; t < 10.95; t += 0.1) {
		natfix_debounce_note(&d, t);
		assert_true(natfix_debounce_wait(&d, t) > 0);
	}
	assert_float_equal(natfix_debounce_wait(&d, 10.95), 0.05, 1e-9);
	assert_float_equal(natfix_debounce_wait(&d, 11.0), 0, 0);
	natfix_debounce_clear(&d);
	assert_true(natfix_debounce_wait(&d, 11.0) < 0);
	natfix_debounce_note(&d, 12.0); /* a new burst starts its own clock */
	assert_float_equal(natfix_debounce_wait(&d, 12.0), 0.2, 1e-9);
}

/* table ip nat, chain post: masquerade 10.<n>.0.0/16 for each n in @nets. */
static void feed(struct ruleset *rs, const uint8_t *nets, size_t n)
{
	nb_feed_table(rs, NFPROTO_IPV4, "nat", NULL);
	nb_feed_chain(rs, NFPROTO_IPV4, "nat", "post", "nat", NF_INET_POST_ROUTING, 100);
	for (size_t i = 0; i < n; i++) {
		struct nftnl_rule *r = nb_rule(NFPROTO_IPV4, "nat", "post");
		uint8_t net[2] = { 10, nets[i] };

		nftnl_rule_set_u64(r, NFTNL_RULE_HANDLE, 100 + nets[i]);
		nb_payload_load(r, NFT_PAYLOAD_NETWORK_HEADER, 12, 2);
		nb_cmp(r, NFT_CMP_EQ, net, sizeof(net));
		nb_masq(r, 0);
		nb_feed_rule(rs, r);
	}
}

static uint32_t next_seq(void *ctx)
{
	return (*(uint32_t *)ctx)++;
}

/* The overlay applied for @before, the source rules now @after: needed? */
static int needed(const uint8_t *before, size_t nb, const uint8_t *after, size_t na,
		  struct natfix_need *n, char *why, size_t len)
{
	struct natfix_opts o = { 0 };
	struct ruleset *rs, *now;
	struct natfix_plan *p;
	struct natfix_batch *b;
	uint32_t seq = 1;
	int ret;

	assert_int_equal(ruleset_new(&rs), 0);
	feed(rs, before, nb);
	assert_int_equal(ruleset_new(&now), 0);
	feed(now, after, na);
	assert_int_equal(natfix_plan_new(rs, 1, &o, &p), 0);
	assert_int_equal(natfix_batch_new(p, next_seq, &seq, &b), 0);
	if (nb)
		nb_feed_batch(now, b, NULL, NULL);
	natfix_batch_free(b);
	natfix_plan_free(p);
	assert_int_equal(natfix_plan_new(now, 2, &o, &p), 0);
	ret = natfix_plan_needed(p, now, n);
	assert_int_equal(natfix_need_describe(n, why, len), 0);
	natfix_plan_free(p);
	ruleset_free(now);
	ruleset_free(rs);
	return ret;
}

static void plan_needed(void **state)
{
	const uint8_t ab[] = { 1, 2 }, ba[] = { 2, 1 }, a[] = { 1 };
	struct natfix_need n;
	char why[128];

	/* nothing changed: no plan changes, nothing needed */
	assert_int_equal(needed(ab, 2, ab, 2, &n, why, sizeof(why)), 0);
	assert_string_equal(why, "");
	/* a restart's other order of disjoint rules: the same effect */
	assert_int_equal(needed(ab, 2, ba, 2, &n, why, sizeof(why)), 0);
	assert_string_equal(why, "4 rules reordered harmlessly");
	/* a rule added: uncovered */
	assert_int_equal(needed(a, 1, ab, 2, &n, why, sizeof(why)), 1);
	assert_string_equal(why, "1 rule uncovered");
	/* a rule removed: its mirror is dangerous */
	assert_int_equal(needed(ab, 2, a, 1, &n, why, sizeof(why)), 1);
	assert_string_equal(why, "1 rule dangerous");
	assert_int_equal(n.cover[NATRULE_COVER_DANGEROUS], 1);
	/* no overlay yet: the table is to add */
	assert_int_equal(needed(NULL, 0, ab, 2, &n, why, sizeof(why)), 1);
	assert_true(n.tables);
	assert_string_equal(why, "2 rules uncovered");
	/* too small a buffer says so */
	assert_int_equal(needed(NULL, 0, ab, 2, &n, why, sizeof(why)), 1);
	assert_int_equal(natfix_need_describe(&n, why, 8), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(own_batches_are_not_changes),
		cmocka_unit_test(debounce),
		cmocka_unit_test(plan_needed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
