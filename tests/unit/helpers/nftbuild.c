/* Builders for in-memory nf_tables rulesets, shared by the kernel-free tests. */
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
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "nftables/natfix.h"
#include "nftables/natrules.h"
#include "nftables/ruleset.h"
#include "nftbuild.h"

static char buf[16384];
uint64_t nb_next_handle = 2;

void nb_feed_table(struct ruleset *rs, uint32_t family, const char *name, const char *comment)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;

	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, family);
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, name);
	if (comment) {
		struct nftnl_udata_buf *ud = nftnl_udata_buf_alloc(256);

		nftnl_udata_put_strz(ud, NFTNL_UDATA_TABLE_COMMENT, comment);
		nftnl_table_set_data(t, NFTNL_TABLE_USERDATA, nftnl_udata_buf_data(ud),
				     nftnl_udata_buf_len(ud));
		nftnl_udata_buf_free(ud);
	}
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWTABLE, family, 0, 1);
	nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
	assert_int_equal(ruleset_add(rs, nlh), 0);
}

/* @hook < 0: a regular chain. */
void nb_feed_chain(struct ruleset *rs, uint32_t family, const char *table, const char *name,
		   const char *type, int hook, int prio)
{
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nlmsghdr *nlh;

	nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, family);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, table);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
	if (hook >= 0) {
		nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, type);
		nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, (uint32_t)hook);
		nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, prio);
	}
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWCHAIN, family, 0, 1);
	nftnl_chain_nlmsg_build_payload(nlh, c);
	nftnl_chain_free(c);
	assert_int_equal(ruleset_add(rs, nlh), 0);
}

struct nftnl_rule *nb_rule(uint32_t family, const char *table, const char *chain)
{
	struct nftnl_rule *r = nftnl_rule_alloc();

	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, family);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, table);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	nftnl_rule_set_u64(r, NFTNL_RULE_HANDLE, nb_next_handle++);
	return r;
}

void nb_add(struct nftnl_rule *r, struct nftnl_expr *e)
{
	nftnl_rule_add_expr(r, e);
}

void nb_meta_load(struct nftnl_rule *r, uint32_t key, uint32_t reg)
{
	struct nftnl_expr *e = nftnl_expr_alloc("meta");

	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, reg);
	nb_add(r, e);
}

void nb_payload_load(struct nftnl_rule *r, uint32_t base, uint32_t off, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("payload");

	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
	nb_add(r, e);
}

void nb_cmp(struct nftnl_rule *r, uint32_t op, const void *data, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("cmp");

	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	nb_add(r, e);
}

void nb_bitwise(struct nftnl_rule *r, const void *mask, uint32_t len)
{
	static const uint8_t zero[16];
	struct nftnl_expr *e = nftnl_expr_alloc("bitwise");

	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, len);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, mask, len);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, zero, len);
	nb_add(r, e);
}

void nb_masq(struct nftnl_rule *r, uint32_t flags)
{
	struct nftnl_expr *e = nftnl_expr_alloc("masq");

	if (flags)
		nftnl_expr_set_u32(e, NFTNL_EXPR_MASQ_FLAGS, flags);
	nb_add(r, e);
}

void nb_counter(struct nftnl_rule *r)
{
	struct nftnl_expr *e = nftnl_expr_alloc("counter");

	nftnl_expr_set_u64(e, NFTNL_EXPR_CTR_PACKETS, 7);
	nftnl_expr_set_u64(e, NFTNL_EXPR_CTR_BYTES, 420);
	nb_add(r, e);
}

void nb_verdict(struct nftnl_rule *r, int32_t v, const char *chain)
{
	struct nftnl_expr *e = nftnl_expr_alloc("immediate");

	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)v);
	if (chain)
		nftnl_expr_set_str(e, NFTNL_EXPR_IMM_CHAIN, chain);
	nb_add(r, e);
}

/* iptables-nft's -j MASQUERADE (IPv4, rev 0: nf_nat_ipv4_multi_range_compat). */
void nb_xt_masquerade(struct nftnl_rule *r, uint32_t flags)
{
	struct nf_nat_ipv4_multi_range_compat info = { .rangesize = 1 };
	struct nftnl_expr *e = nftnl_expr_alloc("target");

	info.range[0].flags = flags;
	nftnl_expr_set_str(e, NFTNL_EXPR_TG_NAME, "MASQUERADE");
	nftnl_expr_set_u32(e, NFTNL_EXPR_TG_REV, 0);
	/* libnftnl keeps and later frees the info pointer: hand it heap memory */
	void *copy = malloc(sizeof(info));

	memcpy(copy, &info, sizeof(info));
	nftnl_expr_set(e, NFTNL_EXPR_TG_INFO, copy, sizeof(info));
	nb_add(r, e);
}

