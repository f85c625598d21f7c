#include "config.h"
#include "nftables/natrules_render.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>

#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>

#include "nftables/natexpr.h"

/*
 * A small decompiler from nf_tables expressions back to nft syntax, for the forms NAT
 * rules use: meta/payload/ct loads (with a prefix from a short load or a bitwise mask)
 * compared or looked up, counters, verdicts, masquerade/snat (native and xt), xt comment
 * matches.  Anything else is shown as [name], never guessed.
 */

#define NREGS 24 /* NFT_REG_VERDICT..NFT_REG32_15 */

enum reg_src {
	REG_NONE,
	REG_META,
	REG_PAYLOAD,
	REG_CT,
	REG_IMM,
};

struct reg {
	enum reg_src src;
	uint32_t key;		 /* meta or ct key */
	uint32_t base, off, len; /* payload */
	unsigned int prefix;	 /* prefix length in bits from a bitwise mask; 0 none */
	bool masked;		 /* a 4-byte meta or ct value through a bitwise mask: */
	uint32_t mask;		 /* ... the mask, host order as nft shows it */
	uint8_t data[16];	 /* immediate value */
	uint32_t dlen;
};

struct out {
	char *buf;
	size_t len, pos;
};

struct ctx {
	bool script;	 /* NATRULES_RENDER_SCRIPT */
	bool lossy;	 /* something was shown by name only */
	uint8_t family;	 /* the table's family */
	uint8_t nfproto; /* from a "meta nfproto" match in an inet table */
	uint8_t l4proto; /* from a "meta l4proto" or "ip protocol" match */
	struct reg regs[NREGS];
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->pos >= o->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->pos, o->len - o->pos, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->pos += (size_t)n;
}

static void sep(struct out *o)
{
	if (o->pos && o->pos < o->len)
		put(o, " ");
}

static struct reg *reg(struct ctx *c, uint32_t n)
{
	return n < NREGS ? &c->regs[n] : &c->regs[0];
}

static uint8_t net_family(const struct ctx *c)
{
	if (c->family == NFPROTO_IPV4 || c->family == NFPROTO_IPV6)
		return c->family;
	return c->nfproto;
}

/* What a payload load reads, in nft's words; NULL if natscope has no name for it. */
static const char *payload_name(const struct ctx *c, const struct reg *r, bool *is_addr, char *tmp,
				size_t tmplen)
{
	uint8_t fam = net_family(c);

	*is_addr = false;
	if (r->base == NFT_PAYLOAD_NETWORK_HEADER && fam == NFPROTO_IPV4) {
		*is_addr = (r->off == 12 || r->off == 16) && r->len <= 4;
		if (r->off == 12 && r->len <= 4)
			return "ip saddr";
		if (r->off == 16 && r->len <= 4)
			return "ip daddr";
		if (r->off == 9 && r->len == 1)
			return "ip protocol";
	}
	if (r->base == NFT_PAYLOAD_NETWORK_HEADER && fam == NFPROTO_IPV6) {
		*is_addr = (r->off == 8 || r->off == 24) && r->len <= 16;
		if (r->off == 8 && r->len <= 16)
			return "ip6 saddr";
		if (r->off == 24 && r->len <= 16)
			return "ip6 daddr";
		if (r->off == 6 && r->len == 1)
			return "ip6 nexthdr";
	}
	if (r->base == NFT_PAYLOAD_TRANSPORT_HEADER && r->len == 2 && r->off <= 2) {
		const char *proto = c->l4proto == IPPROTO_TCP	? "tcp"
				    : c->l4proto == IPPROTO_UDP ? "udp"
								: "th";
		snprintf(tmp, tmplen, "%s %s", proto, r->off == 0 ? "sport" : "dport");
		return tmp;
	}
	return NULL;
}

static void put_hex(struct out *o, const uint8_t *d, uint32_t len)
{
	put(o, "0x");
	for (uint32_t i = 0; i < len; i++)
		put(o, "%02x", d[i]);
}

