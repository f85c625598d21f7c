#include "config.h"
#include "top/live.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bpf/insfail.h"
#include "flows/failures.h"
#include "flows/rates.h"
#include "host/addrmap.h"
#include "host/sysctl.h"
#include "host/ticker.h"
#include "top/toplive.h"
#include "util.h"

#define SPARK 60

struct top_live {
	struct toplive *tl;
	struct engine *e;
	struct ct_stats prev, cur; /* per-CPU statistics at the last two ticks */
	double prev_t, cur_t;	   /* monotonic times of those reads */
	struct rates rates;
	uint64_t last_events, last_failed;
	struct top_reconcile rec;
	double spark[SPARK]; /* insert_failed per interval, oldest first */
	size_t nspark;
	struct top_frame frame;
	struct ticker tk;
	struct insfail *bpf; /* NULL without exact attribution */
	char bpf_why[200];
	struct failures fails;	   /* this interval's */
	struct top_failures since; /* since the start: for the live view */
	uint64_t named_total, failed0;
	uint32_t ino;
};

static void fill_frame(struct top_live *lv)
{
	struct top_frame *f = &lv->frame;

	f->counts = engine_counts(lv->e);
	f->es = engine_stats(lv->e);
	f->clash = engine_clash(lv->e);
	f->rcvbuf = toplive_rcvbuf(lv->tl);
	f->have_kernel = lv->cur.have_global;
	f->kernel_count = lv->cur.count;
	f->kernel_max = lv->cur.max;
	top_frame_rates(f, &lv->rates);
}

void top_live_free(struct top_live *lv)
{
	if (!lv)
		return;
	ticker_close(&lv->tk);
	ct_stats_release(&lv->prev);
	ct_stats_release(&lv->cur);
	toplive_free(lv->tl);
	engine_free(lv->e);
	insfail_close(lv->bpf);
	failures_release(&lv->fails);
	failures_release(&lv->since.all);
	addrmap_release(&lv->since.names);
	free(lv);
}

/* Who holds the addresses that send: every namespace's, read now (best effort). */
static void name_sources(struct top_live *lv)
{
	struct addrmap m;

	if (addrmap_build_all(&m) == 0) {
		addrmap_release(&lv->since.names);
		lv->since.names = m;
	}
}

/*
 * Exact attribution, when asked and possible: seeded with the statistics just read, then
 * attached; otherwise the frame says why.  Only -ENOMEM is an error.
 */
static int start_bpf(struct top_live *lv, const struct top_live_opts *o)
{
	int ret = failures_init(&lv->fails);

	if (ret == 0)
		ret = failures_init(&lv->since.all);
	lv->frame.exact_why = lv->bpf_why;
	lv->ino = (uint32_t)o->netns_ino;
	lv->failed0 = ct_stats_total(&lv->cur, CT_STAT_INSERT_FAILED);
	if (!o->bpf)
		snprintf(lv->bpf_why, sizeof(lv->bpf_why), "--no-bpf");
	if (ret < 0 || !o->bpf)
		return ret;
	insfail_start(&lv->bpf, lv->ino, &lv->cur, lv->bpf_why, sizeof(lv->bpf_why));
	lv->frame.exact = lv->bpf != NULL;
	if (lv->bpf)
		name_sources(lv);
	return 0;
}

static int take_record(const struct insfail_rec *r, void *data)
{
	struct top_live *lv = data;
	struct top_failures *t = &lv->since;

	if (r->netns != lv->ino)
		return 0;
	failures_add(&lv->fails, r);
	failures_add(&t->all, r);
	t->recent[t->head] = *r;
	t->head = (t->head + 1) % TOP_RECENT;
	if (t->nrecent < TOP_RECENT)
		t->nrecent++;
	return 0;
}

