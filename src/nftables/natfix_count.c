#include "config.h"
#include "nftables/natfix.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>

#include "natfix_int.h"

#include "nftables/owner.h"
#include "util.h"

/*
 * The proof that the fix helped needs the number of new source-NAT flows since it was
 * applied, and the kernel keeps no such counter (the per-CPU "insert" statistic stays 0
 * since 5.x).  natscope's table counts them itself, in a chain of its own:
 *
 *	chain count { type filter hook postrouting priority srcnat + 1; policy accept;
 *		ct state new ct status snat counter }
 *
 * After every nat chain (they all run inside the one nat hook at srcnat), before
 * conntrack confirms: each new flow source-NAT was set up for, once, including those
 * whose insertion then fails.  Only one family counts a flow: the inet table when natscope
 * has one (it sees both), else the ip and ip6 tables each their own.
 */

#define COUNT_PRIO (NATFIX_SCOPE_PRIO + 2) /* srcnat (NF_IP_PRI_NAT_SRC, 100) + 1 */

static int add_test(struct nftnl_rule *r, uint32_t key, uint32_t bit)
{
	struct nftnl_expr *ct = nftnl_expr_alloc("ct"), *bw = nftnl_expr_alloc("bitwise");
	struct nftnl_expr *cmp;
	uint32_t zero = 0;

	cmp = natfix_expr_cmp(NFT_CMP_NEQ, &zero, sizeof(zero));
	if (!ct || !bw || !cmp) {
		if (ct)
			nftnl_expr_free(ct);
		if (bw)
			nftnl_expr_free(bw);
		if (cmp)
			nftnl_expr_free(cmp);
		return -ENOMEM;
	}
	nftnl_expr_set_u32(ct, NFTNL_EXPR_CT_KEY, key);
	nftnl_expr_set_u32(ct, NFTNL_EXPR_CT_DREG, NFT_REG_1);
	nftnl_expr_set_u32(bw, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
	nftnl_expr_set_u32(bw, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
	nftnl_expr_set_u32(bw, NFTNL_EXPR_BITWISE_LEN, sizeof(bit));
	nftnl_expr_set(bw, NFTNL_EXPR_BITWISE_MASK, &bit, sizeof(bit));
	nftnl_expr_set(bw, NFTNL_EXPR_BITWISE_XOR, &zero, sizeof(zero));
	nftnl_rule_add_expr(r, ct);
	nftnl_rule_add_expr(r, bw);
	nftnl_rule_add_expr(r, cmp);
	return 0;
}

/* The counter of natscope's count rule of @family in @rs: 1 and its values, else 0. */
static int read_counter(const struct ruleset *rs, uint32_t family, uint64_t *pkts, uint64_t *bytes)
{
	for (size_t i = 0; i < ruleset_nrules(rs); i++) {
		const struct nftnl_rule *r = ruleset_rule(rs, i);
		struct nftnl_expr_iter *it;
		struct nftnl_expr *e;
		int found = 0;

		if (!ruleset_rule_in(r, family, NATFIX_TABLE, NATFIX_COUNT_CHAIN))
			continue;
		it = nftnl_expr_iter_create(r);
		if (!it)
			return -ENOMEM;
		while ((e = nftnl_expr_iter_next(it)) && !found) {
			if (strcmp(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), "counter") != 0)
				continue;
			*pkts += nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_PACKETS);
			*bytes += nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_BYTES);
			found = 1;
		}
		nftnl_expr_iter_destroy(it);
		return found;
	}
	return 0;
}

int natfix_counted(const struct ruleset *rs, uint64_t *flows)
{
	uint64_t bytes = 0;
	int any = 0;

	*flows = 0;
	for (int f = 0; f < NFAM; f++) {
		int ret;

		if (owner_of_table(rs, natfix_families[f], NATFIX_TABLE, NULL) != 1)
			continue;
		ret = read_counter(rs, natfix_families[f], flows, &bytes);
		if (ret < 0)
			return ret;
		any |= ret;
	}
	return any ? 0 : -ENOENT;
}

static int add_count_chain(struct overlay *ov, uint64_t pkts, uint64_t bytes)
{
	struct nftnl_chain *c = natfix_new_chain(ov->family, NATFIX_COUNT_CHAIN);
	struct nftnl_rule *r;
	struct nftnl_expr *e;
	int ret;

	if (!c)
		return -ENOMEM;
	nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, NF_INET_POST_ROUTING);
	nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, COUNT_PRIO);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter");
	nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
	if ((ret = util_push((void ***)&ov->chains, &ov->nchains, c)) < 0) {
		nftnl_chain_free(c);
		return ret;
	}
	r = natfix_new_rule(ov->family, NATFIX_COUNT_CHAIN);
	if (!r)
		return -ENOMEM;
	ret = add_test(r, NFT_CT_STATE, NF_CT_STATE_BIT(IP_CT_NEW));
	if (ret == 0)
		ret = add_test(r, NFT_CT_STATUS, IPS_SRC_NAT);
	e = ret == 0 ? nftnl_expr_alloc("counter") : NULL;
	if (!e) {
		nftnl_rule_free(r);
		return -ENOMEM;
	}
	/* a rebuilt table goes on counting from where the old one was */
	nftnl_expr_set_u64(e, NFTNL_EXPR_CTR_PACKETS, pkts);
	nftnl_expr_set_u64(e, NFTNL_EXPR_CTR_BYTES, bytes);
	nftnl_rule_add_expr(r, e);
	return natfix_add_rule(ov, r, NULL);
}

int natfix_plan_count(struct natfix_plan *p, const struct ruleset *rs)
{
	uint64_t pkts = 0, bytes = 0;
	bool inet = false;
	int ret;

	for (int f = 0; f < NFAM; f++) {
		const struct overlay *ov = &p->ov[f];

		inet |= ov->family == NFPROTO_INET && ov->wanted && !ov->kept;
		if (ov->existing && !ov->kept && read_counter(rs, ov->family, &pkts, &bytes) < 0)
			return -ENOMEM;
	}
	for (int f = 0; f < NFAM; f++) {
		struct overlay *ov = &p->ov[f];

		if (!ov->wanted || ov->kept || (inet && ov->family != NFPROTO_INET))
			continue;
		ret = add_count_chain(ov, pkts, bytes);
		if (ret < 0)
			return ret;
		pkts = bytes = 0; /* the whole count once */
	}
	return 0;
}
