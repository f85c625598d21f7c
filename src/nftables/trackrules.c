#include "config.h"
#include "nftables/trackrules.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "nftables/natrules_render.h"
#include "nftables/ruleset.h"

/* What the rule's registers hold while its expressions are read in order. */
enum reg_src { R_NONE, R_L4PROTO, R_DPORT, R_SADDR, R_DADDR, R_IIF, R_OIF };

struct reader {
	struct trackrule *t;
	enum reg_src reg[32];
	uint8_t mask[16]; /* of the last bitwise on an address register */
	bool masked;
	uint8_t family; /* of the payload read (ip, ip6) */
};

static void needs(struct trackrule *t, const char *why)
{
	if (!t->needs_ct)
		snprintf(t->why, sizeof(t->why), "%s", why);
	t->needs_ct = true;
}

static unsigned int reg_of(const struct nftnl_expr *e, uint16_t attr)
{
	/* the 128-bit registers 1-4 and the 32-bit ones 8-23, each tracked on its own: a
	 * load is compared before the next one overwrites what it shares */
	return nftnl_expr_get_u32(e, attr);
}

static void read_payload(struct reader *rd, const struct nftnl_expr *e)
{
	uint32_t base = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_BASE);
	uint32_t off = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET);
	uint32_t len = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_LEN);
	unsigned int r = reg_of(e, NFTNL_EXPR_PAYLOAD_DREG) % 32;
	enum reg_src s = R_NONE;

	if (!nftnl_expr_is_set(e, NFTNL_EXPR_PAYLOAD_DREG))
		return; /* a payload write */
	if (base == NFT_PAYLOAD_TRANSPORT_HEADER && off == 2 && len == 2)
		s = R_DPORT;
	else if (base == NFT_PAYLOAD_NETWORK_HEADER && (off == 12 || off == 16) &&
		 (len == 4 || (rd->t->family == NFPROTO_IPV4 && len >= 1 && len < 4)))
		s = off == 12 ? R_SADDR : R_DADDR, rd->family = AF_INET;
	/* nft loads a prefix's whole bytes only (10.1.2.0/24: 3); where the table's family
	 * leaves no doubt, a shorter load at an address's offset is that address's prefix
	 * (in an inet table 12 could be inside an IPv6 source as well) */
	else if (base == NFT_PAYLOAD_NETWORK_HEADER && (off == 8 || off == 24) &&
		 (len == 16 || (rd->t->family == NFPROTO_IPV6 && len >= 1 && len < 16)))
		s = off == 8 ? R_SADDR : R_DADDR, rd->family = AF_INET6;
	else if (base == NFT_PAYLOAD_NETWORK_HEADER && len == 1 &&
		 (off == 9 || (off == 6 && rd->t->family != NFPROTO_IPV4)))
		s = R_L4PROTO;
	rd->reg[r] = s;
	rd->masked = false;
}

static void read_meta(struct reader *rd, const struct nftnl_expr *e)
{
	uint32_t key = nftnl_expr_get_u32(e, NFTNL_EXPR_META_KEY);
	enum reg_src s = R_NONE;

	if (!nftnl_expr_is_set(e, NFTNL_EXPR_META_DREG))
		return; /* meta set */
	if (key == NFT_META_L4PROTO || key == NFT_META_PROTOCOL)
		s = key == NFT_META_L4PROTO ? R_L4PROTO : R_NONE;
	else if (key == NFT_META_IIFNAME || key == NFT_META_OIFNAME)
		s = key == NFT_META_IIFNAME ? R_IIF : R_OIF;
	rd->reg[reg_of(e, NFTNL_EXPR_META_DREG) % 32] = s;
}