/* "@s" (up to @len bytes or its NUL), '?' for what quotes cannot hold (then lossy). */
static void put_quoted(struct out *o, struct ctx *c, const char *s, size_t len)
{
	len = strnlen(s, len);
	put(o, "\"");
	for (size_t i = 0; i < len; i++) {
		bool ok = natrules_nft_char_ok((unsigned char)s[i]);

		put(o, "%c", ok ? s[i] : '?');
		c->lossy |= !ok;
	}
	put(o, "\"");
}

/* A chain name, '?' for what nft syntax cannot write (then lossy). */
static void put_name(struct out *o, struct ctx *c, const char *s)
{
	if (natrules_nft_name_ok(s)) {
		put(o, "%s", s);
		return;
	}
	for (; *s; s++)
		put(o, "%c", natrules_nft_char_ok((unsigned char)*s) && *s != ' ' ? *s : '?');
	c->lossy = true;
}

/* Print a value compared with register @r. */
static void put_value(struct out *o, struct ctx *c, const struct reg *r, const uint8_t *d,
		      uint32_t len)
{
	bool is_addr = false;

	if (r->src == REG_META && (r->key == NFT_META_OIFNAME || r->key == NFT_META_IIFNAME)) {
		put_quoted(o, c, (const char *)d, len);
		return;
	}
	if (r->src == REG_META && (r->key == NFT_META_L4PROTO || r->key == NFT_META_NFPROTO) &&
	    len == 1) {
		if (r->key == NFT_META_NFPROTO)
			put(o, "%s",
			    d[0] == NFPROTO_IPV4   ? "ipv4"
			    : d[0] == NFPROTO_IPV6 ? "ipv6"
						   : "?");
		else if (natrules_l4_name(d[0]))
			put(o, "%s", natrules_l4_name(d[0]));
		else
			put(o, "%u", d[0]);
		return;
	}
	if ((r->src == REG_META || r->src == REG_CT) && len == 4) {
		uint32_t v; /* meta and ct values (mark, state) are in host order, as nft shows */

		memcpy(&v, d, sizeof(v));
		put(o, "0x%08x", v);
		return;
	}
	if (r->src == REG_PAYLOAD) {
		char tmp[16];
		const char *name = payload_name(c, r, &is_addr, tmp, sizeof(tmp));

		if (name && is_addr) {
			uint8_t full[16] = { 0 };
			char txt[INET6_ADDRSTRLEN];
			uint8_t fam = net_family(c);
			unsigned int bits = fam == NFPROTO_IPV6 ? 128 : 32;
			unsigned int prefix = r->prefix ? r->prefix : len * 8;

			memcpy(full, d, len > 16 ? 16 : len);
			inet_ntop(fam == NFPROTO_IPV6 ? AF_INET6 : AF_INET, full, txt, sizeof(txt));
			put(o, "%s", txt);
			if (prefix < bits)
				put(o, "/%u", prefix);
			return;
		}
		if (name && len == 2) {
			put(o, "%u", (unsigned int)(d[0] << 8 | d[1]));
			return;
		}
		if (name && len == 1 && natrules_l4_name(d[0])) {
			put(o, "%s", natrules_l4_name(d[0]));
			return;
		}
	}
	put_hex(o, d, len);
}

static void put_lhs(struct out *o, struct ctx *c, const struct reg *r)
{
	bool is_addr;
	const char *name;
	char tmp[16];

	switch (r->src) {
	case REG_META:
		name = natrules_meta_name(r->key);
		if (name)
			put(o, "%s", name);
		else
			put(o, "meta key-%u", r->key);
		c->lossy |= !name; /* not nft syntax */
		break;
	case REG_PAYLOAD:
		name = payload_name(c, r, &is_addr, tmp, sizeof(tmp));
		if (name)
			put(o, "%s", name);
		else
			put(o, "@%s,%u,%u",
			    r->base == NFT_PAYLOAD_LL_HEADER	    ? "ll"
			    : r->base == NFT_PAYLOAD_NETWORK_HEADER ? "nh"
								    : "th",
			    r->off * 8, r->len * 8);
		break;
	case REG_CT:
		put(o, "ct %s",
		    r->key == NFT_CT_STATE    ? "state"
		    : r->key == NFT_CT_MARK   ? "mark"
		    : r->key == NFT_CT_STATUS ? "status"
					      : "key");
		c->lossy |=
			r->key != NFT_CT_STATE && r->key != NFT_CT_MARK && r->key != NFT_CT_STATUS;
		break;
	default:
		put(o, "[reg]");
		c->lossy = true;
	}
}

