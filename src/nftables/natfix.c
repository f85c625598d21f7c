#include "config.h"
#include "nftables/natfix.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
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

#include "nftables/natrules.h"
#include "nftables/ruleset.h"
#include "nftables/natexpr.h"
#include "nftables/natrules_render.h"
#include "netlink/nl.h"
#include "util.h"

#define NFAM	   3
#define MAX_CHAINS 256
#define MSG_ROOM   (128 * 1024) /* libnftnl builders write unchecked: keep this much free */

static const uint32_t families[NFAM] = { NFPROTO_IPV4, NFPROTO_IPV6, NFPROTO_INET };

struct overlay {
	uint32_t family;
	bool existing; /* natscope's marked table is there now */
	char existing_comment[256];
	bool wanted; /* the plan wants a table in this family */
	char comment[256];
	struct nftnl_chain **chains;
	size_t nchains;
	struct nftnl_rule **rules;
	size_t nrules;
	struct nftnl_set **sets; /* recreated anonymous sets, with their elements */
	size_t nsets;
};

struct scope {
	const char *oif;
	bool have_saddr;
	uint32_t saddr_family; /* NFPROTO_IPV4 or NFPROTO_IPV6 */
	uint8_t net[16], mask[16];
	unsigned int len; /* address bytes */
};

struct mirrored {
	uint32_t family;
	char table[NATRULES_NAME];
	char chain[NATRULES_NAME];
};

struct natfix_plan {
	uint32_t genid;
	bool in_place;
	struct nftnl_rule **replace; /* --in-place: the rules to replace, handles kept */
	size_t nreplace;
	unsigned int snat_seen; /* source-NAT statements reachable from any base chain */
	uint32_t next_set_id;	/* batch-local ids binding lookups to new anonymous sets */
	struct mirrored *mirrored;
	struct overlay ov[NFAM];
	struct scope scope;
	char **notes;
	unsigned int nnotes, nskipped, nmirrored;
};

static int note(struct natfix_plan *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int note(struct natfix_plan *p, const char *fmt, ...)
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

static const char *fam_name(uint32_t family)
{
	return natrules_family_name((uint8_t)family);
}

/* Chains reached from @base in rule order, @base first. */
struct reach {
	const char *names[MAX_CHAINS];
	size_t n;
	bool overflow;
};

static bool rule_in(const struct nftnl_rule *r, uint32_t family, const char *table,
		    const char *chain)
{
	return nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY) == family &&
	       strcmp(nftnl_rule_get_str(r, NFTNL_RULE_TABLE), table) == 0 &&
	       strcmp(nftnl_rule_get_str(r, NFTNL_RULE_CHAIN), chain) == 0;
}

static int collect(const struct ruleset *rs, uint32_t family, const char *table, const char *chain,
		   struct reach *re)
{
	for (size_t i = 0; i < re->n; i++)
		if (strcmp(re->names[i], chain) == 0)
			return 0;
	if (re->n == MAX_CHAINS) {
		re->overflow = true;
		return 0;
	}
	re->names[re->n++] = chain;
	for (size_t i = 0; i < ruleset_nrules(rs); i++) {
		const struct nftnl_rule *r = ruleset_rule(rs, i);
		struct nftnl_expr_iter *it;
		struct nftnl_expr *e;

		if (!rule_in(r, family, table, chain))
			continue;
		it = nftnl_expr_iter_create(r);
		if (!it)
			return -ENOMEM;
		while ((e = nftnl_expr_iter_next(it))) {
			const char *target = natexpr_jump(e);
			int ret;

			if (target && (ret = collect(rs, family, table, target, re)) < 0) {
				nftnl_expr_iter_destroy(it);
				return ret;
			}
		}
		nftnl_expr_iter_destroy(it);
	}
	return 0;
}

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
 * Elements travel in one message, which the unchecked libnftnl builders write into
 * MSG_ROOM bytes: at most 60 bytes an element (an interval end carries flags, key and
 * key end), so 1,024 elements stay well inside it.
 */
#define MAX_ANON_ELEMS 1024

static int count_elem(struct nftnl_set_elem *e, void *data)
{
	(*(unsigned int *)data)++;
	return 0;
}

static bool refuse(const struct nftnl_expr *e, const struct ruleset *rs, uint32_t family,
		   const char *table, char *why, size_t len)
{
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);

	for (size_t i = 0; i < sizeof(run_twice) / sizeof(run_twice[0]); i++) {
		if (strcmp(name, run_twice[i]) == 0) {
			snprintf(why, len, "a %s statement would run twice", name);
			return true;
		}
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
		unsigned int n = 0;

		if (!st || !(nftnl_set_get_u32(st, NFTNL_SET_FLAGS) & NFT_SET_ANONYMOUS)) {
			snprintf(why, len, "it references set @%s of table %s", set, table);
			return true;
		}
		/* Anonymous sets are recreated; anonymous maps (vmaps can jump) are not. */
		if ((nftnl_set_get_u32(st, NFTNL_SET_FLAGS) & (NFT_SET_MAP | NFT_SET_OBJECT)) ||
		    nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_DREG)) {
			snprintf(why, len,
				 "it uses an anonymous map (not mirrored by this version)");
			return true;
		}
		nftnl_set_elem_foreach((struct nftnl_set *)st, count_elem, &n);
		if (n > MAX_ANON_ELEMS) {
			snprintf(why, len, "its anonymous set has %u elements (more than %d)", n,
				 MAX_ANON_ELEMS);
			return true;
		}
	}
	return false;
}

