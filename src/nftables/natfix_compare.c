#include "config.h"
#include "nftables/natfix.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <linux/netfilter/nf_nat.h>

#include "natfix_int.h"

#include "nftables/ruleset.h"
#include "util.h"

/*
 * Is natscope's table what the plan wants?  Judged by content, never by the mark: the
 * same chains with the same hooks, and in each chain the same rules in the same order.
 * Rules are compared as libnftnl prints their expressions (what `nft --debug=netlink`
 * shows), with what differs between a planned rule and the one the kernel holds taken
 * out: counter values, and the name or batch id of an anonymous set, for which its key
 * and its elements (in sorted order) stand.
 */

/* Where the sets a rule looks up live: the plan (by batch id) or the ruleset (by name). */
struct side {
	const struct overlay *ov; /* the plan, or NULL for the ruleset */
	const struct ruleset *rs;
	uint32_t family;
	bool loose; /* NAT statements without their fully-random flag */
};

static const struct nftnl_set *lookup_set(const struct side *sd, const struct nftnl_expr *e)
{
	if (sd->ov) {
		uint32_t id = nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_SET_ID);

		for (size_t i = 0; i < sd->ov->nsets; i++)
			if (nftnl_set_get_u32(sd->ov->sets[i], NFTNL_SET_ID) == id)
				return sd->ov->sets[i];
		return NULL;
	}
	return ruleset_set(sd->rs, sd->family, NATFIX_TABLE,
			   nftnl_expr_get_str(e, NFTNL_EXPR_LOOKUP_SET));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One element as libnftnl prints it, into a new string. */
static char *elem_text(const struct nftnl_set_elem *el)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	nftnl_set_elem_fprintf(f, el, NFTNL_OUTPUT_DEFAULT, 0);
	/* a verdict map's element: where it jumps (libnftnl 1.2.4's getters take a
	 * non-const element but only read it) */
	if (nftnl_set_elem_is_set(el, NFTNL_SET_ELEM_VERDICT))
		fprintf(f, " verdict %d",
			(int)nftnl_set_elem_get_u32((struct nftnl_set_elem *)el,
						    NFTNL_SET_ELEM_VERDICT));
	if (nftnl_set_elem_is_set(el, NFTNL_SET_ELEM_CHAIN))
		fprintf(f, " chain %s",
			nftnl_set_elem_get_str((struct nftnl_set_elem *)el, NFTNL_SET_ELEM_CHAIN));
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* "{ key T/L data D flags F: elements, sorted }" */
static int set_text(FILE *f, const struct nftnl_set *st)
{
	struct nftnl_set_elems_iter *it = nftnl_set_elems_iter_create((struct nftnl_set *)st);
	struct nftnl_set_elem *el;
	char **v = NULL;
	size_t n = 0;
	int ret = 0;

	if (!it)
		return -ENOMEM;
	while (ret == 0 && (el = nftnl_set_elems_iter_next(it))) {
		char *t = elem_text(el);

		if (!t || (ret = util_push((void ***)&v, &n, t)) < 0) {
			free(t);
			ret = -ENOMEM;
		}
	}
	nftnl_set_elems_iter_destroy(it);
	if (ret == 0 && n > 1) /* an empty set has no array to sort */
		qsort(v, n, sizeof(*v), cmp_str);
	fprintf(f, "{ key %u/%u data %#x flags %#x:", nftnl_set_get_u32(st, NFTNL_SET_KEY_TYPE),
		nftnl_set_get_u32(st, NFTNL_SET_KEY_LEN),
		nftnl_set_get_u32(st, NFTNL_SET_DATA_TYPE), nftnl_set_get_u32(st, NFTNL_SET_FLAGS));
	for (size_t i = 0; i < n; i++) {
		fprintf(f, " %s", v[i]);
		free(v[i]);
	}
	fputs(" }", f);
	free(v);
	return ret;
}

static uint32_t u32_or_0(const struct nftnl_expr *e, uint16_t attr)
{
	return nftnl_expr_is_set(e, attr) ? nftnl_expr_get_u32(e, attr) : 0;
}

