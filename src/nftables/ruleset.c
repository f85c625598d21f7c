#include "config.h"
#include "nftables/ruleset.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/gen.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "netlink/nl.h"
#include "nftables/natexpr.h"
#include "nftables/natrules.h"
#include "util.h"

struct ruleset {
	struct nftnl_table **tables;
	size_t ntables;
	struct nftnl_chain **chains;
	size_t nchains;
	struct nftnl_rule **rules; /* in dump order, which is each chain's order */
	size_t nrules;
	struct nftnl_set **sets; /* anonymous ones carry their elements */
	size_t nsets;
};

int ruleset_new(struct ruleset **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

void ruleset_free(struct ruleset *rs)
{
	if (!rs)
		return;
	for (size_t i = 0; i < rs->ntables; i++)
		nftnl_table_free(rs->tables[i]);
	for (size_t i = 0; i < rs->nchains; i++)
		nftnl_chain_free(rs->chains[i]);
	for (size_t i = 0; i < rs->nrules; i++)
		nftnl_rule_free(rs->rules[i]);
	for (size_t i = 0; i < rs->nsets; i++)
		nftnl_set_free(rs->sets[i]);
	free(rs->sets);
	free(rs->tables);
	free(rs->chains);
	free(rs->rules);
	free(rs);
}

static int add_table(struct ruleset *rs, const struct nlmsghdr *nlh)
{
	struct nftnl_table *t = nftnl_table_alloc();
	int ret;

	if (!t)
		return -ENOMEM;
	if (nftnl_table_nlmsg_parse(nlh, t) < 0 || !nftnl_table_is_set(t, NFTNL_TABLE_NAME))
		ret = -EBADMSG;
	else
		ret = util_push((void ***)&rs->tables, &rs->ntables, t);
	if (ret < 0)
		nftnl_table_free(t);
	return ret;
}

static int add_chain(struct ruleset *rs, const struct nlmsghdr *nlh)
{
	struct nftnl_chain *c = nftnl_chain_alloc();
	int ret;

	if (!c)
		return -ENOMEM;
	if (nftnl_chain_nlmsg_parse(nlh, c) < 0 || !nftnl_chain_is_set(c, NFTNL_CHAIN_TABLE) ||
	    !nftnl_chain_is_set(c, NFTNL_CHAIN_NAME))
		ret = -EBADMSG;
	else
		ret = util_push((void ***)&rs->chains, &rs->nchains, c);
	if (ret < 0)
		nftnl_chain_free(c);
	return ret;
}

/*
 * The strings every reader of a rule takes for granted, present: an xt target's or
 * match's name, a lookup's set, a jump's or goto's chain.  At most the kernel's 128
 * expressions (NFT_RULE_MAXEXPRS).
 */
static bool rule_well_formed(const struct nftnl_rule *r)
{
	struct nftnl_expr_iter *it = nftnl_expr_iter_create(r);
	struct nftnl_expr *e;
	unsigned int n = 0;
	bool ok = it != NULL;

	while (ok && (e = nftnl_expr_iter_next(it))) {
		const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
		int32_t v;

		if (strcmp(name, "target") == 0)
			ok = nftnl_expr_is_set(e, NFTNL_EXPR_TG_NAME);
		else if (strcmp(name, "match") == 0)
			ok = nftnl_expr_is_set(e, NFTNL_EXPR_MT_NAME);
		else if (strcmp(name, "lookup") == 0)
			ok = nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_SET);
		else if (strcmp(name, "immediate") == 0 &&
			 nftnl_expr_is_set(e, NFTNL_EXPR_IMM_VERDICT)) {
			v = (int32_t)nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_VERDICT);
			ok = (v != NFT_JUMP && v != NFT_GOTO) ||
			     nftnl_expr_is_set(e, NFTNL_EXPR_IMM_CHAIN);
		}
		ok = ok && ++n <= RULESET_MAX_EXPRS;
	}
	if (it)
		nftnl_expr_iter_destroy(it);
	return ok;
}

static int add_rule(struct ruleset *rs, const struct nlmsghdr *nlh)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	int ret;

	if (!r)
		return -ENOMEM;
	if (nftnl_rule_nlmsg_parse(nlh, r) < 0 || !nftnl_rule_is_set(r, NFTNL_RULE_TABLE) ||
	    !nftnl_rule_is_set(r, NFTNL_RULE_CHAIN) || !rule_well_formed(r))
		ret = -EBADMSG;
	else
		ret = util_push((void ***)&rs->rules, &rs->nrules, r);
	if (ret < 0)
		nftnl_rule_free(r);
	return ret;
}

