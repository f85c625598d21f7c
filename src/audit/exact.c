#include "config.h"
#include "audit/exact.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/snapshot.h"
#include "bpf/insfail.h"
#include "host/addrmap.h"
#include "netlink/ct_dump.h"
#include "netlink/nl.h"

struct insfail *exact_open(char *why, size_t whylen)
{
	struct insfail *h = NULL;

	return insfail_open(&h, why, whylen) == 0 ? h : NULL;
}

void exact_unavailable(struct snapshot **snaps, size_t n, const char *why)
{
	for (size_t i = 0; i < n; i++) {
		snaps[i]->exact.on = false;
		snprintf(snaps[i]->exact.why, sizeof(snaps[i]->exact.why), "%s", why);
	}
}

int exact_attach(struct insfail *h, struct snapshot **snaps, size_t n)
{
	char why[200];
	int ret = insfail_attach(h, why, sizeof(why));

	if (ret < 0)
		exact_unavailable(snaps, n, why);
	return ret;
}

struct distribute {
	struct snapshot **snaps;
	size_t n;
};

/* A record belongs to the snapshot of its namespace if its counter is within the
 * interval's second sample on its CPU. */
static int take(const struct insfail_rec *r, void *data)
{
	struct distribute *d = data;

	for (size_t i = 0; i < d->n; i++) {
		struct snapshot *s = d->snaps[i];
		const struct ct_cpu_stats *c;

		if (!s->exact.on || (ino_t)r->netns != s->netns_ino)
			continue;
		c = ct_stats_cpu(&s->stats1, r->cpu);
		if (c && r->counter <= c->val[CT_STAT_INSERT_FAILED])
			failures_add(&s->exact.f, r);
		else
			s->exact.f.outside++;
		return 0;
	}
	return 0;
}

int exact_collect(struct insfail *h, struct snapshot **snaps, size_t n)
{
	struct distribute d = { .snaps = snaps, .n = n };
	struct insfail_counts c;
	int ret;

	for (size_t i = 0; i < n; i++) {
		if (!snaps[i]->exact.on)
			continue;
		ret = failures_init(&snaps[i]->exact.f);
		if (ret < 0)
			return ret;
	}
	while ((ret = insfail_consume(h, take, &d)) > 0)
		;
	if (ret < 0) {
		for (size_t i = 0; i < n; i++)
			if (snaps[i]->exact.on) {
				snaps[i]->exact.on = false;
				snprintf(snaps[i]->exact.why, sizeof(snaps[i]->exact.why),
					 "reading the BPF ring buffer failed: %s", strerror(-ret));
			}
		return 0;
	}
	if (insfail_counts(h, &c) == 0)
		for (size_t i = 0; i < n; i++)
			snaps[i]->exact.lost = c.lost; /* not per namespace: said as such */
	for (size_t i = 0; i < n; i++)
		if (snaps[i]->exact.on)
			failures_sort(&snaps[i]->exact.f);
	return 0;
}

/* Copy into @dst the owner @m knows for @family/@addr, if any. */
static int name_one(const struct addrmap *m, struct addrmap *dst, uint8_t family,
		    const union ct_addr *addr)
{
	const char *o = addrmap_lookup(m, family, addr);

	return o && !addrmap_lookup(dst, family, addr) ? addrmap_add(dst, family, addr->a8, o) : 0;
}

/* The failures' sources and the busiest sources of the top SNAT groups of @s. */
static int name_snapshot(const struct addrmap *m, struct snapshot *s)
{
	const struct failures *f = &s->exact.f;
	const struct ct_summary *t = &s->table;
	int ret = 0;

	for (unsigned int k = 0; s->exact.on && k < f->nsources && ret == 0; k++)
		ret = name_one(m, &s->names, f->sources[k].family, &f->sources[k].src);
	for (unsigned int g = 0; s->have_table && g < t->ntop && ret == 0; g++)
		for (unsigned int k = 0; k < t->ntop_src[g] && ret == 0; k++)
			ret = name_one(m, &s->names, t->top[g].key.family, &t->top_src[g][k].src);
	return ret;
}

int exact_name(struct snapshot **snaps, size_t n)
{
	struct addrmap m;
	bool any = false;
	int ret;

	for (size_t i = 0; i < n; i++)
		any |= (snaps[i]->exact.on && snaps[i]->exact.f.reported) ||
		       (snaps[i]->have_table && snaps[i]->table.ntop);
	if (!any)
		return 0;
	ret = addrmap_build_all(&m);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < n && ret == 0; i++)
		ret = name_snapshot(&m, snaps[i]);
	addrmap_release(&m);
	return ret;
}

void exact_winners(struct snapshot *snap)
{
	struct failures *f = &snap->exact.f;
	struct nl_sock *nl;

	if (!snap->exact.on || !f->nrec || nl_open(&nl, 0) < 0)
		return;
	for (unsigned int i = 0; i < f->nrec; i++) {
		struct ct_tuple reply;
		struct ct_flow w;

		failures_reply(&f->rec[i], &reply);
		f->win[i].looked = true;
		f->win[i].found = ct_dump_get_by_reply(nl, f->rec[i].family, f->rec[i].proto,
						       &reply, &w) == 0;
		if (f->win[i].found)
			f->win[i].orig = w.orig;
	}
	nl_close(nl);
}
