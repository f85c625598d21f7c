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
#include "nftables/owner.h"
#include "nftables/ruleset.h"
#include "util.h"

const uint32_t natfix_families[NFAM] = { NFPROTO_IPV4, NFPROTO_IPV6, NFPROTO_INET };

int natfix_note(struct natfix_plan *p, const char *fmt, ...)
{
	char **arr;
	va_list ap;
	int ret;

	arr = realloc(p->notes, (p->nnotes + 1) * sizeof(*arr));
	if (!arr)
		return -ENOMEM;
	p->notes = arr;
	va_start(ap, fmt);
	ret = vasprintf(&p->notes[p->nnotes], fmt, ap);
	va_end(ap);
	if (ret < 0)
		return -ENOMEM;
	p->nnotes++;
	return 0;
}

int natfix_add_rule(struct overlay *ov, struct nftnl_rule *r, const struct nftnl_rule *src)
{
	const struct nftnl_rule **srcs = realloc(ov->srcs, (ov->nrules + 1) * sizeof(*srcs));
	int ret;

	if (!srcs) {
		nftnl_rule_free(r);
		return -ENOMEM;
	}
	ov->srcs = srcs;
	srcs[ov->nrules] = src;
	if ((ret = util_push((void ***)&ov->rules, &ov->nrules, r)) < 0)
		nftnl_rule_free(r);
	return ret;
}

const char *natfix_fam_name(uint32_t family)
{
	return natrules_family_name((uint8_t)family);
}

bool natfix_overlay_changes(const struct overlay *ov)
{
	if (ov->wanted != ov->existing)
		return true;
	return ov->wanted && (strcmp(ov->comment, ov->existing_comment) != 0 || !ov->current);
}

/* What --in-place needs while it walks the chains of one base chain. */
struct in_place {
	struct natfix_plan *p;
	uint32_t family;
	const char *table;
	char *scratch;
};

/* @r with fully-random added to its source-NAT statements, handle kept. */
static struct nftnl_rule *with_fully_random(const struct nftnl_rule *src, uint32_t family,
					    char *scratch)
{
	struct nftnl_rule *r = natfix_clone_rule(src, scratch);
	struct nftnl_expr_iter *it;
	struct nftnl_expr *e;

	if (!r)
		return NULL;
	nftnl_rule_set_u64(r, NFTNL_RULE_HANDLE, nftnl_rule_get_u64(src, NFTNL_RULE_HANDLE));
	it = nftnl_expr_iter_create(r);
	if (!it) {
		nftnl_rule_free(r);
		return NULL;
	}
	while ((e = nftnl_expr_iter_next(it))) {
		bool masq = strcmp(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), "masq") == 0;
		uint32_t flags;

		if (natexpr_snat_flags(e, family, &flags))
			nftnl_expr_set_u32(e, masq ? NFTNL_EXPR_MASQ_FLAGS : NFTNL_EXPR_NAT_FLAGS,
					   flags | NF_NAT_RANGE_PROTO_RANDOM_FULLY);
	}
	nftnl_expr_iter_destroy(it);
	return r;
}

/* One rule reached from the base chain: replaced if its masquerade/snat lacks the flag. */
static int in_place_rule(const struct nftnl_rule *src, const char *chain, void *data)
{
	struct in_place *ip = data;
	unsigned long long handle = nftnl_rule_get_u64(src, NFTNL_RULE_HANDLE);
	bool lacking = false, compat = false;
	struct nftnl_expr_iter *it = nftnl_expr_iter_create(src);
	struct nftnl_expr *e;
	struct nftnl_rule *r;
	int ret;

	if (!it)
		return -ENOMEM;
	while ((e = nftnl_expr_iter_next(it))) {
		uint32_t flags;

		if (natexpr_snat_flags(e, ip->family, &flags) &&
		    !(flags & NF_NAT_RANGE_PROTO_RANDOM_FULLY)) {
			lacking = true;
			compat |= natfix_is_xt_nat(e);
		}
	}
	nftnl_expr_iter_destroy(it);
	if (!lacking)
		return 0;
	if (compat) {
		ip->p->nskipped++;
		return natfix_note(ip->p,
				   NATFIX_SKIP
				   "%s %s %s handle %llu: an iptables-nft rule is never "
				   "rewritten in place (the overlay handles it)",
				   natfix_fam_name(ip->family), ip->table, chain, handle);
	}
	r = with_fully_random(src, ip->family, ip->scratch);
	if (!r)
		return -ENOMEM;
	if ((ret = util_push((void ***)&ip->p->replace, &ip->p->nreplace, r)) < 0) {
		nftnl_rule_free(r);
		return ret;
	}
	return natfix_note(ip->p,
			   "replace %s %s %s handle %llu with the same rule plus fully-random",
			   natfix_fam_name(ip->family), ip->table, chain, handle);
}

