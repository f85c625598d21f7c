#include "config.h"
#include "engine.h"

#include <errno.h>
#include <stdlib.h>

#include "ct_parse.h"

struct engine {
	struct model *model;
	struct clash *clash;
	struct engine_stats st;
	enum engine_resync why;
	bool resyncing;
	uint64_t added; /* dump entries the model did not know, during a resync */
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
	free(e);
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
	if (type == CT_EVENT_DUMP && e->resyncing && !model_has(e->model, &f))
		e->added++;
	if (type == CT_EVENT_NEW)
		clash_new_flow(e->clash, &f);
	return model_apply(e->model, (enum ct_event_type)type, &f);
}

void engine_resync_begin(struct engine *e, enum engine_resync why)
{
	e->why = why;
	e->resyncing = true;
	e->added = 0;
	model_mark(e->model);
}

void engine_resync_end(struct engine *e)
{
	uint64_t swept = model_sweep(e->model);

	/*
	 * A flow the dump shows that we did not know is a NEW we missed; one we knew that
	 * the dump lacks is a DESTROY we missed.  A lower bound: missed UPDATEs and flows
	 * born and gone in between leave no trace.
	 */
	if (e->why == ENGINE_OVERRUN)
		e->st.lost_estimate += e->added + swept;
	else if (e->why == ENGINE_RECONCILE)
		e->st.drift += e->added + swept;
	e->st.resyncs++;
	e->resyncing = false;
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

const struct model_counts *engine_counts(const struct engine *e)
{
	return model_counts(e->model);
}

bool engine_close_interval(struct engine *e, double time, uint64_t insert_failed)
{
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