static const char *cmp_op(uint32_t op)
{
	static const char *const ops[] = {
		[NFT_CMP_EQ] = "",     [NFT_CMP_NEQ] = "!= ", [NFT_CMP_LT] = "< ",
		[NFT_CMP_LTE] = "<= ", [NFT_CMP_GT] = "> ",   [NFT_CMP_GTE] = ">= ",
	};
	return op < ARRAY_SIZE(ops) ? ops[op] : "?? ";
}

/* Remember l3/l4 protocol matches: they decide how later payloads are named. */
static void learn_context(struct ctx *c, const struct reg *r, uint32_t op, const uint8_t *d,
			  uint32_t len)
{
	if (op != NFT_CMP_EQ || len != 1)
		return;
	if (r->src == REG_META && r->key == NFT_META_NFPROTO)
		c->nfproto = d[0];
	else if (r->src == REG_META && r->key == NFT_META_L4PROTO)
		c->l4proto = d[0];
	else if (r->src == REG_PAYLOAD && r->base == NFT_PAYLOAD_NETWORK_HEADER &&
		 ((net_family(c) == NFPROTO_IPV4 && r->off == 9) ||
		  (net_family(c) == NFPROTO_IPV6 && r->off == 6)))
		c->l4proto = d[0];
}

static unsigned int mask_prefix(const uint8_t *mask, uint32_t len)
{
	unsigned int bits = 0;

	for (uint32_t i = 0; i < len; i++)
		bits += (unsigned int)__builtin_popcount(mask[i]);
	return bits;
}

static void put_nat_flags(struct out *o, uint32_t flags)
{
	const char *s = " ";

	if (flags & NF_NAT_RANGE_PROTO_RANDOM) {
		put(o, "%srandom", s);
		s = ",";
	}
	if (flags & NF_NAT_RANGE_PROTO_RANDOM_FULLY) {
		put(o, "%sfully-random", s);
		s = ",";
	}
	if (flags & NF_NAT_RANGE_PERSISTENT)
		put(o, "%spersistent", s);
}

static void put_imm_addr(struct out *o, const struct reg *r, uint8_t fam)
{
	char txt[INET6_ADDRSTRLEN];

	if (r->src != REG_IMM) {
		put(o, "[reg]");
		return;
	}
	inet_ntop(fam == NFPROTO_IPV6 ? AF_INET6 : AF_INET, r->data, txt, sizeof(txt));
	put(o, fam == NFPROTO_IPV6 ? "[%s]" : "%s", txt);
}

static uint16_t imm_port(const struct reg *r)
{
	return r->src == REG_IMM ? (uint16_t)(r->data[0] << 8 | r->data[1]) : 0;
}

static void render_masq(struct out *o, struct ctx *c, const struct nftnl_expr *e)
{
	put(o, "masquerade");
	if (nftnl_expr_is_set(e, NFTNL_EXPR_MASQ_REG_PROTO_MIN)) {
		const struct reg *lo = reg(c, nftnl_expr_get_u32(e, NFTNL_EXPR_MASQ_REG_PROTO_MIN));
		const struct reg *hi =
			nftnl_expr_is_set(e, NFTNL_EXPR_MASQ_REG_PROTO_MAX)
				? reg(c, nftnl_expr_get_u32(e, NFTNL_EXPR_MASQ_REG_PROTO_MAX))
				: lo;

		put(o, " to :%u", imm_port(lo));
		if (imm_port(hi) != imm_port(lo))
			put(o, "-%u", imm_port(hi));
	}
	if (nftnl_expr_is_set(e, NFTNL_EXPR_MASQ_FLAGS))
		put_nat_flags(o, nftnl_expr_get_u32(e, NFTNL_EXPR_MASQ_FLAGS));
}

