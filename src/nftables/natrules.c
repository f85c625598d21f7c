#include "config.h"
#include "nftables/natrules.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/gen.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "netlink/nl.h"
#include "util.h"

struct natrules_ruleset {
	struct nftnl_table **tables;
	size_t ntables;
	struct nftnl_chain **chains;
	size_t nchains;
	struct nftnl_rule **rules; /* in dump order, which is each chain's order */
	size_t nrules;
	struct nftnl_set **sets; /* anonymous ones carry their elements */
	size_t nsets;
};

int natrules_ruleset_new(struct natrules_ruleset **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

void natrules_ruleset_free(struct natrules_ruleset *rs)
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

int natrules_ruleset_add(struct natrules_ruleset *rs, const struct nlmsghdr *nlh)
{
	int ret = 0;

	switch (NFNL_MSG_TYPE(nlh->nlmsg_type)) {
	case NFT_MSG_NEWTABLE: {
		struct nftnl_table *t = nftnl_table_alloc();

		if (!t)
			return -ENOMEM;
		if (nftnl_table_nlmsg_parse(nlh, t) < 0 ||
		    (ret = util_push((void ***)&rs->tables, &rs->ntables, t)) < 0) {
			nftnl_table_free(t);
			return ret ? ret : -EBADMSG;
		}
		return 0;
	}
	case NFT_MSG_NEWCHAIN: {
		struct nftnl_chain *c = nftnl_chain_alloc();

		if (!c)
			return -ENOMEM;
		if (nftnl_chain_nlmsg_parse(nlh, c) < 0 ||
		    (ret = util_push((void ***)&rs->chains, &rs->nchains, c)) < 0) {
			nftnl_chain_free(c);
			return ret ? ret : -EBADMSG;
		}
		return 0;
	}
	case NFT_MSG_NEWSET: {
		struct nftnl_set *st = nftnl_set_alloc();

		if (!st)
			return -ENOMEM;
		if (nftnl_set_nlmsg_parse(nlh, st) < 0 ||
		    (ret = util_push((void ***)&rs->sets, &rs->nsets, st)) < 0) {
			nftnl_set_free(st);
			return ret ? ret : -EBADMSG;
		}
		return 0;
	}
	case NFT_MSG_NEWSETELEM: {
		/* Elements go to the set they name, which the dump listed before. */
		struct nftnl_set *tmp = nftnl_set_alloc(), *st;

		if (!tmp)
			return -ENOMEM;
		ret = nftnl_set_elems_nlmsg_parse(nlh, tmp) < 0 ? -EBADMSG : 0;
		st = ret ? NULL
			 : (struct nftnl_set *)natrules_ruleset_set(
				   rs, nftnl_set_get_u32(tmp, NFTNL_SET_FAMILY),
				   nftnl_set_get_str(tmp, NFTNL_SET_TABLE),
				   nftnl_set_get_str(tmp, NFTNL_SET_NAME));
		nftnl_set_free(tmp);
		if (ret == 0 && st && nftnl_set_elems_nlmsg_parse(nlh, st) < 0)
			ret = -EBADMSG;
		return ret;
	}
	case NFT_MSG_NEWRULE: {
		struct nftnl_rule *r = nftnl_rule_alloc();

		if (!r)
			return -ENOMEM;
		if (nftnl_rule_nlmsg_parse(nlh, r) < 0 ||
		    (ret = util_push((void ***)&rs->rules, &rs->nrules, r)) < 0) {
			nftnl_rule_free(r);
			return ret ? ret : -EBADMSG;
		}
		return 0;
	}
	default:
		return 0;
	}
}

static const char *const owner_names[NATRULE_OWNERS] = {
	[NATRULE_OWNER_UNKNOWN] = "unknown",	   [NATRULE_OWNER_DOCKER] = "docker",
	[NATRULE_OWNER_KUBE_PROXY] = "kube-proxy", [NATRULE_OWNER_FLANNEL] = "flannel",
	[NATRULE_OWNER_CALICO] = "calico",	   [NATRULE_OWNER_LIBVIRT] = "libvirt",
	[NATRULE_OWNER_FIREWALLD] = "firewalld",   [NATRULE_OWNER_NATSCOPE] = "natscope",
};

const char *natrules_owner_name(enum natrule_owner owner)
{
	return owner < NATRULE_OWNERS ? owner_names[owner] : "unknown";
}

/* Chain and table names each project creates (their sources and docs). */
static const struct {
	const char *prefix;
	enum natrule_owner owner;
	bool table; /* match the table name, not the chain name */
} owner_hints[] = {
	{ "DOCKER", NATRULE_OWNER_DOCKER, false },
	{ "KUBE-", NATRULE_OWNER_KUBE_PROXY, false },
	{ "kube-proxy", NATRULE_OWNER_KUBE_PROXY, true },
	{ "FLANNEL", NATRULE_OWNER_FLANNEL, false },
	{ "cali-", NATRULE_OWNER_CALICO, false },
	{ "LIBVIRT_", NATRULE_OWNER_LIBVIRT, false },
	{ "libvirt", NATRULE_OWNER_LIBVIRT, true },
	{ "firewalld", NATRULE_OWNER_FIREWALLD, true },
	{ "nat_POST", NATRULE_OWNER_FIREWALLD, false },
};

/* Interface names in the rule itself, for rules that sit in plain POSTROUTING. */
static const struct {
	const char *needle;
	enum natrule_owner owner;
} text_hints[] = {
	{ "\"docker0\"", NATRULE_OWNER_DOCKER },    { "\"br-", NATRULE_OWNER_DOCKER },
	{ "jump KUBE-", NATRULE_OWNER_KUBE_PROXY }, { "\"cni0\"", NATRULE_OWNER_FLANNEL },
	{ "\"flannel", NATRULE_OWNER_FLANNEL },	    { "\"virbr", NATRULE_OWNER_LIBVIRT },
};

enum natrule_owner natrules_guess_owner(const char *table, const char *chain)
{
	for (size_t i = 0; i < sizeof(owner_hints) / sizeof(owner_hints[0]); i++) {
		const char *name = owner_hints[i].table ? table : chain;

		if (strncasecmp(name, owner_hints[i].prefix, strlen(owner_hints[i].prefix)) == 0)
			return owner_hints[i].owner;
	}
	return NATRULE_OWNER_UNKNOWN;
}

static enum natrule_owner guess_owner_by_text(const char *text)
{
	for (size_t i = 0; i < sizeof(text_hints) / sizeof(text_hints[0]); i++)
		if (strstr(text, text_hints[i].needle))
			return text_hints[i].owner;
	return NATRULE_OWNER_UNKNOWN;
}

const char *natrules_family_name(uint8_t family)
{
	switch (family) {
	case NFPROTO_IPV4:
		return "ip";
	case NFPROTO_IPV6:
		return "ip6";
	case NFPROTO_INET:
		return "inet";
	case NFPROTO_ARP:
		return "arp";
	case NFPROTO_BRIDGE:
		return "bridge";
	case NFPROTO_NETDEV:
		return "netdev";
	default:
		return "unknown";
	}
}

bool natrule_fully_random(const struct natrule *r)
{
	return r->flags & NF_NAT_RANGE_PROTO_RANDOM_FULLY;
}

void natrules_init(struct natrules *nr)
{
	memset(nr, 0, sizeof(*nr));
}

void natrules_release(struct natrules *nr)
{
	free(nr->v);
	natrules_init(nr);
}

static bool same_table(const struct nftnl_rule *r, uint32_t family, const char *table)
{
	return nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY) == family &&
	       strcmp(nftnl_rule_get_str(r, NFTNL_RULE_TABLE), table) == 0;
}

