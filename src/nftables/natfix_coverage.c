#include "config.h"
#include "nftables/natfix.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>
#include <linux/netfilter/nf_tables.h>

#include "natfix_int.h"

#include "nftables/natexpr.h"
#include "nftables/owner.h"
#include "nftables/ruleset.h"
#include "util.h"

/*
 * What natscope's overlay does, rule by rule, judged by effect: the plan (made with the
 * overlay's own options against the rules in force) says what each mirror chain should
 * hold; natscope's table in the ruleset says what does.  Per chain, the rules are paired
 * by content (as natfix_compare.c prints them).  A planned rule with no pair leaves its
 * source uncovered; a natscope rule with no pair that binds NAT is dangerous (it NATs
 * what no source rule does now).  Pairs in another order are harmless when the rules that
 * swapped places can never match the same packet (some field compared equal to values
 * that differ under both masks), else treated as unpaired.  Only chains reachable from
 * natscope's base chains, hooked as planned, are in force.
 */

struct entry {
	uint32_t family;
	const char *table;
	uint64_t handle;
	enum natrule_cover cover;
};

struct natfix_coverage {
	struct entry *v;
	size_t n, cap;
};

/* Record @cover for a rule; the worse state wins over one recorded before. */
static int mark(struct natfix_coverage *c, uint32_t family, const char *table, uint64_t handle,
		enum natrule_cover cover)
{
	for (size_t i = 0; i < c->n; i++) {
		struct entry *e = &c->v[i];

		if (e->family == family && e->handle == handle && strcmp(e->table, table) == 0) {
			if (cover > e->cover)
				e->cover = cover;
			return 0;
		}
	}
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 32;
		struct entry *v = realloc(c->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n++] = (struct entry){ family, table, handle, cover };
	return 0;
}

enum natrule_cover natfix_coverage_of(const struct natfix_coverage *c, uint32_t family,
				      const char *table, uint64_t handle)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].family == family && c->v[i].handle == handle &&
		    strcmp(c->v[i].table, table) == 0)
			return c->v[i].cover;
	return NATRULE_COVER_NONE;
}

void natfix_coverage_count(const struct natfix_coverage *c, unsigned int counts[NATRULE_COVERS])
{
	for (size_t i = 0; i < c->n; i++)
		counts[c->v[i].cover]++;
}

void natfix_coverage_free(struct natfix_coverage *c)
{
	if (!c)
		return;
	free(c->v);
	free(c);
}

/* What a rule does, read once when it joins a side (the judge asks for each pair). */
enum { RULE_NATS = 1, RULE_STEERS = 2 };

/* One side of a chain: its rules, their texts, what each was paired with. */
struct side_rules {
	const struct nftnl_rule **r;
	const struct nftnl_rule **src; /* planned side: the source rule, or NULL */
	char **text, **loose;	       /* exact, and without fully-random */
	char **action;		       /* a NAT rule's action (action_text()), or NULL */
	unsigned char *does;	       /* RULE_NATS, RULE_STEERS */
	long *pair;		       /* index on the other side, -1 */
	size_t n;
};

static bool binds_nat(const struct nftnl_rule *r);
static bool steers(const struct nftnl_rule *r);
static char *action_text(const char *loose);

static void side_release(struct side_rules *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->text[i]);
		free(s->loose[i]);
		free(s->action[i]);
	}
	free(s->r);
	free(s->src);
	free(s->text);
	free(s->loose);
	free(s->action);
	free(s->does);
	free(s->pair);
	memset(s, 0, sizeof(*s));
}

