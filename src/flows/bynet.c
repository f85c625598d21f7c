#include "config.h"
#include "flows/bynet.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int bynet_init(struct bynet *b, const struct localnets *nets)
{
	memset(&b->track, 0, sizeof(b->track));
	b->nets = nets;
	b->nrows = nets->n + 1;
	b->rows = calloc(b->nrows, sizeof(*b->rows));
	return b->rows ? 0 : -ENOMEM;
}

int bynet_of(const struct localnets *nets, const struct ct_flow *f)
{
	int i;

	switch (ct_flow_nat_kind(f)) {
	case CT_NAT_DNAT:
		return localnets_find(nets, f->family, &f->reply.src); /* the target */
	case CT_NAT_SNAT:
	case CT_NAT_BOTH:
		return localnets_find(nets, f->family, &f->orig.src);
	default:
		i = localnets_find(nets, f->family, &f->orig.src);
		return i >= 0 ? i : localnets_find(nets, f->family, &f->orig.dst);
	}
}

void bynet_add(struct bynet *b, const struct ct_flow *f)
{
	int i = bynet_of(b->nets, f);
	struct bynet_row *r = &b->rows[i >= 0 ? (size_t)i : b->nrows - 1];
	enum ct_nat_kind k = ct_flow_nat_kind(f);

	r->entries++;
	r->snat += k == CT_NAT_SNAT || k == CT_NAT_BOTH;
	r->dnat += k == CT_NAT_DNAT || k == CT_NAT_BOTH;
	r->unreplied += ct_flow_unreplied(f);
	track_classes_add(&b->track, b->nets, f);
}

void bynet_add_failures(struct bynet *b, const struct failures *f)
{
	for (unsigned int k = 0; k < f->nsources; k++) {
		int i = localnets_find(b->nets, f->sources[k].family, &f->sources[k].src);

		b->rows[i >= 0 ? (size_t)i : b->nrows - 1].failures += f->sources[k].failures;
	}
}

void bynet_order(const struct bynet *b, size_t *order)
{
	/* a handful of networks: insertion sort, stable (ties keep the interface order) */
	for (size_t i = 0; i < b->nrows; i++) {
		size_t j = i;

		while (j > 0 && b->rows[order[j - 1]].entries < b->rows[i].entries) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = i;
	}
}

void bynet_release(struct bynet *b)
{
	free(b->rows);
	b->rows = NULL;
	b->nrows = 0;
}