static void chain_name(char *buf, size_t len, const char *table, const char *chain)
{
	snprintf(buf, len, "%s-%s", table, chain);
}

/* Serialise and parse back: libnftnl has no rule copy. */
static struct nftnl_rule *clone_rule(const struct nftnl_rule *src, char *scratch)
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

/* What adapting a rule into an overlay needs to know. */
struct mirror_ctx {
	struct natfix_plan *p;
	const struct ruleset *rs;
	struct overlay *ov;
	uint32_t family;
	const char *table;
	char *scratch;
};

/*
 * libnftnl 1.2.4 numbers the element nests it builds 1, 2, 3, ... (the kernel ignores
 * the type) but its parser accepts only NFTA_LIST_ELEM: make a built list parseable.
 */
static void elems_nest_types(struct nlmsghdr *nlh)
{
	struct nlattr *a, *el;

	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(a) != NFTA_SET_ELEM_LIST_ELEMENTS)
			continue;
		mnl_attr_for_each_nested(el, a)
			el->nla_type = (el->nla_type & ~NLA_TYPE_MASK) | NFTA_LIST_ELEM;
	}
}

/* Recreate anonymous set @name in the overlay; *id gets its batch id. */
static int clone_anonymous_set(struct mirror_ctx *m, const char *name, uint32_t *id)
{
	const struct nftnl_set *src = ruleset_set(m->rs, m->family, m->table, name);
	struct nftnl_set *st = nftnl_set_alloc(), *tmp = (struct nftnl_set *)src;
	struct nlmsghdr *nlh;
	int ret;

	if (!st || !src) {
		if (st)
			nftnl_set_free(st);
		return src ? -ENOMEM : -ENOENT;
	}
	unsigned int nelems = 0;

	nftnl_set_elem_foreach(tmp, count_elem, &nelems);
	if (nelems > MAX_ANON_ELEMS) {
		nftnl_set_free(st);
		return -E2BIG;
	}
	/*
	 * Copy by serialising and parsing back (nftnl_set_elem_clone() is declared by
	 * libnftnl 1.2.4 but not exported).  It takes non-const sets but only reads them.
	 */
	nlh = nftnl_nlmsg_build_hdr(m->scratch, NFT_MSG_NEWSET, (uint16_t)m->family, 0, 0);
	nftnl_set_nlmsg_build_payload(nlh, tmp);
	ret = nftnl_set_nlmsg_parse(nlh, st);
	if (ret == 0) {
		nlh = nftnl_nlmsg_build_hdr(m->scratch, NFT_MSG_NEWSETELEM, (uint16_t)m->family, 0,
					    0);
		nftnl_set_elems_nlmsg_build_payload(nlh, tmp);
		elems_nest_types(nlh);
		ret = nftnl_set_elems_nlmsg_parse(nlh, st);
	}
	if (ret < 0) {
		nftnl_set_free(st);
		return -EBADMSG;
	}
	nftnl_set_unset(st, NFTNL_SET_HANDLE);
	nftnl_set_set_str(st, NFTNL_SET_TABLE, NATFIX_TABLE);
	nftnl_set_set_str(st, NFTNL_SET_NAME, "__set%d"); /* the kernel numbers it */
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
		char mirrored[256];

		chain_name(mirrored, sizeof(mirrored), table, target);
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

static struct nftnl_expr *expr_verdict(int32_t verdict)
{
	struct nftnl_expr *e = nftnl_expr_alloc("immediate");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)verdict);
	}
	return e;
}

static struct nftnl_expr *expr_meta(uint32_t key)
{
	struct nftnl_expr *e = nftnl_expr_alloc("meta");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
	}
	return e;
}

static struct nftnl_expr *expr_cmp(uint32_t op, const void *data, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("cmp");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
		nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	}
	return e;
}

/* immediate @data (@len bytes) into @reg */
static struct nftnl_expr *expr_imm(uint32_t reg, const void *data, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("immediate");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, reg);
		nftnl_expr_set(e, NFTNL_EXPR_IMM_DATA, data, len);
	}
	return e;
}

/* An xt NAT target's range, whatever the revision carried it. */
struct xt_range {
	uint32_t flags;
	uint8_t min_addr[16], max_addr[16];
	uint8_t min_port[2], max_port[2]; /* network order */
};

static int xt_range(const struct nftnl_expr *e, uint32_t family, struct xt_range *out)
{
	uint32_t len, rev = nftnl_expr_get_u32(e, NFTNL_EXPR_TG_REV);
	const uint8_t *info = nftnl_expr_get(e, NFTNL_EXPR_TG_INFO, &len);

	memset(out, 0, sizeof(*out));
	if (!info)
		return -EBADMSG;
	if (family == NFPROTO_IPV4 && rev == 0) {
		/* nf_nat_ipv4_multi_range_compat: rangesize, flags, min_ip, max_ip, min, max */
		if (len < 4 + 16)
			return -EBADMSG;
		memcpy(&out->flags, info + 4, 4);
		memcpy(out->min_addr, info + 8, 4);
		memcpy(out->max_addr, info + 12, 4);
		memcpy(out->min_port, info + 16, 2);
		memcpy(out->max_port, info + 18, 2);
		return 0;
	}
	/* nf_nat_range / nf_nat_range2: flags, min_addr, max_addr, min_proto, max_proto */
	if (len < 4 + 32 + 4)
		return -EBADMSG;
	memcpy(&out->flags, info, 4);
	memcpy(out->min_addr, info + 4, 16);
	memcpy(out->max_addr, info + 20, 16);
	memcpy(out->min_port, info + 36, 2);
	memcpy(out->max_port, info + 38, 2);
	return 0;
}