static int side_add(struct side_rules *s, const struct nftnl_rule *r, const struct nftnl_rule *src,
		    const struct overlay *ov, const struct ruleset *rs, uint32_t family)
{
	size_t n = s->n + 1;
	const struct nftnl_rule **rr = realloc(s->r, n * sizeof(*rr));
	const struct nftnl_rule **ss = rr ? realloc(s->src, n * sizeof(*ss)) : NULL;
	char **tt = ss ? realloc(s->text, n * sizeof(*tt)) : NULL;
	char **ll = tt ? realloc(s->loose, n * sizeof(*ll)) : NULL;
	char **aa = ll ? realloc(s->action, n * sizeof(*aa)) : NULL;
	unsigned char *dd = aa ? realloc(s->does, n * sizeof(*dd)) : NULL;
	long *pp = dd ? realloc(s->pair, n * sizeof(*pp)) : NULL;
	char *text, *loose;

	s->r = rr ? rr : s->r;
	s->src = ss ? ss : s->src;
	s->text = tt ? tt : s->text;
	s->loose = ll ? ll : s->loose;
	s->action = aa ? aa : s->action;
	s->does = dd ? dd : s->does;
	if (!pp)
		return -ENOMEM;
	s->pair = pp;
	text = natfix_rule_text(r, ov, rs, family, false);
	loose = natfix_rule_text(r, ov, rs, family, true);
	if (!text || !loose) {
		free(text);
		free(loose);
		return -ENOMEM;
	}
	s->r[s->n] = r;
	s->src[s->n] = src;
	s->text[s->n] = text;
	s->loose[s->n] = loose;
	s->does[s->n] = (binds_nat(r) ? RULE_NATS : 0) | (steers(r) ? RULE_STEERS : 0);
	/* NULL without memory too: such a rule is then never shown covered by another */
	s->action[s->n] = s->does[s->n] & RULE_NATS ? action_text(loose) : NULL;
	s->pair[s->n++] = -1;
	return 0;
}

/* The planned rules of chain @chain. */
static int planned_side(const struct overlay *ov, const char *chain, struct side_rules *s)
{
	int ret = 0;

	for (size_t i = 0; i < ov->nrules && ret == 0; i++)
		if (strcmp(nftnl_rule_get_str(ov->rules[i], NFTNL_RULE_CHAIN), chain) == 0)
			ret = side_add(s, ov->rules[i], ov->srcs[i], ov, NULL, ov->family);
	return ret;
}

/* The rules natscope's chain @chain holds now. */
static int current_side(const struct ruleset *rs, uint32_t family, const char *chain,
			struct side_rules *s)
{
	int ret = 0;

	for (size_t i = 0; i < ruleset_nrules(rs) && ret == 0; i++) {
		const struct nftnl_rule *r = ruleset_rule(rs, i);

		if (ruleset_rule_in(r, family, NATFIX_TABLE, chain))
			ret = side_add(s, r, NULL, NULL, rs, family);
	}
	return ret;
}

/* Pair planned and current rules by content, each current rule at most once, in order. */
static void pair_up(struct side_rules *want, struct side_rules *have)
{
	for (size_t i = 0; i < want->n; i++)
		for (size_t k = 0; k < have->n; k++)
			if (have->pair[k] < 0 && strcmp(want->text[i], have->text[k]) == 0) {
				want->pair[i] = (long)k;
				have->pair[k] = (long)i;
				break;
			}
}

static bool binds_nat(const struct nftnl_rule *r)
{
	struct nftnl_expr_iter *it = nftnl_expr_iter_create(r);
	struct nftnl_expr *e;
	bool nat = false;

	while (it && !nat && (e = nftnl_expr_iter_next(it))) {
		const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);

		nat = strcmp(name, "masq") == 0 || strcmp(name, "nat") == 0 ||
		      strcmp(name, "redir") == 0 || strcmp(name, "target") == 0;
	}
	if (it)
		nftnl_expr_iter_destroy(it);
	return nat;
}

/*
 * Planned rule @i moved relative to another paired rule it may overlap with: then
 * neither can be trusted to do what the source does.
 */
static bool moved_unsafely(const struct side_rules *want, size_t i)
{
	for (size_t j = 0; j < want->n; j++) {
		if (j == i || want->pair[j] < 0)
			continue;
		if ((j < i) != (want->pair[j] < want->pair[i]) &&
		    !natexpr_rules_disjoint(want->r[i], want->r[j]))
			return true;
	}
	return false;
}

static bool moved(const struct side_rules *want, size_t i)
{
	for (size_t j = 0; j < want->n; j++)
		if (j != i && want->pair[j] >= 0 && (j < i) != (want->pair[j] < want->pair[i]))
			return true;
	return false;
}

/*
 * An unpaired rule of natscope's that is a planned rule but for fully-random (edited by
 * hand) NATs what its source does, without the fix: uncovered, not dangerous.
 */