static int add_set(struct ruleset *rs, const struct nlmsghdr *nlh)
{
	struct nftnl_set *st = nftnl_set_alloc();
	int ret;

	if (!st)
		return -ENOMEM;
	if (nftnl_set_nlmsg_parse(nlh, st) < 0 || !nftnl_set_is_set(st, NFTNL_SET_TABLE) ||
	    !nftnl_set_is_set(st, NFTNL_SET_NAME))
		ret = -EBADMSG;
	else
		ret = util_push((void ***)&rs->sets, &rs->nsets, st);
	if (ret < 0)
		nftnl_set_free(st);
	return ret;
}

/* Elements go to the set they name, which the dump listed before; others are dropped. */
static int add_elements(struct ruleset *rs, const struct nlmsghdr *nlh)
{
	struct nftnl_set *tmp = nftnl_set_alloc(), *st = NULL;
	int ret = 0;

	if (!tmp)
		return -ENOMEM;
	if (nftnl_set_elems_nlmsg_parse(nlh, tmp) < 0 || !nftnl_set_is_set(tmp, NFTNL_SET_TABLE) ||
	    !nftnl_set_is_set(tmp, NFTNL_SET_NAME))
		ret = -EBADMSG;
	else
		st = (struct nftnl_set *)ruleset_set(rs, nftnl_set_get_u32(tmp, NFTNL_SET_FAMILY),
						     nftnl_set_get_str(tmp, NFTNL_SET_TABLE),
						     nftnl_set_get_str(tmp, NFTNL_SET_NAME));
	nftnl_set_free(tmp);
	if (ret == 0 && st && nftnl_set_elems_nlmsg_parse(nlh, st) < 0)
		ret = -EBADMSG;
	return ret;
}

void ruleset_elems_parseable(struct nlmsghdr *nlh)
{
	struct nlattr *a, *el;

	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(a) != NFTA_SET_ELEM_LIST_ELEMENTS)
			continue;
		mnl_attr_for_each_nested(el, a)
			el->nla_type = (el->nla_type & ~NLA_TYPE_MASK) | NFTA_LIST_ELEM;
	}
}

int ruleset_add(struct ruleset *rs, const struct nlmsghdr *nlh)
{
	if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES)
		return 0; /* another subsystem's: not ours to read */
	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(struct nfgenmsg))
		return -EBADMSG;
	if (nlh->nlmsg_len > RULESET_MAX_MSG)
		return -EMSGSIZE;
	/* Objects without their names are refused: everything after compares names. */
	switch (NFNL_MSG_TYPE(nlh->nlmsg_type)) {
	case NFT_MSG_NEWTABLE:
		return add_table(rs, nlh);
	case NFT_MSG_NEWCHAIN:
		return add_chain(rs, nlh);
	case NFT_MSG_NEWSET:
		return add_set(rs, nlh);
	case NFT_MSG_NEWSETELEM:
		return add_elements(rs, nlh);
	case NFT_MSG_NEWRULE:
		return add_rule(rs, nlh);
	default:
		return 0;
	}
}

const struct nftnl_table *ruleset_table(const struct ruleset *rs, uint32_t family, const char *name)
{
	for (size_t i = 0; i < rs->ntables; i++)
		if (nftnl_table_get_u32(rs->tables[i], NFTNL_TABLE_FAMILY) == family &&
		    strcmp(nftnl_table_get_str(rs->tables[i], NFTNL_TABLE_NAME), name) == 0)
			return rs->tables[i];
	return NULL;
}

/*
 * The comment in a table's user data: type, length and value records (nftnl_udata).  Read
 * here rather than with nftnl_udata_parse(), which does not check that a record's value
 * fits the data (anyone with CAP_NET_ADMIN in the namespace writes a table's user data):
 * a record running past the end, or a comment that is not one NUL-terminated string
 * filling its record, gives none.
 */
const char *ruleset_table_comment(const struct ruleset *rs, uint32_t family, const char *name)
{
	const struct nftnl_table *t = ruleset_table(rs, family, name);
	const uint8_t *ud;
	uint32_t len, off = 0;

	if (!t || !(ud = nftnl_table_get_data(t, NFTNL_TABLE_USERDATA, &len)))
		return NULL;
	while (len - off >= 2) {
		uint8_t type = ud[off], vlen = ud[off + 1];
		const char *value = (const char *)ud + off + 2;

		if (vlen > len - off - 2)
			return NULL;
		if (type == NFTNL_UDATA_TABLE_COMMENT)
			return vlen > 0 && memchr(value, '\0', vlen) == value + vlen - 1 ? value
											 : NULL;
		off += 2u + vlen;
	}
	return NULL;
}