/*
 * x_tables lets the MASQUERADE and SNAT targets run only in a table named "nat", so the
 * mirror carries the native statement with the same range instead: masq or nat snat,
 * addresses and ports loaded into registers nothing else in the rule uses after a
 * terminal NAT statement.
 */
static int translate_xt_nat(struct nftnl_rule *r, const struct nftnl_expr *e, uint32_t family)
{
	const char *tg = nftnl_expr_get_str(e, NFTNL_EXPR_TG_NAME);
	uint32_t alen = family == NFPROTO_IPV6 ? 16 : 4;
	struct nftnl_expr *nat;
	struct xt_range rg;
	int ret;

	ret = xt_range(e, family, &rg);
	if (ret < 0)
		return ret;
	if (rg.flags & (NF_NAT_RANGE_PROTO_OFFSET | NF_NAT_RANGE_NETMAP))
		return -EOPNOTSUPP;
	if (strcmp(tg, "MASQUERADE") == 0) {
		nat = nftnl_expr_alloc("masq");
		if (!nat)
			return -ENOMEM;
		if (rg.flags & NF_NAT_RANGE_PROTO_SPECIFIED) {
			nftnl_rule_add_expr(r, expr_imm(NFT_REG32_14, rg.min_port, 2));
			nftnl_rule_add_expr(r, expr_imm(NFT_REG32_15, rg.max_port, 2));
			nftnl_expr_set_u32(nat, NFTNL_EXPR_MASQ_REG_PROTO_MIN, NFT_REG32_14);
			nftnl_expr_set_u32(nat, NFTNL_EXPR_MASQ_REG_PROTO_MAX, NFT_REG32_15);
		}
		nftnl_expr_set_u32(
			nat, NFTNL_EXPR_MASQ_FLAGS,
			(rg.flags & (NF_NAT_RANGE_PROTO_RANDOM | NF_NAT_RANGE_PERSISTENT)) |
				NF_NAT_RANGE_PROTO_RANDOM_FULLY);
	} else {
		nat = nftnl_expr_alloc("nat");
		if (!nat)
			return -ENOMEM;
		nftnl_expr_set_u32(nat, NFTNL_EXPR_NAT_TYPE, NFT_NAT_SNAT);
		nftnl_expr_set_u32(nat, NFTNL_EXPR_NAT_FAMILY, family);
		if (rg.flags & NF_NAT_RANGE_MAP_IPS) {
			nftnl_rule_add_expr(r, expr_imm(NFT_REG32_08, rg.min_addr, alen));
			nftnl_rule_add_expr(r, expr_imm(NFT_REG32_12, rg.max_addr, alen));
			nftnl_expr_set_u32(nat, NFTNL_EXPR_NAT_REG_ADDR_MIN, NFT_REG32_08);
			nftnl_expr_set_u32(nat, NFTNL_EXPR_NAT_REG_ADDR_MAX, NFT_REG32_12);
		}
		if (rg.flags & NF_NAT_RANGE_PROTO_SPECIFIED) {
			nftnl_rule_add_expr(r, expr_imm(NFT_REG32_14, rg.min_port, 2));
			nftnl_rule_add_expr(r, expr_imm(NFT_REG32_15, rg.max_port, 2));
			nftnl_expr_set_u32(nat, NFTNL_EXPR_NAT_REG_PROTO_MIN, NFT_REG32_14);
			nftnl_expr_set_u32(nat, NFTNL_EXPR_NAT_REG_PROTO_MAX, NFT_REG32_15);
		}
		nftnl_expr_set_u32(
			nat, NFTNL_EXPR_NAT_FLAGS,
			(rg.flags & (NF_NAT_RANGE_PROTO_RANDOM | NF_NAT_RANGE_PERSISTENT)) |
				NF_NAT_RANGE_PROTO_RANDOM_FULLY);
	}
	nftnl_rule_add_expr(r, nat);
	return 0;
}

static bool is_xt_nat(const struct nftnl_expr *e)
{
	const char *tg;

	if (strcmp(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), "target") != 0)
		return false;
	tg = nftnl_expr_get_str(e, NFTNL_EXPR_TG_NAME);
	return strcmp(tg, "MASQUERADE") == 0 || strcmp(tg, "SNAT") == 0;
}

/*
 * A lookup in an anonymous set (refuse() let no other kind through) gets a fresh
 * expression bound to the recreated set: libnftnl 1.2.4 leaks the old name when an
 * existing lookup's set is renamed.
 */
static int retarget_lookup(struct nftnl_rule *r, const struct nftnl_expr *old, struct mirror_ctx *m)
{
	struct nftnl_expr *e;
	uint32_t id;
	int ret;

	ret = clone_anonymous_set(m, nftnl_expr_get_str(old, NFTNL_EXPR_LOOKUP_SET), &id);
	if (ret < 0)
		return ret;
	e = nftnl_expr_alloc("lookup");
	if (!e)
		return -ENOMEM;
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG,
			   nftnl_expr_get_u32(old, NFTNL_EXPR_LOOKUP_SREG));
	if (nftnl_expr_is_set(old, NFTNL_EXPR_LOOKUP_FLAGS))
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_FLAGS,
				   nftnl_expr_get_u32(old, NFTNL_EXPR_LOOKUP_FLAGS));
	nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, "__set%d");
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, id);
	nftnl_rule_add_expr(r, e);
	return 0;
}