static bool nats_like_a_source(const struct side_rules *want, const char *loose)
{
	for (size_t i = 0; i < want->n; i++)
		if (want->pair[i] < 0 && strcmp(want->loose[i], loose) == 0)
			return true; /* (a paired rule out of place is no such edit) */
	return false;
}

/* How planned rule @i fares: unpaired, or moved among rules it may overlap with: uncovered. */
static enum natrule_cover planned_cover(const struct side_rules *want, size_t i)
{
	if (want->pair[i] < 0 || moved_unsafely(want, i))
		return NATRULE_COVER_UNCOVERED;
	return moved(want, i) ? NATRULE_COVER_HARMLESS : NATRULE_COVER_COVERED;
}

/*
 * Whether @r can change what the rules after it do: a verdict (return, accept, jump...),
 * a statement that writes (meta mark set ...), anything but counting and matching.  A
 * rule of one side with no twin on the other that can is an exclusion one side has and
 * the other lacks.
 */
static bool steers(const struct nftnl_rule *r)
{
	struct nftnl_expr_iter *it = nftnl_expr_iter_create(r);
	struct nftnl_expr *e;
	bool steer = it == NULL;

	while (it && !steer && (e = nftnl_expr_iter_next(it))) {
		const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);

		if (strcmp(name, "immediate") == 0)
			steer = nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_DREG) == NFT_REG_VERDICT;
		else if (strcmp(name, "lookup") == 0)
			steer = nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_DREG); /* a vmap */
		else if (strcmp(name, "meta") == 0 || strcmp(name, "ct") == 0)
			steer = !nftnl_expr_is_set(e, strcmp(name, "meta") == 0
							      ? NFTNL_EXPR_META_DREG
							      : NFTNL_EXPR_CT_DREG);
		else if (strcmp(name, "payload") == 0)
			steer = !nftnl_expr_is_set(e, NFTNL_EXPR_PAYLOAD_DREG);
		else if (strcmp(name, "target") == 0)
			steer = true; /* an xt target: MARK, CONNMARK, or NAT (judged apart) */
	}
	if (it)
		nftnl_expr_iter_destroy(it);
	return steer;
}

/* Whether rule @i of @s may bind NAT itself or lead to a chain that does. */
static bool may_nat(const struct side_rules *s, size_t i)
{
	return s->does[i] != 0;
}

/* Whether rule @i of @s steers without binding NAT itself: an exclusion, a jump. */
static bool excludes(const struct side_rules *s, size_t i)
{
	return s->does[i] == RULE_STEERS;
}

/* The position on the other side after which unpaired rule @i of @s stands: the pair of
 * the nearest paired rule before it, or -1. */
static long position(const struct side_rules *s, size_t i)
{
	while (i-- > 0)
		if (s->pair[i] >= 0)
			return s->pair[i];
	return -1;
}

/* The action of @r (what follows its match: loads, the NAT statement, the verdict) as
 * natfix_compare.c prints it without fully-random, in a new string; NULL without
 * memory. */
static char *action_text(const char *loose)
{
	/* the NAT statement's registers are loaded by the immediates just before it */
	const char *at = strstr(loose, "[ masq ");

	if (!at)
		at = strstr(loose, "[ nat ");
	if (!at)
		return NULL;
	while (at > loose) {
		const char *open = at - 1;

		while (open > loose && *open != '[')
			open--;
		/* a load, not a verdict (register 0) */
		if (strncmp(open, "[ immediate ", 12) != 0 ||
		    strncmp(open, "[ immediate reg 0 ", 18) == 0)
			break;
		at = open;
	}
	return strdup(at);
}

/*
 * A mirror that binds NAT with no twin in the plan is covered, not dangerous, when the
 * plan holds an unpaired rule with the same action whose match contains the mirror's: the
 * source now NATs that traffic identically over a larger scope (a prefix widened).
 */
static bool inside_a_planned(const struct side_rules *want, const struct side_rules *have, size_t k)
{
	const char *act = have->action[k];

	for (size_t i = 0; act && i < want->n; i++)
		if (want->pair[i] < 0 && want->action[i] && strcmp(act, want->action[i]) == 0 &&
		    natexpr_rule_subset(have->r[k], want->r[i]))
			return true;
	return false;
}

