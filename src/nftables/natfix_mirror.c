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
#include "nftables/ruleset.h"
#include "util.h"

/*
 * Statements whose effect would change if a packet ran through them twice (once in the
 * mirror, again in the source chain when the mirror does not bind NAT), or that refer to
 * state in another table.  Such chains are reported, never approximated.
 */
static const char *const run_twice[] = {
	"log",	  "queue",  "quota",  "limit", "connlimit",
	"dynset", "objref", "numgen", "last",  "synproxy",
};

/*
 * Whether rule @r does nothing but source NAT every packet that reaches it: counters,
 * comments, the registers its statement loads, one NAT statement.
 */
static bool nats_all(const struct nftnl_rule *r, uint32_t family)
{
	struct nftnl_expr_iter *it = nftnl_expr_iter_create(r);
	struct nftnl_expr *e;
	bool ok = it != NULL, nat = false;
	uint32_t flags;

	while (ok && (e = nftnl_expr_iter_next(it))) {
		const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
		const char *mt = strcmp(name, "match") == 0
					 ? nftnl_expr_get_str(e, NFTNL_EXPR_MT_NAME)
					 : NULL;

		if (natexpr_snat_flags(e, family, &flags) || natfix_is_xt_nat(e))
			nat = true;
		else if (strcmp(name, "counter") != 0 && !(mt && strcmp(mt, "comment") == 0) &&
			 !(strcmp(name, "immediate") == 0 &&
			   nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_DREG) != NFT_REG_VERDICT))
			ok = false;
	}
	if (it)
		nftnl_expr_iter_destroy(it);
	return ok && nat;
}

/*
 * An xt MARK in rule @ri is mirrored (as `meta mark set`) only where it runs once: when
 * the next rule of its chain NATs every packet, a packet that reaches the MARK in the
 * mirror binds NAT there, so the source chain never runs for it (the first NAT chain
 * that binds wins) and the mark changes once, as without the mirror.  Elsewhere a
 * packet the mirror did not NAT would meet the MARK again in the source chain (kube-
 * proxy's --xor-mark 0x4000 would undo itself).
 */
static bool mark_runs_once(const struct ruleset *rs, size_t ri, uint32_t family)
{
	const struct nftnl_rule *r = ruleset_rule(rs, ri);
	const char *table = nftnl_rule_get_str(r, NFTNL_RULE_TABLE);
	const char *chain = nftnl_rule_get_str(r, NFTNL_RULE_CHAIN);

	for (size_t j = ri + 1; j < ruleset_nrules(rs); j++) {
		const struct nftnl_rule *n = ruleset_rule(rs, j);

		if (ruleset_rule_in(n, family, table, chain))
			return nats_all(n, family);
	}
	return false;
}

static bool refuse(const struct nftnl_expr *e, const struct ruleset *rs, size_t ri, uint32_t family,
		   const char *table, char *why, size_t len)
{
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
	uint32_t mark, mask;

	for (size_t i = 0; i < ARRAY_SIZE(run_twice); i++) {
		if (strcmp(name, run_twice[i]) == 0) {
			snprintf(why, len, "a %s statement would run twice", name);
			return true;
		}
	}
	if (natfix_xt_mark_target(e, &mark, &mask) == 1) {
		if (mark_runs_once(rs, ri, family))
			return false;
		snprintf(why, len,
			 "xt target MARK would run twice (in the mirror, then in the source "
			 "chain): the next rule does not NAT every packet");
		return true;
	}
	if (strcmp(name, "target") == 0) {
		const char *tg = nftnl_expr_get_str(e, NFTNL_EXPR_TG_NAME);

		if (strcmp(tg, "MASQUERADE") != 0 && strcmp(tg, "SNAT") != 0) {
			snprintf(why, len, "xt target %s cannot be mirrored outside its table", tg);
			return true;
		}
	}
	if (strcmp(name, "lookup") == 0) {
		const char *set = nftnl_expr_get_str(e, NFTNL_EXPR_LOOKUP_SET);
		const struct nftnl_set *st = ruleset_set(rs, family, table, set);

		/* Verdict maps, named or not, are recreated with their jumps to the mirror
		 * chains, unless the data path updates them (its updates would not reach the
		 * copy). */
		if (st && ruleset_vmap_of(rs, e, family, table)) {
			if (nftnl_set_get_u32(st, NFTNL_SET_FLAGS) &
			    (NFT_SET_TIMEOUT | NFT_SET_EVAL | NFT_SET_OBJECT)) {
				snprintf(why, len, "verdict map @%s of table %s is dynamic", set,
					 table);
				return true;
			}
			return false;
		}
		if (!st || !(nftnl_set_get_u32(st, NFTNL_SET_FLAGS) & NFT_SET_ANONYMOUS)) {
			snprintf(why, len, "it references set @%s of table %s", set, table);
			return true;
		}
		/* Anonymous sets are recreated; maps to data other than verdicts are not. */
		if ((nftnl_set_get_u32(st, NFTNL_SET_FLAGS) & (NFT_SET_MAP | NFT_SET_OBJECT)) ||
		    nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_DREG)) {
			snprintf(why, len,
				 "it uses an anonymous map to data (not mirrored by this version)");
			return true;
		}
	}
	return false;
}

