#include "config.h"
#include "nftables/natfix.h"

#include <arpa/inet.h>
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

static int parse_scope(const struct natfix_opts *o, struct scope *sc)
{
	char addr[INET6_ADDRSTRLEN + 1], *slash;
	unsigned long prefix;

	sc->oif = o->oif;
	if (o->oif && (!*o->oif || strlen(o->oif) >= 16))
		return -EINVAL;
	if (!o->saddr)
		return 0;
	if (strlen(o->saddr) >= sizeof(addr))
		return -EINVAL;
	strcpy(addr, o->saddr);
	slash = strchr(addr, '/');
	if (slash)
		*slash++ = '\0';
	if (inet_pton(AF_INET, addr, sc->net) == 1) {
		sc->saddr_family = NFPROTO_IPV4;
		sc->len = 4;
	} else if (inet_pton(AF_INET6, addr, sc->net) == 1) {
		sc->saddr_family = NFPROTO_IPV6;
		sc->len = 16;
	} else {
		return -EINVAL;
	}
	prefix = sc->len * 8;
	if (slash) {
		char *end;

		prefix = strtoul(slash, &end, 10);
		if (!*slash || *end || prefix > sc->len * 8)
			return -EINVAL;
	}
	for (unsigned int i = 0; i < sc->len; i++) {
		unsigned int bits = prefix > i * 8 ? (unsigned int)prefix - i * 8 : 0;

		sc->mask[i] = bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits));
		sc->net[i] &= sc->mask[i];
	}
	sc->have_saddr = true;
	return 0;
}

const char *natfix_fam_name(uint32_t family)
{
	return natrules_family_name((uint8_t)family);
}

/* FNV-1a over what would be sent: equal digests mean an identical overlay. */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static void digest(struct overlay *ov, const struct natfix_opts *o, char *scratch)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	struct nlmsghdr *nlh;

	for (size_t i = 0; i < ov->nchains; i++) {
		nlh = nftnl_nlmsg_build_hdr(scratch, NFT_MSG_NEWCHAIN, (uint16_t)ov->family, 0, 0);
		nftnl_chain_nlmsg_build_payload(nlh, ov->chains[i]);
		h = fnv(h, mnl_nlmsg_get_payload(nlh), mnl_nlmsg_get_payload_len(nlh));
	}
	for (size_t i = 0; i < ov->nsets; i++) {
		nlh = nftnl_nlmsg_build_hdr(scratch, NFT_MSG_NEWSET, (uint16_t)ov->family, 0, 0);
		nftnl_set_nlmsg_build_payload(nlh, ov->sets[i]);
		h = fnv(h, mnl_nlmsg_get_payload(nlh), mnl_nlmsg_get_payload_len(nlh));
		nlh = nftnl_nlmsg_build_hdr(scratch, NFT_MSG_NEWSETELEM, (uint16_t)ov->family, 0,
					    0);
		nftnl_set_elems_nlmsg_build_payload(nlh, ov->sets[i]);
		h = fnv(h, mnl_nlmsg_get_payload(nlh), mnl_nlmsg_get_payload_len(nlh));
	}
	for (size_t i = 0; i < ov->nrules; i++) {
		nlh = nftnl_nlmsg_build_hdr(scratch, NFT_MSG_NEWRULE, (uint16_t)ov->family, 0, 0);
		nftnl_rule_nlmsg_build_payload(nlh, ov->rules[i]);
		h = fnv(h, mnl_nlmsg_get_payload(nlh), mnl_nlmsg_get_payload_len(nlh));
	}
	/* The scope is kept so that audit can plan again with the same options. */
	snprintf(ov->comment, sizeof(ov->comment), "%s v1 digest=%016llx%s%s%s%s",
		 NATRULES_OWNER_MARK, (unsigned long long)h, o->oif ? " oif=" : "",
		 o->oif ? o->oif : "", o->saddr ? " saddr=" : "", o->saddr ? o->saddr : "");
}