/*
 * Exclusions one side has and the other lacks.  A planned rule that steers (an exclusion
 * inserted in the source, a return or accept) with no twin in natscope's chain: every
 * mirror after its place there that may NAT what it matches NATs what the source now
 * excludes: dangerous.  A rule of natscope's that steers with no twin in the plan (an
 * exclusion the source removed): the planned NAT rules after its place that it may
 * match lose that traffic to the source, without fully-random: uncovered.  "May" is the
 * rule model's: only rules it proves disjoint are spared.
 */
static int judge_exclusions(struct natfix_coverage *c, uint32_t family,
			    const struct side_rules *want, const struct side_rules *have)
{
	int ret = 0;

	for (size_t i = 0; i < want->n && ret == 0; i++) {
		if (want->pair[i] >= 0 || !excludes(want, i))
			continue;
		for (size_t k = (size_t)(position(want, i) + 1); k < have->n && ret == 0; k++)
			if (may_nat(have, k) && !natexpr_rules_disjoint(want->r[i], have->r[k]))
				ret = mark(c, family, NATFIX_TABLE,
					   nftnl_rule_get_u64(have->r[k], NFTNL_RULE_HANDLE),
					   NATRULE_COVER_DANGEROUS);
	}
	for (size_t k = 0; k < have->n && ret == 0; k++) {
		if (have->pair[k] >= 0 || !excludes(have, k))
			continue;
		for (size_t i = (size_t)(position(have, k) + 1); i < want->n && ret == 0; i++)
			if (want->src[i] && may_nat(want, i) &&
			    !natexpr_rules_disjoint(have->r[k], want->r[i]))
				ret = mark(c, family,
					   nftnl_rule_get_str(want->src[i], NFTNL_RULE_TABLE),
					   nftnl_rule_get_u64(want->src[i], NFTNL_RULE_HANDLE),
					   NATRULE_COVER_UNCOVERED);
	}
	return ret;
}

/* Judge one chain: @have is empty when natscope's chain of that name is not in force. */
static int judge_chain(struct natfix_coverage *c, uint32_t family, struct side_rules *want,
		       struct side_rules *have)
{
	enum natrule_cover *cv = calloc(want->n + 1, sizeof(*cv));
	int ret = 0;

	if (!cv)
		return -ENOMEM;
	pair_up(want, have);
	for (size_t i = 0; i < want->n; i++)
		cv[i] = planned_cover(want, i);
	for (size_t i = 0; i < want->n && ret == 0; i++) {
		const struct nftnl_rule *src = want->src[i];

		if (src)
			ret = mark(c, family, nftnl_rule_get_str(src, NFTNL_RULE_TABLE),
				   nftnl_rule_get_u64(src, NFTNL_RULE_HANDLE), cv[i]);
		if (want->pair[i] < 0)
			continue;
		if (cv[i] == NATRULE_COVER_UNCOVERED)
			have->pair[want->pair[i]] = -1; /* a mirror out of place: judged below */
		else if (ret == 0)
			ret = mark(c, family, NATFIX_TABLE,
				   nftnl_rule_get_u64(have->r[want->pair[i]], NFTNL_RULE_HANDLE),
				   cv[i]);
	}
	for (size_t k = 0; k < have->n && ret == 0; k++)
		if (have->pair[k] < 0 && (have->does[k] & RULE_NATS))
			ret = mark(c, family, NATFIX_TABLE,
				   nftnl_rule_get_u64(have->r[k], NFTNL_RULE_HANDLE),
				   nats_like_a_source(want, have->loose[k])
					   ? NATRULE_COVER_UNCOVERED
				   : inside_a_planned(want, have, k) ? NATRULE_COVER_COVERED
								     : NATRULE_COVER_DANGEROUS);
	if (ret == 0)
		ret = judge_exclusions(c, family, want, have);
	free(cv);
	return ret;
}

