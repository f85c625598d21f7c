#include "config.h"
#include "nftables/natfix.h"

#include <errno.h>
#include <stdarg.h>
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

#include "natfix_int.h"

#include "nftables/natexpr.h"

#include "util.h"

struct nftnl_expr *natfix_expr_verdict(int32_t verdict)
{
	struct nftnl_expr *e = nftnl_expr_alloc("immediate");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)verdict);
	}
	return e;
}

struct nftnl_expr *natfix_expr_meta(uint32_t key)
{
	struct nftnl_expr *e = nftnl_expr_alloc("meta");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
	}
	return e;
}

struct nftnl_expr *natfix_expr_cmp(uint32_t op, const void *data, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("cmp");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
		nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	}
	return e;
}

/* immediate @data (@len bytes) into @reg */
struct nftnl_expr *natfix_expr_imm(uint32_t reg, const void *data, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("immediate");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, reg);
		nftnl_expr_set(e, NFTNL_EXPR_IMM_DATA, data, len);
	}
	return e;
}

/*
 * x_tables lets the MASQUERADE and SNAT targets run only in a table named "nat", so the
 * mirror carries the native statement with the same range instead: masq or nat snat,
 * addresses and ports loaded into registers nothing else in the rule uses after a
 * terminal NAT statement.
 */
int natfix_translate_xt_nat(struct nftnl_rule *r, const struct nftnl_expr *e, uint32_t family)
{
	const char *tg = nftnl_expr_get_str(e, NFTNL_EXPR_TG_NAME);
	uint32_t alen = family == NFPROTO_IPV6 ? 16 : 4;
	struct nftnl_expr *nat;
	struct natexpr_range rg;
	int ret;

	ret = natexpr_xt_range(e, family, &rg);
	if (ret < 0)
		return ret;
	if (rg.flags & (NF_NAT_RANGE_PROTO_OFFSET | NF_NAT_RANGE_NETMAP))
		return -EOPNOTSUPP;
	if (strcmp(tg, "MASQUERADE") == 0) {
		nat = nftnl_expr_alloc("masq");
		if (!nat)
			return -ENOMEM;
		if (rg.flags & NF_NAT_RANGE_PROTO_SPECIFIED) {
			nftnl_rule_add_expr(r, natfix_expr_imm(NFT_REG32_14, rg.min_port, 2));
			nftnl_rule_add_expr(r, natfix_expr_imm(NFT_REG32_15, rg.max_port, 2));
			nftnl_expr_set_u32(nat, NFTNL_EXPR_MASQ_REG_PROTO_MIN, NFT_REG32_14);
			nftnl_expr_set_u32(nat, NFTNL_EXPR_MASQ_REG_PROTO_MAX, NFT_REG32_15);
		}
		nftnl_expr_set_u32(
			nat, NFTNL_EXPR_MASQ_FLAGS,
			(rg.flags & (NF_NAT_RANGE_PROTO_RANDOM | NF_NAT_RANGE_PERSISTENT)) |
				NF_NAT_RANGE_PROTO_RANDOM_FULLY);
	} else {
		nat = nftnl_expr_alloc("nat");
		if (!nat)
			return -ENOMEM;
		nftnl_expr_set_u32(nat, NFTNL_EXPR_NAT_TYPE, NFT_NAT_SNAT);
		nftnl_expr_set_u32(nat, NFTNL_EXPR_NAT_FAMILY, family);
		if (rg.flags & NF_NAT_RANGE_MAP_IPS) {
			nftnl_rule_add_expr(r, natfix_expr_imm(NFT_REG32_08, rg.min_addr, alen));
			nftnl_rule_add_expr(r, natfix_expr_imm(NFT_REG32_12, rg.max_addr, alen));
			nftnl_expr_set_u32(nat, NFTNL_EXPR_NAT_REG_ADDR_MIN, NFT_REG32_08);
			nftnl_expr_set_u32(nat, NFTNL_EXPR_NAT_REG_ADDR_MAX, NFT_REG32_12);
		}
		if (rg.flags & NF_NAT_RANGE_PROTO_SPECIFIED) {
			nftnl_rule_add_expr(r, natfix_expr_imm(NFT_REG32_14, rg.min_port, 2));
			nftnl_rule_add_expr(r, natfix_expr_imm(NFT_REG32_15, rg.max_port, 2));
			nftnl_expr_set_u32(nat, NFTNL_EXPR_NAT_REG_PROTO_MIN, NFT_REG32_14);
			nftnl_expr_set_u32(nat, NFTNL_EXPR_NAT_REG_PROTO_MAX, NFT_REG32_15);
		}
		nftnl_expr_set_u32(
			nat, NFTNL_EXPR_NAT_FLAGS,
			(rg.flags & (NF_NAT_RANGE_PROTO_RANDOM | NF_NAT_RANGE_PERSISTENT)) |
				NF_NAT_RANGE_PROTO_RANDOM_FULLY);
	}
	nftnl_rule_add_expr(r, nat);
	return 0;
}

