/*
 * nf_tables rulesets, as a dump hands them to natscope: tables (with comments, some
 * without their NUL), base and regular chains, rules of the expressions natscope reads and
 * of others, anonymous sets with elements.  The fuzzer's bytes choose the objects and
 * their attributes; libnftnl builds the messages (its own parsers exit() or crash on some
 * malformed attributes no kernel sends) and natscope reads them as from the kernel: the
 * rule reader and renderer, the fix planner with every option, its batch, the
 * batch fed back and the overlay judged again.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "nftables/natfix.h"
#include "nftables/natrules.h"
#include "nftables/natrules_render.h"
#include "nftables/ruleset.h"

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char msgbuf[2 * RULESET_MAX_MSG];
static FILE *sink;

static const char *const table_names[] = { "nat", "nat-x", "natscope", "filter", "a.b", "a/b" };
static const char *const chain_names[] = { "post", "POSTROUTING", "x-post", "sub", "DOCKER", "c" };
static const char *const set_names[] = { "__set0", "__map1", "jumps" };
static const uint32_t families[] = { NFPROTO_IPV4, NFPROTO_IPV6, NFPROTO_INET, NFPROTO_ARP };

struct ctx {
	struct fuzz_in in;
	struct ruleset *rs;
	uint32_t family;
	const char *table;
	char own_table[32], own_chain[4][32];
	const char *chains[4];
	unsigned int nchains;
};

static void feed(struct ctx *c, struct nlmsghdr *nlh)
{
	if (nlh->nlmsg_len <= RULESET_MAX_MSG)
		ruleset_add(c->rs, nlh);
}

static void table(struct ctx *c)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;
	uint8_t ud[200];
	size_t n;

	c->family = families[fuzz_u8(&c->in) % 4];
	c->table = fuzz_pick(&c->in, table_names, 6, c->own_table, sizeof(c->own_table));
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, c->family);
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, c->table);
	nftnl_table_set_u32(t, NFTNL_TABLE_FLAGS, fuzz_u8(&c->in) % 8 == 0);
	switch (fuzz_u8(&c->in) % 4) {
	case 0: /* natscope's mark */
		ud[0] = NFTNL_UDATA_TABLE_COMMENT;
		ud[1] = (uint8_t)(sizeof("natscope-managed v2"));
		memcpy(ud + 2, "natscope-managed v2", ud[1]);
		nftnl_table_set_data(t, NFTNL_TABLE_USERDATA, ud, ud[1] + 2u);
		break;
	case 1: /* raw user data: comments without their NUL, bad lengths */
		n = fuzz_bytes(&c->in, ud, sizeof(ud) - 1);
		if (n)
			nftnl_table_set_data(t, NFTNL_TABLE_USERDATA, ud, (uint32_t)n);
		break;
	default:
		break;
	}
	nlh = nftnl_nlmsg_build_hdr(msgbuf, NFT_MSG_NEWTABLE, (uint16_t)c->family, 0, 1);
	nftnl_table_nlmsg_build_payload(nlh, t);
	feed(c, nlh);
	nftnl_table_free(t);
}

static void chain(struct ctx *c, unsigned int k)
{
	static const uint32_t hooks[] = { NF_INET_POST_ROUTING, NF_INET_PRE_ROUTING,
					  NF_INET_LOCAL_OUT };
	struct nftnl_chain *ch = nftnl_chain_alloc();
	struct nlmsghdr *nlh;
	uint8_t how = fuzz_u8(&c->in);

	c->chains[k] = fuzz_pick(&c->in, chain_names, 6, c->own_chain[k], sizeof(c->own_chain[k]));
	nftnl_chain_set_u32(ch, NFTNL_CHAIN_FAMILY, c->family);
	nftnl_chain_set_str(ch, NFTNL_CHAIN_TABLE, c->table);
	nftnl_chain_set_str(ch, NFTNL_CHAIN_NAME, c->chains[k]);
	if (how & 1) {
		nftnl_chain_set_str(ch, NFTNL_CHAIN_TYPE, how & 2 ? "filter" : "nat");
		nftnl_chain_set_u32(ch, NFTNL_CHAIN_HOOKNUM, hooks[(how >> 2) % 3]);
		nftnl_chain_set_s32(ch, NFTNL_CHAIN_PRIO, (int8_t)fuzz_u8(&c->in));
		nftnl_chain_set_u32(ch, NFTNL_CHAIN_POLICY, NF_ACCEPT);
	}
	nlh = nftnl_nlmsg_build_hdr(msgbuf, NFT_MSG_NEWCHAIN, (uint16_t)c->family, 0, 1);
	nftnl_chain_nlmsg_build_payload(nlh, ch);
	feed(c, nlh);
	nftnl_chain_free(ch);
}

