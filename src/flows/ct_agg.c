#include "config.h"
#include "flows/ct_agg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "hash.h"
#include "topk.h"

const uint32_t ct_agg_timeout_bounds[CT_AGG_TIMEOUT_BUCKETS - 1] = { 10, 30, 60, 120, 300 };

/*
 * Open-addressing hash tables with linear probing, grown by doubling at half load up to
 * a fixed bound.  Groups are few (one per destination ip:port behind each SNAT address),
 * so exact counting is affordable; the bounds only bite on pathological tables and are
 * then reported, never silently applied.
 */
struct source_slot {
	uint32_t group; /* group index + 1; 0 = empty */
	uint32_t entries;
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

	const struct localnets *nets;
};

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
		uint32_t pos = ct_snat_key_hash(&agg->groups[i].key) & (size - 1);

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
static struct ct_agg_group *group_get(struct ct_agg *agg, const struct ct_snat_key *k, int *err)
{
	struct ct_agg_group *g;
	uint32_t pos;

	if (agg->gindex_size == 0 || (agg->ngroups + 1) * 2 > agg->gindex_size) {
		if (agg->ngroups < CT_AGG_MAX_GROUPS && (*err = gindex_grow(agg)) < 0)
			return NULL;
	}
	pos = ct_snat_key_hash(k) & (agg->gindex_size - 1);
	while (agg->gindex[pos]) {
		g = &agg->groups[agg->gindex[pos] - 1];
		if (ct_snat_key_eq(&g->key, k))
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
	g->key = *k;
	agg->gindex[pos] = ++agg->ngroups;
	return g;
}

static uint32_t hash_source(uint32_t group, const union ct_addr *src)
{
	return hash_fold(hash_mix16(hash_mix(0, group), src));
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
		    memcmp(&agg->sources[pos].src, src, sizeof(*src)) == 0) {
			agg->sources[pos].entries++;
			return 0;
		}
		pos = (pos + 1) & (agg->sources_size - 1);
	}
	if (agg->nsources >= CT_AGG_MAX_SOURCES) {
		g->sources_capped = true;
		return 0;
	}
	agg->sources[pos].group = gid;
	agg->sources[pos].src = *src;
	agg->sources[pos].entries = 1;
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

/* Count @k's entry in @s, merged with its pair; the first CT_AGG_PAIRS pairs are kept. */
static void note_pair(struct ct_agg_pairs *s, const struct ct_agg_pair *k)
{
	size_t len = k->family == AF_INET ? 4 : 16;

	s->entries++;
	for (unsigned int i = 0; i < s->n; i++) {
		struct ct_agg_pair *p = &s->v[i];

		if (p->family == k->family && p->dport == k->dport && p->to_port == k->to_port &&
		    p->from_server == k->from_server && memcmp(p->src.a8, k->src.a8, len) == 0 &&
		    memcmp(p->dst.a8, k->dst.a8, len) == 0 &&
		    memcmp(p->to.a8, k->to.a8, len) == 0) {
			p->entries++;
			return;
		}
	}
	if (s->n == CT_AGG_PAIRS)
		s->capped = true;
	else
		s->v[s->n++] = *k;
}

/*
 * A TCP entry of which one direction only passes here.  In SYN_SENT the original
 * direction is the client's; an entry picked up mid-stream may start from either side:
 * the server is the one with the lower port.
 */
static void note_oneway(struct ct_summary *s, const struct ct_flow *f, bool syn)
{
	bool from_server = !syn && f->orig.sport < f->orig.dport;
	struct ct_agg_pair k = {
		.family = f->family,
		.src = from_server ? f->orig.dst : f->orig.src,
		.dst = from_server ? f->orig.src : f->orig.dst,
		.dport = from_server ? f->orig.sport : f->orig.dport,
		.from_server = from_server,
		.entries = 1,
	};

	note_pair(syn ? &s->syn_unreplied : &s->oneway, &k);
}

/* DNAT'd, not SNAT'd, to an address in the client's own attached network. */
static void note_hairpin(struct ct_summary *s, const struct localnets *nets,
			 const struct ct_flow *f)
{
	struct ct_agg_pair k = {
		.family = f->family,
		.src = f->orig.src,
		.dst = f->orig.dst,
		.dport = f->orig.dport,
		.to = f->reply.src,
		.to_port = f->reply.sport,
		.entries = 1,
	};
	int n;

	if (!nets || ct_flow_nat_kind(f) != CT_NAT_DNAT)
		return;
	n = localnets_find(nets, f->family, &f->orig.src);
	if (n >= 0 && n == localnets_find(nets, f->family, &f->reply.src))
		note_pair(&s->hairpin, &k);
}

void ct_agg_set_nets(struct ct_agg *agg, const struct localnets *nets)
{
	agg->nets = nets;
}