static void render_nat(struct out *o, struct ctx *c, const struct nftnl_expr *e)
{
	uint8_t fam = (uint8_t)nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_FAMILY);
	bool snat = nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_TYPE) == NFT_NAT_SNAT;

	put(o, "%s", snat ? "snat" : "dnat");
	if (c->family == NFPROTO_INET)
		put(o, " %s", fam == NFPROTO_IPV6 ? "ip6" : "ip");
	put(o, " to");
	if (nftnl_expr_is_set(e, NFTNL_EXPR_NAT_REG_ADDR_MIN)) {
		const struct reg *lo = reg(c, nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MIN));

		put(o, " ");
		put_imm_addr(o, lo, fam);
		if (nftnl_expr_is_set(e, NFTNL_EXPR_NAT_REG_ADDR_MAX)) {
			const struct reg *hi =
				reg(c, nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MAX));

			if (hi != lo && memcmp(hi->data, lo->data, 16) != 0) {
				put(o, "-");
				put_imm_addr(o, hi, fam);
			}
		}
	}
	if (nftnl_expr_is_set(e, NFTNL_EXPR_NAT_REG_PROTO_MIN)) {
		const struct reg *lo = reg(c, nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MIN));
		const struct reg *hi =
			nftnl_expr_is_set(e, NFTNL_EXPR_NAT_REG_PROTO_MAX)
				? reg(c, nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MAX))
				: lo;

		put(o, "%s:%u", nftnl_expr_is_set(e, NFTNL_EXPR_NAT_REG_ADDR_MIN) ? "" : " ",
		    imm_port(lo));
		if (imm_port(hi) != imm_port(lo))
			put(o, "-%u", imm_port(hi));
	}
	if (nftnl_expr_is_set(e, NFTNL_EXPR_NAT_FLAGS))
		put_nat_flags(o, nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_FLAGS) &
					 ~(uint32_t)(NF_NAT_RANGE_MAP_IPS |
						     NF_NAT_RANGE_PROTO_SPECIFIED));
}

/* iptables-nft's xt targets, shown as nft shows them, marked as compat. */
static void render_target(struct out *o, struct ctx *c, const struct nftnl_expr *e)
{
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_TG_NAME);
	struct natexpr_range rg;
	bool have = natexpr_xt_range(e, c->family, &rg) == 0;

	if (strcmp(name, "MASQUERADE") != 0 && strcmp(name, "SNAT") != 0) {
		put(o, "xt target \"%s\"", name);
		c->lossy = true;
		return;
	}
	if (strcmp(name, "MASQUERADE") == 0) {
		put(o, "masquerade");
	} else if (have && rg.flags & NF_NAT_RANGE_MAP_IPS) {
		int af = c->family == NFPROTO_IPV6 ? AF_INET6 : AF_INET;
		char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];

		inet_ntop(af, rg.min_addr, a, sizeof(a));
		inet_ntop(af, rg.max_addr, b, sizeof(b));
		put(o, af == AF_INET6 ? "snat to [%s]" : "snat to %s", a);
		if (strcmp(a, b) != 0)
			put(o, af == AF_INET6 ? "-[%s]" : "-%s", b);
		if (rg.flags & NF_NAT_RANGE_PROTO_SPECIFIED) {
			put(o, ":%u", (unsigned int)(rg.min_port[0] << 8 | rg.min_port[1]));
			if (memcmp(rg.min_port, rg.max_port, 2) != 0)
				put(o, "-%u", (unsigned int)(rg.max_port[0] << 8 | rg.max_port[1]));
		}
	} else {
		put(o, "snat");
	}
	put_nat_flags(o, have ? rg.flags : 0);
	if (!c->script)
		put(o, " (xt)");
}

static void render_match(struct out *o, struct ctx *c, const struct nftnl_expr *e)
{
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_MT_NAME);
	uint32_t len;
	const char *info = nftnl_expr_get(e, NFTNL_EXPR_MT_INFO, &len);

	if (strcmp(name, "comment") == 0 && info) {
		put(o, "comment ");
		put_quoted(o, c, info, len);
	} else {
		put(o, "xt match \"%s\"", name);
		c->lossy = true;
	}
}