/* A masq or nat statement, its flags without fully-random. */
static void nat_text(FILE *f, const struct nftnl_expr *e, bool masq)
{
	if (masq) {
		fprintf(f, "proto %u-%u flags %#x ", u32_or_0(e, NFTNL_EXPR_MASQ_REG_PROTO_MIN),
			u32_or_0(e, NFTNL_EXPR_MASQ_REG_PROTO_MAX),
			u32_or_0(e, NFTNL_EXPR_MASQ_FLAGS) & ~NF_NAT_RANGE_PROTO_RANDOM_FULLY);
		return;
	}
	fprintf(f, "type %u family %u addr %u-%u proto %u-%u flags %#x ",
		u32_or_0(e, NFTNL_EXPR_NAT_TYPE), u32_or_0(e, NFTNL_EXPR_NAT_FAMILY),
		u32_or_0(e, NFTNL_EXPR_NAT_REG_ADDR_MIN), u32_or_0(e, NFTNL_EXPR_NAT_REG_ADDR_MAX),
		u32_or_0(e, NFTNL_EXPR_NAT_REG_PROTO_MIN),
		u32_or_0(e, NFTNL_EXPR_NAT_REG_PROTO_MAX),
		u32_or_0(e, NFTNL_EXPR_NAT_FLAGS) & ~NF_NAT_RANGE_PROTO_RANDOM_FULLY);
}

static int expr_text(FILE *f, const struct nftnl_expr *e, const struct side *sd)
{
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);

	fprintf(f, "[ %s ", name);
	if (strcmp(name, "counter") == 0) {
		/* its values are state, not configuration */
	} else if (sd->loose && (strcmp(name, "masq") == 0 || strcmp(name, "nat") == 0)) {
		nat_text(f, e, strcmp(name, "masq") == 0);
	} else if (strcmp(name, "lookup") == 0) {
		const struct nftnl_set *st = lookup_set(sd, e);
		int ret;

		fprintf(f, "sreg %u dreg %d flags %u set ",
			nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_SREG),
			nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_DREG)
				? (int)nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_DREG)
				: -1,
			nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_FLAGS));
		if (!st)
			fputs("(missing)", f);
		else if ((ret = set_text(f, st)) < 0)
			return ret;
	} else {
		nftnl_expr_fprintf(f, e, NFTNL_OUTPUT_DEFAULT, 0);
	}
	fputs("]", f);
	return 0;
}

