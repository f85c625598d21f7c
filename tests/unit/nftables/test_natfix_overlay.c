/*
 * natscope's overlay judged by what it holds: a plan is applied to an in-memory ruleset
 * (its batch fed back as the kernel would keep it), damaged on the way in, and planned
 * again.  Also the names the overlay gives its chains, and sets too large for one
 * message.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "nftables/natfix.h"
#include "nftables/natrules.h"
#include "nftables/owner.h"
#include "nftables/ruleset.h"

#include "nftbuild.h"

static uint32_t next_seq(void *ctx)
{
	return (*(uint32_t *)ctx)++;
}

/* table ip nat { chain post { masquerade; jump sub } chain sub { ip saddr 10.9.0.0/16 masq } } */
static void feed_source(struct ruleset *rs)
{
	struct nftnl_rule *r;
	uint8_t net[2] = { 10, 9 };

	nb_feed_table(rs, NFPROTO_IPV4, "nat", NULL);
	nb_feed_chain(rs, NFPROTO_IPV4, "nat", "post", "nat", NF_INET_POST_ROUTING, 100);
	nb_feed_chain(rs, NFPROTO_IPV4, "nat", "sub", NULL, -1, 0);
	r = nb_rule(NFPROTO_IPV4, "nat", "post");
	nb_verdict(r, NFT_JUMP, "sub");
	nb_feed_rule(rs, r);
	r = nb_rule(NFPROTO_IPV4, "nat", "post");
	nb_counter(r);
	nb_masq(r, 0);
	nb_feed_rule(rs, r);
	r = nb_rule(NFPROTO_IPV4, "nat", "sub");
	nb_payload_load(r, NFT_PAYLOAD_NETWORK_HEADER, 12, 2);
	nb_cmp(r, NFT_CMP_EQ, net, sizeof(net));
	nb_masq(r, 0);
	nb_feed_rule(rs, r);
}

enum damage {
	AS_PLANNED,
	FLUSHED,	 /* the mirror chains hold no rules */
	NOT_RANDOM,	 /* fully-random taken off the mirrored masquerade */
	COUNTERS_MOVED,	 /* traffic went through: counter values differ, nothing else */
	EXTRA_CHAIN,	 /* someone added a base chain to natscope's table */
	ELEMENT_MISSING, /* an anonymous set lost an element */
};

/* Feed a rule message again with its masquerade's flags cleared or its counter bumped. */
static bool changed_rule(const struct nlmsghdr *nlh, struct ruleset *rs, enum damage d)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nftnl_expr_iter *it;
	struct nftnl_expr *e;
	char buf[8192];
	struct nlmsghdr *out;

	assert_int_equal(nftnl_rule_nlmsg_parse(nlh, r), 0);
	it = nftnl_expr_iter_create(r);
	while ((e = nftnl_expr_iter_next(it))) {
		const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);

		if (d == NOT_RANDOM && strcmp(name, "masq") == 0)
			nftnl_expr_set_u32(e, NFTNL_EXPR_MASQ_FLAGS, 0);
		if (d == COUNTERS_MOVED && strcmp(name, "counter") == 0)
			nftnl_expr_set_u64(e, NFTNL_EXPR_CTR_PACKETS, 12345);
	}
	nftnl_expr_iter_destroy(it);
	out = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWRULE, NFPROTO_IPV4, 0, 1);
	nftnl_rule_nlmsg_build_payload(out, r);
	nftnl_rule_free(r);
	assert_int_equal(ruleset_add(rs, out), 0);
	return false;
}

