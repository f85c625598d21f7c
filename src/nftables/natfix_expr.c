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
#include <linux/netfilter/xt_addrtype.h>
#include <linux/netfilter/xt_comment.h>
#include <linux/netfilter/xt_mark.h>

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
 * mirror carries the native statement with the same range instead: masq or nat snat.
 * Addresses and ports go into registers as nft itself puts them (netlink_linearize.c):
 * from NFT_REG_1 on, one register for a minimum equal to its maximum, so that nft's text
 * of the mirror reads back to the very same expressions (the dry-run's check) and what
 * the kernel holds equals the plan.  The registers are free: matching is over by then.
 */
/*
 * The range flags an xt NAT target's mirror keeps, with fully-random added.  The kernel's
 * nft_masq_init() takes the flags as given: a masquerade with port registers but without
 * NF_NAT_RANGE_PROTO_SPECIFIED loads, lists with its range, and ignores it (source port
 * 500 mapped to 105 under libvirt's `--to-ports 1024-65535`); nft writes 0x12.
 * nft_nat_init() adds MAP_IPS and PROTO_SPECIFIED itself when the registers are given,
 * so a mirror planned without them never equals what is in force (nft writes 0x13).
 */
#define XT_NAT_KEPT                                                                                \
	(NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED | NF_NAT_RANGE_PROTO_RANDOM |         \
	 NF_NAT_RANGE_PERSISTENT)

/* Load @min and @max (@len bytes) as nft would: 0 or -ENOMEM; *next is the next free
 * register, *rmin and *rmax those loaded. */
static int load_range(struct nftnl_rule *r, const uint8_t *min, const uint8_t *max, uint32_t len,
		      uint32_t *next, uint32_t *rmin, uint32_t *rmax)
{
	struct nftnl_expr *e = natfix_expr_imm(*next, min, len);

	if (!e)
		return -ENOMEM;
	nftnl_rule_add_expr(r, e);
	*rmin = *rmax = (*next)++;
	if (memcmp(min, max, len) == 0)
		return 0;
	if (!(e = natfix_expr_imm(*next, max, len)))
		return -ENOMEM;
	nftnl_rule_add_expr(r, e);
	*rmax = (*next)++;
	return 0;
}

int natfix_translate_xt_nat(struct nftnl_rule *r, const struct nftnl_expr *e, uint32_t family)
{
	const char *tg = nftnl_expr_get_str(e, NFTNL_EXPR_TG_NAME);
	uint32_t alen = family == NFPROTO_IPV6 ? 16 : 4;
	bool masq = strcmp(tg, "MASQUERADE") == 0;
	uint32_t reg = NFT_REG_1, amin, amax, pmin, pmax;
	struct nftnl_expr *nat;
	struct natexpr_range rg;
	int ret;

	ret = natexpr_xt_range(e, family, &rg);
	if (ret < 0)
		return ret;
	if (rg.flags & (NF_NAT_RANGE_PROTO_OFFSET | NF_NAT_RANGE_NETMAP))
		return -EOPNOTSUPP;
	nat = nftnl_expr_alloc(masq ? "masq" : "nat");
	if (!nat)
		return -ENOMEM;
	if (!masq && (rg.flags & NF_NAT_RANGE_MAP_IPS)) {
		if (load_range(r, rg.min_addr, rg.max_addr, alen, &reg, &amin, &amax) < 0)
			goto err;
		nftnl_expr_set_u32(nat, NFTNL_EXPR_NAT_REG_ADDR_MIN, amin);
		nftnl_expr_set_u32(nat, NFTNL_EXPR_NAT_REG_ADDR_MAX, amax);
	}
	if (rg.flags & NF_NAT_RANGE_PROTO_SPECIFIED) {
		if (load_range(r, rg.min_port, rg.max_port, 2, &reg, &pmin, &pmax) < 0)
			goto err;
		nftnl_expr_set_u32(
			nat, masq ? NFTNL_EXPR_MASQ_REG_PROTO_MIN : NFTNL_EXPR_NAT_REG_PROTO_MIN,
			pmin);
		nftnl_expr_set_u32(
			nat, masq ? NFTNL_EXPR_MASQ_REG_PROTO_MAX : NFTNL_EXPR_NAT_REG_PROTO_MAX,
			pmax);
	}
	if (masq) {
		nftnl_expr_set_u32(nat, NFTNL_EXPR_MASQ_FLAGS,
				   (rg.flags & XT_NAT_KEPT & ~NF_NAT_RANGE_MAP_IPS) |
					   NF_NAT_RANGE_PROTO_RANDOM_FULLY);
	} else {
		nftnl_expr_set_u32(nat, NFTNL_EXPR_NAT_TYPE, NFT_NAT_SNAT);
		nftnl_expr_set_u32(nat, NFTNL_EXPR_NAT_FAMILY, family);
		nftnl_expr_set_u32(nat, NFTNL_EXPR_NAT_FLAGS,
				   (rg.flags & XT_NAT_KEPT) | NF_NAT_RANGE_PROTO_RANDOM_FULLY);
	}
	nftnl_rule_add_expr(r, nat);
	return 0;
err:
	nftnl_expr_free(nat);
	return -ENOMEM;
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
		/* IFNAMSIZ bytes, zero-padded: what nft writes for oifname != "NAME" */
		char name[16] = { 0 };

		memcpy(name, sc->oif, strlen(sc->oif)); /* scope_parse() took < 16 bytes */
		nftnl_rule_add_expr(r, natfix_expr_meta(NFT_META_OIFNAME));
		nftnl_rule_add_expr(r, natfix_expr_cmp(NFT_CMP_NEQ, name, sizeof(name)));
		nftnl_rule_add_expr(r, natfix_expr_verdict(NFT_RETURN));
		if ((ret = natfix_add_rule(ov, r, NULL)) < 0)
			return ret;
	}
	if (sc->have_saddr) {
		uint8_t nfproto = (uint8_t)sc->saddr_family;
		uint32_t plen = 0, bytes;
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
		/* as nft writes "ip saddr != NET/LEN": a whole-byte prefix loads just its
		 * bytes; any other is masked */
		for (uint32_t i = 0; i < sc->len; i++)
			plen += (uint32_t)__builtin_popcount(sc->mask[i]);
		bytes = plen % 8 == 0 && plen > 0 ? plen / 8 : sc->len;
		e = nftnl_expr_alloc("payload");
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, NFT_PAYLOAD_NETWORK_HEADER);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, sc->len == 4 ? 12 : 8);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, bytes);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
		nftnl_rule_add_expr(r, e);
		e = bytes == sc->len && plen < sc->len * 8 ? nftnl_expr_alloc("bitwise") : NULL;
		if (e) {
			uint8_t zero[16] = { 0 };

			nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
			nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
			nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, sc->len);
			nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, sc->mask, sc->len);
			nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, zero, sc->len);
		}
		if (e)
			nftnl_rule_add_expr(r, e);
		nftnl_rule_add_expr(r, natfix_expr_cmp(NFT_CMP_NEQ, sc->net, bytes));
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