/*
 * The mirror of chain @chain of table @table: "TABLE/CHAIN" with '.' and '/' of the
 * table's name written ".." and ".s".  The escaped table name holds no '/', so the first
 * '/' ends it and different pairs always get different names (nat + x-post and nat-x +
 * post are "nat/x-post" and "nat-x/post").  -ENAMETOOLONG past the kernel's 255 bytes.
 */
int natfix_chain_name(char *buf, size_t len, const char *table, const char *chain)
{
	size_t n = 0;

	for (const char *c = table; *c; c++) {
		const char *code = *c == '.' ? ".." : *c == '/' ? ".s" : NULL;
		size_t clen = code ? 2 : 1;

		if (n + clen >= len)
			return -ENAMETOOLONG;
		memcpy(buf + n, code ? code : c, clen);
		n += clen;
	}
	if (n + 1 + strlen(chain) >= len || n + 1 + strlen(chain) > NATFIX_NAME_MAX)
		return -ENAMETOOLONG;
	snprintf(buf + n, len - n, "/%s", chain);
	return 0;
}

/* Serialise and parse back: libnftnl has no rule copy. */
struct nftnl_rule *natfix_clone_rule(const struct nftnl_rule *src, char *scratch)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nlmsghdr *nlh;

	if (!r)
		return NULL;
	nlh = nftnl_nlmsg_build_hdr(scratch, NFT_MSG_NEWRULE,
				    (uint16_t)nftnl_rule_get_u32(src, NFTNL_RULE_FAMILY), 0, 0);
	/* libnftnl 1.2.4 takes a non-const rule here but only reads it */
	nftnl_rule_nlmsg_build_payload(nlh, (struct nftnl_rule *)src);
	if (nftnl_rule_nlmsg_parse(nlh, r) < 0) {
		nftnl_rule_free(r);
		return NULL;
	}
	nftnl_rule_unset(r, NFTNL_RULE_HANDLE);
	nftnl_rule_unset(r, NFTNL_RULE_POSITION);
	return r;
}

/*
 * Copy the elements of @src into @st by serialising and parsing back
 * (nftnl_set_elem_clone() is declared by libnftnl 1.2.4 but not exported), a message's
 * worth at a time: the iterator stops each message at the 64 KiB an attribute can carry,
 * so a set of any size goes through the fixed scratch.  @src is only read.
 */
static int clone_elements(struct mirror_ctx *m, struct nftnl_set *src, struct nftnl_set *st)
{
	struct nftnl_set_elems_iter *it = nftnl_set_elems_iter_create(src);
	int ret = 0, more = 1;

	if (!it)
		return -ENOMEM;
	while (ret == 0 && more > 0) {
		struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(m->scratch, NFT_MSG_NEWSETELEM,
							     (uint16_t)m->family, 0, 0);

		more = nftnl_set_elems_nlmsg_build_payload_iter(nlh, it);
		ruleset_elems_parseable(nlh);
		if (nftnl_set_elems_nlmsg_parse(nlh, st) < 0)
			ret = -EBADMSG;
	}
	nftnl_set_elems_iter_destroy(it);
	return ret;
}