static bool damage(const struct nlmsghdr *nlh, struct ruleset *rs, void *ctx)
{
	enum damage d = *(enum damage *)ctx;
	uint16_t type = NFNL_MSG_TYPE(nlh->nlmsg_type);

	if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES)
		return true;
	if (type == NFT_MSG_NEWRULE && d == FLUSHED)
		return false;
	if (type == NFT_MSG_NEWRULE && (d == NOT_RANDOM || d == COUNTERS_MOVED))
		return changed_rule(nlh, rs, d);
	if (type == NFT_MSG_NEWSETELEM && d == ELEMENT_MISSING) {
		static char buf[RULESET_MAX_MSG * 2];
		struct nftnl_set *st = nftnl_set_alloc();
		struct nftnl_set_elems_iter *it;
		struct nftnl_set *less = nftnl_set_alloc();
		struct nftnl_set_elem *el;
		struct nlmsghdr *out;
		bool first = true;

		assert_int_equal(nftnl_set_elems_nlmsg_parse(nlh, st), 0);
		nftnl_set_set_str(less, NFTNL_SET_TABLE, nftnl_set_get_str(st, NFTNL_SET_TABLE));
		nftnl_set_set_str(less, NFTNL_SET_NAME, nftnl_set_get_str(st, NFTNL_SET_NAME));
		it = nftnl_set_elems_iter_create(st);
		while ((el = nftnl_set_elems_iter_next(it))) {
			struct nftnl_set_elem *copy = nftnl_set_elem_alloc();
			uint32_t len;
			const void *key = nftnl_set_elem_get(el, NFTNL_SET_ELEM_KEY, &len);

			if (first) { /* the first element is lost */
				first = false;
				nftnl_set_elem_free(copy);
				continue;
			}
			nftnl_set_elem_set(copy, NFTNL_SET_ELEM_KEY, key, len);
			if (nftnl_set_elem_is_set(el, NFTNL_SET_ELEM_USERDATA)) {
				const void *ud =
					nftnl_set_elem_get(el, NFTNL_SET_ELEM_USERDATA, &len);

				nftnl_set_elem_set(copy, NFTNL_SET_ELEM_USERDATA, ud, len);
			}
			nftnl_set_elem_add(less, copy);
		}
		nftnl_set_elems_iter_destroy(it);
		out = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWSETELEM, NFPROTO_IPV4, 0, 1);
		nftnl_set_elems_nlmsg_build_payload(out, less);
		ruleset_elems_parseable(out);
		assert_int_equal(ruleset_add(rs, out), 0);
		nftnl_set_free(st);
		nftnl_set_free(less);
		return false;
	}
	return true;
}

/* Plan against @src, apply the batch with @d to a copy of the source, plan again. */
static bool replan_changes(void (*feed)(struct ruleset *), enum damage d, bool *verified)
{
	struct ruleset *rs, *after;
	struct natfix_opts o = { 0 };
	struct natfix_plan *p, *again;
	struct natfix_batch *b;
	uint32_t seq = 1, family;
	bool changes;

	assert_int_equal(ruleset_new(&rs), 0);
	feed(rs);
	assert_int_equal(natfix_plan_new(rs, 1, &o, &p), 0);
	assert_true(natfix_plan_has_changes(p));
	assert_int_equal(natfix_batch_new(p, next_seq, &seq, &b), 0);

	assert_int_equal(ruleset_new(&after), 0);
	feed(after);
	nb_feed_batch(after, b, damage, &d);
	if (d == EXTRA_CHAIN)
		nb_feed_chain(after, NFPROTO_IPV4, NATFIX_TABLE, "intruder", "nat",
			      NF_INET_POST_ROUTING, 0);
	*verified = natfix_plan_verify(p, after, &family) == 0;
	assert_int_equal(natfix_plan_new(after, 2, &o, &again), 0);
	changes = natfix_plan_has_changes(again);
	natfix_plan_free(again);
	natfix_batch_free(b);
	natfix_plan_free(p);
	ruleset_free(after);
	ruleset_free(rs);
	return changes;
}

static void judged_by_content(void **state)
{
	bool verified;

	assert_false(replan_changes(feed_source, AS_PLANNED, &verified));
	assert_true(verified);
	assert_false(replan_changes(feed_source, COUNTERS_MOVED, &verified));
	assert_true(verified);
	/* issue 9, item 13: a hand-damaged overlay under an intact mark */
	assert_true(replan_changes(feed_source, FLUSHED, &verified));
	assert_false(verified);
	assert_true(replan_changes(feed_source, NOT_RANDOM, &verified));
	assert_false(verified);
	assert_true(replan_changes(feed_source, EXTRA_CHAIN, &verified));
	assert_false(verified);
}