/* The chains of natscope's table of @family reachable from its base chains. */
static int reachable(const struct ruleset *rs, uint32_t family, struct ruleset_chains *out)
{
	int ret = 0;

	*out = (struct ruleset_chains){ 0 };
	for (size_t i = 0; i < ruleset_nchains(rs) && ret == 0; i++) {
		const struct nftnl_chain *ch = ruleset_chain(rs, i);
		struct ruleset_chains re;

		if (nftnl_chain_get_u32(ch, NFTNL_CHAIN_FAMILY) != family ||
		    strcmp(nftnl_chain_get_str(ch, NFTNL_CHAIN_TABLE), NATFIX_TABLE) != 0 ||
		    !nftnl_chain_is_set(ch, NFTNL_CHAIN_HOOKNUM))
			continue;
		ret = ruleset_reach(rs, family, NATFIX_TABLE,
				    nftnl_chain_get_str(ch, NFTNL_CHAIN_NAME), &re);
		for (size_t k = 0; ret == 0 && k < re.n; k++)
			if (!ruleset_chains_has(out, re.names[k]))
				ret = util_push((void ***)&out->names, &out->n,
						(void *)re.names[k]);
		ruleset_chains_release(&re);
	}
	if (ret < 0)
		ruleset_chains_release(out);
	return ret;
}

static const struct nftnl_chain *chain_of(const struct ruleset *rs, uint32_t family,
					  const char *name)
{
	for (size_t i = 0; i < ruleset_nchains(rs); i++) {
		const struct nftnl_chain *ch = ruleset_chain(rs, i);

		if (nftnl_chain_get_u32(ch, NFTNL_CHAIN_FAMILY) == family &&
		    strcmp(nftnl_chain_get_str(ch, NFTNL_CHAIN_TABLE), NATFIX_TABLE) == 0 &&
		    strcmp(nftnl_chain_get_str(ch, NFTNL_CHAIN_NAME), name) == 0)
			return ch;
	}
	return NULL;
}

/* Whether natscope's chain @name is in force as the plan wants it (if it wants it). */
static bool chain_in_force(const struct overlay *ov, const struct ruleset *rs,
			   const struct ruleset_chains *reach, const char *name)
{
	const struct nftnl_chain *have = chain_of(rs, ov->family, name);

	if (!have || !ruleset_chains_has(reach, name))
		return false;
	for (size_t i = 0; i < ov->nchains; i++)
		if (strcmp(nftnl_chain_get_str(ov->chains[i], NFTNL_CHAIN_NAME), name) == 0)
			return natfix_same_hook(ov->chains[i], have);
	return true; /* not planned: in force all the same */
}

static int judge_name(struct natfix_coverage *c, const struct overlay *ov, const struct ruleset *rs,
		      const struct ruleset_chains *reach, const char *name, bool active)
{
	struct side_rules want = { 0 }, have = { 0 };
	int ret = planned_side(ov, name, &want);

	if (ret == 0 && active && chain_in_force(ov, rs, reach, name))
		ret = current_side(rs, ov->family, name, &have);
	if (ret == 0)
		ret = judge_chain(c, ov->family, &want, &have);
	side_release(&want);
	side_release(&have);
	return ret;
}

static int judge_family(struct natfix_coverage *c, const struct overlay *ov,
			const struct ruleset *rs)
{
	const struct nftnl_table *t = ruleset_table(rs, ov->family, NATFIX_TABLE);
	bool active = t && owner_of_table(rs, ov->family, NATFIX_TABLE, NULL) == 1 &&
		      nftnl_table_get_u32(t, NFTNL_TABLE_FLAGS) == 0;
	struct ruleset_chains reach;
	int ret = reachable(rs, ov->family, &reach);

	for (size_t i = 0; i < ov->nchains && ret == 0; i++)
		ret = judge_name(c, ov, rs, &reach,
				 nftnl_chain_get_str(ov->chains[i], NFTNL_CHAIN_NAME), active);
	/* natscope's chains the plan no longer has */
	for (size_t i = 0; i < ruleset_nchains(rs) && ret == 0 && active; i++) {
		const struct nftnl_chain *ch = ruleset_chain(rs, i);
		const char *name = nftnl_chain_get_str(ch, NFTNL_CHAIN_NAME);
		bool planned = false;

		if (nftnl_chain_get_u32(ch, NFTNL_CHAIN_FAMILY) != ov->family ||
		    strcmp(nftnl_chain_get_str(ch, NFTNL_CHAIN_TABLE), NATFIX_TABLE) != 0)
			continue;
		for (size_t k = 0; k < ov->nchains && !planned; k++)
			planned = strcmp(nftnl_chain_get_str(ov->chains[k], NFTNL_CHAIN_NAME),
					 name) == 0;
		if (!planned)
			ret = judge_name(c, ov, rs, &reach, name, active);
	}
	ruleset_chains_release(&reach);
	return ret;
}

