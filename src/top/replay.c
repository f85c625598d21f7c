#include "config.h"
#include "top/replay.h"

#include <errno.h>

#include "flows/engine.h"
#include "flows/failures.h"
#include "host/evrec.h"

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
	bool have_failures;    /* the capture holds named failures */
	struct failures fails; /* those of the interval */
	uint64_t named_total;
};

static int replay_frame(struct replay_ctx *rc, double t)
{
	struct top_frame f = { .time = t, .iteration = ++rc->iteration, .ct_events = -1 };
	double dt = t - rc->last_frame_t;
	int ret;

	f.counts = engine_counts(rc->e);
	f.es = engine_stats(rc->e);
	f.clash = engine_clash(rc->e);
	f.events_per_s = dt > 0 ? (double)(engine_events(rc->e) - rc->last_events) / dt : 0;
	rc->last_events = engine_events(rc->e);
	rc->last_frame_t = t;
	if (rc->have_failures) {
		/* as recorded: named by BPF; the counter itself is not in a capture */
		failures_sort(&rc->fails);
		rc->named_total += rc->fails.reported;
		f.exact = true;
		f.fails = &rc->fails;
		f.named = rc->fails.reported;
		f.named_total = f.counted_total = rc->named_total;
	}
	ret = rc->fn(&f, rc->data);
	if (rc->have_failures) {
		failures_release(&rc->fails);
		if (failures_init(&rc->fails) < 0)
			return -ENOMEM;
	}
	return ret;
}

static bool more_frames(const struct replay_ctx *rc)
{
	return !rc->o->iterations || rc->iteration < rc->o->iterations;
}

static int replay_cb(const struct nlmsghdr *nlh, double t, void *data)
{
	struct replay_ctx *rc = data;
	struct insfail_rec r;

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
	if (evrec_failure_of(nlh, &r)) {
		rc->have_failures = true;
		failures_add(&rc->fails, &r);
		return 0;
	}
	return engine_replay(rc->e, nlh);
}

int top_replay_run(const char *path, const struct top_replay_opts *o, top_replay_fn fn, void *data,
		   struct evrec_status *st)
{
	struct replay_ctx rc = { .o = o, .fn = fn, .data = data };
	int ret;

	ret = engine_new(&rc.e);
	if (ret == 0)
		ret = failures_init(&rc.fails);
	if (ret < 0) {
		engine_free(rc.e);
		return ret;
	}
	ret = evrec_replay(path, replay_cb, &rc, st);
	if (ret == -ECANCELED && rc.err)
		ret = rc.err;
	else if (ret == 0 && rc.started && more_frames(&rc)) {
		/* no event can come after the end: differences still waiting were lost */
		engine_settle(rc.e);
		ret = replay_frame(&rc, rc.last_t); /* the state at the end of the capture */
	}
	engine_free(rc.e);
	failures_release(&rc.fails);
	return ret;
}