/* Issue 9, item 2: 1,000 elements with comments, 250 KB of elements, no fixed scratch. */
static void feed_big_set(struct ruleset *rs)
{
	struct nftnl_rule *r;

	nb_feed_table(rs, NFPROTO_IPV4, "nat", NULL);
	nb_feed_chain(rs, NFPROTO_IPV4, "nat", "post", "nat", NF_INET_POST_ROUTING, 100);
	nb_feed_anon_set(rs, NFPROTO_IPV4, "nat", 1000, 200);
	r = nb_rule(NFPROTO_IPV4, "nat", "post");
	nb_payload_load(r, NFT_PAYLOAD_NETWORK_HEADER, 12, 4);
	nb_lookup(r, "__set0");
	nb_masq(r, 0);
	nb_feed_rule(rs, r);
}

static void large_anonymous_set(void **state)
{
	bool verified;

	assert_false(replan_changes(feed_big_set, AS_PLANNED, &verified));
	assert_true(verified);
	assert_true(replan_changes(feed_big_set, ELEMENT_MISSING, &verified));
	assert_false(verified);
}

/* Issue 9, item 14: nat + x-post and nat-x + post get different mirrors. */
static void mirror_names_are_injective(void **state)
{
	struct ruleset *rs;
	struct natfix_opts o = { 0 };
	struct natfix_plan *p;
	struct natfix_batch *b;
	uint32_t seq = 1;
	const char *tables[] = { "nat", "nat-x", "a.b", "a/b", "a.sb" };
	const char *chains[] = { "x-post", "post", "c", "c", "c" };
	const char *want[] = { "nat/x-post", "nat-x/post", "a..b/c", "a.sb/c", "a..sb/c" };

	assert_int_equal(ruleset_new(&rs), 0);
	for (size_t i = 0; i < 5; i++) {
		struct nftnl_rule *r;

		nb_feed_table(rs, NFPROTO_IPV4, tables[i], NULL);
		nb_feed_chain(rs, NFPROTO_IPV4, tables[i], chains[i], "nat", NF_INET_POST_ROUTING,
			      100);
		r = nb_rule(NFPROTO_IPV4, tables[i], chains[i]);
		nb_masq(r, 0);
		nb_feed_rule(rs, r);
	}
	assert_int_equal(natfix_plan_new(rs, 1, &o, &p), 0);
	assert_int_equal(natfix_plan_nmirrored(p), 5);
	assert_int_equal(natfix_batch_new(p, next_seq, &seq, &b), 0);
	for (size_t i = 0; i < 5; i++) {
		char what[300];
		bool found = false;

		snprintf(what, sizeof(what), "add chain ip natscope %s", want[i]);
		for (uint32_t s = 1; s < seq; s++)
			found |= natfix_batch_what(b, s) &&
				 strcmp(natfix_batch_what(b, s), what) == 0;
		if (!found)
			fail_msg("no '%s' in the batch", what);
	}
	natfix_batch_free(b);
	natfix_plan_free(p);
	ruleset_free(rs);
}

/* A mirror name past 255 bytes is not made up: the chain is skipped with the reason. */
static void too_long_a_mirror_name(void **state)
{
	struct ruleset *rs;
	struct natfix_opts o = { 0 };
	struct natfix_plan *p;
	struct nftnl_rule *r;
	char table[200], chain[200];

	memset(table, 't', sizeof(table) - 1);
	table[sizeof(table) - 1] = '\0';
	memset(chain, 'c', sizeof(chain) - 1);
	chain[sizeof(chain) - 1] = '\0';
	assert_int_equal(ruleset_new(&rs), 0);
	nb_feed_table(rs, NFPROTO_IPV4, table, NULL);
	nb_feed_chain(rs, NFPROTO_IPV4, table, chain, "nat", NF_INET_POST_ROUTING, 100);
	r = nb_rule(NFPROTO_IPV4, table, chain);
	nb_masq(r, 0);
	nb_feed_rule(rs, r);
	assert_int_equal(natfix_plan_new(rs, 1, &o, &p), 0);
	assert_int_equal(natfix_plan_nmirrored(p), 0);
	assert_int_equal(natfix_plan_nskipped(p), 1);
	assert_non_null(strstr(natfix_plan_note(p, 0), "longer than 255 bytes"));
	natfix_plan_free(p);
	ruleset_free(rs);
}

