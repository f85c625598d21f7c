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
#include "topk.h"

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

struct page_ctx {
	struct topdata_flows *out;
	struct topk top;
	enum topdata_col col;
	bool rev;
	const struct flow_filter *filter;
};

/* Display order: < 0 when @a is listed before @b. */
static int display_cmp(const void *a, const void *b, void *ctx)
{
	const struct page_ctx *pc = ctx;
	int c = flow_cmp(a, b, pc->col);

	return pc->rev ? -c : c;
}

static int keep_flow(const struct ct_flow *f, void *data)
{
	struct page_ctx *pc = data;

	if (!flow_filter_match(pc->filter, f))
		return 0;
	if (f->life == CT_LIFE_GONE)
		pc->out->gone++;
	else
		pc->out->matched++;
	topk_offer(&pc->top, f);
	return 0;
}

int topdata_flows(const struct engine *e, enum topdata_col col, bool rev, const char *filter,
		  const struct addrmap *names, unsigned int gone_age, size_t cap,
		  struct topdata_flows *out)
{
	struct flow_filter fl;
	struct page_ctx pc = { .out = out, .col = col, .rev = rev, .filter = &fl };

	out->n = out->matched = out->gone = 0;
	if (flow_filter_parse(filter, &fl) < 0)
		return -EINVAL;
	flow_filter_bind(&fl, names);
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
	topk_init(&pc.top, out->v, cap, sizeof(*out->v), display_cmp, &pc);
	engine_foreach(e, keep_flow, &pc);
	if (gone_age)
		engine_foreach_gone(e, gone_age, keep_flow, &pc);
	topk_sort(&pc.top);
	out->n = pc.top.n;
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