void nb_xt_comment(struct nftnl_rule *r, const char *text)
{
	char *info = calloc(1, 256); /* owned by libnftnl from here on */
	struct nftnl_expr *e = nftnl_expr_alloc("match");

	snprintf(info, 256, "%s", text);
	nftnl_expr_set_str(e, NFTNL_EXPR_MT_NAME, "comment");
	nftnl_expr_set_u32(e, NFTNL_EXPR_MT_REV, 0);
	nftnl_expr_set(e, NFTNL_EXPR_MT_INFO, info, 256);
	nb_add(r, e);
}

void nb_snat_to(struct nftnl_rule *r, uint32_t family, const char *addr, uint16_t pmin,
		uint16_t pmax, uint32_t flags)
{
	struct nftnl_expr *imm = nftnl_expr_alloc("immediate"), *nat = nftnl_expr_alloc("nat");
	struct in_addr a;

	inet_pton(AF_INET, addr, &a);
	nftnl_expr_set_u32(imm, NFTNL_EXPR_IMM_DREG, NFT_REG_1);
	nftnl_expr_set(imm, NFTNL_EXPR_IMM_DATA, &a, sizeof(a));
	nb_add(r, imm);
	nftnl_expr_set_u32(nat, NFTNL_EXPR_NAT_TYPE, NFT_NAT_SNAT);
	nftnl_expr_set_u32(nat, NFTNL_EXPR_NAT_FAMILY, NFPROTO_IPV4);
	nftnl_expr_set_u32(nat, NFTNL_EXPR_NAT_REG_ADDR_MIN, NFT_REG_1);
	if (pmin) {
		struct nftnl_expr *p1 = nftnl_expr_alloc("immediate");
		struct nftnl_expr *p2 = nftnl_expr_alloc("immediate");
		uint16_t lo = htons(pmin), hi = htons(pmax);

		nftnl_expr_set_u32(p1, NFTNL_EXPR_IMM_DREG, NFT_REG_2);
		nftnl_expr_set(p1, NFTNL_EXPR_IMM_DATA, &lo, sizeof(lo));
		nftnl_expr_set_u32(p2, NFTNL_EXPR_IMM_DREG, NFT_REG_3);
		nftnl_expr_set(p2, NFTNL_EXPR_IMM_DATA, &hi, sizeof(hi));
		nftnl_rule_add_expr(r, p1);
		nftnl_rule_add_expr(r, p2);
		nftnl_expr_set_u32(nat, NFTNL_EXPR_NAT_REG_PROTO_MIN, NFT_REG_2);
		nftnl_expr_set_u32(nat, NFTNL_EXPR_NAT_REG_PROTO_MAX, NFT_REG_3);
	}
	if (flags)
		nftnl_expr_set_u32(nat, NFTNL_EXPR_NAT_FLAGS, flags);
	nb_add(r, nat);
	(void)family;
}

void nb_feed_rule(struct ruleset *rs, struct nftnl_rule *r)
{
	struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(
		buf, NFT_MSG_NEWRULE, (uint16_t)nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY), 0, 1);

	nftnl_rule_nlmsg_build_payload(nlh, r);
	/* The kernel reports the handle; the builder never writes it. */
	mnl_attr_put_u64(nlh, NFTA_RULE_HANDLE, htobe64(nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE)));
	nftnl_rule_free(r);
	assert_int_equal(ruleset_add(rs, nlh), 0);
}

void nb_xt_snat(struct nftnl_rule *r, uint32_t family, const char *addr, uint16_t pmin,
		uint16_t pmax, uint32_t flags)
{
	struct nftnl_expr *e = nftnl_expr_alloc("target");
	uint32_t fl = flags | NF_NAT_RANGE_MAP_IPS | (pmin ? NF_NAT_RANGE_PROTO_SPECIFIED : 0);
	void *copy;
	size_t len;

	nftnl_expr_set_str(e, NFTNL_EXPR_TG_NAME, "SNAT");
	if (family == NFPROTO_IPV4) {
		struct nf_nat_ipv4_multi_range_compat info = { .rangesize = 1 };

		info.range[0].flags = fl;
		inet_pton(AF_INET, addr, &info.range[0].min_ip);
		info.range[0].max_ip = info.range[0].min_ip;
		info.range[0].min.all = htons(pmin);
		info.range[0].max.all = htons(pmax);
		nftnl_expr_set_u32(e, NFTNL_EXPR_TG_REV, 0);
		len = sizeof(info);
		copy = malloc(len);
		memcpy(copy, &info, len);
	} else {
		struct nf_nat_range info = { .flags = fl };

		inet_pton(AF_INET6, addr, &info.min_addr);
		info.max_addr = info.min_addr;
		info.min_proto.all = htons(pmin);
		info.max_proto.all = htons(pmax);
		nftnl_expr_set_u32(e, NFTNL_EXPR_TG_REV, 1);
		len = sizeof(info);
		copy = malloc(len);
		memcpy(copy, &info, len);
	}
	/* libnftnl keeps and later frees the info pointer */
	nftnl_expr_set(e, NFTNL_EXPR_TG_INFO, copy, (uint32_t)len);
	nb_add(r, e);
}

