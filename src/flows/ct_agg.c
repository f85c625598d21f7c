#include "config.h"
#include "flows/ct_agg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

const uint32_t ct_agg_timeout_bounds[CT_AGG_TIMEOUT_BUCKETS - 1] = { 10, 30, 60, 120, 300 };

/*
 * Open-addressing hash tables with linear probing, grown by doubling at half load up to
 * a fixed bound.  Groups are few (one per destination ip:port behind each SNAT address),
 * so exact counting is affordable; the bounds only bite on pathological tables and are
 * then reported, never silently applied.
 */
struct group_key {
	uint8_t family;
	uint8_t l4proto;
	uint16_t dport;
	union ct_addr snat_src;
	union ct_addr dst;
};

struct source_slot {
	uint32_t group; /* group index + 1; 0 = empty */
	union ct_addr src;
};

struct ct_agg {
	struct ct_summary sum;

	struct ct_agg_group *groups;
	uint32_t ngroups, groups_cap;
	uint32_t *gindex; /* group index + 1; 0 = empty */
	uint32_t gindex_size;

	struct source_slot *sources;
	uint32_t nsources, sources_size;
};

/*
 * Word-wise multiply-xorshift mixing: a byte-wise FNV-1a over the 36-byte key cost ~210
 * instructions an entry (callgrind), a fifth of natscope's whole per-entry budget.
 */
static inline uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v;
	h *= 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 29);
}

static inline uint64_t addr_mix(uint64_t h, const union ct_addr *a)
{
	uint64_t w[2];

	memcpy(w, a, sizeof(w));
	return mix(mix(h, w[0]), w[1]);
}

static uint32_t hash_group(const struct group_key *k)
{
	uint64_t h = mix(0, (uint64_t)k->family << 24 | (uint64_t)k->l4proto << 16 | k->dport);

	h = addr_mix(addr_mix(h, &k->snat_src), &k->dst);
	return (uint32_t)(h ^ (h >> 32));
}

static bool group_matches(const struct ct_agg_group *g, const struct group_key *k)
{
	return g->family == k->family && g->l4proto == k->l4proto && g->dport == k->dport &&
	       memcmp(&g->snat_src, &k->snat_src, sizeof(k->snat_src)) == 0 &&
	       memcmp(&g->dst, &k->dst, sizeof(k->dst)) == 0;
}

int ct_agg_new(struct ct_agg **out)
{
	struct ct_agg *agg = calloc(1, sizeof(*agg));

	if (!agg)
		return -ENOMEM;
	*out = agg;
	return 0;
}

void ct_agg_free(struct ct_agg *agg)
{
	if (!agg)
		return;
	free(agg->groups);
	free(agg->gindex);
	free(agg->sources);
	free(agg);
}

static int gindex_grow(struct ct_agg *agg)
{
	uint32_t size = agg->gindex_size ? agg->gindex_size * 2 : 256;
	uint32_t *idx = calloc(size, sizeof(*idx));

	if (!idx)
		return -ENOMEM;
	for (uint32_t i = 0; i < agg->ngroups; i++) {
		const struct ct_agg_group *g = &agg->groups[i];
		struct group_key k = { g->family, g->l4proto, g->dport, g->snat_src, g->dst };
		uint32_t pos = hash_group(&k) & (size - 1);

		while (idx[pos])
			pos = (pos + 1) & (size - 1);
		idx[pos] = i + 1;
	}
	free(agg->gindex);
	agg->gindex = idx;
	agg->gindex_size = size;
	return 0;
}

/* Returns the group, NULL when the group bound is reached, or sets *err on OOM. */
static struct ct_agg_group *group_get(struct ct_agg *agg, const struct group_key *k, int *err)
{
	struct ct_agg_group *g;
	uint32_t pos;

	if (agg->gindex_size == 0 || (agg->ngroups + 1) * 2 > agg->gindex_size) {
		if (agg->ngroups < CT_AGG_MAX_GROUPS && (*err = gindex_grow(agg)) < 0)
			return NULL;
	}
	pos = hash_group(k) & (agg->gindex_size - 1);
	while (agg->gindex[pos]) {
		g = &agg->groups[agg->gindex[pos] - 1];
		if (group_matches(g, k))
			return g;
		pos = (pos + 1) & (agg->gindex_size - 1);
	}
	if (agg->ngroups >= CT_AGG_MAX_GROUPS)
		return NULL;
	if (agg->ngroups == agg->groups_cap) {
		uint32_t cap = agg->groups_cap ? agg->groups_cap * 2 : 64;
		struct ct_agg_group *arr = realloc(agg->groups, cap * sizeof(*arr));

		if (!arr) {
			*err = -ENOMEM;
			return NULL;
		}
		agg->groups = arr;
		agg->groups_cap = cap;
	}
	g = &agg->groups[agg->ngroups];
	memset(g, 0, sizeof(*g));
	g->family = k->family;
	g->l4proto = k->l4proto;
	g->dport = k->dport;
	g->snat_src = k->snat_src;
	g->dst = k->dst;
	agg->gindex[pos] = ++agg->ngroups;
	return g;
}

static uint32_t hash_source(uint32_t group, const union ct_addr *src)
{
	uint64_t h = addr_mix(mix(0, group), src);

	return (uint32_t)(h ^ (h >> 32));
}

static int sources_grow(struct ct_agg *agg)
{
	uint32_t size = agg->sources_size ? agg->sources_size * 2 : 256;
	struct source_slot *tab = calloc(size, sizeof(*tab));

	if (!tab)
		return -ENOMEM;
	for (uint32_t i = 0; i < agg->sources_size; i++) {
		const struct source_slot *s = &agg->sources[i];
		uint32_t pos;

		if (!s->group)
			continue;
		pos = hash_source(s->group, &s->src) & (size - 1);
		while (tab[pos].group)
			pos = (pos + 1) & (size - 1);
		tab[pos] = *s;
	}
	free(agg->sources);
	agg->sources = tab;
	agg->sources_size = size;
	return 0;
}