/* The rule's expressions as text, into a new string; NULL without memory. */
static char *rule_text(const struct nftnl_rule *r, const struct side *sd)
{
	struct nftnl_expr_iter *it = nftnl_expr_iter_create(r);
	struct nftnl_expr *e;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = it ? open_memstream(&buf, &len) : NULL;
	int ret = 0;

	if (!f) {
		if (it)
			nftnl_expr_iter_destroy(it);
		return NULL;
	}
	while (ret == 0 && (e = nftnl_expr_iter_next(it)))
		ret = expr_text(f, e, sd);
	nftnl_expr_iter_destroy(it);
	if (fclose(f) != 0 || ret < 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

char *natfix_rule_text(const struct nftnl_rule *r, const struct overlay *ov,
		       const struct ruleset *rs, uint32_t family, bool loose)
{
	struct side sd = { .ov = ov, .rs = rs, .family = family, .loose = loose };

	return rule_text(r, &sd);
}

static bool same_rule(const struct nftnl_rule *want, const struct side *plan,
		      const struct nftnl_rule *have, const struct side *now, int *err)
{
	char *a = rule_text(want, plan), *b = rule_text(have, now);
	bool same = a && b && strcmp(a, b) == 0;

	if (!a || !b)
		*err = -ENOMEM;
	free(a);
	free(b);
	return same;
}

bool natfix_same_hook(const struct nftnl_chain *a, const struct nftnl_chain *b)
{
	bool base = nftnl_chain_is_set(a, NFTNL_CHAIN_HOOKNUM);

	if (base != nftnl_chain_is_set(b, NFTNL_CHAIN_HOOKNUM))
		return false;
	if (!base)
		return true;
	return nftnl_chain_get_u32(a, NFTNL_CHAIN_HOOKNUM) ==
		       nftnl_chain_get_u32(b, NFTNL_CHAIN_HOOKNUM) &&
	       nftnl_chain_get_u32(a, NFTNL_CHAIN_PRIO) ==
		       nftnl_chain_get_u32(b, NFTNL_CHAIN_PRIO) &&
	       nftnl_chain_is_set(b, NFTNL_CHAIN_TYPE) &&
	       strcmp(nftnl_chain_get_str(a, NFTNL_CHAIN_TYPE),
		      nftnl_chain_get_str(b, NFTNL_CHAIN_TYPE)) == 0 &&
	       nftnl_chain_get_u32(a, NFTNL_CHAIN_POLICY) ==
		       nftnl_chain_get_u32(b, NFTNL_CHAIN_POLICY);
}

/* The planned rules of @chain against the ruleset's, in order. */
static bool same_rules(const struct overlay *ov, const struct ruleset *rs, const char *chain,
		       int *err, size_t *at)
{
	struct side plan = { .ov = ov, .family = ov->family };
	struct side now = { .rs = rs, .family = ov->family };
	size_t i = 0, k = 0;

	for (;; *at = i) {
		while (i < ov->nrules &&
		       strcmp(nftnl_rule_get_str(ov->rules[i], NFTNL_RULE_CHAIN), chain) != 0)
			i++;
		while (k < ruleset_nrules(rs) &&
		       !ruleset_rule_in(ruleset_rule(rs, k), ov->family, NATFIX_TABLE, chain))
			k++;
		if (i == ov->nrules || k == ruleset_nrules(rs))
			return i == ov->nrules && k == ruleset_nrules(rs);
		if (!same_rule(ov->rules[i], &plan, ruleset_rule(rs, k), &now, err))
			return false;
		i++;
		k++;
	}
}

static const struct nftnl_chain *planned_chain(const struct overlay *ov, const char *name)
{
	for (size_t i = 0; i < ov->nchains; i++)
		if (strcmp(nftnl_chain_get_str(ov->chains[i], NFTNL_CHAIN_NAME), name) == 0)
			return ov->chains[i];
	return NULL;
}

int natfix_overlay_matches(const struct overlay *ov, const struct ruleset *rs)
{
	const struct nftnl_table *t = ruleset_table(rs, ov->family, NATFIX_TABLE);
	size_t nchains = 0, at;
	int err = 0;

	if (!t || nftnl_table_get_u32(t, NFTNL_TABLE_FLAGS) != 0)
		return 0; /* absent, or dormant: not in force */
	for (size_t i = 0; i < ruleset_nchains(rs); i++) {
		const struct nftnl_chain *c = ruleset_chain(rs, i);
		const struct nftnl_chain *want;

		if (nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY) != ov->family ||
		    strcmp(nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE), NATFIX_TABLE) != 0)
			continue;
		nchains++;
		want = planned_chain(ov, nftnl_chain_get_str(c, NFTNL_CHAIN_NAME));
		if (!want || !natfix_same_hook(want, c) ||
		    !same_rules(ov, rs, nftnl_chain_get_str(c, NFTNL_CHAIN_NAME), &err, &at))
			return err;
	}
	return nchains == ov->nchains ? 1 : 0;
}

ssize_t natfix_overlay_first_difference(const struct overlay *ov, const struct ruleset *rs)
{
	for (size_t c = 0; c < ov->nchains; c++) {
		const char *name = nftnl_chain_get_str(ov->chains[c], NFTNL_CHAIN_NAME);
		size_t at = 0;
		int err = 0;

		if (!same_rules(ov, rs, name, &err, &at))
			return at < ov->nrules ? (ssize_t)at : -1;
	}
	return -1;
}