/* "fib saddr|daddr type T": one address type, no interface limit, maybe inverted. */
static int xt_addrtype(struct nftnl_rule *r, const void *info, uint32_t len, uint32_t rev)
{
	struct xt_addrtype_info_v1 a;
	uint16_t types;
	uint32_t type;
	bool inv;
	struct nftnl_expr *fib, *cmp;

	if (rev != 1 || len < sizeof(a))
		return 0;
	memcpy(&a, info, sizeof(a));
	if ((a.source != 0) == (a.dest != 0) ||
	    (a.flags & (XT_ADDRTYPE_LIMIT_IFACE_IN | XT_ADDRTYPE_LIMIT_IFACE_OUT)))
		return 0;
	types = a.source ? a.source : a.dest;
	if (__builtin_popcount(types) != 1)
		return 0;		       /* several types need a set: left to x_tables */
	type = (uint32_t)__builtin_ctz(types); /* XT_ADDRTYPE_x is 1 << RTN_x */
	inv = a.flags & (a.source ? XT_ADDRTYPE_INVERT_SOURCE : XT_ADDRTYPE_INVERT_DEST);
	fib = nftnl_expr_alloc("fib");
	cmp = natfix_expr_cmp(inv ? NFT_CMP_NEQ : NFT_CMP_EQ, &type, sizeof(type));
	if (!fib || !cmp) {
		if (fib)
			nftnl_expr_free(fib);
		if (cmp)
			nftnl_expr_free(cmp);
		return -ENOMEM;
	}
	nftnl_expr_set_u32(fib, NFTNL_EXPR_FIB_FLAGS,
			   a.source ? NFTA_FIB_F_SADDR : NFTA_FIB_F_DADDR);
	nftnl_expr_set_u32(fib, NFTNL_EXPR_FIB_RESULT, NFT_FIB_RESULT_ADDRTYPE);
	nftnl_expr_set_u32(fib, NFTNL_EXPR_FIB_DREG, NFT_REG_1);
	nftnl_rule_add_expr(r, fib);
	nftnl_rule_add_expr(r, cmp);
	return 1;
}

