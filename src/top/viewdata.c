#include "config.h"
#include "top/viewdata.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "top/live.h"
#include "top/toplive.h"

void top_viewdata_init(struct top_viewdata *vd)
{
	memset(vd, 0, sizeof(*vd));
	natrules_init(&vd->rules);
}

void top_viewdata_release(struct top_viewdata *vd)
{
	natrules_release(&vd->rules);
	topdata_flows_release(&vd->flows);
	bynet_release(&vd->bynet);
}

static int tally_flow(const struct ct_flow *f, void *data)
{
	bynet_add(data, f);
	return 0;
}

/* The table by attached network, with the named failures since the start. */
static void prepare_networks(struct top_viewdata *vd, struct top_live *lv)
{
	const struct top_frame *f = top_live_frame(lv);

	bynet_release(&vd->bynet);
	vd->have_bynet = f->nets && bynet_init(&vd->bynet, f->nets) == 0;
	if (!vd->have_bynet)
		return;
	engine_foreach(top_live_engine(lv), tally_flow, &vd->bynet);
	if (f->since)
		bynet_add_failures(&vd->bynet, &f->since->all);
}

size_t top_viewdata_rows(const struct top_viewdata *vd, const struct tui_state *st)
{
	return st->view == TUI_FLOWS ? vd->flows.matched + vd->flows.gone : 0;
}

void top_viewdata_prepare(struct top_viewdata *vd, struct top_live *lv, const struct tui_state *st,
			  int rows, double now)
{
	struct engine *e = top_live_engine(lv);
	struct toplive *tl = top_live_sources(lv);

	switch (st->view) {
	case TUI_GROUPS:
		vd->have_groups = topdata_groups(e, &vd->groups) == 0;
		break;
	case TUI_RULES:
		if (!vd->have_rules || now - vd->rules_t >= 10) {
			vd->have_rules =
				toplive_rules(tl, &vd->rules,
					      TOPLIVE_RULES_TEXT | TOPLIVE_RULES_LEGACY) == 0;
			vd->rules_t = now;
		}
		break;
	case TUI_FLOWS:
		if (topdata_flows(e, st->sort, st->reverse, st->filter, top_live_frame(lv)->names,
				  TOP_GONE_INTERVALS, st->scroll + (size_t)rows, &vd->flows) < 0)
			break;
		/* timeouts and counters change without events: read them for the rows shown */
		if (vd->flows.n > st->scroll)
			toplive_refresh(tl, vd->flows.v + st->scroll, vd->flows.n - st->scroll,
					vd->flows.detail + st->scroll);
		break;
	case TUI_NETWORKS:
		prepare_networks(vd, lv);
		break;
	default:
		break;
	}
}

void top_viewdata_frame(const struct top_viewdata *vd, const struct top_live *lv,
			struct tui_data *d)
{
	memset(d, 0, sizeof(*d));
	d->frame = *top_live_frame(lv);
	top_live_stats(lv, &d->stats, &d->prev_stats, &d->dt);
	for (int h = 0; h < TOP_HISTS; h++)
		d->hist[h] = top_live_history(lv, h, &d->nhist);
	d->bynet = vd->have_bynet ? &vd->bynet : NULL;
	d->groups = vd->have_groups ? &vd->groups : NULL;
	d->rules = vd->have_rules ? &vd->rules : NULL;
	d->flows = &vd->flows;
}

void top_viewdata_delete(struct top_viewdata *vd, struct top_live *lv, struct tui_state *st)
{
	const struct ct_flow *f;
	int ret;

	if (st->cursor >= vd->flows.n)
		return;
	f = &vd->flows.v[st->cursor];
	ret = f->life == CT_LIFE_GONE ? -ENOENT : toplive_delete(top_live_sources(lv), f);
	/* gone either way: the event may never come (see top_reconcile_due()) */
	if (ret == 0 || ret == -ENOENT)
		engine_forget(top_live_engine(lv), f);
	snprintf(st->status, sizeof(st->status), "%s",
		 ret == 0	  ? "flow deleted"
		 : ret == -ENOENT ? "already gone"
				  : strerror(-ret));
}