bool natfix_is_xt_nat(const struct nftnl_expr *e)
{
	const char *tg;

	if (strcmp(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), "target") != 0)
		return false;
	tg = nftnl_expr_get_str(e, NFTNL_EXPR_TG_NAME);
	return strcmp(tg, "MASQUERADE") == 0 || strcmp(tg, "SNAT") == 0;
}

struct nftnl_rule *natfix_new_rule(uint32_t family, const char *chain)
{
	struct nftnl_rule *r = nftnl_rule_alloc();

	if (r) {
		nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, family);
		nftnl_rule_set_str(r, NFTNL_RULE_TABLE, NATFIX_TABLE);
		nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	}
	return r;
}

/* "oifname != IFACE return", "[meta nfproto != F return] ip saddr != CIDR return" */
int natfix_add_scope_guards(struct overlay *ov, const struct scope *sc, const char *chain)
{
	struct nftnl_rule *r;
	int ret;

	if (sc->oif) {
		r = natfix_new_rule(ov->family, chain);
		if (!r)
			return -ENOMEM;
		nftnl_rule_add_expr(r, natfix_expr_meta(NFT_META_OIFNAME));
		nftnl_rule_add_expr(
			r, natfix_expr_cmp(NFT_CMP_NEQ, sc->oif, (uint32_t)strlen(sc->oif) + 1));
		nftnl_rule_add_expr(r, natfix_expr_verdict(NFT_RETURN));
		if ((ret = natfix_add_rule(ov, r, NULL)) < 0)
			return ret;
	}
	if (sc->have_saddr) {
		uint8_t nfproto = (uint8_t)sc->saddr_family;
		struct nftnl_expr *e;

		if (ov->family == NFPROTO_INET) {
			r = natfix_new_rule(ov->family, chain);
			if (!r)
				return -ENOMEM;
			nftnl_rule_add_expr(r, natfix_expr_meta(NFT_META_NFPROTO));
			nftnl_rule_add_expr(r, natfix_expr_cmp(NFT_CMP_NEQ, &nfproto, 1));
			nftnl_rule_add_expr(r, natfix_expr_verdict(NFT_RETURN));
			if ((ret = natfix_add_rule(ov, r, NULL)) < 0)
				return ret;
		}
		r = natfix_new_rule(ov->family, chain);
		if (!r)
			return -ENOMEM;
		e = nftnl_expr_alloc("payload");
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, NFT_PAYLOAD_NETWORK_HEADER);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, sc->len == 4 ? 12 : 8);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, sc->len);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
		nftnl_rule_add_expr(r, e);
		e = nftnl_expr_alloc("bitwise");
		{
			uint8_t zero[16] = { 0 };

			nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
			nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
			nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, sc->len);
			nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, sc->mask, sc->len);
			nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, zero, sc->len);
		}
		nftnl_rule_add_expr(r, e);
		nftnl_rule_add_expr(r, natfix_expr_cmp(NFT_CMP_NEQ, sc->net, sc->len));
		nftnl_rule_add_expr(r, natfix_expr_verdict(NFT_RETURN));
		if ((ret = natfix_add_rule(ov, r, NULL)) < 0)
			return ret;
	}
	return 0;
}

struct nftnl_chain *natfix_new_chain(uint32_t family, const char *name)
{
	struct nftnl_chain *c = nftnl_chain_alloc();

	if (c) {
		nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, family);
		nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, NATFIX_TABLE);
		nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
	}
	return c;
}