int natfix_coverage_new(const struct natfix_plan *p, const struct ruleset *rs,
			struct natfix_coverage **out)
{
	struct natfix_coverage *c = calloc(1, sizeof(*c));
	int ret = c ? 0 : -ENOMEM;

	for (int f = 0; f < NFAM && ret == 0; f++)
		ret = judge_family(c, &p->ov[f], rs);
	if (ret < 0) {
		natfix_coverage_free(c);
		return ret;
	}
	*out = c;
	return 0;
}

/*
 * The scope natscope's table of @family was made with, from its mark; a family without
 * a table of natscope takes the scope of the first one that has one (its source rules
 * are uncovered if that scope includes them).  false: natscope has no table at all.
 */
static bool overlay_opts(const struct ruleset *rs, uint32_t family, struct owner_mark *mark,
			 struct natfix_opts *o)
{
	bool found = owner_of_table(rs, family, NATFIX_TABLE, mark) == 1;

	for (int f = 0; f < NFAM && !found; f++)
		found = owner_of_table(rs, natfix_families[f], NATFIX_TABLE, mark) == 1;
	if (found)
		*o = (struct natfix_opts){ .oif = mark->oif[0] ? mark->oif : NULL,
					   .saddr = mark->saddr[0] ? mark->saddr : NULL };
	return found;
}

static bool same_opts(const struct natfix_opts *a, const struct natfix_opts *b)
{
	return (a->oif ? b->oif && strcmp(a->oif, b->oif) == 0 : !b->oif) &&
	       (a->saddr ? b->saddr && strcmp(a->saddr, b->saddr) == 0 : !b->saddr);
}

/*
 * Each family's rules are judged with the plan its table's mark implies; families whose
 * marks name the same scope (the common case: one, or none, so all take the first) share
 * one plan and one coverage.
 */
int natfix_judge_rules(const struct ruleset *rs, uint32_t genid, struct natrules *nr)
{
	struct natfix_plan *plans[NFAM] = { 0 };
	struct natfix_coverage *covs[NFAM] = { 0 };
	struct owner_mark marks[NFAM];
	struct natfix_opts opts[NFAM];
	bool have[NFAM];
	int ret = 0;

	nr->overlay = false;
	nr->overlay_stale = false;
	nr->fix_record = (struct owner_record){ 0 };
	ret = natfix_counted(rs, &nr->counted);
	if (ret == -ENOMEM)
		return ret;
	nr->have_counted = ret == 0;
	ret = 0;
	for (unsigned int i = 0; i < nr->n; i++)
		nr->v[i].cover = NATRULE_COVER_NONE;
	for (int f = 0; f < NFAM && ret == 0; f++) {
		uint32_t family = natfix_families[f];
		int k = f;

		have[f] = overlay_opts(rs, family, &marks[f], &opts[f]);
		if (!have[f])
			continue;
		nr->overlay = true;
		if (!nr->fix_record.have)
			nr->fix_record = marks[f].rec;
		for (int g = 0; g < f && k == f; g++)
			if (have[g] && same_opts(&opts[g], &opts[f]))
				k = g;
		if (k == f) {
			ret = natfix_plan_new(rs, genid, &opts[f], &plans[f]);
			if (ret == -ENOMEM)
				break;
			/* cannot plan: nothing it does can be vouched for */
			ret = ret < 0 ? 0 : natfix_coverage_new(plans[f], rs, &covs[f]);
		}
		if (ret < 0 || !covs[k]) {
			nr->overlay_stale |= ret == 0;
			continue;
		}
		nr->overlay_stale |= natfix_plan_family_changes(plans[k], family);
		for (unsigned int i = 0; i < nr->n; i++) {
			struct natrule *r = &nr->v[i];

			if (r->family == family && !r->legacy)
				r->cover =
					natfix_coverage_of(covs[k], r->family, r->table, r->handle);
		}
	}
	for (int f = 0; f < NFAM; f++) {
		natfix_coverage_free(covs[f]);
		natfix_plan_free(plans[f]);
	}
	return ret;
}