static void anon_set(struct ctx *c)
{
	struct nftnl_set *st = nftnl_set_alloc();
	struct nftnl_set_elems_iter *it;
	struct nlmsghdr *nlh;
	unsigned int n = fuzz_u8(&c->in) % 48;
	uint8_t flags = fuzz_u8(&c->in);
	int more = 1;

	nftnl_set_set_u32(st, NFTNL_SET_FAMILY, c->family);
	nftnl_set_set_str(st, NFTNL_SET_TABLE, c->table);
	nftnl_set_set_str(st, NFTNL_SET_NAME, set_names[flags % 3]);
	nftnl_set_set_u32(st, NFTNL_SET_FLAGS,
			  (flags & 4 ? NFT_SET_ANONYMOUS | NFT_SET_CONSTANT : 0) |
				  (flags & 8 ? NFT_SET_INTERVAL : 0) |
				  (flags & 16 ? NFT_SET_MAP : 0) |
				  (flags & 128 ? NFT_SET_TIMEOUT : 0));
	if (flags & 32) /* a verdict map (with or without NFT_SET_MAP: both are seen) */
		nftnl_set_set_u32(st, NFTNL_SET_DATA_TYPE, NFT_DATA_VERDICT);
	nftnl_set_set_u32(st, NFTNL_SET_KEY_TYPE, 7);
	nftnl_set_set_u32(st, NFTNL_SET_KEY_LEN, 4);
	nlh = nftnl_nlmsg_build_hdr(msgbuf, NFT_MSG_NEWSET, (uint16_t)c->family, 0, 1);
	nftnl_set_nlmsg_build_payload(nlh, st);
	feed(c, nlh);
	for (unsigned int i = 0; i < n; i++) {
		struct nftnl_set_elem *el = nftnl_set_elem_alloc();
		uint32_t key = fuzz_u32(&c->in);
		uint8_t ud[64];
		size_t len = fuzz_bytes(&c->in, ud, sizeof(ud) - 1);

		nftnl_set_elem_set(el, NFTNL_SET_ELEM_KEY, &key, sizeof(key));
		if (len)
			nftnl_set_elem_set(el, NFTNL_SET_ELEM_USERDATA, ud, (uint32_t)len);
		if (key & 1)
			nftnl_set_elem_set_u32(el, NFTNL_SET_ELEM_FLAGS, NFT_SET_ELEM_INTERVAL_END);
		if (flags & 32) { /* jump, goto or a plain verdict, to any chain name */
			static const int32_t v[] = { NFT_JUMP, NFT_GOTO, NF_ACCEPT, NFT_RETURN };

			nftnl_set_elem_set_u32(el, NFTNL_SET_ELEM_VERDICT,
					       (uint32_t)v[key >> 1 & 3]);
			if (v[key >> 1 & 3] < NF_ACCEPT)
				nftnl_set_elem_set_str(el, NFTNL_SET_ELEM_CHAIN,
						       chain_names[(key >> 3) % 6]);
		}
		nftnl_set_elem_add(st, el);
	}
	it = nftnl_set_elems_iter_create(st);
	while (it && more > 0 && n) {
		nlh = nftnl_nlmsg_build_hdr(msgbuf, NFT_MSG_NEWSETELEM, (uint16_t)c->family, 0, 1);
		more = nftnl_set_elems_nlmsg_build_payload_iter(nlh, it);
		ruleset_elems_parseable(nlh);
		feed(c, nlh);
	}
	if (it)
		nftnl_set_elems_iter_destroy(it);
	nftnl_set_free(st);
}

static void expr_data(struct ctx *c, struct nftnl_expr *e, uint16_t attr)
{
	uint8_t d[17];
	size_t n = fuzz_bytes(&c->in, d, 16);

	nftnl_expr_set(e, attr, d, n ? (uint32_t)n : 1);
}

static struct nftnl_expr *nat_expr(struct ctx *c, bool masq)
{
	struct nftnl_expr *e = nftnl_expr_alloc(masq ? "masq" : "nat");
	uint8_t how = fuzz_u8(&c->in);

	if (!masq) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_TYPE, how & 1 ? NFT_NAT_DNAT : NFT_NAT_SNAT);
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FAMILY, how & 2 ? NFPROTO_IPV6 : NFPROTO_IPV4);
		if (how & 4) {
			nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MIN, NFT_REG32_08);
			nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MAX, NFT_REG32_12);
		}
	}
	if (how & 8) {
		nftnl_expr_set_u32(
			e, masq ? NFTNL_EXPR_MASQ_REG_PROTO_MIN : NFTNL_EXPR_NAT_REG_PROTO_MIN,
			NFT_REG32_14);
		nftnl_expr_set_u32(
			e, masq ? NFTNL_EXPR_MASQ_REG_PROTO_MAX : NFTNL_EXPR_NAT_REG_PROTO_MAX,
			NFT_REG32_15);
	}
	if (how & 16)
		nftnl_expr_set_u32(e, masq ? NFTNL_EXPR_MASQ_FLAGS : NFTNL_EXPR_NAT_FLAGS,
				   fuzz_u8(&c->in) & 0x3f);
	return e;
}