/* Count @src in @g once. */
static int source_add(struct ct_agg *agg, struct ct_agg_group *g, const union ct_addr *src)
{
	uint32_t gid = (uint32_t)(g - agg->groups) + 1;
	uint32_t pos;
	int ret;

	/* At the bound the table stays at most half full, so probing still ends. */
	if ((agg->sources_size == 0 || (agg->nsources + 1) * 2 > agg->sources_size) &&
	    agg->nsources < CT_AGG_MAX_SOURCES) {
		ret = sources_grow(agg);
		if (ret < 0)
			return ret;
	}
	pos = hash_source(gid, src) & (agg->sources_size - 1);
	while (agg->sources[pos].group) {
		if (agg->sources[pos].group == gid &&
		    memcmp(&agg->sources[pos].src, src, sizeof(*src)) == 0)
			return 0;
		pos = (pos + 1) & (agg->sources_size - 1);
	}
	if (agg->nsources >= CT_AGG_MAX_SOURCES) {
		g->sources_capped = true;
		return 0;
	}
	agg->sources[pos].group = gid;
	agg->sources[pos].src = *src;
	agg->nsources++;
	g->sources++;
	return 0;
}

unsigned int ct_agg_timeout_bucket(uint32_t seconds)
{
	unsigned int i;

	for (i = 0; i < CT_AGG_TIMEOUT_BUCKETS - 1; i++)
		if (seconds < ct_agg_timeout_bounds[i])
			break;
	return i;
}

int ct_agg_add(struct ct_agg *agg, const struct ct_flow *f)
{
	struct ct_summary *s = &agg->sum;
	enum ct_nat_kind kind = ct_flow_nat_kind(f);
	bool unreplied = ct_flow_unreplied(f);
	struct ct_agg_group *g;
	struct group_key k;
	int err = 0;

	s->total++;
	s->by_family[f->family == AF_INET    ? CT_AGG_IPV4
		     : f->family == AF_INET6 ? CT_AGG_IPV6
					     : CT_AGG_FAMILY_OTHER]++;
	s->by_proto[f->l4proto]++;
	if (f->has_tcp_state && f->tcp_state < CT_TCP_STATES) {
		s->tcp_state[f->tcp_state]++;
		if (f->tcp_state == CT_TCP_TIME_WAIT)
			s->time_wait_timeout[ct_agg_timeout_bucket(f->timeout)]++;
	}
	if (ct_flow_assured(f))
		s->assured++;
	if (unreplied) {
		s->unreplied++;
		s->unreplied_timeout[ct_agg_timeout_bucket(f->timeout)]++;
	}
	s->nat_kind[kind]++;

	if (kind != CT_NAT_SNAT && kind != CT_NAT_BOTH)
		return 0;

	/* The reply tuple is what must be unique: (dst, dport) seen from the NAT address. */
	memset(&k, 0, sizeof(k));
	k.family = f->family;
	k.l4proto = f->l4proto;
	k.snat_src = f->reply.dst;
	k.dst = f->reply.src;
	k.dport = f->reply.sport;
	g = group_get(agg, &k, &err);
	if (!g) {
		if (err)
			return err;
		s->groups_truncated = true;
		s->untracked_snat++;
		return 0;
	}
	g->entries++;
	if (f->reply.dport >= CT_AGG_PORT_LO)
		g->ports_in_range++;
	if (unreplied)
		g->unreplied++;
	return source_add(agg, g, &f->orig.src);
}

static int group_cmp(const void *a, const void *b)
{
	const struct ct_agg_group *ga = *(const struct ct_agg_group *const *)a;
	const struct ct_agg_group *gb = *(const struct ct_agg_group *const *)b;

	if (ga->entries != gb->entries)
		return ga->entries < gb->entries ? 1 : -1;
	/* Stable, address-independent order for ties, so output is reproducible. */
	if (ga->l4proto != gb->l4proto)
		return ga->l4proto < gb->l4proto ? -1 : 1;
	if (ga->dport != gb->dport)
		return ga->dport < gb->dport ? -1 : 1;
	int c = memcmp(&ga->dst, &gb->dst, sizeof(ga->dst));

	return c ? c : memcmp(&ga->snat_src, &gb->snat_src, sizeof(ga->snat_src));
}

void ct_agg_summarize(const struct ct_agg *agg, struct ct_summary *sum)
{
	*sum = agg->sum;
	sum->ngroups = agg->ngroups;
	sum->ntop = 0;

	/* Partial selection: keep the CT_AGG_TOP largest in a small sorted array. */
	const struct ct_agg_group *best[CT_AGG_TOP + 1];
	unsigned int n = 0;

	for (uint32_t i = 0; i < agg->ngroups; i++) {
		const struct ct_agg_group *g = &agg->groups[i];
		unsigned int j;

		if (n == CT_AGG_TOP && group_cmp(&g, &best[n - 1]) >= 0)
			continue;
		j = n < CT_AGG_TOP ? n++ : n - 1;
		while (j > 0 && group_cmp(&g, &best[j - 1]) < 0) {
			best[j] = best[j - 1];
			j--;
		}
		best[j] = g;
	}
	for (unsigned int i = 0; i < n; i++)
		sum->top[i] = *best[i];
	sum->ntop = n;
}

double ct_agg_group_port_share(const struct ct_agg_group *g)
{
	return (double)g->ports_in_range / CT_AGG_PORT_SPACE;
}
