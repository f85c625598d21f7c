#include "config.h"
#include "nftables/natexpr.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>

#include "util.h"

int natexpr_xt_range(const struct nftnl_expr *e, uint32_t family, struct natexpr_range *out)
{
	uint32_t len;
	const uint8_t *info = nftnl_expr_get(e, NFTNL_EXPR_TG_INFO, &len);

	return natexpr_xt_range_blob(info, len, nftnl_expr_get_u32(e, NFTNL_EXPR_TG_REV), family,
				     out);
}

int natexpr_xt_range_blob(const void *info, size_t len, uint32_t rev, uint32_t family,
			  struct natexpr_range *out)
{
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

/* A comparison of one field with a value: what a rule requires of a packet. */
struct cond {
	uint32_t what[4]; /* kind (1 meta, 2 payload, 3 ct), then its key */
	uint8_t mask[16], value[16];
	uint32_t len;
	bool neq;
};

/* What a register holds: a field, through a mask. */
struct reg {
	uint32_t what[4];
	uint8_t mask[16];
};

#define NCONDS 16
#define NREGS  (NFT_REG32_15 + 1)

static void load(struct reg *regs, uint32_t dreg, uint32_t kind, uint32_t a, uint32_t b, uint32_t c)
{
	if (dreg >= NREGS)
		return;
	regs[dreg] = (struct reg){ .what = { kind, a, b, c } };
	memset(regs[dreg].mask, 0xff, sizeof(regs[dreg].mask));
}

/*
 * Expressions that neither match nor change what is matched later: with only these and
 * the conditions followed, a rule's match is known exactly.  Statements (masq, nat,
 * counter, the registers a NAT statement loads, verdicts) act once matching is over.
 */
static bool inert(const struct nftnl_expr *e)
{
	static const char *const names[] = { "counter", "masq", "nat", "immediate", "log" };
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);

	if (strcmp(name, "match") == 0)
		return strcmp(nftnl_expr_get_str(e, NFTNL_EXPR_MT_NAME), "comment") == 0;
	if (strcmp(name, "target") == 0) {
		const char *tg = nftnl_expr_get_str(e, NFTNL_EXPR_TG_NAME);

		return strcmp(tg, "MASQUERADE") == 0 || strcmp(tg, "SNAT") == 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	return false;
}

/* Follow one expression; a cmp adds a condition to @out.  *unknown is set when it
 * matches in a way the conditions do not say (a range, a set, an xt match, a field
 * not followed). */
static void step(const struct nftnl_expr *e, struct reg *regs, struct cond *out, unsigned int *n,
		 bool *unknown)
{
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
	uint32_t len, sreg;
	const uint8_t *d;

	if (strcmp(name, "meta") == 0 && nftnl_expr_is_set(e, NFTNL_EXPR_META_DREG)) {
		load(regs, nftnl_expr_get_u32(e, NFTNL_EXPR_META_DREG), 1,
		     nftnl_expr_get_u32(e, NFTNL_EXPR_META_KEY), 0, 0);
	} else if (strcmp(name, "payload") == 0 && nftnl_expr_is_set(e, NFTNL_EXPR_PAYLOAD_DREG)) {
		load(regs, nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_DREG), 2,
		     nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_BASE),
		     nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET),
		     nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_LEN));
	} else if (strcmp(name, "ct") == 0 && nftnl_expr_is_set(e, NFTNL_EXPR_CT_DREG)) {
		load(regs, nftnl_expr_get_u32(e, NFTNL_EXPR_CT_DREG), 3,
		     nftnl_expr_get_u32(e, NFTNL_EXPR_CT_KEY),
		     nftnl_expr_get_u32(e, NFTNL_EXPR_CT_DIR), 0);
	} else if (strcmp(name, "bitwise") == 0) {
		uint32_t dreg = nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_DREG);

		sreg = nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_SREG);
		d = nftnl_expr_get(e, NFTNL_EXPR_BITWISE_MASK, &len);
		if (sreg < NREGS && dreg < NREGS && d && len <= 16) {
			regs[dreg] = regs[sreg];
			for (uint32_t i = 0; i < len; i++)
				regs[dreg].mask[i] &= d[i];
		} else if (dreg < NREGS) {
			regs[dreg].what[0] = 0; /* something we do not follow */
		}
	} else if (strcmp(name, "cmp") == 0) {
		uint32_t op = nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_OP);

		sreg = nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_SREG);
		d = nftnl_expr_get(e, NFTNL_EXPR_CMP_DATA, &len);
		if (sreg >= NREGS || !regs[sreg].what[0] || !d || len > 16 || *n == NCONDS ||
		    (op != NFT_CMP_EQ && op != NFT_CMP_NEQ)) {
			*unknown = true;
			return;
		}
		out[*n] = (struct cond){ .len = len, .neq = op == NFT_CMP_NEQ };
		memcpy(out[*n].what, regs[sreg].what, sizeof(out[*n].what));
		memcpy(out[*n].mask, regs[sreg].mask, 16);
		memcpy(out[*n].value, d, len);
		(*n)++;
	} else if (strcmp(name, "counter") != 0 &&
		   (strcmp(name, "lookup") != 0 || nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_DREG))) {
		/* it may write a register we follow: forget them all (fewer conditions) */
		memset(regs, 0, NREGS * sizeof(*regs));
		if (!inert(e))
			*unknown = true;
	} else if (strcmp(name, "lookup") == 0) {
		*unknown = true; /* membership of a set: not a condition followed here */
	}
}