/* A verdict map's jumps and gotos, to the mirrors of their chains. */
static int retarget_elements(struct mirror_ctx *m, struct nftnl_set *st)
{
	struct nftnl_set_elems_iter *it = nftnl_set_elems_iter_create(st);
	struct nftnl_set_elem *el;
	int ret = 0;

	if (!it)
		return -ENOMEM;
	while (ret == 0 && (el = nftnl_set_elems_iter_next(it))) {
		char mirrored[NATFIX_NAME_MAX + 1];

		if (!nftnl_set_elem_is_set(el, NFTNL_SET_ELEM_CHAIN))
			continue;
		ret = natfix_chain_name(mirrored, sizeof(mirrored), m->table,
					nftnl_set_elem_get_str(el, NFTNL_SET_ELEM_CHAIN));
		if (ret == 0 && nftnl_set_elem_set_str(el, NFTNL_SET_ELEM_CHAIN, mirrored) < 0)
			ret = -ENOMEM;
	}
	nftnl_set_elems_iter_destroy(it);
	return ret;
}

/*
 * Recreate set @name in the overlay; *id gets its batch id.  Anonymous sets and maps stay
 * anonymous; a named verdict map is named like a mirror chain ("TABLE/MAP") and recreated
 * once however many rules look it up.  A verdict map's jumps go to the mirror chains.
 */
static int clone_set(struct mirror_ctx *m, const char *name, uint32_t *id)
{
	const struct nftnl_set *src = ruleset_set(m->rs, m->family, m->table, name);
	struct nftnl_set *st, *tmp = (struct nftnl_set *)src; /* only read */
	char mirrored[NATFIX_NAME_MAX + 1];
	struct nlmsghdr *nlh;
	bool anon;
	int ret;

	if (!src)
		return -ENOENT;
	anon = nftnl_set_get_u32(src, NFTNL_SET_FLAGS) & NFT_SET_ANONYMOUS;
	if (!anon) {
		if ((ret = natfix_chain_name(mirrored, sizeof(mirrored), m->table, name)) < 0)
			return ret;
		for (size_t i = 0; i < m->ov->nsets; i++) {
			if (strcmp(nftnl_set_get_str(m->ov->sets[i], NFTNL_SET_NAME), mirrored) ==
			    0) {
				*id = nftnl_set_get_u32(m->ov->sets[i], NFTNL_SET_ID);
				return 0;
			}
		}
	}
	st = nftnl_set_alloc();
	if (!st)
		return -ENOMEM;
	nlh = nftnl_nlmsg_build_hdr(m->scratch, NFT_MSG_NEWSET, (uint16_t)m->family, 0, 0);
	nftnl_set_nlmsg_build_payload(nlh, tmp);
	ret = nftnl_set_nlmsg_parse(nlh, st) < 0 ? -EBADMSG : 0;
	if (ret == 0)
		ret = clone_elements(m, tmp, st);
	if (ret == 0 && ruleset_is_verdict_map(st))
		ret = retarget_elements(m, st);
	if (ret < 0) {
		nftnl_set_free(st);
		return ret;
	}
	nftnl_set_unset(st, NFTNL_SET_HANDLE);
	nftnl_set_set_str(st, NFTNL_SET_TABLE, NATFIX_TABLE);
	/* the kernel numbers an anonymous one */
	nftnl_set_set_str(st, NFTNL_SET_NAME,
			  !anon			       ? mirrored
			  : ruleset_is_verdict_map(st) ? "__map%d"
						       : "__set%d");
	*id = ++m->p->next_set_id;
	nftnl_set_set_u32(st, NFTNL_SET_ID, *id);
	if ((ret = util_push((void ***)&m->ov->sets, &m->ov->nsets, st)) < 0)
		nftnl_set_free(st);
	return ret;
}

/* Give @e fully-random if it is a source-NAT statement; rewrite jumps; zero counters. */
static int adapt_expr(struct nftnl_expr *e, struct mirror_ctx *m)
{
	uint32_t family = m->family;
	const char *table = m->table;
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
	const char *target;
	uint32_t flags;

	if (strcmp(name, "counter") == 0) {
		nftnl_expr_set_u64(e, NFTNL_EXPR_CTR_PACKETS, 0);
		nftnl_expr_set_u64(e, NFTNL_EXPR_CTR_BYTES, 0);
	} else if ((target = natexpr_jump(e))) {
		char mirrored[NATFIX_NAME_MAX + 1];
		int ret = natfix_chain_name(mirrored, sizeof(mirrored), table, target);

		if (ret < 0)
			return ret;
		nftnl_expr_set_str(e, NFTNL_EXPR_IMM_CHAIN, mirrored);
	} else if (natexpr_snat_flags(e, family, &flags)) {
		flags |= NF_NAT_RANGE_PROTO_RANDOM_FULLY;
		if (strcmp(name, "masq") == 0)
			nftnl_expr_set_u32(e, NFTNL_EXPR_MASQ_FLAGS, flags);
		else if (strcmp(name, "nat") == 0)
			nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FLAGS, flags);
	}
	return 0;
}

