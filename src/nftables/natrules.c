#include "config.h"
#include "nftables/natrules.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>

#include "nftables/natexpr.h"
#include "nftables/natrules_render.h"
#include "nftables/owner.h"
#include "nftables/ruleset.h"
#include "util.h"

static const char *const owner_names[NATRULE_OWNERS] = {
	[NATRULE_OWNER_UNKNOWN] = "unknown",
	[NATRULE_OWNER_DOCKER] = "docker",
	[NATRULE_OWNER_KUBE_PROXY] = "kube-proxy",
	[NATRULE_OWNER_FLANNEL] = "flannel",
	[NATRULE_OWNER_CALICO] = "calico",
	[NATRULE_OWNER_LIBVIRT] = "libvirt",
	[NATRULE_OWNER_FIREWALLD] = "firewalld",
	[NATRULE_OWNER_PODMAN] = "podman",
	[NATRULE_OWNER_CNI] = "cni",
	[NATRULE_OWNER_CILIUM] = "cilium",
	[NATRULE_OWNER_LXD] = "lxd",
	[NATRULE_OWNER_FW4] = "fw4",
	[NATRULE_OWNER_NATSCOPE] = "natscope",
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
	/* Docker 29's nftables firewall backend: table ip/ip6 docker-bridges */
	{ "docker-bridges", NATRULE_OWNER_DOCKER, true },
	{ "KUBE-", NATRULE_OWNER_KUBE_PROXY, false },
	{ "kube-proxy", NATRULE_OWNER_KUBE_PROXY, true },
	{ "FLANNEL", NATRULE_OWNER_FLANNEL, false },
	{ "cali-", NATRULE_OWNER_CALICO, false },
	{ "LIBVIRT_", NATRULE_OWNER_LIBVIRT, false },
	{ "libvirt", NATRULE_OWNER_LIBVIRT, true },
	{ "firewalld", NATRULE_OWNER_FIREWALLD, true },
	{ "nat_POST", NATRULE_OWNER_FIREWALLD, false },
	/* Podman's netavark: iptables chains NETAVARK-*, its nftables driver table netavark */
	{ "NETAVARK", NATRULE_OWNER_PODMAN, false },
	{ "netavark", NATRULE_OWNER_PODMAN, true },
	/* the CNI portmap/bridge plugins (containerd, CRI-O, older Podman): CNI-* chains */
	{ "CNI-", NATRULE_OWNER_CNI, false },
	/* Cilium's iptables rules (pkg/datapath/iptables): CILIUM_POST_nat and the like */
	{ "CILIUM_", NATRULE_OWNER_CILIUM, false },
	/* LXD's nftables driver: table inet lxd, chains pstrt.BRIDGE */
	{ "lxd", NATRULE_OWNER_LXD, true },
	/* OpenWrt's firewall4: table inet fw4 (chains srcnat, srcnat_ZONE) */
	{ "fw4", NATRULE_OWNER_FW4, true },
};

/* Interface names in the rule itself, for rules that sit in plain POSTROUTING. */
static const struct {
	const char *needle;
	enum natrule_owner owner;
} text_hints[] = {
	{ "\"docker0\"", NATRULE_OWNER_DOCKER },
	{ "\"br-", NATRULE_OWNER_DOCKER },
	{ "jump KUBE-", NATRULE_OWNER_KUBE_PROXY },
	{ "\"cni0\"", NATRULE_OWNER_FLANNEL },
	{ "\"flannel", NATRULE_OWNER_FLANNEL },
	{ "\"virbr", NATRULE_OWNER_LIBVIRT },
	/* LXD's iptables driver comments every rule it writes */
	{ "generated for LXD network", NATRULE_OWNER_LXD },
};

enum natrule_owner natrules_guess_owner(const char *table, const char *chain)
{
	for (size_t i = 0; i < ARRAY_SIZE(owner_hints); i++) {
		const char *name = owner_hints[i].table ? table : chain;

		if (strncasecmp(name, owner_hints[i].prefix, strlen(owner_hints[i].prefix)) == 0)
			return owner_hints[i].owner;
	}
	return NATRULE_OWNER_UNKNOWN;
}

/*
 * Docker's own rules in iptables' plain POSTROUTING chain of table nat, whatever its
 * bridge is called (com.docker.network.bridge.name): per network "-s SUBNET ! -o BRIDGE
 * -j MASQUERADE", per published port the hairpin "-s C -d C -p tcp --dport P -j
 * MASQUERADE", and with userland-proxy off "-o BRIDGE -m addrtype --src-type LOCAL -j
 * MASQUERADE" (moby's libnetwork/drivers/bridge setup_ip_tables and port mapping).
 */