/* This interval's named failures: what the ring buffer holds now. */
static void read_bpf(struct top_live *lv)
{
	failures_release(&lv->fails);
	if (failures_init(&lv->fails) < 0)
		return;
	while (lv->bpf && insfail_consume(lv->bpf, take_record, lv) > 0)
		;
	failures_sort(&lv->fails);
	if (lv->fails.reported) {
		failures_sort(&lv->since.all);
		/* a source never seen at start: its namespace may be new */
		for (unsigned int i = 0; i < lv->fails.nsources; i++)
			if (!addrmap_lookup(&lv->since.names, lv->fails.sources[i].family,
					    &lv->fails.sources[i].src)) {
				name_sources(lv);
				break;
			}
	}
	lv->frame.since = lv->bpf ? &lv->since : NULL;
	lv->named_total += lv->fails.reported;
	lv->frame.named = lv->fails.reported;
	lv->frame.named_total = lv->named_total;
	lv->frame.counted_total = ct_stats_total(&lv->cur, CT_STAT_INSERT_FAILED) - lv->failed0;
	lv->frame.fails = lv->bpf ? &lv->fails : NULL;
}

int top_live_start(struct top_live **out, const struct top_live_opts *o, enum top_live_stage *stage)
{
	struct top_live *lv = calloc(1, sizeof(*lv));
	struct sysctl_info sc;
	int ret;

	if (!lv)
		return -ENOMEM;
	lv->tk.sfd = lv->tk.tfd = -1;
	lv->rec.every = o->resync;
	lv->frame.netns = o->netns;
	lv->frame.ct_events = -1;
	if (sysctl_read("/proc/sys/net", &sc) == 0 && sc.val[SYSCTL_EVENTS] != SYSCTL_ABSENT)
		lv->frame.ct_events = (int)sc.val[SYSCTL_EVENTS];
	ct_stats_init(&lv->prev);
	ct_stats_init(&lv->cur);
	rates_init(&lv->rates);
	*stage = TOP_LIVE_OPEN;
	ret = engine_new(&lv->e);
	if (ret == 0 && o->keep_gone)
		ret = engine_keep_gone(lv->e, o->keep_gone);
	if (ret == 0)
		ret = toplive_open(&lv->tl, o->rcvbuf, o->rcvbuf_max, NULL, true);
	if (ret < 0)
		goto err;
	/* the seed is read at once: there is nothing to show before it */
	*stage = TOP_LIVE_START;
	ret = toplive_resync(lv->tl, lv->e, ENGINE_SEED);
	if (ret == 0)
		ret = toplive_stats(lv->tl, &lv->cur);
	if (ret == 0)
		ret = ticker_open(&lv->tk, o->interval, true);
	if (ret == 0)
		ret = start_bpf(lv, o);
	if (ret < 0)
		goto err;
	lv->cur_t = lv->rec.last = util_now_mono();
	rates_push(&lv->rates, lv->cur_t, &lv->cur);
	lv->last_failed = ct_stats_total(&lv->cur, CT_STAT_INSERT_FAILED);
	fill_frame(lv);
	*out = lv;
	return 0;
err:
	top_live_free(lv);
	return ret;
}

/*
 * Periodic reconciliation, and an early one when the model's count stays apart from the
 * kernel's: flows created before anyone listened carry no event extension
 * (nf_conntrack_events=2, the default) and never report their end, and with events off
 * nothing is reported at all.  Under churn the two counts differ by what is in flight, but
 * that difference moves; one that holds still for three ticks is missed events.  Early
 * reconciliations are spaced by 20 times what a dump costs (at most 5 % of a core).
 */
bool top_reconcile_due(struct top_reconcile *r, double now, bool dumping, bool have_kernel,
		       int64_t apart, double dump_cost)
{
	double since = now - r->last;
	bool due;

	if (dumping)
		return false; /* one is running */
	if (since >= r->every) {
		due = true;
	} else if (!have_kernel) {
		return false;
	} else {
		r->held = apart && apart == r->apart ? r->held + 1 : 0;
		r->apart = apart;
		due = r->held >= 3 && since >= 5 && since >= 20 * dump_cost;
	}
	if (due) {
		r->last = now;
		r->held = 0;
	}
	return due;
}