/* Issue 9, item 21: names nft syntax cannot write stop the script, whole. */
static void script_names(void **state)
{
	struct ruleset *rs;
	struct natfix_opts o = { 0 };
	struct natfix_plan *p;
	struct nftnl_rule *r;
	char *buf = NULL, why[160] = "";
	size_t len = 0;
	FILE *f;

	assert_int_equal(ruleset_new(&rs), 0);
	nb_feed_table(rs, NFPROTO_IPV4, "nat", NULL);
	nb_feed_chain(rs, NFPROTO_IPV4, "nat", "post\n}\ntable ip evil {", "nat",
		      NF_INET_POST_ROUTING, 100);
	r = nb_rule(NFPROTO_IPV4, "nat", "post\n}\ntable ip evil {");
	nb_masq(r, 0);
	nb_feed_rule(rs, r);
	assert_int_equal(natfix_plan_new(rs, 1, &o, &p), 0);
	f = open_memstream(&buf, &len);
	assert_int_equal(natfix_plan_script(p, f, why, sizeof(why)), -EILSEQ);
	fclose(f);
	assert_int_equal(len, 0); /* nothing written */
	assert_non_null(strstr(why, "chain nat/post"));
	free(buf);
	natfix_plan_free(p);

	/* a --oif nft cannot quote, or the kernel would refuse, is refused */
	o.oif = "a\"b";
	assert_int_equal(natfix_plan_new(rs, 1, &o, &p), -EINVAL);
	o.oif = "sixteen-bytes-xx";
	assert_int_equal(natfix_plan_new(rs, 1, &o, &p), -EINVAL);
	ruleset_free(rs);
}

/*
 * Coverage by effect (issues 10 and 22): table ip nat, chain post, one rule per letter of
 * @rules: 'a' masquerades 10.1.0.0/16, 'b' 10.2.0.0/16 (disjoint from a), 'c' masquerades
 * all (overlaps both), 'w' masquerades 10.0.0.0/8 (a and b widened), 'x' returns
 * 10.1.5.0/24 (an exclusion inside a's traffic, disjoint from b's).  Handles follow the
 * letter, so a rule keeps its handle when it moves.
 */
static void feed_rules(struct ruleset *rs, const char *rules)
{
	nb_feed_table(rs, NFPROTO_IPV4, "nat", NULL);
	nb_feed_chain(rs, NFPROTO_IPV4, "nat", "post", "nat", NF_INET_POST_ROUTING, 100);
	for (const char *c = rules; *c; c++) {
		struct nftnl_rule *r = nb_rule(NFPROTO_IPV4, "nat", "post");
		uint8_t net[3] = { 10, (uint8_t)(*c - 'a' + 1), 5 };

		nftnl_rule_set_u64(r, NFTNL_RULE_HANDLE, (uint64_t)*c);
		if (*c == 'x') {
			net[1] = 1;
			nb_payload_load(r, NFT_PAYLOAD_NETWORK_HEADER, 12, 3);
			nb_cmp(r, NFT_CMP_EQ, net, 3);
			nb_verdict(r, NFT_RETURN, NULL);
			nb_feed_rule(rs, r);
			continue;
		}
		if (*c == 'w') {
			nb_payload_load(r, NFT_PAYLOAD_NETWORK_HEADER, 12, 1);
			nb_cmp(r, NFT_CMP_EQ, net, 1);
		} else if (*c != 'c') {
			nb_payload_load(r, NFT_PAYLOAD_NETWORK_HEADER, 12, 2);
			nb_cmp(r, NFT_CMP_EQ, net, 2);
		}
		nb_masq(r, 0);
		nb_feed_rule(rs, r);
	}
}