static void render_verdict(struct out *o, struct ctx *c, const struct nftnl_expr *e)
{
	int32_t v = (int32_t)nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_VERDICT);

	switch (v) {
	case NF_ACCEPT:
		put(o, "accept");
		break;
	case NF_DROP:
		put(o, "drop");
		break;
	case NFT_RETURN:
		put(o, "return");
		break;
	case NFT_JUMP:
	case NFT_GOTO:
		put(o, "%s ", v == NFT_JUMP ? "jump" : "goto");
		put_name(o, c, nftnl_expr_get_str(e, NFTNL_EXPR_IMM_CHAIN));
		break;
	case NFT_CONTINUE:
		put(o, "continue");
		break;
	default:
		put(o, "verdict %d", v);
	}
}

/* Loads into registers print nothing: they say what a later cmp or lookup reads. */
static void load_meta(struct out *o, struct ctx *c, const struct nftnl_expr *e)
{
	if (nftnl_expr_is_set(e, NFTNL_EXPR_META_DREG))
		*reg(c, nftnl_expr_get_u32(e, NFTNL_EXPR_META_DREG)) =
			(struct reg){ .src = REG_META,
				      .key = nftnl_expr_get_u32(e, NFTNL_EXPR_META_KEY) };
}

static void load_payload(struct out *o, struct ctx *c, const struct nftnl_expr *e)
{
	if (nftnl_expr_is_set(e, NFTNL_EXPR_PAYLOAD_DREG))
		*reg(c, nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_DREG)) = (struct reg){
			.src = REG_PAYLOAD,
			.base = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_BASE),
			.off = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET),
			.len = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_LEN),
		};
}

static void load_ct(struct out *o, struct ctx *c, const struct nftnl_expr *e)
{
	if (nftnl_expr_is_set(e, NFTNL_EXPR_CT_DREG))
		*reg(c, nftnl_expr_get_u32(e, NFTNL_EXPR_CT_DREG)) =
			(struct reg){ .src = REG_CT,
				      .key = nftnl_expr_get_u32(e, NFTNL_EXPR_CT_KEY) };
}

static void load_bitwise(struct out *o, struct ctx *c, const struct nftnl_expr *e)
{
	struct reg r = *reg(c, nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_SREG));
	const uint8_t *mask;
	uint32_t len;

	if (!nftnl_expr_is_set(e, NFTNL_EXPR_BITWISE_MASK))
		return;
	mask = nftnl_expr_get(e, NFTNL_EXPR_BITWISE_MASK, &len);
	r.prefix = mask ? mask_prefix(mask, len) : 0;
	r.masked = mask && len == 4 && (r.src == REG_META || r.src == REG_CT);
	if (r.masked)
		memcpy(&r.mask, mask, sizeof(r.mask));
	*reg(c, nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_DREG)) = r;
}

static void render_cmp(struct out *o, struct ctx *c, const struct nftnl_expr *e)
{
	const struct reg *r = reg(c, nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_SREG));
	uint32_t op = nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_OP), len;
	const uint8_t *d = nftnl_expr_get(e, NFTNL_EXPR_CMP_DATA, &len);

	if (!d)
		return;
	learn_context(c, r, op, d, len);
	/* nft hides the nfproto check an inet table's ip/ip6 matches imply */
	if (r->src == REG_META && r->key == NFT_META_NFPROTO && op == NFT_CMP_EQ)
		return;
	sep(o);
	put_lhs(o, c, r);
	if (r->masked && len == 4) {
		uint32_t v;
		const char *bit = NULL;

		memcpy(&v, d, sizeof(v));
		/* "ct state new": one named bit tested for being set */
		if (r->src == REG_CT && op == NFT_CMP_NEQ && v == 0)
			bit = natrules_ct_bit_name(r->key, r->mask);
		if (bit) {
			put(o, " %s", bit);
			return;
		}
		put(o, " & 0x%08x %s", r->mask, op == NFT_CMP_EQ ? "== " : cmp_op(op));
	} else {
		put(o, " %s", cmp_op(op));
	}
	put_value(o, c, r, d, len);
}