int top_live_tick(struct top_live *lv)
{
	double now = util_now_mono(), dt;
	uint64_t failed;
	int ret;

	if ((ret = toplive_drain(lv->tl, lv->e)) < 0)
		return ret;
	ct_stats_release(&lv->prev);
	lv->prev = lv->cur;
	lv->prev_t = lv->cur_t;
	ct_stats_init(&lv->cur);
	if ((ret = toplive_stats(lv->tl, &lv->cur)) < 0)
		return ret;
	lv->cur_t = now;
	/* in the background: frames and keys go on while the table is read */
	if (top_reconcile_due(&lv->rec, now, toplive_dump_fd(lv->tl) >= 0, lv->cur.have_global,
			      (int64_t)engine_counts(lv->e)->total - (int64_t)lv->cur.count,
			      toplive_dump_cost(lv->tl)) &&
	    (ret = toplive_resync_start(lv->tl, lv->e, ENGINE_RECONCILE)) < 0)
		return ret;
	rates_push(&lv->rates, now, &lv->cur);

	/* the interval's NEW flows by SNAT group meet its insert_failed rise */
	failed = ct_stats_total(&lv->cur, CT_STAT_INSERT_FAILED);
	lv->frame.time = (double)time(NULL);
	engine_close_interval(lv->e, lv->frame.time, failed - lv->last_failed);
	if (lv->nspark == SPARK)
		memmove(lv->spark, lv->spark + 1, (SPARK - 1) * sizeof(lv->spark[0]));
	else
		lv->nspark++;
	lv->spark[lv->nspark - 1] = (double)(failed - lv->last_failed);
	lv->last_failed = failed;

	read_bpf(lv);
	dt = now - lv->prev_t;
	lv->frame.iteration++;
	lv->frame.events_per_s = dt > 0 ? (double)(engine_events(lv->e) - lv->last_events) / dt : 0;
	lv->last_events = engine_events(lv->e);
	fill_frame(lv);
	return 0;
}

void top_live_pollfds(const struct top_live *lv, struct pollfd *pfd)
{
	pfd[TOP_LIVE_EVENTS] = (struct pollfd){ .fd = toplive_event_fd(lv->tl), .events = POLLIN };
	/* -1 (ignored by poll) unless a resynchronisation is being read */
	pfd[TOP_LIVE_DUMP] = (struct pollfd){ .fd = toplive_dump_fd(lv->tl), .events = POLLIN };
	pfd[TOP_LIVE_TIMER] = (struct pollfd){ .fd = lv->tk.tfd, .events = POLLIN };
	pfd[TOP_LIVE_SIGNAL] = (struct pollfd){ .fd = lv->tk.sfd, .events = POLLIN };
}

int top_live_input(struct top_live *lv, const struct pollfd *pfd)
{
	int ret = 0;

	if (pfd[TOP_LIVE_EVENTS].revents & POLLIN)
		ret = toplive_drain(lv->tl, lv->e);
	if (ret == 0 && pfd[TOP_LIVE_DUMP].revents & POLLIN)
		ret = toplive_resync_step(lv->tl, lv->e);
	return ret < 0 ? ret : 0;
}

bool top_live_ticked(const struct top_live *lv, const struct pollfd *pfd)
{
	return pfd[TOP_LIVE_TIMER].revents & POLLIN && ticker_expired(&lv->tk);
}

bool top_live_signalled(const struct pollfd *pfd)
{
	return pfd[TOP_LIVE_SIGNAL].revents & POLLIN;
}

int top_live_set_interval(struct top_live *lv, double interval)
{
	return ticker_arm(&lv->tk, interval, true);
}

const struct top_frame *top_live_frame(const struct top_live *lv)
{
	return &lv->frame;
}

struct engine *top_live_engine(const struct top_live *lv)
{
	return lv->e;
}

struct toplive *top_live_sources(const struct top_live *lv)
{
	return lv->tl;
}

void top_live_stats(const struct top_live *lv, const struct ct_stats **cur,
		    const struct ct_stats **prev, double *dt)
{
	*cur = &lv->cur;
	*prev = lv->prev.ncpu ? &lv->prev : NULL;
	*dt = lv->cur_t - lv->prev_t;
}

const double *top_live_spark(const struct top_live *lv, size_t *n)
{
	*n = lv->nspark;
	return lv->spark;
}

double top_live_now(const struct top_live *lv)
{
	return lv->cur_t;
}