/* The overlay planned for @before, judged in a ruleset whose source rules are @after. */
static void judge(const char *before, const char *after, enum damage d, struct natrules *nr,
		  struct ruleset **out)
{
	struct ruleset *rs, *now;
	struct natfix_opts o = { 0 };
	struct natfix_plan *p;
	struct natfix_batch *b;
	uint32_t seq = 1;

	assert_int_equal(ruleset_new(&rs), 0);
	feed_rules(rs, before);
	assert_int_equal(natfix_plan_new(rs, 1, &o, &p), 0);
	assert_int_equal(natfix_batch_new(p, next_seq, &seq, &b), 0);
	assert_int_equal(ruleset_new(&now), 0);
	feed_rules(now, after);
	nb_feed_batch(now, b, damage, &d);
	natrules_init(nr);
	assert_int_equal(natrules_analyze(now, nr), 0);
	assert_int_equal(natfix_judge_rules(now, 2, nr), 0);
	assert_true(nr->overlay);
	natfix_batch_free(b);
	natfix_plan_free(p);
	ruleset_free(rs);
	*out = now;
}

/* The state of source rule @letter, or (@letter upper case) of its mirror. */
static enum natrule_cover state(const struct natrules *nr, char letter)
{
	bool mirror = letter >= 'A' && letter <= 'Z';
	char want = mirror ? (char)(letter - 'A' + 'a') : letter;

	for (unsigned int i = 0; i < nr->n; i++) {
		const struct natrule *r = &nr->v[i];

		if (mirror != (r->owner == NATRULE_OWNER_NATSCOPE))
			continue;
		/* a mirror's text carries the source's prefix */
		if (mirror ? (want == 'c' ? !strstr(r->text, "10.")
			      : want == 'w'
				      ? (bool)strstr(r->text, "10.0.0.0/8")
				      : (bool)strstr(r->text, want == 'a' ? "10.1." : "10.2."))
			   : r->handle == (uint64_t)want)
			return r->cover;
	}
	fail_msg("no rule %c", letter);
	return NATRULE_COVER_NONE;
}