/*
 * --in-place: every native rule reachable from @base whose masquerade/snat lacks
 * fully-random is replaced by handle with the same rule plus the flag.  Rules of
 * iptables-nft (xt targets) are never rewritten: iptables-nft owns them.
 */
static int plan_in_place(struct natfix_plan *p, const struct ruleset *rs,
			 const struct nftnl_chain *base, char *scratch)
{
	struct in_place ip = {
		.p = p,
		.family = nftnl_chain_get_u32(base, NFTNL_CHAIN_FAMILY),
		.table = nftnl_chain_get_str(base, NFTNL_CHAIN_TABLE),
		.scratch = scratch,
	};

	return ruleset_walk(rs, ip.family, ip.table, nftnl_chain_get_str(base, NFTNL_CHAIN_NAME),
			    NULL, in_place_rule, &ip);
}

/*
 * --oif with no source-NAT rule anywhere: a plain masquerade fully-random for the scope
 * (inet without --saddr, else the family of the address).
 */
static int plan_plain_masquerade(struct natfix_plan *p)
{
	uint32_t family = p->scope.have_saddr ? p->scope.saddr_family : NFPROTO_INET;
	struct overlay *ov = NULL;
	struct nftnl_chain *c;
	struct nftnl_rule *r;
	struct nftnl_expr *e;
	int ret;

	for (int f = 0; f < NFAM; f++)
		if (p->ov[f].family == family)
			ov = &p->ov[f];
	c = natfix_new_chain(family, "scope");
	if (!c)
		return -ENOMEM;
	nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, NF_INET_POST_ROUTING);
	/* srcnat - 1: iptables-legacy's nat table and chains at srcnat hook the same
	 * priority (NF_IP_PRI_NAT_SRC, 100), and equal priorities run in registration
	 * order, which nobody controls */
	nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, NATFIX_SCOPE_PRIO);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "nat");
	nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
	if ((ret = util_push((void ***)&ov->chains, &ov->nchains, c)) < 0) {
		nftnl_chain_free(c);
		return ret;
	}
	if ((ret = natfix_add_scope_guards(ov, &p->scope, "scope")) < 0)
		return ret;
	r = natfix_new_rule(family, "scope");
	e = nftnl_expr_alloc("masq");
	if (!r || !e) {
		nftnl_rule_free(r);
		if (e)
			nftnl_expr_free(e);
		return -ENOMEM;
	}
	nftnl_expr_set_u32(e, NFTNL_EXPR_MASQ_FLAGS, NF_NAT_RANGE_PROTO_RANDOM_FULLY);
	nftnl_rule_add_expr(r, e);
	if ((ret = natfix_add_rule(ov, r, NULL)) < 0)
		return ret;
	ov->wanted = true;
	return natfix_note(p,
			   "add    %s %s scope (priority srcnat - 1): masquerade fully-random for "
			   "traffic leaving %s%s",
			   natfix_fam_name(family), NATFIX_TABLE, p->scope.oif,
			   p->scope.have_saddr ? " from the --saddr range" : "");
}

/* natscope's tables as they are now; -EEXIST for a table of that name it does not own. */
static int find_existing(struct natfix_plan *p, const struct ruleset *rs)
{
	struct owner_mark mark;

	for (int f = 0; f < NFAM; f++) {
		struct overlay *ov = &p->ov[f];
		int ret;

		ov->family = natfix_families[f];
		ret = owner_of_table(rs, ov->family, NATFIX_TABLE, NULL);
		if (ret < 0)
			return ret; /* someone else's table of that name: never touched */
		if (ret == 1) {
			ov->existing = true;
			snprintf(ov->existing_comment, sizeof(ov->existing_comment), "%s",
				 ruleset_table_comment(rs, ov->family, NATFIX_TABLE));
			/* the first record found is kept: it says when natscope first fixed */
			if (!p->record.have && owner_mark_parse(ov->existing_comment, &mark) == 0)
				p->record = mark.rec;
		}
	}
	return 0;
}

static struct overlay *overlay_of(struct natfix_plan *p, uint32_t family)
{
	for (int f = 0; f < NFAM; f++)
		if (p->ov[f].family == family)
			return &p->ov[f];
	return NULL;
}