const struct nftnl_set *ruleset_set(const struct ruleset *rs, uint32_t family, const char *table,
				    const char *name)
{
	for (size_t i = 0; i < rs->nsets; i++) {
		const struct nftnl_set *st = rs->sets[i];

		if (nftnl_set_get_u32(st, NFTNL_SET_FAMILY) == family &&
		    strcmp(nftnl_set_get_str(st, NFTNL_SET_TABLE), table) == 0 &&
		    strcmp(nftnl_set_get_str(st, NFTNL_SET_NAME), name) == 0)
			return st;
	}
	return NULL;
}

size_t ruleset_nchains(const struct ruleset *rs)
{
	return rs->nchains;
}

const struct nftnl_chain *ruleset_chain(const struct ruleset *rs, size_t i)
{
	return i < rs->nchains ? rs->chains[i] : NULL;
}

size_t ruleset_nrules(const struct ruleset *rs)
{
	return rs->nrules;
}

const struct nftnl_rule *ruleset_rule(const struct ruleset *rs, size_t i)
{
	return i < rs->nrules ? rs->rules[i] : NULL;
}

bool ruleset_is_nat_postrouting(const struct nftnl_chain *c)
{
	uint32_t family = nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY);

	return nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM) &&
	       nftnl_chain_is_set(c, NFTNL_CHAIN_TYPE) &&
	       strcmp(nftnl_chain_get_str(c, NFTNL_CHAIN_TYPE), "nat") == 0 &&
	       nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM) == NF_INET_POST_ROUTING &&
	       (family == NFPROTO_IPV4 || family == NFPROTO_IPV6 || family == NFPROTO_INET);
}

bool ruleset_rule_in(const struct nftnl_rule *r, uint32_t family, const char *table,
		     const char *chain)
{
	return nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY) == family &&
	       strcmp(nftnl_rule_get_str(r, NFTNL_RULE_TABLE), table) == 0 &&
	       strcmp(nftnl_rule_get_str(r, NFTNL_RULE_CHAIN), chain) == 0;
}

bool ruleset_chains_has(const struct ruleset_chains *c, const char *chain)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->names[i], chain) == 0)
			return true;
	return false;
}

void ruleset_chains_release(struct ruleset_chains *c)
{
	free(c->names);
	c->names = NULL;
	c->n = 0;
}

/* A chain being walked: its name, the next rule to look at, the jump targets of the last
 * rule still to walk. */
struct frame {
	const char *chain;
	size_t next_rule;
	const char **targets;
	size_t ntargets, next_target;
};

struct walk {
	const struct ruleset *rs;
	uint32_t family;
	const char *table;
	ruleset_chain_fn on_chain;
	ruleset_rule_fn on_rule;
	void *data;
	struct ruleset_chains seen;
	struct frame *stack;
	size_t depth, cap;
};

/* Enter @chain unless the walk saw it already.  0, or -ENOMEM, or the callback's value. */
static int enter(struct walk *w, const char *chain)
{
	int ret;

	if (ruleset_chains_has(&w->seen, chain))
		return 0;
	if ((ret = util_push((void ***)&w->seen.names, &w->seen.n, (void *)chain)) < 0)
		return ret;
	if (w->depth == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 16;
		struct frame *st = realloc(w->stack, cap * sizeof(*st));

		if (!st)
			return -ENOMEM;
		w->stack = st;
		w->cap = cap;
	}
	w->stack[w->depth++] = (struct frame){ .chain = chain };
	return w->on_chain ? w->on_chain(chain, w->data) : 0;
}

bool ruleset_is_verdict_map(const struct nftnl_set *st)
{
	return (nftnl_set_get_u32(st, NFTNL_SET_FLAGS) & NFT_SET_MAP) &&
	       nftnl_set_is_set(st, NFTNL_SET_DATA_TYPE) &&
	       nftnl_set_get_u32(st, NFTNL_SET_DATA_TYPE) == NFT_DATA_VERDICT;
}