static void coverage_by_effect(void **state_)
{
	struct natrules nr;
	struct ruleset *rs;

	judge("ab", "ab", AS_PLANNED, &nr, &rs);
	assert_false(nr.overlay_stale);
	assert_int_equal(state(&nr, 'a'), NATRULE_COVER_COVERED);
	assert_int_equal(state(&nr, 'B'), NATRULE_COVER_COVERED);
	natrules_release(&nr);
	ruleset_free(rs);

	/* a dockerd restart: the same rules in another order, never matching one packet */
	judge("ab", "ba", AS_PLANNED, &nr, &rs);
	assert_true(nr.overlay_stale);
	assert_int_equal(state(&nr, 'a'), NATRULE_COVER_HARMLESS);
	assert_int_equal(state(&nr, 'b'), NATRULE_COVER_HARMLESS);
	assert_int_equal(state(&nr, 'A'), NATRULE_COVER_HARMLESS);
	natrules_release(&nr);
	ruleset_free(rs);

	/* overlapping rules swapped: the mirror decides differently from its source */
	judge("ac", "ca", AS_PLANNED, &nr, &rs);
	assert_int_equal(state(&nr, 'a'), NATRULE_COVER_UNCOVERED);
	assert_int_equal(state(&nr, 'A'), NATRULE_COVER_DANGEROUS);
	natrules_release(&nr);
	ruleset_free(rs);

	/* a network removed: its mirror still NATs (critical); a new one is uncovered */
	judge("ab", "a", AS_PLANNED, &nr, &rs);
	assert_int_equal(state(&nr, 'a'), NATRULE_COVER_COVERED);
	assert_int_equal(state(&nr, 'B'), NATRULE_COVER_DANGEROUS);
	natrules_release(&nr);
	ruleset_free(rs);
	judge("a", "ab", AS_PLANNED, &nr, &rs);
	assert_int_equal(state(&nr, 'a'), NATRULE_COVER_COVERED);
	assert_int_equal(state(&nr, 'b'), NATRULE_COVER_UNCOVERED);
	natrules_release(&nr);
	ruleset_free(rs);

	/* an exclusion inserted before a's masquerade (issue 22, point 1): a's mirror NATs
	 * 10.1.5.0/24, which the source no longer does; b's never meets that traffic */
	judge("ab", "xab", AS_PLANNED, &nr, &rs);
	assert_int_equal(state(&nr, 'A'), NATRULE_COVER_DANGEROUS);
	assert_int_equal(state(&nr, 'B'), NATRULE_COVER_COVERED);
	natrules_release(&nr);
	ruleset_free(rs);
	/* ... inserted after it: a's traffic is NAT'd before it, by both */
	judge("ab", "axb", AS_PLANNED, &nr, &rs);
	assert_int_equal(state(&nr, 'A'), NATRULE_COVER_COVERED);
	assert_int_equal(state(&nr, 'B'), NATRULE_COVER_COVERED);
	natrules_release(&nr);
	ruleset_free(rs);

	/* an exclusion removed (point 2): the overlay still lets 10.1.5.0/24 through to the
	 * source, which now NATs it without fully-random */
	judge("xab", "ab", AS_PLANNED, &nr, &rs);
	assert_int_equal(state(&nr, 'a'), NATRULE_COVER_UNCOVERED);
	assert_int_equal(state(&nr, 'b'), NATRULE_COVER_COVERED);
	assert_int_not_equal(state(&nr, 'A'), NATRULE_COVER_DANGEROUS);
	natrules_release(&nr);
	ruleset_free(rs);

	/* a source widened (point 3): the mirror NATs a part of it identically (covered),
	 * the rest is uncovered; narrowed, the mirror NATs what the source no longer does */
	judge("a", "w", AS_PLANNED, &nr, &rs);
	assert_int_equal(state(&nr, 'A'), NATRULE_COVER_COVERED);
	assert_int_equal(state(&nr, 'w'), NATRULE_COVER_UNCOVERED);
	natrules_release(&nr);
	ruleset_free(rs);
	judge("w", "a", AS_PLANNED, &nr, &rs);
	assert_int_equal(state(&nr, 'W'), NATRULE_COVER_DANGEROUS);
	assert_int_equal(state(&nr, 'a'), NATRULE_COVER_UNCOVERED);
	natrules_release(&nr);
	ruleset_free(rs);

	/* the mirror emptied by hand: nothing covered, nothing dangerous */
	judge("ab", "ab", FLUSHED, &nr, &rs);
	assert_int_equal(state(&nr, 'a'), NATRULE_COVER_UNCOVERED);
	assert_int_equal(state(&nr, 'b'), NATRULE_COVER_UNCOVERED);
	natrules_release(&nr);
	ruleset_free(rs);

	/* fully-random taken off the mirrors by hand: they NAT as the sources do, unfixed */
	judge("ab", "ab", NOT_RANDOM, &nr, &rs);
	assert_int_equal(state(&nr, 'a'), NATRULE_COVER_UNCOVERED);
	assert_int_equal(state(&nr, 'A'), NATRULE_COVER_UNCOVERED);
	assert_int_equal(state(&nr, 'B'), NATRULE_COVER_UNCOVERED);
	natrules_release(&nr);
	ruleset_free(rs);
}

/* table ip nat and table ip6 nat, each with a postrouting chain that masquerades. */
static void feed_two_families(struct ruleset *rs)
{
	const uint32_t fams[] = { NFPROTO_IPV4, NFPROTO_IPV6 };

	for (size_t i = 0; i < 2; i++) {
		struct nftnl_rule *r;

		nb_feed_table(rs, fams[i], "nat", NULL);
		nb_feed_chain(rs, fams[i], "nat", "post", "nat", NF_INET_POST_ROUTING, 100);
		r = nb_rule(fams[i], "nat", "post");
		nftnl_rule_set_u64(r, NFTNL_RULE_HANDLE, 7);
		nb_masq(r, 0);
		nb_feed_rule(rs, r);
	}
}