static int table_comment_cb(const struct nftnl_udata *attr, void *data)
{
	if (nftnl_udata_type(attr) == NFTNL_UDATA_TABLE_COMMENT)
		*(const char **)data = nftnl_udata_get(attr);
	return 0;
}

const char *natrules_ruleset_owned_comment(const struct natrules_ruleset *rs, uint32_t family,
					   const char *name)
{
	for (size_t i = 0; i < rs->ntables; i++) {
		const struct nftnl_table *t = rs->tables[i];
		const char *comment = NULL;
		const void *ud;
		uint32_t len;

		if (nftnl_table_get_u32(t, NFTNL_TABLE_FAMILY) != family ||
		    strcmp(nftnl_table_get_str(t, NFTNL_TABLE_NAME), name) != 0)
			continue;
		ud = nftnl_table_get_data(t, NFTNL_TABLE_USERDATA, &len);
		if (ud)
			nftnl_udata_parse(ud, len, table_comment_cb, &comment);
		if (comment &&
		    strncmp(comment, NATRULES_OWNER_MARK, strlen(NATRULES_OWNER_MARK)) == 0)
			return comment;
		return NULL;
	}
	return NULL;
}

bool natrules_ruleset_has_table(const struct natrules_ruleset *rs, uint32_t family,
				const char *name)
{
	for (size_t i = 0; i < rs->ntables; i++)
		if (nftnl_table_get_u32(rs->tables[i], NFTNL_TABLE_FAMILY) == family &&
		    strcmp(nftnl_table_get_str(rs->tables[i], NFTNL_TABLE_NAME), name) == 0)
			return true;
	return false;
}

