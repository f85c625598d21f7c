#include "config.h"
#include "flows/clash.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "topk.h"

struct slot {
	struct clash_group g;
	union ct_addr src[CLASH_MAX_SOURCES];
	bool used;
};

struct clash {
	struct slot *slots; /* open addressing over CLASH_MAX_GROUPS * 2 slots */
	unsigned int used;
	struct clash_episode ep[CLASH_EPISODES]; /* ring */
	unsigned int nep, head;
	uint64_t total; /* episodes ever recorded */
};

#define NSLOTS (CLASH_MAX_GROUPS * 2)

int clash_new(struct clash **out)
{
	struct clash *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->slots = calloc(NSLOTS, sizeof(*c->slots));
	if (!c->slots) {
		free(c);
		return -ENOMEM;
	}
	*out = c;
	return 0;
}

void clash_free(struct clash *c)
{
	if (!c)
		return;
	free(c->slots);
	free(c);
}

void clash_new_flow(struct clash *c, const struct ct_flow *f)
{
	struct clash_group k = { 0 };
	struct slot *s;
	uint32_t i;

	if (!ct_flow_snat_key(f, &k.key))
		return;
	for (i = ct_snat_key_hash(&k.key) % NSLOTS;; i = (i + 1) % NSLOTS) {
		s = &c->slots[i];
		if (!s->used) {
			if (c->used >= CLASH_MAX_GROUPS)
				return;
			s->used = true;
			s->g = k;
			c->used++;
			break;
		}
		if (ct_snat_key_eq(&s->g.key, &k.key))
			break;
	}
	s->g.new_flows++;
	for (uint32_t j = 0; j < s->g.sources; j++)
		if (memcmp(&s->src[j], &f->orig.src, sizeof(f->orig.src)) == 0)
			return;
	if (s->g.sources < CLASH_MAX_SOURCES)
		s->src[s->g.sources++] = f->orig.src;
}

/* More NEW flows first; ties in key order, so an episode does not depend on the hash. */
static int busier(const void *a, const void *b, void *ctx)
{
	const struct clash_group *ga = a, *gb = b;

	if (ga->new_flows != gb->new_flows)
		return ga->new_flows > gb->new_flows ? -1 : 1;
	return memcmp(&ga->key, &gb->key, sizeof(ga->key));
}

bool clash_close_interval(struct clash *c, double time, uint64_t insert_failed)
{
	struct clash_episode ep = { .time = time, .insert_failed = insert_failed };
	struct topk top;

	if (insert_failed) {
		/* the busiest groups with two or more sources, by NEW flows */
		topk_init(&top, ep.groups, CLASH_GROUPS_PER_EPISODE, sizeof(ep.groups[0]), busier,
			  NULL);
		for (uint32_t i = 0; i < NSLOTS; i++)
			if (c->slots[i].used && c->slots[i].g.sources >= 2)
				topk_offer(&top, &c->slots[i].g);
		topk_sort(&top);
		ep.ngroups = (unsigned int)top.n;
	}
	if (c->used) {
		memset(c->slots, 0, NSLOTS * sizeof(*c->slots));
		c->used = 0;
	}
	if (!ep.ngroups)
		return false;
	c->ep[c->head] = ep;
	c->total++;
	c->head = (c->head + 1) % CLASH_EPISODES;
	if (c->nep < CLASH_EPISODES)
		c->nep++;
	return true;
}

uint64_t clash_total(const struct clash *c)
{
	return c->total;
}

unsigned int clash_nepisodes(const struct clash *c)
{
	return c->nep;
}

const struct clash_episode *clash_episode(const struct clash *c, unsigned int i)
{
	if (i >= c->nep)
		return NULL;
	return &c->ep[(c->head + CLASH_EPISODES - c->nep + i) % CLASH_EPISODES];
}