/*
 * A lookup in an anonymous set or a verdict map (refuse() let no other kind through)
 * gets a fresh expression bound to the recreated set: libnftnl 1.2.4 leaks the old name
 * when an existing lookup's set is renamed.
 */
static int retarget_lookup(struct nftnl_rule *r, const struct nftnl_expr *old, struct mirror_ctx *m)
{
	struct nftnl_expr *e;
	uint32_t id;
	int ret;

	ret = clone_set(m, nftnl_expr_get_str(old, NFTNL_EXPR_LOOKUP_SET), &id);
	if (ret < 0)
		return ret;
	e = nftnl_expr_alloc("lookup");
	if (!e)
		return -ENOMEM;
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG,
			   nftnl_expr_get_u32(old, NFTNL_EXPR_LOOKUP_SREG));
	if (nftnl_expr_is_set(old, NFTNL_EXPR_LOOKUP_DREG))
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_DREG,
				   nftnl_expr_get_u32(old, NFTNL_EXPR_LOOKUP_DREG));
	if (nftnl_expr_is_set(old, NFTNL_EXPR_LOOKUP_FLAGS))
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_FLAGS,
				   nftnl_expr_get_u32(old, NFTNL_EXPR_LOOKUP_FLAGS));
	for (size_t i = 0; i < m->ov->nsets; i++)
		if (nftnl_set_get_u32(m->ov->sets[i], NFTNL_SET_ID) == id)
			nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET,
					   nftnl_set_get_str(m->ov->sets[i], NFTNL_SET_NAME));
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, id);
	nftnl_rule_add_expr(r, e);
	return 0;
}

/*
 * iptables-nft compares an interface name with its length rounded up to 4 bytes ("br-x"
 * as 8), nft with IFNAMSIZ (16); meta loads the name zero-padded to IFNAMSIZ, so both
 * match the same names.  The mirror writes nft's form, so that nft's text of it reads
 * back to the same expressions.  A name without its NUL is a prefix match ("br+"): kept.
 */
static void ifname_as_nft(struct nftnl_expr *e, const struct nftnl_expr *prev)
{
	char name[16] = { 0 };
	uint32_t len, key;
	const char *d;

	if (!prev || strcmp(nftnl_expr_get_str(prev, NFTNL_EXPR_NAME), "meta") != 0 ||
	    !nftnl_expr_is_set(prev, NFTNL_EXPR_META_DREG) ||
	    strcmp(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), "cmp") != 0 ||
	    nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_SREG) !=
		    nftnl_expr_get_u32(prev, NFTNL_EXPR_META_DREG))
		return;
	key = nftnl_expr_get_u32(prev, NFTNL_EXPR_META_KEY);
	if (key != NFT_META_IIFNAME && key != NFT_META_OIFNAME)
		return;
	d = nftnl_expr_get(e, NFTNL_EXPR_CMP_DATA, &len);
	if (!d || len >= sizeof(name) || !memchr(d, '\0', len))
		return;
	memcpy(name, d, len);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, name, sizeof(name));
}