static bool table_is_ours(const struct natrules_ruleset *rs, uint32_t family, const char *name)
{
	return natrules_ruleset_owned_comment(rs, family, name) != NULL;
}

const struct nftnl_set *natrules_ruleset_set(const struct natrules_ruleset *rs, uint32_t family,
					     const char *table, const char *name)
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

size_t natrules_ruleset_nchains(const struct natrules_ruleset *rs)
{
	return rs->nchains;
}

const struct nftnl_chain *natrules_ruleset_chain(const struct natrules_ruleset *rs, size_t i)
{
	return i < rs->nchains ? rs->chains[i] : NULL;
}

size_t natrules_ruleset_nrules(const struct natrules_ruleset *rs)
{
	return rs->nrules;
}

const struct nftnl_rule *natrules_ruleset_rule(const struct natrules_ruleset *rs, size_t i)
{
	return i < rs->nrules ? rs->rules[i] : NULL;
}

/*
 * xt NAT target info: iptables' IPv4 MASQUERADE rev 0 and SNAT rev 0 carry
 * struct nf_nat_ipv4_multi_range_compat (flags after the u32 rangesize); every other
 * revision and ip6tables carry nf_nat_range/nf_nat_range2 (flags first).
 */
static int compat_flags(const struct nftnl_expr *e, uint32_t family, uint32_t *flags)
{
	uint32_t len, rev = nftnl_expr_get_u32(e, NFTNL_EXPR_TG_REV);
	const uint8_t *info = nftnl_expr_get(e, NFTNL_EXPR_TG_INFO, &len);
	size_t off = family == NFPROTO_IPV4 && rev == 0 ? sizeof(uint32_t) : 0;

	if (!info || len < off + sizeof(uint32_t))
		return -EBADMSG;
	memcpy(flags, info + off, sizeof(*flags));
	return 0;
}

/* Fill @out if @e is a source-NAT statement. Returns 1 if it is, 0 if not. */
static int snat_statement(const struct nftnl_expr *e, uint32_t family, struct natrule *out)
{
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);

	if (strcmp(name, "masq") == 0) {
		out->kind = NATRULE_MASQUERADE;
		out->flags = nftnl_expr_is_set(e, NFTNL_EXPR_MASQ_FLAGS)
				     ? nftnl_expr_get_u32(e, NFTNL_EXPR_MASQ_FLAGS)
				     : 0;
		out->port_range = nftnl_expr_is_set(e, NFTNL_EXPR_MASQ_REG_PROTO_MIN);
		return 1;
	}
	if (strcmp(name, "nat") == 0 &&
	    nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_TYPE) == NFT_NAT_SNAT) {
		out->kind = NATRULE_SNAT;
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
			out->kind = NATRULE_MASQUERADE;
		else if (strcmp(tg, "SNAT") == 0)
			out->kind = NATRULE_SNAT;
		else
			return 0;
		out->compat = true;
		if (compat_flags(e, family, &out->flags) < 0)
			out->flags = 0;
		out->addr_range = out->flags & NF_NAT_RANGE_MAP_IPS;
		out->port_range = out->flags & NF_NAT_RANGE_PROTO_SPECIFIED;
		return 1;
	}
	return 0;
}

static const char *jump_target(const struct nftnl_expr *e);

bool natrules_expr_snat(const struct nftnl_expr *e, uint32_t family, uint32_t *flags)
{
	struct natrule r = { 0 };

	if (!snat_statement(e, family, &r))
		return false;
	*flags = r.flags;
	return true;
}