/* "meta mark [& MASK] [!=|==] MARK" */
static int xt_mark(struct nftnl_rule *r, const void *info, uint32_t len, uint32_t rev)
{
	struct xt_mark_mtinfo1 m;
	struct nftnl_expr *load, *bw = NULL, *cmp;
	uint32_t zero = 0;

	if (rev != 1 || len < sizeof(m))
		return 0;
	memcpy(&m, info, sizeof(m));
	load = natfix_expr_meta(NFT_META_MARK);
	cmp = natfix_expr_cmp(m.invert ? NFT_CMP_NEQ : NFT_CMP_EQ, &m.mark, sizeof(m.mark));
	if (m.mask != 0xffffffff && (bw = nftnl_expr_alloc("bitwise"))) {
		nftnl_expr_set_u32(bw, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
		nftnl_expr_set_u32(bw, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
		nftnl_expr_set_u32(bw, NFTNL_EXPR_BITWISE_LEN, sizeof(uint32_t));
		nftnl_expr_set(bw, NFTNL_EXPR_BITWISE_MASK, &m.mask, sizeof(m.mask));
		nftnl_expr_set(bw, NFTNL_EXPR_BITWISE_XOR, &zero, sizeof(zero));
	}
	if (!load || !cmp || (m.mask != 0xffffffff && !bw)) {
		if (load)
			nftnl_expr_free(load);
		if (cmp)
			nftnl_expr_free(cmp);
		if (bw)
			nftnl_expr_free(bw);
		return -ENOMEM;
	}
	nftnl_rule_add_expr(r, load);
	if (bw)
		nftnl_rule_add_expr(r, bw);
	nftnl_rule_add_expr(r, cmp);
	return 1;
}

/* Free the expressions of @e that are not NULL; -ENOMEM. */
static int free_all(struct nftnl_expr **e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (e[i])
			nftnl_expr_free(e[i]);
	return -ENOMEM;
}

int natfix_xt_mark_target(const struct nftnl_expr *e, uint32_t *mark, uint32_t *mask)
{
	uint32_t len = 0;
	const void *info;
	struct xt_mark_tginfo2 t;

	if (strcmp(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), "target") != 0 ||
	    strcmp(nftnl_expr_get_str(e, NFTNL_EXPR_TG_NAME), "MARK") != 0 ||
	    nftnl_expr_get_u32(e, NFTNL_EXPR_TG_REV) != 2)
		return 0;
	info = nftnl_expr_get(e, NFTNL_EXPR_TG_INFO, &len);
	if (!info || len < sizeof(t))
		return 0;
	memcpy(&t, info, sizeof(t));
	*mark = t.mark;
	*mask = t.mask;
	return 1;
}

/*
 * xt MARK (revision 2: mark = (mark & ~mask) ^ value) as nft writes `meta mark set`:
 * an immediate for --set-mark (mask all ones), else meta load, bitwise, meta set.
 */
int natfix_translate_xt_mark(struct nftnl_rule *r, const struct nftnl_expr *e)
{
	struct nftnl_expr *x[3] = { NULL, NULL, NULL };
	uint32_t mark, mask, keep;
	size_t n = 0;

	if (natfix_xt_mark_target(e, &mark, &mask) != 1)
		return 0;
	keep = ~mask;
	if (mask == 0xffffffff) {
		if (!(x[n++] = natfix_expr_imm(NFT_REG_1, &mark, sizeof(mark))))
			return free_all(x, n);
	} else {
		if (!(x[n++] = natfix_expr_meta(NFT_META_MARK)) ||
		    !(x[n++] = nftnl_expr_alloc("bitwise")))
			return free_all(x, n);
		nftnl_expr_set_u32(x[1], NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
		nftnl_expr_set_u32(x[1], NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
		nftnl_expr_set_u32(x[1], NFTNL_EXPR_BITWISE_LEN, sizeof(uint32_t));
		nftnl_expr_set(x[1], NFTNL_EXPR_BITWISE_MASK, &keep, sizeof(keep));
		nftnl_expr_set(x[1], NFTNL_EXPR_BITWISE_XOR, &mark, sizeof(mark));
	}
	if (!(x[n++] = nftnl_expr_alloc("meta")))
		return free_all(x, n);
	nftnl_expr_set_u32(x[n - 1], NFTNL_EXPR_META_KEY, NFT_META_MARK);
	nftnl_expr_set_u32(x[n - 1], NFTNL_EXPR_META_SREG, NFT_REG_1);
	for (size_t i = 0; i < n; i++)
		nftnl_rule_add_expr(r, x[i]);
	return 1;
}

/* "comment TEXT": the rule's own comment, unless it has one already. */
static int xt_comment(struct nftnl_rule *r, const void *info, uint32_t len)
{
	char text[XT_MAX_COMMENT_LEN];
	struct nftnl_udata_buf *ud;

	if (len < sizeof(text) || nftnl_rule_is_set(r, NFTNL_RULE_USERDATA))
		return 0;
	memcpy(text, info, sizeof(text));
	text[sizeof(text) - 1] = '\0';
	ud = nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN);
	if (!ud)
		return -ENOMEM;
	if (!nftnl_udata_put_strz(ud, NFTNL_UDATA_RULE_COMMENT, text)) {
		nftnl_udata_buf_free(ud);
		return 0;
	}
	nftnl_rule_set_data(r, NFTNL_RULE_USERDATA, nftnl_udata_buf_data(ud),
			    nftnl_udata_buf_len(ud));
	nftnl_udata_buf_free(ud);
	return 1;
}

int natfix_translate_xt_match(struct nftnl_rule *r, const struct nftnl_expr *e)
{
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_MT_NAME);
	uint32_t len = 0, rev = nftnl_expr_get_u32(e, NFTNL_EXPR_MT_REV);
	const void *info = nftnl_expr_get(e, NFTNL_EXPR_MT_INFO, &len);

	if (!name || !info)
		return 0;
	if (strcmp(name, "addrtype") == 0)
		return xt_addrtype(r, info, len, rev);
	if (strcmp(name, "mark") == 0)
		return xt_mark(r, info, len, rev);
	if (strcmp(name, "comment") == 0)
		return xt_comment(r, info, len);
	return 0;
}