int ct_agg_add(struct ct_agg *agg, const struct ct_flow *f)
{
	struct ct_summary *s = &agg->sum;
	struct flow_class cls;
	bool unreplied = ct_flow_unreplied(f);
	struct ct_agg_group *g;
	struct ct_snat_key k;
	int err = 0;

	flow_class_of(f, &cls);
	flow_counts_add(&s->counts, &cls, 1);
	track_classes_add(&s->track, agg->nets, f);
	if (f->has_tcp_state && f->tcp_state == CT_TCP_TIME_WAIT)
		s->time_wait_timeout[ct_agg_timeout_bucket(f->timeout)]++;
	if (f->has_tcp_state && f->tcp_state == CT_TCP_CLOSE)
		s->close_timeout[ct_agg_timeout_bucket(f->timeout)]++;
	if (unreplied)
		s->unreplied_timeout[ct_agg_timeout_bucket(f->timeout)]++;
	if (f->l4proto == IPPROTO_UDP)
		s->udp_timeout[ct_agg_timeout_bucket(f->timeout)]++;
	if (unreplied && f->has_tcp_state && f->tcp_state == CT_TCP_SYN_SENT) {
		note_oneway(s, f, true);
		note_hairpin(s, agg->nets, f);
	} else if (unreplied && f->has_tcp_state) {
		note_oneway(s, f, false);
	}

	if (!ct_flow_snat_key(f, &k))
		return 0;
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

/* By entries, descending; ties in a stable, address-independent order (reproducible). */
static int group_cmp(const void *a, const void *b, void *ctx)
{
	const struct ct_agg_group *ga = *(const struct ct_agg_group *const *)a;
	const struct ct_agg_group *gb = *(const struct ct_agg_group *const *)b;
	int c;

	if (ga->entries != gb->entries)
		return ga->entries < gb->entries ? 1 : -1;
	if (ga->key.l4proto != gb->key.l4proto)
		return ga->key.l4proto < gb->key.l4proto ? -1 : 1;
	if (ga->key.dport != gb->key.dport)
		return ga->key.dport < gb->key.dport ? -1 : 1;
	c = memcmp(&ga->key.dst, &gb->key.dst, sizeof(ga->key.dst));
	return c ? c : memcmp(&ga->key.snat_src, &gb->key.snat_src, sizeof(ga->key.snat_src));
}

/* Keep @slot among the busiest sources of top group @t (by entries, then address). */
static void top_source_offer(struct ct_summary *sum, unsigned int t, const struct source_slot *slot)
{
	struct ct_agg_source *v = sum->top_src[t];
	unsigned int n = sum->ntop_src[t], i = n;

	while (i > 0 && (v[i - 1].entries < slot->entries ||
			 (v[i - 1].entries == slot->entries &&
			  memcmp(&v[i - 1].src, &slot->src, sizeof(slot->src)) > 0)))
		i--;
	if (i >= CT_AGG_TOP_SOURCES)
		return;
	if (n == CT_AGG_TOP_SOURCES)
		n--;
	memmove(&v[i + 1], &v[i], (n - i) * sizeof(*v));
	v[i] = (struct ct_agg_source){ .src = slot->src, .entries = slot->entries };
	sum->ntop_src[t] = (uint8_t)(n + 1);
}

/* The busiest sources of each top group: one pass over the (group, source) table. */
static void top_sources(const struct ct_agg *agg, const struct ct_agg_group *const *best,
			struct ct_summary *sum)
{
	memset(sum->ntop_src, 0, sizeof(sum->ntop_src));
	for (uint32_t i = 0; i < agg->sources_size; i++) {
		const struct source_slot *slot = &agg->sources[i];

		if (!slot->group)
			continue;
		for (unsigned int t = 0; t < sum->ntop; t++)
			if ((uint32_t)(best[t] - agg->groups) + 1 == slot->group) {
				top_source_offer(sum, t, slot);
				break;
			}
	}
}

void ct_agg_summarize(const struct ct_agg *agg, struct ct_summary *sum)
{
	const struct ct_agg_group *best[CT_AGG_TOP];
	struct topk top;

	*sum = agg->sum;
	sum->ngroups = agg->ngroups;
	topk_init(&top, best, CT_AGG_TOP, sizeof(best[0]), group_cmp, NULL);
	for (uint32_t i = 0; i < agg->ngroups; i++) {
		const struct ct_agg_group *g = &agg->groups[i];

		topk_offer(&top, &g);
	}
	topk_sort(&top);
	for (size_t i = 0; i < top.n; i++)
		sum->top[i] = *best[i];
	sum->ntop = (unsigned int)top.n;
	top_sources(agg, best, sum);
}

double ct_agg_group_port_share(const struct ct_agg_group *g)
{
	return (double)g->ports_in_range / CT_AGG_PORT_SPACE;
}