static void read_bitwise(struct reader *rd, const struct nftnl_expr *e)
{
	uint32_t len;
	const void *mask = nftnl_expr_get(e, NFTNL_EXPR_BITWISE_MASK, &len);
	unsigned int r = reg_of(e, NFTNL_EXPR_BITWISE_SREG) % 32;

	if (rd->reg[r] != R_SADDR && rd->reg[r] != R_DADDR) {
		rd->reg[r] = R_NONE; /* ct state & ..., mark & ...: nothing we limit by */
		return;
	}
	if (!mask || len > sizeof(rd->mask)) {
		rd->reg[r] = R_NONE;
		return;
	}
	memset(rd->mask, 0, sizeof(rd->mask));
	memcpy(rd->mask, mask, len);
	rd->masked = true;
}

static uint8_t mask_plen(const uint8_t *m, size_t len)
{
	uint8_t n = 0;

	for (size_t i = 0; i < len; i++)
		for (int b = 7; b >= 0 && (m[i] >> b) & 1; b--)
			n++;
	return n;
}

static void read_cmp(struct reader *rd, const struct nftnl_expr *e)
{
	struct trackrule *t = rd->t;
	uint32_t op = nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_OP), len;
	const uint8_t *d = nftnl_expr_get(e, NFTNL_EXPR_CMP_DATA, &len);
	unsigned int r = reg_of(e, NFTNL_EXPR_CMP_SREG) % 32;
	bool eq = op == NFT_CMP_EQ, neq = op == NFT_CMP_NEQ;

	if (!d || (!eq && !neq))
		return;
	switch (rd->reg[r]) {
	case R_L4PROTO:
		if (eq && len == 1)
			t->l4proto = d[0];
		break;
	case R_DPORT:
		if (eq && len == 2)
			t->dport = d[0] << 8 | d[1];
		break;
	case R_SADDR:
	case R_DADDR: {
		struct trackrule_prefix *p = rd->reg[r] == R_SADDR ? &t->saddr : &t->daddr;
		size_t alen = rd->family == AF_INET ? 4 : 16;

		/* nft loads only a prefix's whole bytes: ip saddr 10.1.2.0/24 is 3 of them */
		if (len == 0 || len > alen)
			break;
		*p = (struct trackrule_prefix){ .set = true, .neg = neq, .family = rd->family };
		memcpy(p->addr.a8, d, len);
		p->plen = rd->masked ? mask_plen(rd->mask, len) : (uint8_t)(len * 8);
		break;
	}
	case R_IIF:
	case R_OIF: {
		struct trackrule_ifname *i = rd->reg[r] == R_IIF ? &t->iif : &t->oif;
		size_t n = strnlen((const char *)d, len);

		*i = (struct trackrule_ifname){ .set = true, .neg = neq, .wildcard = n == len };
		snprintf(i->name, sizeof(i->name), "%.*s", (int)(n < 15 ? n : 15), (const char *)d);
		break;
	}
	default:
		break;
	}
}

/* iptables' CT target: its info starts with the flags; XT_CT_NOTRACK is bit 0. */
static bool xt_ct_notrack(const struct nftnl_expr *e)
{
	uint32_t len;
	const uint8_t *info = nftnl_expr_get(e, NFTNL_EXPR_TG_INFO, &len);

	return info && len >= 2 && (info[0] & 1);
}