static struct nftnl_expr *xt_expr(struct ctx *c, bool target)
{
	static const char *const targets[] = { "MASQUERADE", "SNAT", "DNAT", "LOG" };
	static const char *const matches[] = { "comment", "conntrack", "addrtype", "mark" };
	struct nftnl_expr *e = nftnl_expr_alloc(target ? "target" : "match");
	uint8_t info[80];
	size_t n = fuzz_bytes(&c->in, info, sizeof(info) - 1);
	uint8_t k = fuzz_u8(&c->in);

	nftnl_expr_set_str(e, target ? NFTNL_EXPR_TG_NAME : NFTNL_EXPR_MT_NAME,
			   target ? targets[k % 4] : matches[k % 4]);
	nftnl_expr_set_u32(e, target ? NFTNL_EXPR_TG_REV : NFTNL_EXPR_MT_REV, (k >> 2) % 3);
	if (n) {
		/* libnftnl keeps (and later frees) the pointer it is given for xt info */
		void *copy = malloc(n);

		if (copy) {
			memcpy(copy, info, n);
			nftnl_expr_set(e, target ? NFTNL_EXPR_TG_INFO : NFTNL_EXPR_MT_INFO, copy,
				       (uint32_t)n);
		}
	}
	return e;
}

static struct nftnl_expr *load_expr(struct ctx *c, uint8_t kind)
{
	struct nftnl_expr *e;

	switch (kind) {
	case 0:
		e = nftnl_expr_alloc("meta");
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, fuzz_u8(&c->in) % 32);
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
		return e;
	case 1:
		e = nftnl_expr_alloc("payload");
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, fuzz_u8(&c->in) % 3);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, fuzz_u8(&c->in) % 64);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, fuzz_u8(&c->in) % 16 + 1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
		return e;
	case 2:
		e = nftnl_expr_alloc("cmp");
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, fuzz_u8(&c->in) % 6);
		expr_data(c, e, NFTNL_EXPR_CMP_DATA);
		return e;
	case 3:
		e = nftnl_expr_alloc("bitwise");
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, fuzz_u8(&c->in) % 16 + 1);
		expr_data(c, e, NFTNL_EXPR_BITWISE_MASK);
		expr_data(c, e, NFTNL_EXPR_BITWISE_XOR);
		return e;
	case 4:
		e = nftnl_expr_alloc("ct");
		nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, fuzz_u8(&c->in) % 24);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, NFT_REG_1);
		return e;
	default:
		e = nftnl_expr_alloc("immediate");
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG32_08 + fuzz_u8(&c->in) % 8);
		expr_data(c, e, NFTNL_EXPR_IMM_DATA);
		return e;
	}
}

static struct nftnl_expr *verdict_expr(struct ctx *c)
{
	static const int32_t verdicts[] = { NF_ACCEPT,	  NF_DROP,  NFT_RETURN,
					    NFT_CONTINUE, NFT_JUMP, NFT_GOTO };
	struct nftnl_expr *e = nftnl_expr_alloc("immediate");
	int32_t v = verdicts[fuzz_u8(&c->in) % 6];

	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)v);
	/* a jump always names its chain: libnftnl's parser dereferences a missing one */
	if (v == NFT_JUMP || v == NFT_GOTO)
		nftnl_expr_set_str(e, NFTNL_EXPR_IMM_CHAIN,
				   c->chains[fuzz_u8(&c->in) % c->nchains]);
	return e;
}

static struct nftnl_expr *other_expr(struct ctx *c, uint8_t kind)
{
	struct nftnl_expr *e;

	switch (kind) {
	case 0:
		e = nftnl_expr_alloc("counter");
		nftnl_expr_set_u64(e, NFTNL_EXPR_CTR_PACKETS, fuzz_u32(&c->in));
		nftnl_expr_set_u64(e, NFTNL_EXPR_CTR_BYTES, fuzz_u32(&c->in));
		return e;
	case 1:
		e = nftnl_expr_alloc("lookup");
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
		nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set_names[fuzz_u8(&c->in) % 3]);
		switch (fuzz_u8(&c->in) & 3) {
		case 1:
			nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_FLAGS, NFT_LOOKUP_F_INV);
			break;
		case 2: /* a vmap */
			nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_DREG, NFT_REG_VERDICT);
			break;
		}
		return e;
	case 2:
		return nftnl_expr_alloc("log");
	default:
		e = nftnl_expr_alloc("limit");
		nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_RATE, fuzz_u8(&c->in));
		nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_UNIT, 1);
		return e;
	}
}

