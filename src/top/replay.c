#include "config.h"
#include "top/replay.h"

#include <errno.h>

#include "flows/engine.h"
#include "host/evrec.h"

struct replay_ctx {
	const struct top_replay_opts *o;
	top_replay_fn fn;
	void *data;
	struct engine *e;
	double next, last_t;
	uint64_t last_events;
	unsigned int iteration;
	int err;
};

static int replay_frame(struct replay_ctx *rc, double t)
{
	struct top_frame f = { .time = t, .iteration = ++rc->iteration, .ct_events = -1 };
	double dt = t - (rc->next - rc->o->interval);

	f.counts = engine_counts(rc->e);
	f.es = engine_stats(rc->e);
	f.events_per_s = dt > 0 ? (double)(engine_events(rc->e) - rc->last_events) / dt : 0;
	rc->last_events = engine_events(rc->e);
	return rc->fn(&f, rc->data);
}

static int replay_cb(const struct nlmsghdr *nlh, double t, void *data)
{
	struct replay_ctx *rc = data;

	if (rc->next == 0)
		rc->next = t + rc->o->interval;
	while (t >= rc->next && (!rc->o->iterations || rc->iteration < rc->o->iterations)) {
		if ((rc->err = replay_frame(rc, rc->next)) != 0)
			return -ECANCELED;
		rc->next += rc->o->interval;
	}
	rc->last_t = t;
	return engine_ingest(rc->e, nlh);
}

int top_replay_run(const char *path, const struct top_replay_opts *o, top_replay_fn fn, void *data,
		   char *err, size_t errlen)
{
	struct replay_ctx rc = { .o = o, .fn = fn, .data = data };
	long n;
	int ret;

	ret = engine_new(&rc.e);
	if (ret < 0)
		return ret;
	n = evrec_replay(path, replay_cb, &rc, err, errlen);
	if (n == -ECANCELED)
		ret = rc.err;
	else if (n < 0)
		ret = (int)n;
	else if (!o->iterations || rc.iteration < o->iterations)
		ret = replay_frame(&rc, rc.last_t); /* the state at the end of the capture */
	engine_free(rc.e);
	return ret;
}