const char *natrules_expr_jump(const struct nftnl_expr *e)
{
	return jump_target(e);
}

/* A jump or goto target of @e, or NULL. */
static const char *jump_target(const struct nftnl_expr *e)
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

struct walk {
	const struct natrules_ruleset *rs;
	struct natrules *out;
	const struct nftnl_chain *base;
	uint32_t family;
	const char *table;
	const char *visited[256]; /* chains reached from this base chain */
	size_t nvisited;
};

static bool visited(struct walk *w, const char *chain)
{
	for (size_t i = 0; i < w->nvisited; i++)
		if (strcmp(w->visited[i], chain) == 0)
			return true;
	return false;
}

static bool already_listed(const struct natrules *out, uint32_t family, const char *table,
			   uint64_t handle)
{
	for (unsigned int i = 0; i < out->n; i++)
		if (out->v[i].family == family && out->v[i].handle == handle &&
		    strcmp(out->v[i].table, table) == 0)
			return true;
	return false;
}

static int add_rule(struct walk *w, const struct nftnl_rule *r, const char *chain,
		    const struct natrule *found)
{
	struct natrules *out = w->out;
	struct natrule *arr, *nr;
	uint64_t handle = nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE);

	if (already_listed(out, w->family, w->table, handle))
		return 0;
	arr = realloc(out->v, (out->n + 1) * sizeof(*arr));
	if (!arr)
		return -ENOMEM;
	out->v = arr;
	nr = &out->v[out->n++];
	*nr = *found;
	nr->family = (uint8_t)w->family;
	nr->handle = handle;
	snprintf(nr->table, sizeof(nr->table), "%s", w->table);
	snprintf(nr->chain, sizeof(nr->chain), "%s", chain);
	snprintf(nr->base_chain, sizeof(nr->base_chain), "%s",
		 nftnl_chain_get_str(w->base, NFTNL_CHAIN_NAME));
	nr->base_priority = (int32_t)nftnl_chain_get_u32(w->base, NFTNL_CHAIN_PRIO);
	natrules_render(r, (uint8_t)w->family, 0, nr->text, sizeof(nr->text));
	nr->owner = table_is_ours(w->rs, w->family, w->table)
			    ? NATRULE_OWNER_NATSCOPE
			    : natrules_guess_owner(w->table, chain);
	if (nr->owner == NATRULE_OWNER_UNKNOWN)
		nr->owner = guess_owner_by_text(nr->text);
	return 0;
}

/* Depth-first over the chains @chain jumps to, in rule order. */
static int walk_chain(struct walk *w, const char *chain)
{
	if (visited(w, chain) || w->nvisited == sizeof(w->visited) / sizeof(w->visited[0]))
		return 0;
	w->visited[w->nvisited++] = chain;

	for (size_t i = 0; i < w->rs->nrules; i++) {
		const struct nftnl_rule *r = w->rs->rules[i];
		struct nftnl_expr_iter *it;
		struct nftnl_expr *e;
		int ret = 0;

		if (!same_table(r, w->family, w->table) ||
		    strcmp(nftnl_rule_get_str(r, NFTNL_RULE_CHAIN), chain) != 0)
			continue;
		it = nftnl_expr_iter_create(r);
		if (!it)
			return -ENOMEM;
		while (ret == 0 && (e = nftnl_expr_iter_next(it))) {
			struct natrule found = { 0 };
			const char *target;

			if (snat_statement(e, w->family, &found))
				ret = add_rule(w, r, chain, &found);
			else if ((target = jump_target(e)))
				ret = walk_chain(w, target);
		}
		nftnl_expr_iter_destroy(it);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static bool nat_postrouting_base(const struct nftnl_chain *c)
{
	uint32_t family = nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY);

	return nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM) &&
	       nftnl_chain_is_set(c, NFTNL_CHAIN_TYPE) &&
	       strcmp(nftnl_chain_get_str(c, NFTNL_CHAIN_TYPE), "nat") == 0 &&
	       nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM) == NF_INET_POST_ROUTING &&
	       (family == NFPROTO_IPV4 || family == NFPROTO_IPV6 || family == NFPROTO_INET);
}