bool natfix_overlay_changes(const struct overlay *ov)
{
	if (ov->wanted != ov->existing)
		return true;
	return ov->wanted && strcmp(ov->comment, ov->existing_comment) != 0;
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
				   "skip   %s %s %s handle %llu: an iptables-nft rule is never "
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
	nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, 100); /* srcnat */
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
	if ((ret = util_push((void ***)&ov->rules, &ov->nrules, r)) < 0) {
		nftnl_rule_free(r);
		return ret;
	}
	ov->wanted = true;
	return natfix_note(p,
			   "add    %s %s scope (priority srcnat): masquerade fully-random for "
			   "traffic leaving %s%s",
			   natfix_fam_name(family), NATFIX_TABLE, p->scope.oif,
			   p->scope.have_saddr ? " from the --saddr range" : "");
}

/* natscope's tables as they are now; -EEXIST for a table of that name it does not own. */
static int find_existing(struct natfix_plan *p, const struct ruleset *rs)
{
	for (int f = 0; f < NFAM; f++) {
		struct overlay *ov = &p->ov[f];
		const char *comment;

		ov->family = natfix_families[f];
		comment = ruleset_owned_comment(rs, ov->family, NATFIX_TABLE);
		if (!comment && ruleset_has_table(rs, ov->family, NATFIX_TABLE))
			return -EEXIST; /* someone else's table of that name: never touched */
		if (comment) {
			ov->existing = true;
			snprintf(ov->existing_comment, sizeof(ov->existing_comment), "%s", comment);
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
		if (ruleset_owned_comment(rs, family, nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE)))
			continue; /* natscope's own */
		if (p->scope.have_saddr && family != NFPROTO_INET &&
		    family != p->scope.saddr_family)
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

/* The tables' comments (digests), or for --in-place and --revert what they imply. */
static int finish(struct natfix_plan *p, const struct natfix_opts *o, char *scratch)
{
	int ret = 0;

	for (int f = 0; f < NFAM && !o->in_place; f++)
		if (p->ov[f].wanted)
			digest(&p->ov[f], o, scratch);
	/* --in-place leaves natscope's own tables exactly as they are */
	for (int f = 0; f < NFAM && o->in_place; f++) {
		p->ov[f].wanted = p->ov[f].existing;
		memcpy(p->ov[f].comment, p->ov[f].existing_comment, sizeof(p->ov[f].comment));
	}
	for (int f = 0; f < NFAM && o->revert && ret == 0; f++)
		if (p->ov[f].existing)
			ret = natfix_note(p, "remove %s %s", natfix_fam_name(p->ov[f].family),
					  NATFIX_TABLE);
	return ret;
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
	ret = parse_scope(o, &p->scope);
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
		ret = finish(p, o, scratch);
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

int natfix_opts_from_comment(const char *comment, struct natfix_opts *o, char *buf, size_t len)
{
	char *save, *tok;

	memset(o, 0, sizeof(*o));
	if (strncmp(comment, NATRULES_OWNER_MARK, strlen(NATRULES_OWNER_MARK)) != 0 ||
	    strlen(comment) >= len)
		return -EINVAL;
	strcpy(buf, comment);
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (strncmp(tok, "oif=", 4) == 0)
			o->oif = tok + 4;
		else if (strncmp(tok, "saddr=", 6) == 0)
			o->saddr = tok + 6;
	}
	return 0;
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

unsigned int natfix_plan_nskipped(const struct natfix_plan *p)
{
	return p->nskipped;
}

unsigned int natfix_plan_nmirrored(const struct natfix_plan *p)
{
	return p->nmirrored;
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
		const char *have = ruleset_owned_comment(rs, ov->family, NATFIX_TABLE);

		if ((ov->wanted && (!have || strcmp(have, ov->comment) != 0)) ||
		    (!ov->wanted && have)) {
			*family = ov->family;
			return -EPROTO;
		}
	}
	return 0;
}