/* The conditions of @r; *unknown (if given) says whether it matches by more than them. */
static unsigned int conds_of_known(const struct nftnl_rule *r, struct cond *out, bool *unknown)
{
	struct reg regs[NREGS] = { 0 };
	struct nftnl_expr_iter *it = nftnl_expr_iter_create(r);
	struct nftnl_expr *e;
	unsigned int n = 0;
	bool unk = it == NULL;

	while (it && (e = nftnl_expr_iter_next(it)))
		step(e, regs, out, &n, &unk);
	if (it)
		nftnl_expr_iter_destroy(it);
	if (unknown)
		*unknown = unk || n == NCONDS;
	return n;
}

static unsigned int conds_of(const struct nftnl_rule *r, struct cond *out)
{
	return conds_of_known(r, out, NULL);
}

/*
 * Whether @x and @y compare the same field, and over how many bytes (*len): a payload by
 * its base and offset whatever length was loaded (a shorter load looks at fewer bytes:
 * mask 0 past it, so `ip saddr 10.0.0.0/8` and `ip saddr 10.1.0.0/16` compare), anything
 * else by its key and length.
 */
static bool same_field(const struct cond *x, const struct cond *y, uint32_t *len)
{
	if (x->what[0] == 2 && y->what[0] == 2) {
		*len = x->len > y->len ? x->len : y->len;
		return x->what[1] == y->what[1] && x->what[2] == y->what[2];
	}
	*len = x->len;
	return memcmp(x->what, y->what, sizeof(x->what)) == 0 && x->len == y->len;
}

static uint8_t mask_at(const struct cond *c, uint32_t i)
{
	return i < c->len ? c->mask[i] : 0;
}

static uint8_t value_at(const struct cond *c, uint32_t i)
{
	return i < c->len ? c->value[i] : 0;
}

/* Whether no value of the field satisfies both. */
static bool exclusive(const struct cond *x, const struct cond *y)
{
	bool differ = false, same = true;
	uint32_t len;

	if (!same_field(x, y, &len))
		return false;
	for (uint32_t i = 0; i < len; i++) {
		uint8_t m = mask_at(x, i) & mask_at(y, i);

		differ |= (value_at(x, i) & m) != (value_at(y, i) & m);
		same &= mask_at(x, i) == mask_at(y, i) && value_at(x, i) == value_at(y, i);
	}
	if (!x->neq && !y->neq)
		return differ;
	/* == v and != v through the same mask */
	return x->neq != y->neq && same;
}

/* Whether every value of the field that satisfies @x satisfies @y. */
static bool implies(const struct cond *x, const struct cond *y)
{
	bool covers = true, agree = true, same = true;
	uint32_t len;

	if (!same_field(x, y, &len))
		return false;
	for (uint32_t i = 0; i < len; i++) {
		uint8_t my = mask_at(y, i);

		covers &= (my & ~mask_at(x, i)) == 0; /* x fixes every bit y looks at */
		agree &= (value_at(x, i) & my) == (value_at(y, i) & my);
		same &= mask_at(x, i) == my && value_at(x, i) == value_at(y, i);
	}
	if (!x->neq)
		return covers && (y->neq ? !agree : agree);
	return y->neq && same; /* != v implies only the same != v */
}

bool natexpr_rule_subset(const struct nftnl_rule *a, const struct nftnl_rule *b)
{
	struct cond ca[NCONDS], cb[NCONDS];
	bool unknown;
	unsigned int na = conds_of(a, ca), nb = conds_of_known(b, cb, &unknown);

	if (unknown)
		return false; /* b may require what is not seen: nothing proved */
	for (unsigned int k = 0; k < nb; k++) {
		bool held = false;

		for (unsigned int i = 0; i < na && !held; i++)
			held = implies(&ca[i], &cb[k]);
		if (!held)
			return false;
	}
	return true;
}

bool natexpr_rules_disjoint(const struct nftnl_rule *a, const struct nftnl_rule *b)
{
	struct cond ca[NCONDS], cb[NCONDS];
	unsigned int na = conds_of(a, ca), nb = conds_of(b, cb);

	for (unsigned int i = 0; i < na; i++)
		for (unsigned int k = 0; k < nb; k++)
			if (exclusive(&ca[i], &cb[k]))
				return true;
	return false;
}

/* Whether @c is "network header bytes @off..@off+@len == value", through no mask. */
static bool payload_eq(const struct cond *c, uint32_t off, uint32_t len)
{
	static const uint8_t full[16] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	return !c->neq && c->what[0] == 2 && c->what[1] == NFT_PAYLOAD_NETWORK_HEADER &&
	       c->what[2] == off && c->what[3] == len && c->len == len &&
	       memcmp(c->mask, full, len) == 0;
}

bool natexpr_rule_hairpin(const struct nftnl_rule *r)
{
	/* IPv4 saddr at 12 and daddr at 16, 4 bytes; IPv6 at 8 and 24, 16 bytes */
	static const uint32_t shapes[2][3] = { { 12, 16, 4 }, { 8, 24, 16 } };
	struct cond c[NCONDS];
	unsigned int n = conds_of(r, c);

	for (size_t k = 0; k < 2; k++)
		for (unsigned int i = 0; i < n; i++)
			for (unsigned int j = 0; j < n; j++)
				if (payload_eq(&c[i], shapes[k][0], shapes[k][2]) &&
				    payload_eq(&c[j], shapes[k][1], shapes[k][2]) &&
				    memcmp(c[i].value, c[j].value, shapes[k][2]) == 0)
					return true;
	return false;
}