/* Take the expressions out of @r and put them back adapted, in the same order. */
static int rebuild_rule(struct nftnl_rule *r, struct mirror_ctx *m)
{
	uint32_t family = m->family;
	struct nftnl_expr *list[128], *e;
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
		if (n == sizeof(list) / sizeof(list[0])) {
			nftnl_expr_free(e);
			ret = -E2BIG;
			continue;
		}
		list[n++] = e;
	}
	for (size_t i = 0; i < n; i++) {
		if (ret == 0 && is_xt_nat(list[i])) {
			ret = translate_xt_nat(r, list[i], family);
			nftnl_expr_free(list[i]);
			continue;
		}
		if (ret == 0 &&
		    strcmp(nftnl_expr_get_str(list[i], NFTNL_EXPR_NAME), "lookup") == 0) {
			ret = retarget_lookup(r, list[i], m);
			nftnl_expr_free(list[i]);
			continue;
		}
		if (ret == 0)
			ret = adapt_expr(list[i], m);
		if (ret == 0)
			nftnl_rule_add_expr(r, list[i]);
		else
			nftnl_expr_free(list[i]);
	}
	return ret;
}

static struct nftnl_rule *new_rule(uint32_t family, const char *chain)
{
	struct nftnl_rule *r = nftnl_rule_alloc();

	if (r) {
		nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, family);
		nftnl_rule_set_str(r, NFTNL_RULE_TABLE, NATFIX_TABLE);
		nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	}
	return r;
}

/* "oifname != IFACE return", "[meta nfproto != F return] ip saddr != CIDR return" */
static int add_scope_guards(struct overlay *ov, const struct scope *sc, const char *chain)
{
	struct nftnl_rule *r;
	int ret;

	if (sc->oif) {
		r = new_rule(ov->family, chain);
		if (!r)
			return -ENOMEM;
		nftnl_rule_add_expr(r, expr_meta(NFT_META_OIFNAME));
		nftnl_rule_add_expr(r,
				    expr_cmp(NFT_CMP_NEQ, sc->oif, (uint32_t)strlen(sc->oif) + 1));
		nftnl_rule_add_expr(r, expr_verdict(NFT_RETURN));
		if ((ret = util_push((void ***)&ov->rules, &ov->nrules, r)) < 0) {
			nftnl_rule_free(r);
			return ret;
		}
	}
	if (sc->have_saddr) {
		uint8_t nfproto = (uint8_t)sc->saddr_family;
		struct nftnl_expr *e;

		if (ov->family == NFPROTO_INET) {
			r = new_rule(ov->family, chain);
			if (!r)
				return -ENOMEM;
			nftnl_rule_add_expr(r, expr_meta(NFT_META_NFPROTO));
			nftnl_rule_add_expr(r, expr_cmp(NFT_CMP_NEQ, &nfproto, 1));
			nftnl_rule_add_expr(r, expr_verdict(NFT_RETURN));
			if ((ret = util_push((void ***)&ov->rules, &ov->nrules, r)) < 0) {
				nftnl_rule_free(r);
				return ret;
			}
		}
		r = new_rule(ov->family, chain);
		if (!r)
			return -ENOMEM;
		e = nftnl_expr_alloc("payload");
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, NFT_PAYLOAD_NETWORK_HEADER);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, sc->len == 4 ? 12 : 8);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, sc->len);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
		nftnl_rule_add_expr(r, e);
		e = nftnl_expr_alloc("bitwise");
		{
			uint8_t zero[16] = { 0 };

			nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
			nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
			nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, sc->len);
			nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, sc->mask, sc->len);
			nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, zero, sc->len);
		}
		nftnl_rule_add_expr(r, e);
		nftnl_rule_add_expr(r, expr_cmp(NFT_CMP_NEQ, sc->net, sc->len));
		nftnl_rule_add_expr(r, expr_verdict(NFT_RETURN));
		if ((ret = util_push((void ***)&ov->rules, &ov->nrules, r)) < 0) {
			nftnl_rule_free(r);
			return ret;
		}
	}
	return 0;
}

static struct nftnl_chain *new_chain(uint32_t family, const char *name)
{
	struct nftnl_chain *c = nftnl_chain_alloc();

	if (c) {
		nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, family);
		nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, NATFIX_TABLE);
		nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
	}
	return c;
}

