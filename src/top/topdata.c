#include "config.h"
#include "top/topdata.h"

#include <arpa/inet.h>
#include <errno.h>
#include <strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "top/flow_filter.h"

static const char *const col_names[TOPDATA_COLS] = {
	[TOPDATA_PROTO] = "PROTO",	[TOPDATA_SOURCE] = "SOURCE",
	[TOPDATA_DEST] = "DESTINATION", [TOPDATA_NATSRC] = "POST-NAT SOURCE",
	[TOPDATA_STATE] = "STATE",
};

const char *topdata_col_name(enum topdata_col c)
{
	return c < TOPDATA_COLS ? col_names[c] : "?";
}

static int addr_cmp(const union ct_addr *a, uint16_t ap, const union ct_addr *b, uint16_t bp)
{
	int c = memcmp(a, b, sizeof(*a));

	if (c)
		return c;
	return ap < bp ? -1 : ap > bp;
}

static int flow_cmp(const struct ct_flow *a, const struct ct_flow *b, enum topdata_col col)
{
	int c = 0;

	switch (col) {
	case TOPDATA_PROTO:
		c = a->l4proto < b->l4proto ? -1 : a->l4proto > b->l4proto;
		break;
	case TOPDATA_SOURCE:
		c = addr_cmp(&a->orig.src, a->orig.sport, &b->orig.src, b->orig.sport);
		break;
	case TOPDATA_DEST:
		c = addr_cmp(&a->orig.dst, a->orig.dport, &b->orig.dst, b->orig.dport);
		break;
	case TOPDATA_NATSRC:
		c = addr_cmp(&a->reply.dst, a->reply.dport, &b->reply.dst, b->reply.dport);
		break;
	case TOPDATA_STATE:
		c = a->tcp_state < b->tcp_state ? -1 : a->tcp_state > b->tcp_state;
		break;
	default:
		break;
	}
	/* a total order, so equal keys keep a stable place between frames */
	if (!c)
		c = a->id < b->id ? -1 : a->id > b->id;
	if (!c)
		c = addr_cmp(&a->orig.src, a->orig.sport, &b->orig.src, b->orig.sport);
	return c;
}

struct heap_ctx {
	struct topdata_flows *out;
	enum topdata_col col;
	bool rev;
	const struct flow_filter *filter;
};

/* "before" in display order */
static bool before(const struct heap_ctx *h, const struct ct_flow *a, const struct ct_flow *b)
{
	int c = flow_cmp(a, b, h->col);

	return h->rev ? c > 0 : c < 0;
}

/* A max-heap on display order: the root is the last flow kept, the first to go. */
static void sift_down(struct heap_ctx *h, size_t i)
{
	struct ct_flow *v = h->out->v;
	size_t n = h->out->n;

	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		struct ct_flow t;

		if (l < n && before(h, &v[m], &v[l]))
			m = l;
		if (r < n && before(h, &v[m], &v[r]))
			m = r;
		if (m == i)
			return;
		t = v[i];
		v[i] = v[m];
		v[m] = t;
		i = m;
	}
}

static void sift_up(struct heap_ctx *h, size_t i)
{
	struct ct_flow *v = h->out->v;

	while (i > 0 && before(h, &v[(i - 1) / 2], &v[i])) {
		struct ct_flow t = v[i];

		v[i] = v[(i - 1) / 2];
		v[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
}

static int keep_flow(const struct ct_flow *f, void *data)
{
	struct heap_ctx *h = data;
	struct topdata_flows *o = h->out;

	if (!flow_filter_match(h->filter, f))
		return 0;
	if (f->life == CT_LIFE_GONE)
		o->gone++;
	else
		o->matched++;
	if (o->n < o->cap) {
		o->v[o->n++] = *f;
		sift_up(h, o->n - 1);
	} else if (o->cap && before(h, f, &o->v[0])) {
		o->v[0] = *f;
		sift_down(h, 0);
	}
	return 0;
}

static int display_cmp(const void *a, const void *b, void *ctx)
{
	return before(ctx, a, b) ? -1 : before(ctx, b, a) ? 1 : 0;
}

int topdata_flows(const struct engine *e, enum topdata_col col, bool rev, const char *filter,
		  unsigned int gone_age, size_t cap, struct topdata_flows *out)
{
	struct flow_filter fl;
	struct heap_ctx h = { .out = out, .col = col, .rev = rev, .filter = &fl };

	out->n = out->matched = out->gone = 0;
	if (flow_filter_parse(filter, &fl) < 0)
		return -EINVAL;

	out->n = out->matched = out->gone = 0;
	if (out->cap < cap) {
		struct ct_flow *v = realloc(out->v, cap * sizeof(*v));
		bool *d;

		if (!v)
			return -ENOMEM;
		out->v = v;
		d = realloc(out->detail, cap * sizeof(*d));
		if (!d)
			return -ENOMEM;
		out->detail = d;
	}
	out->cap = cap;
	engine_foreach(e, keep_flow, &h);
	if (gone_age)
		engine_foreach_gone(e, gone_age, keep_flow, &h);
	qsort_r(out->v, out->n, sizeof(*out->v), display_cmp, &h);
	if (out->n)
		memset(out->detail, 0, out->n * sizeof(*out->detail));
	return 0;
}

void topdata_flows_release(struct topdata_flows *f)
{
	free(f->v);
	free(f->detail);
	memset(f, 0, sizeof(*f));
}

static int group_flow(const struct ct_flow *f, void *data)
{
	return ct_agg_add(data, f);
}

int topdata_groups(const struct engine *e, struct ct_summary *out)
{
	struct ct_agg *agg;
	int ret = ct_agg_new(&agg);

	if (ret < 0)
		return ret;
	ret = engine_foreach(e, group_flow, agg);
	if (ret == 0)
		ct_agg_summarize(agg, out);
	ct_agg_free(agg);
	return ret;
}