void nb_feed_table_udata(struct ruleset *rs, uint32_t family, const char *name, const void *ud,
			 uint32_t len)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;

	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, family);
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, name);
	nftnl_table_set_data(t, NFTNL_TABLE_USERDATA, ud, len);
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWTABLE, family, 0, 1);
	nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
	assert_int_equal(ruleset_add(rs, nlh), 0);
}

void nb_feed_anon_set(struct ruleset *rs, uint32_t family, const char *table, unsigned int n,
		      unsigned int comment_len)
{
	struct nftnl_set *st = nftnl_set_alloc();
	struct nftnl_set_elems_iter *it;
	char *big = malloc(256 * 1024), comment[256];
	struct nlmsghdr *nlh;
	int more = 1;

	assert_non_null(big);
	assert_true(comment_len < sizeof(comment));
	nftnl_set_set_u32(st, NFTNL_SET_FAMILY, family);
	nftnl_set_set_str(st, NFTNL_SET_TABLE, table);
	nftnl_set_set_str(st, NFTNL_SET_NAME, "__set0");
	nftnl_set_set_u32(st, NFTNL_SET_FLAGS, NFT_SET_ANONYMOUS | NFT_SET_CONSTANT);
	nftnl_set_set_u32(st, NFTNL_SET_KEY_TYPE, 7); /* ipv4_addr */
	nftnl_set_set_u32(st, NFTNL_SET_KEY_LEN, 4);
	nlh = nftnl_nlmsg_build_hdr(big, NFT_MSG_NEWSET, family, 0, 1);
	nftnl_set_nlmsg_build_payload(nlh, st);
	assert_int_equal(ruleset_add(rs, nlh), 0);
	for (unsigned int i = 0; i < n; i++) {
		struct nftnl_set_elem *el = nftnl_set_elem_alloc();
		uint8_t key[4] = { 10, 0, (uint8_t)(i / 256), (uint8_t)(i % 256) };

		nftnl_set_elem_set(el, NFTNL_SET_ELEM_KEY, key, sizeof(key));
		if (comment_len) {
			/* nftnl_udata framing: type, length, value */
			comment[0] = 0;
			comment[1] = (char)(comment_len - 2);
			memset(comment + 2, 'c', comment_len - 3);
			comment[comment_len - 1] = '\0';
			nftnl_set_elem_set(el, NFTNL_SET_ELEM_USERDATA, comment, comment_len);
		}
		nftnl_set_elem_add(st, el);
	}
	it = nftnl_set_elems_iter_create(st);
	while (more > 0) {
		nlh = nftnl_nlmsg_build_hdr(big, NFT_MSG_NEWSETELEM, family, 0, 1);
		more = nftnl_set_elems_nlmsg_build_payload_iter(nlh, it);
		assert_true(nlh->nlmsg_len <= RULESET_MAX_MSG);
		ruleset_elems_parseable(nlh);
		assert_int_equal(ruleset_add(rs, nlh), 0);
	}
	nftnl_set_elems_iter_destroy(it);
	nftnl_set_free(st);
	free(big);
}

void nb_lookup(struct nftnl_rule *r, const char *set)
{
	struct nftnl_expr *e = nftnl_expr_alloc("lookup");

	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
	nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set);
	nb_add(r, e);
}

/* A rule message as the kernel keeps it: with a handle of its own. */
static void give_handle(struct nlmsghdr *nlh)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	const struct nfgenmsg *nfg = mnl_nlmsg_get_payload(nlh);
	uint16_t family = nfg->nfgen_family, flags = nlh->nlmsg_flags;
	uint32_t seq = nlh->nlmsg_seq;

	assert_int_equal(nftnl_rule_nlmsg_parse(nlh, r), 0);
	if (!nftnl_rule_is_set(r, NFTNL_RULE_HANDLE)) {
		nftnl_rule_set_u64(r, NFTNL_RULE_HANDLE, nb_next_handle++);
		nlh = nftnl_nlmsg_build_hdr((char *)nlh, NFT_MSG_NEWRULE, family, flags, seq);
		nftnl_rule_nlmsg_build_payload(nlh, r);
	}
	nftnl_rule_free(r);
}

void nb_feed_batch(struct ruleset *rs, const struct natfix_batch *b, nb_keep_fn keep, void *ctx)
{
	size_t len;
	const struct nlmsghdr *nlh = natfix_batch_data(b, &len);
	int left = (int)len;

	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		static char copy[RULESET_MAX_MSG];
		struct nlmsghdr *m = (struct nlmsghdr *)copy;
		int ret;

		assert_true(nlh->nlmsg_len <= sizeof(copy));
		memcpy(copy, nlh, nlh->nlmsg_len);
		ruleset_elems_parseable(m);
		if (NFNL_MSG_TYPE(m->nlmsg_type) == NFT_MSG_NEWRULE)
			give_handle(m);
		if (keep && !keep(m, rs, ctx))
			continue;
		ret = ruleset_add(rs, m);
		if (ret != 0)
			fail_msg("message type %#x: %d", m->nlmsg_type, ret);
	}
}