/* Mirror base chain @base into @ov, or explain in a note why not. */
static int mirror_base(struct natfix_plan *p, const struct ruleset *rs,
		       const struct nftnl_chain *base, struct overlay *ov, char *scratch)
{
	const char *table = nftnl_chain_get_str(base, NFTNL_CHAIN_TABLE);
	const char *bname = nftnl_chain_get_str(base, NFTNL_CHAIN_NAME);
	int32_t prio = (int32_t)nftnl_chain_get_u32(base, NFTNL_CHAIN_PRIO);
	uint32_t family = ov->family;
	struct reach re = { 0 };
	unsigned int lacking = 0;
	char why[160] = "", name[256];
	int ret;

	ret = collect(rs, family, table, bname, &re);
	if (ret < 0)
		return ret;
	if (re.overflow)
		snprintf(why, sizeof(why), "it reaches more than %d chains", MAX_CHAINS);

	/* Does anything need fixing, and can all of it be mirrored exactly? */
	for (size_t i = 0; i < ruleset_nrules(rs) && !why[0]; i++) {
		const struct nftnl_rule *r = ruleset_rule(rs, i);
		struct nftnl_expr_iter *it;
		struct nftnl_expr *e;
		bool reached = false;

		for (size_t k = 0; k < re.n && !reached; k++)
			reached = rule_in(r, family, table, re.names[k]);
		if (!reached)
			continue;
		it = nftnl_expr_iter_create(r);
		if (!it)
			return -ENOMEM;
		while ((e = nftnl_expr_iter_next(it))) {
			uint32_t flags;

			if (natexpr_snat_flags(e, family, &flags)) {
				p->snat_seen++;
				if (!(flags & NF_NAT_RANGE_PROTO_RANDOM_FULLY))
					lacking++;
			}
			if (refuse(e, rs, family, table, why, sizeof(why))) {
				char where[300];

				snprintf(where, sizeof(where), " (chain %s, handle %llu)",
					 nftnl_rule_get_str(r, NFTNL_RULE_CHAIN),
					 (unsigned long long)nftnl_rule_get_u64(r,
										NFTNL_RULE_HANDLE));
				strncat(why, where, sizeof(why) - strlen(why) - 1);
				break;
			}
		}
		nftnl_expr_iter_destroy(it);
	}
	if (!lacking && !why[0])
		return 0; /* already fully-random: nothing to do here */
	if (why[0]) {
		p->nskipped++;
		return note(p, "skip   %s %s %s: %s", fam_name(family), table, bname, why);
	}

	struct mirror_ctx m = {
		.p = p, .rs = rs, .ov = ov, .family = family, .table = table, .scratch = scratch
	};

	/* The mirror: base chain first, then the chains it reaches, each with its rules. */
	for (size_t k = 0; k < re.n; k++) {
		struct nftnl_chain *c;

		chain_name(name, sizeof(name), table, re.names[k]);
		c = new_chain(family, name);
		if (!c)
			return -ENOMEM;
		if (k == 0) {
			nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, NF_INET_POST_ROUTING);
			nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, prio - 1);
			nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "nat");
			nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
		}
		if ((ret = util_push((void ***)&ov->chains, &ov->nchains, c)) < 0) {
			nftnl_chain_free(c);
			return ret;
		}
		if (k == 0 && (ret = add_scope_guards(ov, &p->scope, name)) < 0)
			return ret;
		for (size_t i = 0; i < ruleset_nrules(rs); i++) {
			const struct nftnl_rule *src = ruleset_rule(rs, i);
			struct nftnl_rule *r;

			if (!rule_in(src, family, table, re.names[k]))
				continue;
			r = clone_rule(src, scratch);
			if (!r)
				return -ENOMEM;
			nftnl_rule_set_str(r, NFTNL_RULE_TABLE, NATFIX_TABLE);
			nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, name);
			ret = rebuild_rule(r, &m);
			if (ret == 0)
				ret = util_push((void ***)&ov->rules, &ov->nrules, r);
			if (ret < 0) {
				nftnl_rule_free(r);
				return ret;
			}
		}
	}
	ov->wanted = true;
	{
		struct mirrored *m = realloc(p->mirrored, (p->nmirrored + 1) * sizeof(*m));

		if (!m)
			return -ENOMEM;
		p->mirrored = m;
		m += p->nmirrored;
		m->family = family;
		snprintf(m->table, sizeof(m->table), "%s", table);
		snprintf(m->chain, sizeof(m->chain), "%s", bname);
	}
	p->nmirrored++;
	chain_name(name, sizeof(name), table, bname);
	return note(p,
		    "mirror %s %s %s (priority %d) -> %s %s %s (priority %d): %u statement%s "
		    "made fully-random, %zu chain%s",
		    fam_name(family), table, bname, prio, fam_name(family), NATFIX_TABLE, name,
		    prio - 1, lacking, lacking == 1 ? "" : "s", re.n, re.n == 1 ? "" : "s");
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

static bool overlay_changes(const struct overlay *ov)
{
	if (ov->wanted != ov->existing)
		return true;
	return ov->wanted && strcmp(ov->comment, ov->existing_comment) != 0;
}

/*
 * --in-place: every native rule reachable from @base whose masquerade/snat lacks
 * fully-random is replaced by handle with the same rule plus the flag.  Rules of
 * iptables-nft (xt targets) are never rewritten: iptables-nft owns them.
 */