const struct nftnl_set *ruleset_vmap_of(const struct ruleset *rs, const struct nftnl_expr *e,
					uint32_t family, const char *table)
{
	const struct nftnl_set *st;

	if (strcmp(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), "lookup") != 0 ||
	    !nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_DREG) ||
	    nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_DREG) != NFT_REG_VERDICT ||
	    !nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_SET))
		return NULL;
	st = ruleset_set(rs, family, table, nftnl_expr_get_str(e, NFTNL_EXPR_LOOKUP_SET));
	return st && ruleset_is_verdict_map(st) ? st : NULL;
}

/* The chains the elements of verdict map @st jump or go to, into @f. */
static int map_targets(const struct nftnl_set *st, struct frame *f)
{
	struct nftnl_set_elems_iter *it = nftnl_set_elems_iter_create((struct nftnl_set *)st);
	struct nftnl_set_elem *el;
	int ret = 0;

	if (!it)
		return -ENOMEM;
	while (ret == 0 && (el = nftnl_set_elems_iter_next(it))) {
		const char *t = nftnl_set_elem_is_set(el, NFTNL_SET_ELEM_CHAIN)
					? nftnl_set_elem_get_str(el, NFTNL_SET_ELEM_CHAIN)
					: NULL;

		if (t)
			ret = util_push((void ***)&f->targets, &f->ntargets, (void *)t);
	}
	nftnl_set_elems_iter_destroy(it);
	return ret;
}

/* The jump and goto targets of @r, in expression order (a verdict map's in element
 * order), into @f. */
static int targets_of(const struct walk *w, const struct nftnl_rule *r, struct frame *f)
{
	struct nftnl_expr_iter *it = nftnl_expr_iter_create(r);
	struct nftnl_expr *e;
	int ret = 0;

	f->ntargets = f->next_target = 0;
	if (!it)
		return -ENOMEM;
	while (ret == 0 && (e = nftnl_expr_iter_next(it))) {
		const char *t = natexpr_jump(e);
		const struct nftnl_set *st;

		if (t)
			ret = util_push((void ***)&f->targets, &f->ntargets, (void *)t);
		else if ((st = ruleset_vmap_of(w->rs, e, w->family, w->table)))
			ret = map_targets(st, f);
	}
	nftnl_expr_iter_destroy(it);
	return ret;
}

/* One step of the walk: walk a pending target, or take the next rule, or leave. */
static int walk_step(struct walk *w)
{
	struct frame *f = &w->stack[w->depth - 1];

	if (f->next_target < f->ntargets)
		return enter(w, f->targets[f->next_target++]);
	for (; f->next_rule < w->rs->nrules; f->next_rule++) {
		const struct nftnl_rule *r = w->rs->rules[f->next_rule];
		int ret;

		if (!ruleset_rule_in(r, w->family, w->table, f->chain))
			continue;
		f->next_rule++;
		if (w->on_rule && (ret = w->on_rule(r, f->chain, w->data)) != 0)
			return ret;
		return targets_of(w, r, f);
	}
	free(f->targets);
	w->depth--;
	return 0;
}

int ruleset_walk(const struct ruleset *rs, uint32_t family, const char *table, const char *chain,
		 ruleset_chain_fn on_chain, ruleset_rule_fn on_rule, void *data)
{
	struct walk w = { .rs = rs,
			  .family = family,
			  .table = table,
			  .on_chain = on_chain,
			  .on_rule = on_rule,
			  .data = data };
	int ret = enter(&w, chain);

	while (ret == 0 && w.depth)
		ret = walk_step(&w);
	while (w.depth)
		free(w.stack[--w.depth].targets);
	free(w.stack);
	ruleset_chains_release(&w.seen);
	return ret;
}

static int reached(const char *chain, void *data)
{
	return util_push((void ***)&((struct ruleset_chains *)data)->names,
			 &((struct ruleset_chains *)data)->n, (void *)chain);
}

int ruleset_reach(const struct ruleset *rs, uint32_t family, const char *table, const char *chain,
		  struct ruleset_chains *out)
{
	int ret;

	*out = (struct ruleset_chains){ 0 };
	ret = ruleset_walk(rs, family, table, chain, reached, NULL, out);
	if (ret < 0)
		ruleset_chains_release(out);
	return ret;
}

static int ruleset_cb(const struct nlmsghdr *nlh, void *data)
{
	return ruleset_add(data, nlh);
}