static bool docker_shape(const struct nftnl_rule *r, const char *table, const char *chain,
			 const struct natrule *nr)
{
	struct nftnl_expr_iter *it;
	struct nftnl_expr *e;
	bool addrtype = false;

	if (!nr->compat || nr->kind != NATRULE_MASQUERADE || strcmp(table, "nat") != 0 ||
	    strcmp(chain, "POSTROUTING") != 0)
		return false;
	if (nr->hairpin || (strstr(nr->text, "saddr ") && strstr(nr->text, "oifname != ")))
		return true;
	it = nftnl_expr_iter_create(r);
	while (it && (e = nftnl_expr_iter_next(it)))
		addrtype |= strcmp(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), "match") == 0 &&
			    nftnl_expr_get_str(e, NFTNL_EXPR_MT_NAME) &&
			    strcmp(nftnl_expr_get_str(e, NFTNL_EXPR_MT_NAME), "addrtype") == 0;
	if (it)
		nftnl_expr_iter_destroy(it);
	return addrtype && strstr(nr->text, "oifname ");
}

static enum natrule_owner guess_owner_by_text(const char *text)
{
	for (size_t i = 0; i < ARRAY_SIZE(text_hints); i++)
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

const char *natrules_cover_name(enum natrule_cover cover)
{
	static const char *const names[NATRULE_COVERS] = {
		[NATRULE_COVER_NONE] = "",
		[NATRULE_COVER_COVERED] = "covered",
		[NATRULE_COVER_HARMLESS] = "stale_harmless",
		[NATRULE_COVER_UNCOVERED] = "uncovered",
		[NATRULE_COVER_DANGEROUS] = "dangerous",
	};

	return cover < NATRULE_COVERS ? names[cover] : "";
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

static bool table_is_ours(const struct ruleset *rs, uint32_t family, const char *name)
{
	return owner_of_table(rs, family, name, NULL) == 1;
}

struct walk {
	const struct ruleset *rs;
	struct natrules *out;
	const struct nftnl_chain *base;
	uint32_t family;
	const char *table;
};

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
	nr->hairpin = natexpr_rule_hairpin(r);
	nr->owner = table_is_ours(w->rs, w->family, w->table)
			    ? NATRULE_OWNER_NATSCOPE
			    : natrules_guess_owner(w->table, chain);
	if (nr->owner == NATRULE_OWNER_UNKNOWN)
		nr->owner = guess_owner_by_text(nr->text);
	if (nr->owner == NATRULE_OWNER_UNKNOWN && docker_shape(r, w->table, chain, nr))
		nr->owner = NATRULE_OWNER_DOCKER;
	return 0;
}

/* The natrule of a source-NAT statement: 1 if @e is one, else 0. */
static int natrule_from_expr(const struct nftnl_expr *e, uint32_t family, struct natrule *out)
{
	struct natexpr_nat nat;

	if (!natexpr_snat(e, family, &nat))
		return 0;
	out->kind = nat.kind == NATEXPR_MASQUERADE ? NATRULE_MASQUERADE : NATRULE_SNAT;
	out->compat = nat.compat;
	out->flags = nat.flags;
	out->addr_range = nat.addr_range;
	out->port_range = nat.port_range;
	return 1;
}

/* One rule of a chain the walk reached: listed if it holds a source-NAT statement. */
static int visit_rule(const struct nftnl_rule *r, const char *chain, void *data)
{
	struct walk *w = data;
	struct nftnl_expr_iter *it = nftnl_expr_iter_create(r);
	struct nftnl_expr *e;
	int ret = 0;

	if (!it)
		return -ENOMEM;
	while (ret == 0 && (e = nftnl_expr_iter_next(it))) {
		struct natrule found = { 0 };

		if (natrule_from_expr(e, w->family, &found))
			ret = add_rule(w, r, chain, &found);
	}
	nftnl_expr_iter_destroy(it);
	return ret;
}

int natrules_analyze(const struct ruleset *rs, struct natrules *out)
{
	out->have_nftables = true;
	for (size_t i = 0; i < ruleset_nchains(rs); i++) {
		const struct nftnl_chain *c = ruleset_chain(rs, i);
		struct walk w = { .rs = rs, .out = out, .base = c };
		int ret;

		if (!ruleset_is_nat_postrouting(c))
			continue;
		out->base_chains++;
		w.family = nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY);
		w.table = nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE);
		ret = ruleset_walk(rs, w.family, w.table, nftnl_chain_get_str(c, NFTNL_CHAIN_NAME),
				   NULL, visit_rule, &w);
		if (ret < 0)
			return ret;
	}
	return 0;
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