static int plan_in_place(struct natfix_plan *p, const struct ruleset *rs,
			 const struct nftnl_chain *base, char *scratch)
{
	uint32_t family = nftnl_chain_get_u32(base, NFTNL_CHAIN_FAMILY);
	const char *table = nftnl_chain_get_str(base, NFTNL_CHAIN_TABLE);
	struct reach re = { 0 };
	int ret;

	ret = collect(rs, family, table, nftnl_chain_get_str(base, NFTNL_CHAIN_NAME), &re);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < ruleset_nrules(rs); i++) {
		const struct nftnl_rule *src = ruleset_rule(rs, i);
		unsigned long long handle = nftnl_rule_get_u64(src, NFTNL_RULE_HANDLE);
		const char *chain = nftnl_rule_get_str(src, NFTNL_RULE_CHAIN);
		bool reached = false, lacking = false, compat = false;
		struct nftnl_expr_iter *it;
		struct nftnl_expr *e;
		struct nftnl_rule *r;

		for (size_t k = 0; k < re.n && !reached; k++)
			reached = rule_in(src, family, table, re.names[k]);
		if (!reached)
			continue;
		it = nftnl_expr_iter_create(src);
		if (!it)
			return -ENOMEM;
		while ((e = nftnl_expr_iter_next(it))) {
			uint32_t flags;

			if (natexpr_snat_flags(e, family, &flags) &&
			    !(flags & NF_NAT_RANGE_PROTO_RANDOM_FULLY)) {
				lacking = true;
				compat |= is_xt_nat(e);
			}
		}
		nftnl_expr_iter_destroy(it);
		if (!lacking)
			continue;
		if (compat) {
			p->nskipped++;
			ret = note(p,
				   "skip   %s %s %s handle %llu: an iptables-nft rule is never "
				   "rewritten in place (the overlay handles it)",
				   fam_name(family), table, chain, handle);
			if (ret < 0)
				return ret;
			continue;
		}
		r = clone_rule(src, scratch);
		if (!r)
			return -ENOMEM;
		nftnl_rule_set_u64(r, NFTNL_RULE_HANDLE, handle);
		it = nftnl_expr_iter_create(r);
		while (it && (e = nftnl_expr_iter_next(it))) {
			uint32_t flags;

			if (!natexpr_snat_flags(e, family, &flags))
				continue;
			flags |= NF_NAT_RANGE_PROTO_RANDOM_FULLY;
			nftnl_expr_set_u32(e,
					   strcmp(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), "masq") ==
							   0
						   ? NFTNL_EXPR_MASQ_FLAGS
						   : NFTNL_EXPR_NAT_FLAGS,
					   flags);
		}
		nftnl_expr_iter_destroy(it);
		if ((ret = util_push((void ***)&p->replace, &p->nreplace, r)) < 0) {
			nftnl_rule_free(r);
			return ret;
		}
		ret = note(p, "replace %s %s %s handle %llu with the same rule plus fully-random",
			   fam_name(family), table, chain, handle);
		if (ret < 0)
			return ret;
	}
	return 0;
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
	c = new_chain(family, "scope");
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
	if ((ret = add_scope_guards(ov, &p->scope, "scope")) < 0)
		return ret;
	r = new_rule(family, "scope");
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
	return note(p,
		    "add    %s %s scope (priority srcnat): masquerade fully-random for "
		    "traffic leaving %s%s",
		    fam_name(family), NATFIX_TABLE, p->scope.oif,
		    p->scope.have_saddr ? " from the --saddr range" : "");
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

	for (int f = 0; f < NFAM; f++) {
		struct overlay *ov = &p->ov[f];
		const char *comment;

		ov->family = families[f];
		comment = ruleset_owned_comment(rs, ov->family, NATFIX_TABLE);
		if (!comment && ruleset_has_table(rs, ov->family, NATFIX_TABLE)) {
			ret = -EEXIST; /* someone else's table of that name: never touched */
			goto err;
		}
		if (comment) {
			ov->existing = true;
			snprintf(ov->existing_comment, sizeof(ov->existing_comment), "%s", comment);
		}
	}

	for (size_t i = 0; i < ruleset_nchains(rs) && !o->revert; i++) {
		const struct nftnl_chain *c = ruleset_chain(rs, i);
		uint32_t family = nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY);
		struct overlay *ov = NULL;

		for (int f = 0; f < NFAM; f++)
			if (families[f] == family)
				ov = &p->ov[f];
		if (!ov || !nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM) ||
		    !nftnl_chain_is_set(c, NFTNL_CHAIN_TYPE) ||
		    strcmp(nftnl_chain_get_str(c, NFTNL_CHAIN_TYPE), "nat") != 0 ||
		    nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM) != NF_INET_POST_ROUTING)
			continue;
		if (ruleset_owned_comment(rs, family, nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE)))
			continue; /* natscope's own */
		if (p->scope.have_saddr && family != NFPROTO_INET &&
		    family != p->scope.saddr_family)
			continue; /* out of the --saddr scope's family */
		if (o->in_place)
			ret = plan_in_place(p, rs, c, scratch);
		else
			ret = mirror_base(p, rs, c, ov, scratch);
		if (ret < 0)
			goto err;
	}
	if (!o->revert && !o->in_place && p->scope.oif && p->snat_seen == 0 &&
	    (ret = plan_plain_masquerade(p)) < 0)
		goto err;
	for (int f = 0; f < NFAM && !o->in_place; f++)
		if (p->ov[f].wanted)
			digest(&p->ov[f], o, scratch);
	/* --in-place leaves natscope's own tables exactly as they are */
	for (int f = 0; f < NFAM && o->in_place; f++) {
		p->ov[f].wanted = p->ov[f].existing;
		memcpy(p->ov[f].comment, p->ov[f].existing_comment, sizeof(p->ov[f].comment));
	}
	for (int f = 0; f < NFAM && o->revert; f++)
		if (p->ov[f].existing)
			ret = note(p, "remove %s %s", fam_name(p->ov[f].family), NATFIX_TABLE);
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
		if (overlay_changes(&p->ov[f]))
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