/* Feeds only the messages of the family *ctx. */
static bool only_family(const struct nlmsghdr *nlh, struct ruleset *rs, void *ctx)
{
	const struct nfgenmsg *g = mnl_nlmsg_get_payload(nlh);

	(void)rs;
	return NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES ||
	       g->nfgen_family == *(uint8_t *)ctx;
}

/* Issue 10: a scope given for one family never plans changes to the other's overlay. */
static void scope_per_family(void **state_)
{
	struct natfix_opts all = { 0 }, v4 = { .saddr = "10.0.0.0/8" };
	struct ruleset *rs, *now;
	struct natfix_plan *p;
	struct natfix_batch *b;
	struct natrules nr;
	uint32_t seq = 1;
	uint8_t fam = NFPROTO_IPV6;
	char line[256];

	/* both families mirrored without a scope; then --saddr 10.0.0.0/8 */
	assert_int_equal(ruleset_new(&rs), 0);
	feed_two_families(rs);
	assert_int_equal(natfix_plan_new(rs, 1, &all, &p), 0);
	assert_int_equal(natfix_batch_new(p, next_seq, &seq, &b), 0);
	nb_feed_batch(rs, b, NULL, NULL);
	natfix_batch_free(b);
	natfix_plan_free(p);
	assert_int_equal(natfix_plan_new(rs, 2, &v4, &p), 0);
	assert_true(natfix_plan_family_changes(p, NFPROTO_IPV4));
	assert_false(natfix_plan_family_changes(p, NFPROTO_IPV6));
	assert_int_equal(natfix_plan_describe(p, line, sizeof(line)), 0);
	assert_string_equal(line, "table ip natscope: rebuild; "
				  "table ip6 natscope: keep (outside the --saddr scope)");
	assert_int_equal(natfix_plan_describe(p, line, 20), -ENOSPC);
	natfix_plan_free(p);
	ruleset_free(rs);

	/* ip natscope scoped to 10.0.0.0/8, ip6 natscope without a scope: each is judged with
	 * its own mark, so the IPv6 mirror is covered, not dangerous */
	assert_int_equal(ruleset_new(&rs), 0);
	feed_two_families(rs);
	assert_int_equal(ruleset_new(&now), 0);
	feed_two_families(now);
	assert_int_equal(natfix_plan_new(rs, 1, &v4, &p), 0);
	assert_int_equal(natfix_batch_new(p, next_seq, &seq, &b), 0);
	nb_feed_batch(now, b, NULL, NULL);
	natfix_batch_free(b);
	natfix_plan_free(p);
	assert_int_equal(natfix_plan_new(rs, 1, &all, &p), 0);
	assert_int_equal(natfix_batch_new(p, next_seq, &seq, &b), 0);
	nb_feed_batch(now, b, only_family, &fam);
	natfix_batch_free(b);
	natfix_plan_free(p);
	natrules_init(&nr);
	assert_int_equal(natrules_analyze(now, &nr), 0);
	assert_int_equal(natfix_judge_rules(now, 3, &nr), 0);
	assert_true(nr.overlay);
	assert_false(nr.overlay_stale);
	for (unsigned int i = 0; i < nr.n; i++)
		if (nr.v[i].cover != NATRULE_COVER_COVERED)
			fail_msg("%s %s %s handle %llu: coverage %s",
				 natrules_family_name(nr.v[i].family), nr.v[i].table, nr.v[i].chain,
				 (unsigned long long)nr.v[i].handle,
				 natrules_cover_name(nr.v[i].cover));
	assert_int_equal(nr.n, 4);
	natrules_release(&nr);
	ruleset_free(now);
	ruleset_free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(judged_by_content),
		cmocka_unit_test(large_anonymous_set),
		cmocka_unit_test(mirror_names_are_injective),
		cmocka_unit_test(too_long_a_mirror_name),
		cmocka_unit_test(script_names),
		cmocka_unit_test(coverage_by_effect),
		cmocka_unit_test(scope_per_family),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
