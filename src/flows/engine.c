#include "config.h"
#include "flows/engine.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "flows/pending.h"
#include "host/evrec.h"
#include "netlink/ct_parse.h"

struct engine {
	struct model *model;
	struct clash *clash;
	struct engine_stats st;
	enum engine_resync why;
	bool resyncing;
	/* differences of the last resync that an event in flight may still explain */
	struct pending *pend;
	enum engine_resync pend_why;
	uint32_t pend_tick; /* the interval the resync ended in */
	/* recently destroyed flows for the views: a ring, newest at head - 1 */
	struct gone {
		struct ct_flow f;
		uint32_t tick; /* the interval it was destroyed in */
	} * gone;
	uint32_t gone_cap, gone_head, gone_n;
};

int engine_new(struct engine **out)
{
	struct engine *e = calloc(1, sizeof(*e));
	int ret;

	if (!e)
		return -ENOMEM;
	ret = model_new(&e->model);
	if (ret == 0)
		ret = clash_new(&e->clash);
	if (ret == 0)
		ret = pending_new(&e->pend);
	if (ret < 0) {
		engine_free(e);
		return ret;
	}
	*out = e;
	return 0;
}

void engine_free(struct engine *e)
{
	if (!e)
		return;
	model_free(e->model);
	clash_free(e->clash);
	pending_free(e->pend);
	free(e->gone);
	free(e);
}

/* A flow as the pending differences know it: conntrack id and tuple key. */
static uint64_t flow_key(const struct ct_flow *f)
{
	return (uint64_t)f->id << 32 | model_tuple_key(f);
}

/* Remember a flow the model had, now destroyed. */
static int remember(const struct ct_flow *f, void *data)
{
	struct engine *e = data;
	struct gone *g = &e->gone[e->gone_head];

	g->f = *f;
	g->f.life = CT_LIFE_GONE;
	g->tick = model_now(e->model);
	e->gone_head = (e->gone_head + 1) % e->gone_cap;
	if (e->gone_n < e->gone_cap)
		e->gone_n++;
	return 0;
}

/* A DESTROY event: the flow as the model knew it, with the event's final counters. */
static void keep_gone(struct engine *e, const struct ct_flow *ev)
{
	struct ct_flow f;

	if (!model_get(e->model, ev, &f))
		return;
	f.has_counters = ev->has_counters;
	memcpy(f.packets, ev->packets, sizeof(ev->packets));
	memcpy(f.bytes, ev->bytes, sizeof(ev->bytes));
	remember(&f, e);
}

int engine_keep_gone(struct engine *e, unsigned int cap)
{
	struct gone *g = cap ? calloc(cap, sizeof(*g)) : NULL;

	if (cap && !g)
		return -ENOMEM;
	free(e->gone);
	e->gone = g;
	e->gone_cap = cap;
	e->gone_head = e->gone_n = 0;
	return 0;
}

int engine_foreach_gone(const struct engine *e, unsigned int max_age, model_fn fn, void *data)
{
	uint32_t now = model_now(e->model);

	/* newest first, so the walk stops at the first one too old */
	for (uint32_t k = 1; k <= e->gone_n; k++) {
		const struct gone *g = &e->gone[(e->gone_head + e->gone_cap - k) % e->gone_cap];
		struct ct_flow f;
		int ret;

		if (now == g->tick)
			continue; /* destroyed in the current interval: shown after it ends */
		if (now - g->tick > max_age)
			break;
		f = g->f;
		f.age = (uint8_t)(now - g->tick - 1);
		if ((ret = fn(&f, data)) != 0)
			return ret;
	}
	return 0;
}

int engine_ingest(struct engine *e, const struct nlmsghdr *nlh)
{
	int type = ct_events_classify(nlh);
	struct ct_flow f;
	int ret;

	if (type < 0) {
		e->st.ignored++;
		return 0;
	}
	ret = ct_parse_msg(nlh, &f);
	if (ret < 0)
		return -EBADMSG;
	e->st.received[type]++;
	if (type == CT_EVENT_NEW) {
		clash_new_flow(e->clash, &f);
		pending_explain(e->pend, flow_key(&f), PENDING_ADDED);
	} else if (type == CT_EVENT_DESTROY) {
		pending_explain(e->pend, flow_key(&f), PENDING_SWEPT);
	}
	if (type == CT_EVENT_DESTROY && e->gone_cap)
		keep_gone(e, &f);
	if (type == CT_EVENT_DUMP && e->resyncing && !model_has(e->model, &f)) {
		/* a flow the dump shows that we did not know (unless an event said it died) */
		ret = model_apply(e->model, CT_EVENT_DUMP, &f);
		if (ret == 0 && e->why != ENGINE_SEED && model_has(e->model, &f))
			ret = pending_add(e->pend, flow_key(&f), PENDING_ADDED);
		return ret;
	}
	return model_apply(e->model, (enum ct_event_type)type, &f);
}