int natfix_plan_script(const struct natfix_plan *p, FILE *out)
{
	char text[4096];

	fprintf(out, "#!/usr/sbin/nft -f\n# natscope fix: planned at ruleset generation %u\n",
		p->genid);
	for (unsigned int i = 0; i < p->nnotes; i++)
		fprintf(out, "# %s\n", p->notes[i]);
	if (!natfix_plan_has_changes(p))
		fprintf(out, "# nothing to change\n");
	for (size_t i = 0; i < p->nreplace; i++) {
		const struct nftnl_rule *r = p->replace[i];
		uint8_t family = (uint8_t)nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY);
		int lossy = natrules_render(r, family, NATRULES_RENDER_SCRIPT, text, sizeof(text));

		fprintf(out, "%sreplace rule %s %s %s handle %llu %s\n",
			lossy ? "# (no nft syntax) " : "", fam_name(family),
			nftnl_rule_get_str(r, NFTNL_RULE_TABLE),
			nftnl_rule_get_str(r, NFTNL_RULE_CHAIN),
			(unsigned long long)nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE), text);
	}
	for (int f = 0; f < NFAM; f++) {
		const struct overlay *ov = &p->ov[f];
		const char *fam = fam_name(ov->family);

		if (!overlay_changes(ov))
			continue;
		if (ov->existing)
			fprintf(out, "delete table %s %s\n", fam, NATFIX_TABLE);
		if (!ov->wanted)
			continue;
		fprintf(out, "table %s %s {\n\tcomment \"%s\"\n", fam, NATFIX_TABLE, ov->comment);
		for (size_t c = 0; c < ov->nchains; c++) {
			const struct nftnl_chain *ch = ov->chains[c];
			const char *cname = nftnl_chain_get_str(ch, NFTNL_CHAIN_NAME);

			fprintf(out, "\tchain %s {\n", cname);
			if (nftnl_chain_is_set(ch, NFTNL_CHAIN_HOOKNUM))
				fprintf(out,
					"\t\ttype nat hook postrouting priority %d; policy "
					"accept;\n",
					(int32_t)nftnl_chain_get_u32(ch, NFTNL_CHAIN_PRIO));
			for (size_t r = 0; r < ov->nrules; r++) {
				const struct nftnl_rule *rule = ov->rules[r];
				int lossy;

				if (strcmp(nftnl_rule_get_str(rule, NFTNL_RULE_CHAIN), cname) != 0)
					continue;
				lossy = natrules_render(rule, (uint8_t)ov->family,
							NATRULES_RENDER_SCRIPT, text, sizeof(text));
				/* What nft cannot parse is applied through netlink as it is. */
				fprintf(out, lossy ? "\t\t# (no nft syntax) %s\n" : "\t\t%s\n",
					text);
			}
			fprintf(out, "\t}\n");
		}
		fprintf(out, "}\n");
	}
	return ferror(out) ? -EIO : 0;
}

/* The batch being built, and which message each sequence number is. */
struct batch {
	char *buf;
	size_t len, cap;
	struct {
		uint32_t seq;
		char what[200];
	} * msgs;
	unsigned int nmsgs;
	int err;
	char err_what[200];
};

static char *batch_room(struct batch *b)
{
	if (b->cap - b->len < MSG_ROOM) {
		size_t cap = b->cap ? b->cap * 2 : 4 * MSG_ROOM;
		char *buf = realloc(b->buf, cap);

		if (!buf)
			return NULL;
		b->buf = buf;
		b->cap = cap;
	}
	return b->buf + b->len;
}

static int batch_add(struct batch *b, struct nlmsghdr *nlh, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int batch_add(struct batch *b, struct nlmsghdr *nlh, const char *fmt, ...)
{
	void *arr = realloc(b->msgs, (b->nmsgs + 1) * sizeof(*b->msgs));
	va_list ap;

	if (!arr)
		return -ENOMEM;
	b->msgs = arr;
	b->msgs[b->nmsgs].seq = nlh->nlmsg_seq;
	va_start(ap, fmt);
	vsnprintf(b->msgs[b->nmsgs].what, sizeof(b->msgs[b->nmsgs].what), fmt, ap);
	va_end(ap);
	b->nmsgs++;
	b->len += MNL_ALIGN(nlh->nlmsg_len);
	return 0;
}

static void on_ack(uint32_t seq, int err, void *data)
{
	struct batch *b = data;

	if (!err || b->err)
		return;
	b->err = err;
	snprintf(b->err_what, sizeof(b->err_what), "the batch");
	for (unsigned int i = 0; i < b->nmsgs; i++)
		if (b->msgs[i].seq == seq)
			snprintf(b->err_what, sizeof(b->err_what), "%s", b->msgs[i].what);
}

static int table_msg(struct nl_sock *nl, struct batch *b, const struct overlay *ov, bool add)
{
	struct nftnl_table *t = nftnl_table_alloc();
	const char *fam = fam_name(ov->family);
	struct nlmsghdr *nlh;
	char *room = batch_room(b);

	if (!t || !room) {
		nftnl_table_free(t);
		return -ENOMEM;
	}
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, ov->family);
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, NATFIX_TABLE);
	if (add) {
		struct nftnl_udata_buf *ud = nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN);

		if (!ud) {
			nftnl_table_free(t);
			return -ENOMEM;
		}
		nftnl_udata_put_strz(ud, NFTNL_UDATA_TABLE_COMMENT, ov->comment);
		nftnl_table_set_data(t, NFTNL_TABLE_USERDATA, nftnl_udata_buf_data(ud),
				     nftnl_udata_buf_len(ud));
		nftnl_udata_buf_free(ud);
	}
	nlh = nftnl_nlmsg_build_hdr(room, add ? NFT_MSG_NEWTABLE : NFT_MSG_DELTABLE,
				    (uint16_t)ov->family, (add ? NLM_F_CREATE : 0) | NLM_F_ACK,
				    nl_next_seq(nl));
	nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
	return batch_add(b, nlh, "%s table %s %s", add ? "add" : "delete", fam, NATFIX_TABLE);
}