/* Take the expressions out of @r and put them back adapted, in the same order. */
static int rebuild_rule(struct nftnl_rule *r, struct mirror_ctx *m)
{
	uint32_t family = m->family;
	struct nftnl_expr *list[RULESET_MAX_EXPRS], *e;
	const struct nftnl_expr *prev = NULL; /* the last expression kept as it was */
	size_t n = 0;
	int ret = 0;

	for (;;) {
		struct nftnl_expr_iter *it = nftnl_expr_iter_create(r);

		if (!it)
			return -ENOMEM;
		e = nftnl_expr_iter_next(it);
		nftnl_expr_iter_destroy(it);
		if (!e)
			break;
		nftnl_rule_del_expr(e);
		if (n == ARRAY_SIZE(list)) {
			nftnl_expr_free(e);
			ret = -E2BIG;
			continue;
		}
		list[n++] = e;
	}
	for (size_t i = 0; i < n; i++) {
		const char *name = nftnl_expr_get_str(list[i], NFTNL_EXPR_NAME);
		const struct nftnl_expr *last = prev;

		prev = NULL; /* unless list[i] is kept as it is, below */
		if (ret < 0) {
			nftnl_expr_free(list[i]);
		} else if (natfix_is_xt_nat(list[i])) {
			ret = natfix_translate_xt_nat(r, list[i], family);
			nftnl_expr_free(list[i]);
		} else if (strcmp(name, "target") == 0 &&
			   (ret = natfix_translate_xt_mark(r, list[i])) != 0) {
			nftnl_expr_free(list[i]); /* check_reached() let only a MARK through */
			ret = ret < 0 ? ret : 0;
		} else if (strcmp(name, "match") == 0 &&
			   (ret = natfix_translate_xt_match(r, list[i])) != 0) {
			nftnl_expr_free(list[i]);
			ret = ret < 0 ? ret : 0;
		} else if (strcmp(name, "lookup") == 0) {
			ret = retarget_lookup(r, list[i], m);
			nftnl_expr_free(list[i]);
		} else if ((ret = adapt_expr(list[i], m)) < 0) {
			nftnl_expr_free(list[i]);
		} else {
			ifname_as_nft(list[i], last);
			nftnl_rule_add_expr(r, list[i]);
			prev = list[i];
		}
	}
	return ret;
}

/*
 * Does anything reached need fixing (*lacking counts the statements without
 * fully-random), and can all of it be mirrored exactly (else @why says what not)?
 */
static int check_reached(struct natfix_plan *p, const struct ruleset *rs, uint32_t family,
			 const char *table, const struct ruleset_chains *re, unsigned int *lacking,
			 char *why, size_t whylen)
{
	for (size_t i = 0; i < ruleset_nrules(rs); i++) { /* all counted past a refusal */
		const struct nftnl_rule *r = ruleset_rule(rs, i);
		struct nftnl_expr_iter *it;
		struct nftnl_expr *e;

		if (nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY) != family ||
		    strcmp(nftnl_rule_get_str(r, NFTNL_RULE_TABLE), table) != 0 ||
		    !ruleset_chains_has(re, nftnl_rule_get_str(r, NFTNL_RULE_CHAIN)))
			continue;
		it = nftnl_expr_iter_create(r);
		if (!it)
			return -ENOMEM;
		while ((e = nftnl_expr_iter_next(it))) {
			uint32_t flags;

			if (natexpr_snat_flags(e, family, &flags)) {
				p->snat_seen++;
				if (!(flags & NF_NAT_RANGE_PROTO_RANDOM_FULLY))
					(*lacking)++;
			}
			if (!why[0] && refuse(e, rs, i, family, table, why, whylen)) {
				size_t n = strlen(why);

				snprintf(why + n, whylen - n, " (chain %s, handle %llu)",
					 nftnl_rule_get_str(r, NFTNL_RULE_CHAIN),
					 (unsigned long long)nftnl_rule_get_u64(r,
										NFTNL_RULE_HANDLE));
			}
		}
		nftnl_expr_iter_destroy(it);
	}
	return 0;
}

/* The rules of chain @chain of the source table, adapted, into mirror chain @name. */
static int mirror_rules(struct mirror_ctx *m, const char *chain, const char *name)
{
	for (size_t i = 0; i < ruleset_nrules(m->rs); i++) {
		const struct nftnl_rule *src = ruleset_rule(m->rs, i);
		struct nftnl_rule *r;
		int ret;

		if (!ruleset_rule_in(src, m->family, m->table, chain))
			continue;
		r = natfix_clone_rule(src, m->scratch);
		if (!r)
			return -ENOMEM;
		nftnl_rule_set_str(r, NFTNL_RULE_TABLE, NATFIX_TABLE);
		nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, name);
		ret = rebuild_rule(r, m);
		if (ret < 0) {
			nftnl_rule_free(r);
			return ret;
		}
		if ((ret = natfix_add_rule(m->ov, r, src)) < 0)
			return ret;
	}
	return 0;
}