int engine_replay(struct engine *e, const struct nlmsghdr *nlh)
{
	enum evrec_mark mark;
	uint64_t arg;

	if (!evrec_marker(nlh, &mark, &arg))
		return engine_ingest(e, nlh);
	switch (mark) {
	case EVREC_RESYNC_BEGIN:
		if (e->resyncing) /* a begin without its end: the earlier one never finished */
			engine_resync_cancel(e);
		engine_resync_begin(e, arg <= ENGINE_RECONCILE ? (enum engine_resync)arg
							       : ENGINE_RECONCILE);
		break;
	case EVREC_RESYNC_END:
		if (e->resyncing)
			engine_resync_end(e);
		break;
	case EVREC_RESYNC_CANCEL:
		if (e->resyncing)
			engine_resync_cancel(e);
		break;
	case EVREC_OVERRUN:
		engine_overrun(e, arg);
		break;
	case EVREC_FAILURE:
		break; /* not the table's: top's replay counts them into its frames */
	}
	return 0;
}

/* The differences still waiting were lost events: count them as what their resync was. */
void engine_settle(struct engine *e)
{
	uint64_t n = pending_settle(e->pend);

	if (e->pend_why == ENGINE_OVERRUN)
		e->st.lost_estimate += n;
	else if (e->pend_why == ENGINE_RECONCILE)
		e->st.drift += n;
}

void engine_resync_begin(struct engine *e, enum engine_resync why)
{
	engine_settle(e);
	e->why = e->pend_why = why;
	e->resyncing = true;
	model_mark(e->model);
}

/* A flow the dump did not list: a DESTROY we missed, unless its event is on its way. */
static int swept(const struct ct_flow *f, void *data)
{
	struct engine *e = data;

	if (e->gone_cap)
		remember(f, e);
	return e->why == ENGINE_SEED ? 0 : pending_add(e->pend, flow_key(f), PENDING_SWEPT);
}

void engine_resync_end(struct engine *e)
{
	/*
	 * A flow the dump shows that we did not know is a NEW we missed; one we knew that
	 * the dump lacks is a DESTROY we missed: unless the event comes after all, within the
	 * next full interval (see engine_close_interval()).  A lower bound: missed UPDATEs
	 * and flows born and gone in between leave no trace.
	 */
	model_sweep(e->model, swept, e);
	e->pend_tick = model_now(e->model);
	e->st.resyncs++;
	e->resyncing = false;
}

void engine_forget(struct engine *e, const struct ct_flow *f)
{
	if (e->gone_cap)
		keep_gone(e, f);
	model_apply(e->model, CT_EVENT_DESTROY, f);
}

void engine_resync_cancel(struct engine *e)
{
	e->pend_tick = model_now(e->model);
	e->resyncing = false;
	model_mark_cancel(e->model);
}

bool engine_resyncing(const struct engine *e)
{
	return e->resyncing;
}

void engine_overrun(struct engine *e, uint64_t dropped)
{
	e->st.overruns++;
	e->st.dropped += dropped;
}

const struct engine_stats *engine_stats(const struct engine *e)
{
	return &e->st;
}

const struct flow_counts *engine_counts(const struct engine *e)
{
	return model_counts(e->model);
}

bool engine_close_interval(struct engine *e, double time, uint64_t insert_failed)
{
	/* a full interval after the resync, the events queued behind its dump are in */
	if (model_tick(e->model) - e->pend_tick >= 2 && !e->resyncing)
		engine_settle(e);
	return clash_close_interval(e->clash, time, insert_failed);
}

int engine_foreach(const struct engine *e, model_fn fn, void *data)
{
	return model_foreach(e->model, fn, data);
}

const struct clash *engine_clash(const struct engine *e)
{
	return e->clash;
}

uint64_t engine_events(const struct engine *e)
{
	return e->st.received[CT_EVENT_NEW] + e->st.received[CT_EVENT_UPDATE] +
	       e->st.received[CT_EVENT_DESTROY];
}
