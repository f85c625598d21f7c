#include "config.h"
#include "nftables/natexpr.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <libnftnl/expr.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>

int natexpr_xt_range(const struct nftnl_expr *e, uint32_t family, struct natexpr_range *out)
{
	uint32_t len, rev = nftnl_expr_get_u32(e, NFTNL_EXPR_TG_REV);
	const uint8_t *info = nftnl_expr_get(e, NFTNL_EXPR_TG_INFO, &len);

	memset(out, 0, sizeof(*out));
	if (!info)
		return -EBADMSG;
	if (family == NFPROTO_IPV4 && rev == 0) {
		struct nf_nat_ipv4_multi_range_compat mr;

		if (len < sizeof(mr))
			return -EBADMSG;
		memcpy(&mr, info, sizeof(mr));
		out->flags = mr.range[0].flags;
		memcpy(out->min_addr, &mr.range[0].min_ip, 4);
		memcpy(out->max_addr, &mr.range[0].max_ip, 4);
		memcpy(out->min_port, &mr.range[0].min.all, 2);
		memcpy(out->max_port, &mr.range[0].max.all, 2);
		return 0;
	}
	/* nf_nat_range (rev 1) is nf_nat_range2 (rev 2) without its last member */
	struct nf_nat_range r;

	if (len < sizeof(r))
		return -EBADMSG;
	memcpy(&r, info, sizeof(r));
	out->flags = r.flags;
	memcpy(out->min_addr, &r.min_addr, 16);
	memcpy(out->max_addr, &r.max_addr, 16);
	memcpy(out->min_port, &r.min_proto.all, 2);
	memcpy(out->max_port, &r.max_proto.all, 2);
	return 0;
}

int natexpr_snat(const struct nftnl_expr *e, uint32_t family, struct natexpr_nat *out)
{
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);

	memset(out, 0, sizeof(*out));
	if (strcmp(name, "masq") == 0) {
		out->kind = NATEXPR_MASQUERADE;
		out->flags = nftnl_expr_is_set(e, NFTNL_EXPR_MASQ_FLAGS)
				     ? nftnl_expr_get_u32(e, NFTNL_EXPR_MASQ_FLAGS)
				     : 0;
		out->port_range = nftnl_expr_is_set(e, NFTNL_EXPR_MASQ_REG_PROTO_MIN);
		return 1;
	}
	if (strcmp(name, "nat") == 0 &&
	    nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_TYPE) == NFT_NAT_SNAT) {
		out->kind = NATEXPR_SNAT;
		out->flags = nftnl_expr_is_set(e, NFTNL_EXPR_NAT_FLAGS)
				     ? nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_FLAGS)
				     : 0;
		out->addr_range = nftnl_expr_is_set(e, NFTNL_EXPR_NAT_REG_ADDR_MIN);
		out->port_range = nftnl_expr_is_set(e, NFTNL_EXPR_NAT_REG_PROTO_MIN);
		return 1;
	}
	if (strcmp(name, "target") == 0) {
		const char *tg = nftnl_expr_get_str(e, NFTNL_EXPR_TG_NAME);

		if (strcmp(tg, "MASQUERADE") == 0)
			out->kind = NATEXPR_MASQUERADE;
		else if (strcmp(tg, "SNAT") == 0)
			out->kind = NATEXPR_SNAT;
		else
			return 0;
		struct natexpr_range rg;

		out->compat = true;
		if (natexpr_xt_range(e, family, &rg) == 0)
			out->flags = rg.flags;
		out->addr_range = out->flags & NF_NAT_RANGE_MAP_IPS;
		out->port_range = out->flags & NF_NAT_RANGE_PROTO_SPECIFIED;
		return 1;
	}
	return 0;
}

bool natexpr_snat_flags(const struct nftnl_expr *e, uint32_t family, uint32_t *flags)
{
	struct natexpr_nat r = { 0 };

	if (!natexpr_snat(e, family, &r))
		return false;
	*flags = r.flags;
	return true;
}

const char *natexpr_jump(const struct nftnl_expr *e)
{
	int32_t verdict;

	if (strcmp(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), "immediate") != 0 ||
	    !nftnl_expr_is_set(e, NFTNL_EXPR_IMM_VERDICT))
		return NULL;
	verdict = (int32_t)nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_VERDICT);
	if (verdict != NFT_JUMP && verdict != NFT_GOTO)
		return NULL;
	return nftnl_expr_get_str(e, NFTNL_EXPR_IMM_CHAIN);
}