/* Every nat postrouting base chain of other software, in scope: mirrored or replaced. */
static int plan_chains(struct natfix_plan *p, const struct ruleset *rs, const struct natfix_opts *o,
		       char *scratch)
{
	for (size_t i = 0; i < ruleset_nchains(rs); i++) {
		const struct nftnl_chain *c = ruleset_chain(rs, i);
		uint32_t family = nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY);
		struct overlay *ov = overlay_of(p, family);
		int ret;

		if (!ov || !ruleset_is_nat_postrouting(c))
			continue;
		if (owner_of_table(rs, family, nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE), NULL) ==
		    1)
			continue; /* natscope's own */
		if (!natfix_in_scope(p, family))
			continue; /* out of the --saddr scope's family */
		if (o->in_place)
			ret = plan_in_place(p, rs, c, scratch);
		else
			ret = natfix_mirror_base(p, rs, c, ov, scratch);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* natscope's table of @ov's family stays exactly as it is (wanted if it exists). */
static void keep_as_is(struct overlay *ov)
{
	ov->wanted = ov->existing;
	ov->current = true;
	ov->kept = true;
	memcpy(ov->comment, ov->existing_comment, sizeof(ov->comment));
}

bool natfix_in_scope(const struct natfix_plan *p, uint32_t family)
{
	return !p->scope.have_saddr || family == NFPROTO_INET || family == p->scope.saddr_family;
}

/*
 * The tables' marks, and whether what is there already is what is wanted (a family the
 * --saddr scope leaves out keeps its table as it is); for
 * --in-place and --revert what they imply.
 */
static int finish(struct natfix_plan *p, const struct ruleset *rs, const struct natfix_opts *o)
{
	int ret = 0;

	if (!p->record.have && o->record)
		p->record = *o->record;
	for (int f = 0; f < NFAM && !o->in_place; f++)
		if (!natfix_in_scope(p, p->ov[f].family))
			keep_as_is(&p->ov[f]);
	if (!o->in_place && !o->revert)
		ret = natfix_plan_count(p, rs);
	for (int f = 0; f < NFAM && !o->in_place && ret == 0; f++) {
		struct overlay *ov = &p->ov[f];

		if (ov->kept || !ov->wanted)
			continue;
		ret = owner_mark_format(o->oif, o->saddr, &p->record, ov->comment,
					sizeof(ov->comment));
		if (ret == 0 && ov->existing && strcmp(ov->comment, ov->existing_comment) == 0)
			ret = natfix_overlay_matches(ov, rs);
		ov->current = ret == 1;
		ret = ret < 0 ? ret : 0;
	}
	/* --in-place leaves natscope's own tables exactly as they are */
	for (int f = 0; f < NFAM && o->in_place; f++)
		keep_as_is(&p->ov[f]);
	for (int f = 0; f < NFAM && o->revert && ret == 0; f++)
		if (p->ov[f].existing)
			ret = natfix_note(p, "remove %s %s", natfix_fam_name(p->ov[f].family),
					  NATFIX_TABLE);
	return ret;
}

const struct owner_record *natfix_plan_record(const struct natfix_plan *p)
{
	return &p->record;
}

bool natfix_plan_adds_table(const struct natfix_plan *p)
{
	for (int f = 0; f < NFAM; f++)
		if (p->ov[f].wanted && !p->ov[f].existing)
			return true;
	return false;
}

int natfix_plan_new(const struct ruleset *rs, uint32_t genid, const struct natfix_opts *o,
		    struct natfix_plan **out)
{
	struct natfix_plan *p = calloc(1, sizeof(*p));
	char *scratch = malloc(MSG_ROOM);
	int ret = 0;

	if (!p || !scratch) {
		ret = -ENOMEM;
		goto err;
	}
	p->genid = genid;
	p->in_place = o->in_place;
	ret = scope_parse(o->oif, o->saddr, &p->scope);
	if (ret < 0 || (o->in_place && (o->revert || o->oif || o->saddr))) {
		ret = -EINVAL;
		goto err;
	}
	ret = find_existing(p, rs);
	if (ret == 0 && !o->revert)
		ret = plan_chains(p, rs, o, scratch);
	if (ret == 0 && !o->revert && !o->in_place && p->scope.oif && p->snat_seen == 0)
		ret = plan_plain_masquerade(p);
	if (ret == 0)
		ret = finish(p, rs, o);
	if (ret < 0)
		goto err;
	free(scratch);
	*out = p;
	return 0;
err:
	free(scratch);
	natfix_plan_free(p);
	return ret;
}

void natfix_plan_free(struct natfix_plan *p)
{
	if (!p)
		return;
	for (int f = 0; f < NFAM; f++) {
		for (size_t i = 0; i < p->ov[f].nchains; i++)
			nftnl_chain_free(p->ov[f].chains[i]);
		for (size_t i = 0; i < p->ov[f].nrules; i++)
			nftnl_rule_free(p->ov[f].rules[i]);
		for (size_t i = 0; i < p->ov[f].nsets; i++)
			nftnl_set_free(p->ov[f].sets[i]);
		free(p->ov[f].chains);
		free(p->ov[f].rules);
		free(p->ov[f].srcs);
		free(p->ov[f].sets);
	}
	for (unsigned int i = 0; i < p->nnotes; i++)
		free(p->notes[i]);
	free(p->notes);
	free(p->mirrored);
	for (size_t i = 0; i < p->nreplace; i++)
		nftnl_rule_free(p->replace[i]);
	free(p->replace);
	free(p);
}