int natrules_analyze(const struct natrules_ruleset *rs, struct natrules *out)
{
	out->have_nftables = true;
	for (size_t i = 0; i < rs->nchains; i++) {
		const struct nftnl_chain *c = rs->chains[i];
		struct walk w = { .rs = rs, .out = out, .base = c };
		int ret;

		if (!nat_postrouting_base(c))
			continue;
		out->base_chains++;
		w.family = nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY);
		w.table = nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE);
		ret = walk_chain(&w, nftnl_chain_get_str(c, NFTNL_CHAIN_NAME));
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int ruleset_cb(const struct nlmsghdr *nlh, void *data)
{
	int ret = natrules_ruleset_add(data, nlh);

	if (ret < 0) {
		errno = -ret;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

static int gen_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_gen *gen = nftnl_gen_alloc();

	if (!gen) {
		errno = ENOMEM;
		return MNL_CB_ERROR;
	}
	if (nftnl_gen_nlmsg_parse(nlh, gen) < 0) {
		nftnl_gen_free(gen);
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	*(uint32_t *)data = nftnl_gen_get_u32(gen, NFTNL_GEN_ID);
	nftnl_gen_free(gen);
	return MNL_CB_OK;
}

static int read_genid(struct nl_sock *nl, uint32_t *genid)
{
	struct nlmsghdr *nlh = nl_nfmsg_start(nl, (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETGEN,
					      NLM_F_REQUEST, AF_UNSPEC, 0);

	return nl_request(nl, nlh, gen_cb, genid);
}

static bool table_has_nat_postrouting(const struct natrules_ruleset *rs, uint32_t family,
				      const char *table)
{
	for (size_t i = 0; i < rs->nchains; i++)
		if (nat_postrouting_base(rs->chains[i]) &&
		    nftnl_chain_get_u32(rs->chains[i], NFTNL_CHAIN_FAMILY) == family &&
		    strcmp(nftnl_chain_get_str(rs->chains[i], NFTNL_CHAIN_TABLE), table) == 0)
			return true;
	return false;
}

/*
 * Elements of the anonymous sets of tables with a nat postrouting chain, for `fix` to
 * recreate them (there is no dump of every set's elements: one request per set).
 */
static int dump_anonymous_elements(struct nl_sock *nl, struct natrules_ruleset *rs)
{
	for (size_t i = 0; i < rs->nsets; i++) {
		const struct nftnl_set *st = rs->sets[i];
		uint32_t family = nftnl_set_get_u32(st, NFTNL_SET_FAMILY);
		const char *table = nftnl_set_get_str(st, NFTNL_SET_TABLE);
		struct nftnl_set *req;
		struct nlmsghdr *nlh;
		int ret;

		if (!(nftnl_set_get_u32(st, NFTNL_SET_FLAGS) & NFT_SET_ANONYMOUS) ||
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

int natrules_dump(struct nl_sock *nl, struct natrules_ruleset **out, uint32_t *genid)
{
	static const uint16_t what[] = { NFT_MSG_GETTABLE, NFT_MSG_GETCHAIN, NFT_MSG_GETRULE,
					 NFT_MSG_GETSET };

	/* A concurrent change between the reads: try again, as nft does. */
	for (int attempt = 0; attempt < 10; attempt++) {
		struct natrules_ruleset *rs;
		uint32_t gen_before, gen_after;
		int ret;

		ret = read_genid(nl, &gen_before);
		if (ret < 0)
			return ret;
		ret = natrules_ruleset_new(&rs);
		if (ret < 0)
			return ret;
		for (size_t i = 0; i < sizeof(what) / sizeof(what[0]) && ret == 0; i++) {
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
			natrules_ruleset_free(rs);
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
		natrules_ruleset_free(rs);
	}
	return -EAGAIN;
}

static bool names_file_has_nat(const char *path)
{
	char line[64];
	bool found = false;
	FILE *f = fopen(path, "re");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strcmp(line, "nat\n") == 0 || strcmp(line, "nat") == 0;
	fclose(f);
	return found;
}

void natrules_read_legacy(const char *proc_net, struct natrules *out)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/ip_tables_names", proc_net);
	out->legacy_nat_ipv4 = names_file_has_nat(path);
	snprintf(path, sizeof(path), "%s/ip6_tables_names", proc_net);
	out->legacy_nat_ipv6 = names_file_has_nat(path);
}