static void read_expr(struct reader *rd, const struct nftnl_expr *e)
{
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
	struct trackrule *t = rd->t;

	if (strcmp(name, "payload") == 0) {
		read_payload(rd, e);
	} else if (strcmp(name, "meta") == 0) {
		read_meta(rd, e);
	} else if (strcmp(name, "bitwise") == 0) {
		read_bitwise(rd, e);
	} else if (strcmp(name, "cmp") == 0) {
		read_cmp(rd, e);
	} else if (strcmp(name, "notrack") == 0) {
		t->notrack = true;
	} else if (strcmp(name, "ct") == 0) {
		uint32_t key = nftnl_expr_get_u32(e, NFTNL_EXPR_CT_KEY);

		needs(t, key == NFT_CT_STATE	? "ct state"
			 : key == NFT_CT_STATUS ? "ct status"
			 : key == NFT_CT_HELPER ? "ct helper"
			 : key == NFT_CT_MARK	? "ct mark"
						: "ct");
		if (nftnl_expr_is_set(e, NFTNL_EXPR_CT_DREG))
			rd->reg[reg_of(e, NFTNL_EXPR_CT_DREG) % 32] = R_NONE;
	} else if (strcmp(name, "objref") == 0 || strcmp(name, "connlimit") == 0) {
		needs(t, name);
	} else if (strcmp(name, "nat") == 0 || strcmp(name, "masq") == 0 ||
		   strcmp(name, "redir") == 0) {
		needs(t, strcmp(name, "masq") == 0 ? "masquerade" : name);
	} else if (strcmp(name, "match") == 0) {
		const char *mt = nftnl_expr_get_str(e, NFTNL_EXPR_MT_NAME);
		static const char *const ct_matches[] = { "conntrack", "state",	    "helper",
							  "connmark",  "connbytes", "connlimit" };

		for (size_t i = 0; mt && i < sizeof(ct_matches) / sizeof(ct_matches[0]); i++)
			if (strcmp(mt, ct_matches[i]) == 0) {
				char why[32];

				snprintf(why, sizeof(why), "xt %s", mt);
				needs(t, why);
			}
	} else if (strcmp(name, "target") == 0) {
		const char *tg = nftnl_expr_get_str(e, NFTNL_EXPR_TG_NAME);

		if (tg &&
		    (strcmp(tg, "NOTRACK") == 0 || (strcmp(tg, "CT") == 0 && xt_ct_notrack(e))))
			t->notrack = true;
		else if (tg && (strcmp(tg, "MASQUERADE") == 0 || strcmp(tg, "SNAT") == 0 ||
				strcmp(tg, "DNAT") == 0 || strcmp(tg, "REDIRECT") == 0 ||
				strcmp(tg, "CT") == 0 || strcmp(tg, "CONNMARK") == 0))
			needs(t, tg);
	}
}

/* The base chains of the IP families, each with the chains it reaches (computed once). */
struct base {
	const struct nftnl_chain *c;
	uint32_t family;
	const char *table;
	struct ruleset_chains reach;
};

struct bases {
	struct base *v;
	size_t n;
};

static void bases_release(struct bases *b)
{
	for (size_t i = 0; i < b->n; i++)
		ruleset_chains_release(&b->v[i].reach);
	free(b->v);
}

static int bases_find(const struct ruleset *rs, struct bases *b)
{
	int ret;

	memset(b, 0, sizeof(*b));
	for (size_t i = 0; i < ruleset_nchains(rs); i++) {
		const struct nftnl_chain *c = ruleset_chain(rs, i);
		uint32_t family = nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY);
		struct base *v;

		if (!nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM) ||
		    (family != NFPROTO_IPV4 && family != NFPROTO_IPV6 && family != NFPROTO_INET))
			continue;
		v = realloc(b->v, (b->n + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		b->v = v;
		v[b->n] = (struct base){ .c = c,
					 .family = family,
					 .table = nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE) };
		ret = ruleset_reach(rs, family, v[b->n].table,
				    nftnl_chain_get_str(c, NFTNL_CHAIN_NAME), &v[b->n].reach);
		if (ret < 0)
			return ret;
		b->n++;
	}
	return 0;
}

/* The hooks and lowest priority of the base chains that reach @t's chain. */
static void find_hooks(const struct bases *b, struct trackrule *t)
{
	t->priority = 0;
	for (size_t i = 0; i < b->n; i++) {
		const struct base *x = &b->v[i];
		int prio;

		if (x->family != t->family || strcmp(x->table, t->table) != 0 ||
		    !ruleset_chains_has(&x->reach, t->chain))
			continue;
		prio = (int)nftnl_chain_get_s32(x->c, NFTNL_CHAIN_PRIO);
		if (!t->hooks || prio < t->priority)
			t->priority = prio;
		t->hooks |= TRACKRULES_HOOK(nftnl_chain_get_u32(x->c, NFTNL_CHAIN_HOOKNUM));
	}
}