bool natfix_plan_mirrors(const struct natfix_plan *p, uint32_t family, const char *table,
			 const char *chain)
{
	for (unsigned int i = 0; i < p->nmirrored; i++)
		if (p->mirrored[i].family == family && strcmp(p->mirrored[i].table, table) == 0 &&
		    strcmp(p->mirrored[i].chain, chain) == 0)
			return true;
	return false;
}

bool natfix_plan_has_changes(const struct natfix_plan *p)
{
	if (p->nreplace)
		return true;
	for (int f = 0; f < NFAM; f++)
		if (natfix_overlay_changes(&p->ov[f]))
			return true;
	return false;
}

unsigned int natfix_plan_nnotes(const struct natfix_plan *p)
{
	return p->nnotes;
}

const char *natfix_plan_note(const struct natfix_plan *p, unsigned int i)
{
	return i < p->nnotes ? p->notes[i] : NULL;
}

unsigned int natfix_plan_left(const struct natfix_plan *p, unsigned int *statements,
			      const char **first)
{
	*statements = p->left_lacking;
	*first = p->nleft ? p->notes[p->left_note] + strlen(NATFIX_SKIP) : NULL;
	return p->nleft;
}

unsigned int natfix_plan_nskipped(const struct natfix_plan *p)
{
	return p->nskipped;
}

unsigned int natfix_plan_nmirrored(const struct natfix_plan *p)
{
	return p->nmirrored;
}

/* What the plan does to natscope's table of @ov's family, or NULL: nothing to say. */
static const char *table_action(const struct natfix_plan *p, const struct overlay *ov)
{
	if (!ov->existing)
		return ov->wanted ? "add" : NULL;
	if (!ov->wanted)
		return "remove";
	if (!natfix_in_scope(p, ov->family))
		return "keep (outside the --saddr scope)";
	return natfix_overlay_changes(ov) ? "rebuild" : "keep";
}

int natfix_plan_describe(const struct natfix_plan *p, char *buf, size_t len)
{
	size_t used = 0;
	int n;

	buf[0] = '\0';
	for (int f = 0; f < NFAM; f++) {
		const char *what = table_action(p, &p->ov[f]);

		if (!what)
			continue;
		n = snprintf(buf + used, len - used, "%stable %s %s: %s", used ? "; " : "",
			     natfix_fam_name(p->ov[f].family), NATFIX_TABLE, what);
		if (n < 0 || (size_t)n >= len - used)
			return -ENOSPC;
		used += (size_t)n;
	}
	if (p->nreplace) {
		n = snprintf(buf + used, len - used, "%sreplace %zu rule%s in place",
			     used ? "; " : "", p->nreplace, p->nreplace == 1 ? "" : "s");
		if (n < 0 || (size_t)n >= len - used)
			return -ENOSPC;
	}
	return 0;
}

bool natfix_plan_family_changes(const struct natfix_plan *p, uint32_t family)
{
	for (int f = 0; f < NFAM; f++)
		if (p->ov[f].family == family)
			return natfix_overlay_changes(&p->ov[f]);
	return false;
}

const char *natfix_plan_comment(const struct natfix_plan *p, uint32_t family)
{
	for (int f = 0; f < NFAM; f++)
		if (p->ov[f].family == family && p->ov[f].wanted)
			return p->ov[f].comment;
	return "";
}

int natfix_plan_verify(const struct natfix_plan *p, const struct ruleset *rs, uint32_t *family)
{
	for (int f = 0; f < NFAM; f++) {
		const struct overlay *ov = &p->ov[f];
		const char *have = ruleset_table_comment(rs, ov->family, NATFIX_TABLE);
		int ret;

		if (ov->kept) { /* not planned: only its presence is known */
			if ((have != NULL) != ov->existing) {
				*family = ov->family;
				return -EPROTO;
			}
			continue;
		}
		ret = ov->wanted && have && strcmp(have, ov->comment) == 0
			      ? natfix_overlay_matches(ov, rs)
			      : 0;

		if (ret < 0)
			return ret;
		if (ov->wanted ? ret == 0 : ruleset_table(rs, ov->family, NATFIX_TABLE) != NULL) {
			*family = ov->family;
			return -EPROTO;
		}
	}
	return 0;
}