static void rule(struct ctx *c)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	unsigned int n = fuzz_u8(&c->in) % 10;
	struct nlmsghdr *nlh;

	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, c->family);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, c->table);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, c->chains[fuzz_u8(&c->in) % c->nchains]);
	nftnl_rule_set_u64(r, NFTNL_RULE_HANDLE, fuzz_u8(&c->in) + 1u);
	for (unsigned int i = 0; i < n && c->in.n; i++) {
		uint8_t k = fuzz_u8(&c->in) % 16;
		struct nftnl_expr *e;

		if (k < 6)
			e = load_expr(c, k);
		else if (k < 8)
			e = nat_expr(c, k == 6);
		else if (k < 10)
			e = xt_expr(c, k == 8);
		else if (k < 12)
			e = verdict_expr(c);
		else
			e = other_expr(c, k - 12);
		nftnl_rule_add_expr(r, e);
	}
	nlh = nftnl_nlmsg_build_hdr(msgbuf, NFT_MSG_NEWRULE, (uint16_t)c->family, 0, 1);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	feed(c, nlh);
	nftnl_rule_free(r);
}

static uint32_t seq(void *ctx)
{
	return (*(uint32_t *)ctx)++;
}

/* Read the NAT rules and judge natscope's overlay, rule by rule, as audit and top do. */
static void judge(const struct ruleset *rs)
{
	struct natrules nr;

	natrules_init(&nr);
	if (natrules_analyze(rs, &nr) == 0)
		natfix_judge_rules(rs, 1, &nr);
	natrules_release(&nr);
}

/* What natscope does with a ruleset: read its NAT rules, plan, write, apply in memory. */
static void use(struct ruleset *rs, uint8_t how)
{
	static const char *const oifs[] = { NULL, "eth0", "r-s", "a\"b" };
	static const char *const saddrs[] = { NULL, "10.0.0.0/8", "fd00::/64", "10.0.0.0/33" };
	struct natfix_opts o = { .revert = how & 1,
				 .in_place = how & 2,
				 .oif = oifs[(how >> 2) % 4],
				 .saddr = saddrs[(how >> 4) % 4] };
	struct natfix_plan *p, *again;
	struct natfix_batch *b;
	uint32_t s = 1, fam;

	judge(rs);
	if (natfix_plan_new(rs, 1, &o, &p) < 0)
		return;
	/* natfix_plan_script() is not called: it applies the plan in a new network namespace
	 * of a child process (natfix_render.c), one per input; fix/0019 and the unit tests
	 * cover it */
	for (unsigned int i = 0; i < natfix_plan_nnotes(p); i++)
		fputs(natfix_plan_note(p, i), sink);
	if (natfix_batch_new(p, seq, &s, &b) == 0) {
		size_t len;
		const struct nlmsghdr *nlh = natfix_batch_data(b, &len);
		int left = (int)len;

		for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left))
			natfix_batch_what(b, nlh->nlmsg_seq);
		/* the batch as the kernel would keep it: the overlay is judged again */
		for (nlh = natfix_batch_data(b, &len), left = (int)len; mnl_nlmsg_ok(nlh, left);
		     nlh = mnl_nlmsg_next(nlh, &left)) {
			if (nlh->nlmsg_len > sizeof(msgbuf))
				continue;
			memcpy(msgbuf, nlh, nlh->nlmsg_len);
			ruleset_add(rs, (struct nlmsghdr *)msgbuf);
		}
		natfix_batch_free(b);
		natfix_plan_verify(p, rs, &fam);
		judge(rs); /* the overlay in force, rule by rule */
		if (natfix_plan_new(rs, 2, &o, &again) == 0) {
			natfix_plan_has_changes(again);
			natfix_plan_free(again);
		}
	}
	natfix_plan_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctx c = { .in = { data, size } };
	unsigned int ntables;

	if (!sink)
		sink = fopen("/dev/null", "w");
	if (!sink || ruleset_new(&c.rs) < 0)
		return 0;
	ntables = fuzz_u8(&c.in) % 3 + 1;
	for (unsigned int t = 0; t < ntables && c.in.n; t++) {
		table(&c);
		c.nchains = fuzz_u8(&c.in) % 4 + 1;
		for (unsigned int k = 0; k < c.nchains; k++)
			chain(&c, k);
		if (fuzz_u8(&c.in) & 1)
			anon_set(&c);
		for (unsigned int n = fuzz_u8(&c.in) % 8; n && c.in.n; n--)
			rule(&c);
	}
	use(c.rs, fuzz_u8(&c.in));
	ruleset_free(c.rs);
	return 0;
}
