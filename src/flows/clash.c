#include "config.h"
#include "flows/clash.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

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

static uint32_t hash(const struct clash_group *k)
{
	uint32_t h = 2166136261u ^ k->l4proto ^ (uint32_t)k->dport << 8;

	for (int i = 0; i < 4; i++) {
		h = (h ^ k->snat_src.a32[i]) * 16777619u;
		h = (h ^ k->dst.a32[i]) * 16777619u;
	}
	return h;
}

static bool same(const struct clash_group *a, const struct clash_group *b)
{
	return a->family == b->family && a->l4proto == b->l4proto && a->dport == b->dport &&
	       memcmp(&a->snat_src, &b->snat_src, sizeof(a->snat_src)) == 0 &&
	       memcmp(&a->dst, &b->dst, sizeof(a->dst)) == 0;
}

void clash_new_flow(struct clash *c, const struct ct_flow *f)
{
	enum ct_nat_kind kind = ct_flow_nat_kind(f);
	struct clash_group k = { 0 };
	struct slot *s;
	uint32_t i;

	if (kind != CT_NAT_SNAT && kind != CT_NAT_BOTH)
		return;
	/* the reply tuple is the one that must be unique, as in ct_agg */
	k.family = f->family;
	k.l4proto = f->l4proto;
	k.snat_src = f->reply.dst;
	k.dst = f->reply.src;
	k.dport = f->reply.sport;
	for (i = hash(&k) % NSLOTS;; i = (i + 1) % NSLOTS) {
		s = &c->slots[i];
		if (!s->used) {
			if (c->used >= CLASH_MAX_GROUPS)
				return;
			s->used = true;
			s->g = k;
			c->used++;
			break;
		}
		if (same(&s->g, &k))
			break;
	}
	s->g.new_flows++;
	for (uint32_t j = 0; j < s->g.sources; j++)
		if (memcmp(&s->src[j], &f->orig.src, sizeof(f->orig.src)) == 0)
			return;
	if (s->g.sources < CLASH_MAX_SOURCES)
		s->src[s->g.sources++] = f->orig.src;
}

bool clash_close_interval(struct clash *c, double time, uint64_t insert_failed)
{
	struct clash_episode ep = { .time = time, .insert_failed = insert_failed };

	if (insert_failed) {
		/* the busiest groups with two or more sources, by NEW flows */
		for (uint32_t i = 0; i < NSLOTS; i++) {
			const struct clash_group *g = &c->slots[i].g;
			unsigned int j;

			if (!c->slots[i].used || g->sources < 2)
				continue;
			if (ep.ngroups == CLASH_GROUPS_PER_EPISODE &&
			    g->new_flows <= ep.groups[ep.ngroups - 1].new_flows)
				continue;
			j = ep.ngroups < CLASH_GROUPS_PER_EPISODE ? ep.ngroups++ : ep.ngroups - 1;
			while (j > 0 && ep.groups[j - 1].new_flows < g->new_flows) {
				ep.groups[j] = ep.groups[j - 1];
				j--;
			}
			ep.groups[j] = *g;
		}
	}
	if (c->used) {
		memset(c->slots, 0, NSLOTS * sizeof(*c->slots));
		c->used = 0;
	}
	if (!ep.ngroups)
		return false;
	c->ep[c->head] = ep;
	c->head = (c->head + 1) % CLASH_EPISODES;
	if (c->nep < CLASH_EPISODES)
		c->nep++;
	return true;
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