static void render_lookup(struct out *o, struct ctx *c, const struct nftnl_expr *e)
{
	const struct reg *r = reg(c, nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_SREG));
	bool inv = nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_FLAGS) &&
		   (nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_FLAGS) & NFT_LOOKUP_F_INV);
	const char *set = nftnl_expr_get_str(e, NFTNL_EXPR_LOOKUP_SET);

	bool vmap = nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_DREG) &&
		    nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_DREG) == NFT_REG_VERDICT;

	if (!set)
		set = "?";
	sep(o);
	put_lhs(o, c, r);
	put(o, " %s%s@%s", inv ? "!= " : "", vmap ? "vmap " : "", set);
	/* an anonymous set has no name nft accepts: natscope does not print elements; nor
	 * does the script declare the maps it recreates */
	if (strncmp(set, "__set", 5) == 0 || strncmp(set, "__map", 5) == 0 || (vmap && c->script))
		c->lossy = true;
}

static void render_immediate(struct out *o, struct ctx *c, const struct nftnl_expr *e)
{
	uint32_t dreg = nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_DREG), len;
	const void *d;
	struct reg *r;

	if (dreg == NFT_REG_VERDICT) {
		sep(o);
		render_verdict(o, c, e);
		return;
	}
	d = nftnl_expr_get(e, NFTNL_EXPR_IMM_DATA, &len);
	r = reg(c, dreg);
	*r = (struct reg){ .src = REG_IMM, .dlen = len > 16 ? 16 : len };
	if (d)
		memcpy(r->data, d, r->dlen);
}

static void render_counter(struct out *o, struct ctx *c, const struct nftnl_expr *e)
{
	sep(o);
	if (c->script)
		put(o, "counter");
	else
		put(o, "counter packets %llu bytes %llu",
		    (unsigned long long)nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_PACKETS),
		    (unsigned long long)nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_BYTES));
}

/* The expressions natscope writes back as nft text; anything else is shown as [name]. */
static const struct {
	const char *name;
	bool statement; /* prints (after a separator); loads print nothing */
	void (*render)(struct out *o, struct ctx *c, const struct nftnl_expr *e);
} renderers[] = {
	{ "meta", false, load_meta },
	{ "payload", false, load_payload },
	{ "ct", false, load_ct },
	{ "bitwise", false, load_bitwise },
	{ "cmp", false, render_cmp },
	{ "lookup", false, render_lookup },
	{ "immediate", false, render_immediate },
	{ "counter", false, render_counter },
	{ "masq", true, render_masq },
	{ "nat", true, render_nat },
	{ "target", true, render_target },
	{ "match", true, render_match },
};

static void render_expr(struct out *o, struct ctx *c, const struct nftnl_expr *e)
{
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);

	for (size_t i = 0; name && i < ARRAY_SIZE(renderers); i++) {
		if (strcmp(name, renderers[i].name) != 0)
			continue;
		if (renderers[i].statement)
			sep(o);
		renderers[i].render(o, c, e);
		return;
	}
	sep(o);
	put(o, "[%s]", name ? name : "?");
	c->lossy = true;
}

int natrules_render(const struct nftnl_rule *r, uint8_t family, unsigned int flags, char *buf,
		    size_t len)
{
	struct out o = { .buf = buf, .len = len };
	struct ctx c = { .family = family, .script = flags & NATRULES_RENDER_SCRIPT };
	struct nftnl_expr_iter *it;
	struct nftnl_expr *e;

	if (!len)
		return -EINVAL;
	buf[0] = '\0';
	it = nftnl_expr_iter_create(r);
	if (!it)
		return -ENOMEM;
	while ((e = nftnl_expr_iter_next(it)))
		render_expr(&o, &c, e);
	nftnl_expr_iter_destroy(it);
	if (o.pos >= len)
		return -ENOSPC;
	return c.lossy ? 1 : 0;
}