int natfix_apply(struct nl_sock *nl, const struct natfix_plan *p, char *err, size_t errlen)
{
	struct batch b = { 0 };
	struct nlmsghdr *nlh;
	char text[256], *room;
	int ret = -ENOMEM;

	room = batch_room(&b);
	if (!room)
		goto out;
	nlh = nftnl_batch_begin(room, nl_next_seq(nl));
	/* The kernel refuses the whole batch if the ruleset moved on since the plan. */
	mnl_attr_put_u32(nlh, NFNL_BATCH_GENID, htonl(p->genid));
	if ((ret = batch_add(&b, nlh, "batch begin")) < 0)
		goto out;

	for (int f = 0; f < NFAM; f++) {
		const struct overlay *ov = &p->ov[f];

		if (!overlay_changes(ov))
			continue;
		if (ov->existing && (ret = table_msg(nl, &b, ov, false)) < 0)
			goto out;
		if (!ov->wanted)
			continue;
		if ((ret = table_msg(nl, &b, ov, true)) < 0)
			goto out;
		for (size_t i = 0; i < ov->nchains; i++) {
			if (!(room = batch_room(&b))) {
				ret = -ENOMEM;
				goto out;
			}
			nlh = nftnl_nlmsg_build_hdr(room, NFT_MSG_NEWCHAIN, (uint16_t)ov->family,
						    NLM_F_CREATE | NLM_F_ACK, nl_next_seq(nl));
			nftnl_chain_nlmsg_build_payload(nlh, ov->chains[i]);
			ret = batch_add(&b, nlh, "add chain %s %s %s", fam_name(ov->family),
					NATFIX_TABLE,
					nftnl_chain_get_str(ov->chains[i], NFTNL_CHAIN_NAME));
			if (ret < 0)
				goto out;
		}
		for (size_t i = 0; i < ov->nsets; i++) {
			if (!(room = batch_room(&b))) {
				ret = -ENOMEM;
				goto out;
			}
			nlh = nftnl_nlmsg_build_hdr(room, NFT_MSG_NEWSET, (uint16_t)ov->family,
						    NLM_F_CREATE | NLM_F_ACK, nl_next_seq(nl));
			nftnl_set_nlmsg_build_payload(nlh, ov->sets[i]);
			ret = batch_add(&b, nlh, "add anonymous set %s %s (%u)",
					fam_name(ov->family), NATFIX_TABLE,
					nftnl_set_get_u32(ov->sets[i], NFTNL_SET_ID));
			if (ret < 0 || !(room = batch_room(&b))) {
				ret = ret < 0 ? ret : -ENOMEM;
				goto out;
			}
			nlh = nftnl_nlmsg_build_hdr(room, NFT_MSG_NEWSETELEM, (uint16_t)ov->family,
						    NLM_F_CREATE | NLM_F_ACK, nl_next_seq(nl));
			nftnl_set_elems_nlmsg_build_payload(nlh, ov->sets[i]);
			ret = batch_add(&b, nlh, "add elements to anonymous set %s %s (%u)",
					fam_name(ov->family), NATFIX_TABLE,
					nftnl_set_get_u32(ov->sets[i], NFTNL_SET_ID));
			if (ret < 0)
				goto out;
		}
		for (size_t i = 0; i < ov->nrules; i++) {
			if (!(room = batch_room(&b))) {
				ret = -ENOMEM;
				goto out;
			}
			nlh = nftnl_nlmsg_build_hdr(room, NFT_MSG_NEWRULE, (uint16_t)ov->family,
						    NLM_F_CREATE | NLM_F_APPEND | NLM_F_ACK,
						    nl_next_seq(nl));
			nftnl_rule_nlmsg_build_payload(nlh, ov->rules[i]);
			natrules_render(ov->rules[i], (uint8_t)ov->family, 0, text, sizeof(text));
			ret = batch_add(&b, nlh, "add rule %s %s %s %s", fam_name(ov->family),
					NATFIX_TABLE,
					nftnl_rule_get_str(ov->rules[i], NFTNL_RULE_CHAIN), text);
			if (ret < 0)
				goto out;
		}
	}
	for (size_t i = 0; i < p->nreplace; i++) {
		const struct nftnl_rule *r = p->replace[i];
		uint32_t family = nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY);

		if (!(room = batch_room(&b))) {
			ret = -ENOMEM;
			goto out;
		}
		nlh = nftnl_nlmsg_build_hdr(room, NFT_MSG_NEWRULE, (uint16_t)family,
					    NLM_F_REPLACE | NLM_F_ACK, nl_next_seq(nl));
		nftnl_rule_nlmsg_build_payload(nlh, (struct nftnl_rule *)r);
		ret = batch_add(&b, nlh, "replace rule %s %s %s handle %llu", fam_name(family),
				nftnl_rule_get_str(r, NFTNL_RULE_TABLE),
				nftnl_rule_get_str(r, NFTNL_RULE_CHAIN),
				(unsigned long long)nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE));
		if (ret < 0)
			goto out;
	}
	if (!(room = batch_room(&b))) {
		ret = -ENOMEM;
		goto out;
	}
	nlh = nftnl_batch_end(room, nl_next_seq(nl));
	if ((ret = batch_add(&b, nlh, "batch end")) < 0)
		goto out;

	ret = nl_batch_talk(nl, b.buf, b.len, b.nmsgs, on_ack, &b);
	if (ret == 0 && b.err) {
		ret = b.err;
		snprintf(err, errlen, "%s", b.err_what);
	}
out:
	free(b.buf);
	free(b.msgs);
	return ret;
}