/* The mirror: base chain first (hooked at @prio), then the chains it reaches. */
static int build_mirror(struct mirror_ctx *m, const struct ruleset_chains *re, int32_t prio)
{
	char name[NATFIX_NAME_MAX + 1];
	int ret;

	for (size_t k = 0; k < re->n; k++) {
		struct nftnl_chain *c;

		if ((ret = natfix_chain_name(name, sizeof(name), m->table, re->names[k])) < 0)
			return ret;
		c = natfix_new_chain(m->family, name);
		if (!c)
			return -ENOMEM;
		if (k == 0) {
			nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, NF_INET_POST_ROUTING);
			nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, prio);
			nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "nat");
			nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
		}
		if ((ret = util_push((void ***)&m->ov->chains, &m->ov->nchains, c)) < 0) {
			nftnl_chain_free(c);
			return ret;
		}
		if (k == 0 && (ret = natfix_add_scope_guards(m->ov, &m->p->scope, name)) < 0)
			return ret;
		if ((ret = mirror_rules(m, re->names[k], name)) < 0)
			return ret;
	}
	return 0;
}

static int record_mirrored(struct natfix_plan *p, uint32_t family, const char *table,
			   const char *chain)
{
	struct mirrored *m = realloc(p->mirrored, (p->nmirrored + 1) * sizeof(*m));

	if (!m)
		return -ENOMEM;
	p->mirrored = m;
	m += p->nmirrored++;
	m->family = family;
	snprintf(m->table, sizeof(m->table), "%s", table);
	snprintf(m->chain, sizeof(m->chain), "%s", chain);
	return 0;
}

/* Mirror base chain @base into @ov, or explain in a note why not. */
int natfix_mirror_base(struct natfix_plan *p, const struct ruleset *rs,
		       const struct nftnl_chain *base, struct overlay *ov, char *scratch)
{
	const char *table = nftnl_chain_get_str(base, NFTNL_CHAIN_TABLE);
	const char *bname = nftnl_chain_get_str(base, NFTNL_CHAIN_NAME);
	int32_t prio = (int32_t)nftnl_chain_get_u32(base, NFTNL_CHAIN_PRIO);
	struct mirror_ctx m = {
		.p = p, .rs = rs, .ov = ov, .family = ov->family, .table = table, .scratch = scratch
	};
	struct ruleset_chains re;
	unsigned int lacking = 0;
	char why[160] = "", name[NATFIX_NAME_MAX + 1];
	int ret;

	ret = ruleset_reach(rs, m.family, table, bname, &re);
	if (ret < 0)
		return ret;
	ret = check_reached(p, rs, m.family, table, &re, &lacking, why, sizeof(why));
	for (size_t k = 0; ret == 0 && k < re.n && !why[0]; k++)
		if (natfix_chain_name(name, sizeof(name), table, re.names[k]) < 0)
			snprintf(why, sizeof(why),
				 "the mirror of chain %.40s%s would have a name longer than %d "
				 "bytes",
				 re.names[k], strlen(re.names[k]) > 40 ? "..." : "",
				 NATFIX_NAME_MAX);
	if (ret < 0 || (!lacking && !why[0]))
		goto out; /* already fully-random: nothing to do here */
	if (why[0]) {
		p->nskipped++;
		if (lacking && !p->nleft++)
			p->left_note = (int)p->nnotes;
		p->left_lacking += lacking;
		ret = natfix_note(p, NATFIX_SKIP "%s %s %s: %s", natfix_fam_name(m.family), table,
				  bname, why);
		goto out;
	}
	ret = build_mirror(&m, &re, prio - 1);
	if (ret == 0)
		ret = record_mirrored(p, m.family, table, bname);
	if (ret < 0)
		goto out;
	ov->wanted = true;
	(void)natfix_chain_name(name, sizeof(name), table, bname); /* checked above */
	ret = natfix_note(p,
			  "mirror %s %s %s (priority %d) -> %s %s %s (priority %d): %u statement%s "
			  "made fully-random, %zu chain%s",
			  natfix_fam_name(m.family), table, bname, prio, natfix_fam_name(m.family),
			  NATFIX_TABLE, name, prio - 1, lacking, lacking == 1 ? "" : "s", re.n,
			  re.n == 1 ? "" : "s");
out:
	ruleset_chains_release(&re);
	return ret;
}
