#include "config.h"
#include "nftables/natrules.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>

#include "nftables/iptlegacy.h"

/*
 * iptables-legacy's source-NAT rules in the plain rule list: every MASQUERADE and SNAT
 * target reachable from the nat table's POSTROUTING chain (x_tables hooks it at
 * NF_IP_PRI_NAT_SRC, 100), through jumps and gotos to user chains.  Their "handle" is
 * their position in the chain, as iptables -L --line-numbers counts.
 */

/* The owner of a legacy rule: by chain name, else Docker's shapes in POSTROUTING. */
static enum natrule_owner legacy_owner(const struct natrule *nr, const struct iptlegacy_rule *r)
{
	enum natrule_owner o = natrules_guess_owner("nat", r->chain);

	if (o != NATRULE_OWNER_UNKNOWN || strcmp(r->chain, "POSTROUTING") != 0 ||
	    strcmp(r->target, "MASQUERADE") != 0)
		return o;
	if (nr->hairpin || (strstr(nr->text, "-s ") && strstr(nr->text, "! -o ")) ||
	    (strstr(r->matches, "addrtype") && r->outiface[0]))
		return NATRULE_OWNER_DOCKER;
	return o;
}

static int add(struct natrules *out, const struct iptlegacy_rule *r)
{
	struct natrule *v = realloc(out->v, (out->n + 1) * sizeof(*v)), *nr;

	if (!v)
		return -ENOMEM;
	out->v = v;
	nr = &out->v[out->n++];
	memset(nr, 0, sizeof(*nr));
	nr->family = r->family;
	nr->legacy = true;
	snprintf(nr->table, sizeof(nr->table), "nat");
	snprintf(nr->chain, sizeof(nr->chain), "%s", r->chain);
	snprintf(nr->base_chain, sizeof(nr->base_chain), "POSTROUTING");
	nr->base_priority = 100; /* NF_IP_PRI_NAT_SRC */
	nr->handle = r->num;
	nr->kind = strcmp(r->target, "SNAT") == 0 ? NATRULE_SNAT : NATRULE_MASQUERADE;
	nr->compat = true;
	nr->flags = r->have_range ? r->range.flags : 0;
	nr->addr_range = nr->flags & NF_NAT_RANGE_MAP_IPS;
	nr->port_range = nr->flags & NF_NAT_RANGE_PROTO_SPECIFIED;
	nr->hairpin = iptlegacy_hairpin(r);
	iptlegacy_render(r, nr->text, sizeof(nr->text));
	nr->owner = legacy_owner(nr, r);
	return 0;
}

/* The rules of @chain, and of the chains they jump to (each chain once). */
static int walk(struct natrules *out, const struct iptlegacy_table *t, const char *chain,
		const char ***seen, size_t *nseen)
{
	const char **s;

	for (size_t i = 0; i < *nseen; i++)
		if (strcmp((*seen)[i], chain) == 0)
			return 0;
	s = realloc(*seen, (*nseen + 1) * sizeof(*s));
	if (!s)
		return -ENOMEM;
	*seen = s;
	s[(*nseen)++] = chain;
	for (size_t i = 0; i < t->n; i++) {
		const struct iptlegacy_rule *r = &t->v[i];
		int ret = 0;

		if (strcmp(r->chain, chain) != 0)
			continue;
		if (strcmp(r->target, "MASQUERADE") == 0 || strcmp(r->target, "SNAT") == 0)
			ret = add(out, r);
		else if (iptlegacy_is_chain(t, r->target))
			ret = walk(out, t, r->target, seen, nseen);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int natrules_add_legacy(struct natrules *out)
{
	static const struct {
		uint8_t family;
		size_t flag;
	} fams[] = { { NFPROTO_IPV4, offsetof(struct natrules, legacy_nat_ipv4) },
		     { NFPROTO_IPV6, offsetof(struct natrules, legacy_nat_ipv6) } };

	for (size_t f = 0; f < 2; f++) {
		struct iptlegacy_table t;
		const char **seen = NULL;
		size_t nseen = 0;
		int ret;

		if (!*(bool *)((char *)out + fams[f].flag))
			continue; /* asking for the table would create it */
		ret = iptlegacy_read(fams[f].family, &t);
		if (ret < 0) {
			out->legacy_error = ret;
			continue;
		}
		ret = walk(out, &t, "POSTROUTING", &seen, &nseen);
		free(seen);
		iptlegacy_release(&t);
		if (ret < 0)
			return ret;
	}
	return 0;
}