static int analyze_rule(const struct bases *b, const struct nftnl_rule *r, struct trackrules *out)
{
	struct trackrule t = { .l4proto = -1, .dport = -1 };
	struct reader rd = { .t = &t };
	struct nftnl_expr_iter *it = nftnl_expr_iter_create(r);
	struct nftnl_expr *e;
	struct trackrule *v;

	if (!it)
		return -ENOMEM;
	t.family = (uint8_t)nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY);
	while ((e = nftnl_expr_iter_next(it)))
		read_expr(&rd, e);
	nftnl_expr_iter_destroy(it);
	if (!t.notrack && !t.needs_ct)
		return 0;
	if (t.family != NFPROTO_IPV4 && t.family != NFPROTO_IPV6 && t.family != NFPROTO_INET)
		return 0; /* bridge, netdev, arp: not the IP hooks */
	snprintf(t.table, sizeof(t.table), "%s", nftnl_rule_get_str(r, NFTNL_RULE_TABLE));
	snprintf(t.chain, sizeof(t.chain), "%s", nftnl_rule_get_str(r, NFTNL_RULE_CHAIN));
	t.handle = nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE);
	t.owner = natrules_guess_owner(t.table, t.chain);
	natrules_render(r, t.family, 0, t.text, sizeof(t.text));
	find_hooks(b, &t);
	if (!t.hooks)
		return 0; /* reached from no base chain: it never runs */
	v = realloc(out->v, (out->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	out->v = v;
	v[out->n++] = t;
	return 0;
}

int trackrules_analyze(const struct ruleset *rs, struct trackrules *out)
{
	struct bases b;
	int ret;

	memset(out, 0, sizeof(*out));
	out->have = true;
	ret = bases_find(rs, &b);
	for (size_t i = 0; i < ruleset_nrules(rs) && ret == 0; i++)
		ret = analyze_rule(&b, ruleset_rule(rs, i), out);
	bases_release(&b);
	if (ret < 0)
		trackrules_release(out);
	return ret;
}

/* Whether every address of @inner's prefix lies in @outer's (same family). */
static bool prefix_within(const struct trackrule_prefix *inner,
			  const struct trackrule_prefix *outer)
{
	return inner->family == outer->family && inner->plen >= outer->plen &&
	       ct_addr_in_prefix(&inner->addr, &outer->addr, outer->plen);
}

static bool prefixes_meet(const struct trackrule_prefix *a, const struct trackrule_prefix *b)
{
	return prefix_within(a, b) || prefix_within(b, a);
}

/* Whether a rule limited to @p can match traffic all inside @scope. */
static bool prefix_may(const struct trackrule_prefix *p, const struct trackrule_prefix *scope)
{
	if (!p->set || !scope->set || p->family != scope->family)
		return true;
	return p->neg ? !prefix_within(scope, p) : prefixes_meet(p, scope);
}

static bool ifname_may(const struct trackrule_ifname *i, const char *name)
{
	bool same;

	if (!i->set || !name)
		return true;
	same = i->wildcard ? strncmp(name, i->name, strlen(i->name)) == 0
			   : strcmp(name, i->name) == 0;
	return i->neg ? !same : same;
}

bool trackrule_may_match(const struct trackrule *r, const struct track_scope *s)
{
	if (!(r->hooks & s->hooks))
		return false;
	if (r->l4proto >= 0 && s->l4proto >= 0 && r->l4proto != s->l4proto)
		return false;
	if (r->dport >= 0 && s->dport >= 0 && r->dport != s->dport)
		return false;
	return prefix_may(&r->saddr, &s->src) && prefix_may(&r->daddr, &s->dst) &&
	       ifname_may(&r->iif, s->ifname) && ifname_may(&r->oif, s->ifname);
}

void trackrules_take_text(void *ctx, uint8_t family, const char *table, uint64_t handle,
			  const char *text)
{
	struct trackrules *t = ctx;

	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].family == family && t->v[i].handle == handle &&
		    strcmp(t->v[i].table, table) == 0)
			snprintf(t->v[i].text, sizeof(t->v[i].text), "%s", text);
}

void trackrules_release(struct trackrules *t)
{
	free(t->v);
	t->v = NULL;
	t->n = 0;
}