static int gen_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_gen *gen = nftnl_gen_alloc();

	if (!gen)
		return -ENOMEM;
	if (nftnl_gen_nlmsg_parse(nlh, gen) < 0) {
		nftnl_gen_free(gen);
		return -EBADMSG;
	}
	*(uint32_t *)data = nftnl_gen_get_u32(gen, NFTNL_GEN_ID);
	nftnl_gen_free(gen);
	return 0;
}

static int read_genid(struct nl_sock *nl, uint32_t *genid)
{
	struct nlmsghdr *nlh = nl_nfmsg_start(nl, (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETGEN,
					      NLM_F_REQUEST, AF_UNSPEC, 0);

	return nl_request(nl, nlh, gen_cb, genid);
}

static bool table_has_nat_postrouting(const struct ruleset *rs, uint32_t family, const char *table)
{
	for (size_t i = 0; i < rs->nchains; i++)
		if (ruleset_is_nat_postrouting(rs->chains[i]) &&
		    nftnl_chain_get_u32(rs->chains[i], NFTNL_CHAIN_FAMILY) == family &&
		    strcmp(nftnl_chain_get_str(rs->chains[i], NFTNL_CHAIN_TABLE), table) == 0)
			return true;
	return false;
}

/*
 * Elements of the anonymous sets and the verdict maps (named ones too: Docker 29's
 * docker-bridges jumps to a chain per bridge through them) of tables with a nat
 * postrouting chain, for the walk to follow and `fix` to recreate (there is no dump of
 * every set's elements: one request per set).
 */
static int dump_anonymous_elements(struct nl_sock *nl, struct ruleset *rs)
{
	for (size_t i = 0; i < rs->nsets; i++) {
		const struct nftnl_set *st = rs->sets[i];
		uint32_t family = nftnl_set_get_u32(st, NFTNL_SET_FAMILY);
		const char *table = nftnl_set_get_str(st, NFTNL_SET_TABLE);
		struct nftnl_set *req;
		struct nlmsghdr *nlh;
		int ret;

		if (!((nftnl_set_get_u32(st, NFTNL_SET_FLAGS) & NFT_SET_ANONYMOUS) ||
		      ruleset_is_verdict_map(st)) ||
		    !table_has_nat_postrouting(rs, family, table))
			continue;
		req = nftnl_set_alloc();
		if (!req)
			return -ENOMEM;
		nftnl_set_set_str(req, NFTNL_SET_TABLE, table);
		nftnl_set_set_str(req, NFTNL_SET_NAME, nftnl_set_get_str(st, NFTNL_SET_NAME));
		nlh = nl_nfmsg_start(nl, (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETSETELEM,
				     NLM_F_REQUEST | NLM_F_DUMP, (uint8_t)family, 0);
		nftnl_set_elems_nlmsg_build_payload(nlh, req);
		nftnl_set_free(req);
		ret = nl_request(nl, nlh, ruleset_cb, rs);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int ruleset_dump(struct nl_sock *nl, struct ruleset **out, uint32_t *genid)
{
	static const uint16_t what[] = { NFT_MSG_GETTABLE, NFT_MSG_GETCHAIN, NFT_MSG_GETRULE,
					 NFT_MSG_GETSET };

	/* A concurrent change between the reads: try again, as nft does. */
	for (int attempt = 0; attempt < 10; attempt++) {
		struct ruleset *rs;
		uint32_t gen_before, gen_after;
		int ret;

		ret = read_genid(nl, &gen_before);
		if (ret < 0)
			return ret;
		ret = ruleset_new(&rs);
		if (ret < 0)
			return ret;
		for (size_t i = 0; i < ARRAY_SIZE(what) && ret == 0; i++) {
			struct nlmsghdr *nlh =
				nl_nfmsg_start(nl, (NFNL_SUBSYS_NFTABLES << 8) | what[i],
					       NLM_F_REQUEST | NLM_F_DUMP, NFPROTO_UNSPEC, 0);

			ret = nl_request(nl, nlh, ruleset_cb, rs);
		}
		if (ret == 0)
			ret = dump_anonymous_elements(nl, rs);
		if (ret == 0)
			ret = read_genid(nl, &gen_after);
		if (ret < 0) {
			ruleset_free(rs);
			/* EINTR: a dump interrupted by a ruleset change (NLM_F_DUMP_INTR) */
			if (ret == -EINTR)
				continue;
			return ret;
		}
		if (gen_before == gen_after) {
			*out = rs;
			*genid = gen_after;
			return 0;
		}
		ruleset_free(rs);
	}
	return -EAGAIN;
}
