#include "config.h"
#include "top/replay.h"

#include <errno.h>

#include "flows/engine.h"

struct replay_ctx {
	const struct top_replay_opts *o;
	top_replay_fn fn;
	void *data;
	struct engine *e;
	bool started;
	double next;	      /* the next frame's time */
	double last_frame_t;  /* the last frame's time (the first record's before any) */
	double last_t;	      /* the last record's time */
	uint64_t last_events; /* events at the last frame */
	unsigned int iteration;
	int err;
};

static int replay_frame(struct replay_ctx *rc, double t)
{
	struct top_frame f = { .time = t, .iteration = ++rc->iteration, .ct_events = -1 };
	double dt = t - rc->last_frame_t;

	f.counts = engine_counts(rc->e);
	f.es = engine_stats(rc->e);
	f.clash = engine_clash(rc->e);
	f.events_per_s = dt > 0 ? (double)(engine_events(rc->e) - rc->last_events) / dt : 0;
	rc->last_events = engine_events(rc->e);
	rc->last_frame_t = t;
	return rc->fn(&f, rc->data);
}

static bool more_frames(const struct replay_ctx *rc)
{
	return !rc->o->iterations || rc->iteration < rc->o->iterations;
}

static int replay_cb(const struct nlmsghdr *nlh, double t, void *data)
{
	struct replay_ctx *rc = data;

	if (!rc->started) {
		rc->started = true;
		rc->next = t + rc->o->interval;
		rc->last_frame_t = t;
	}
	if (t >= rc->next && more_frames(rc)) {
		/* the frame for the interval that just ended... */
		if ((rc->err = replay_frame(rc, rc->next)) != 0)
			return -ECANCELED;
		rc->next += rc->o->interval;
		/* ...and none for the empty ones of a gap: the grid restarts at this record */
		if (t >= rc->next)
			rc->next = t + rc->o->interval;
	}
	rc->last_t = t;
	return engine_replay(rc->e, nlh);
}

int top_replay_run(const char *path, const struct top_replay_opts *o, top_replay_fn fn, void *data,
		   struct evrec_status *st)
{
	struct replay_ctx rc = { .o = o, .fn = fn, .data = data };
	int ret;

	ret = engine_new(&rc.e);
	if (ret < 0)
		return ret;
	ret = evrec_replay(path, replay_cb, &rc, st);
	if (ret == -ECANCELED && rc.err)
		ret = rc.err;
	else if (ret == 0 && rc.started && more_frames(&rc)) {
		/* no event can come after the end: differences still waiting were lost */
		engine_settle(rc.e);
		ret = replay_frame(&rc, rc.last_t); /* the state at the end of the capture */
	}
	engine_free(rc.e);
	return ret;
}
