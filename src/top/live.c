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
#include "host/container.h"
#include "host/localnet.h"
#include "host/sysctl.h"
#include "host/ticker.h"
#include "netlink/ct_dump.h"
#include "netlink/nl.h"
#include "top/toplive.h"
#include "util.h"

#define NAMES_EVERY 10 /* seconds between rereading who holds the addresses */

struct top_live {
	struct toplive *tl;
	struct engine *e;
	struct ct_stats prev, cur; /* per-CPU statistics at the last two ticks */
	double prev_t, cur_t;	   /* monotonic times of those reads */
	struct rates rates;
	uint64_t last_events, last_failed;
	struct top_reconcile rec;
	double hist[TOP_HISTS][TOP_HIST_LEN]; /* per interval, oldest first */
	size_t nhist;
	struct addrmap names; /* who holds the addresses (opts.names, or the failures') */
	struct localnets nets;
	double names_t; /* when they were read (monotonic), < 0: never */
	bool want_names;
	struct top_frame frame;
	struct ticker tk;
	struct insfail *bpf; /* NULL without exact attribution */
	struct nl_sock *nl;  /* for the winners' lookups, with bpf */
	unsigned int fresh;  /* records put in the ring this tick */
	char bpf_why[200];
	struct failures fails;	   /* this interval's */
	struct top_failures since; /* since the start: for the live view */
	uint64_t named_total, failed0;
	uint32_t ino;
	struct top_peak peak;
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
	f->kernel_peak = lv->peak.count;
	f->kernel_peak_at = (double)lv->peak.at;
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
	if (lv->nl)
		nl_close(lv->nl);
	failures_release(&lv->fails);
	failures_release(&lv->since.all);
	addrmap_release(&lv->names);
	localnets_release(&lv->nets);
	free(lv);
}

/*
 * Who holds the addresses: every namespace's, and the networks attached to this one,
 * read now (best effort: what cannot be read stays as it was).
 */
static void read_names(struct top_live *lv)
{
	struct container_roots roots;
	struct localnets nets;
	struct addrmap m;

	lv->names_t = util_now_mono();
	if (addrmap_build_all(&m) == 0) {
		addrmap_release(&lv->names);
		lv->names = m;
	}
	container_roots_find("/proc", "/var/lib/docker", NULL, &roots);
	if (localnets_read(&nets, &roots) == 0) {
		localnets_release(&lv->nets);
		lv->nets = nets;
	}
	lv->frame.names = &lv->names;
	lv->frame.nets = &lv->nets;
}

/* The highest count of the statistics read so far (once a tick). */
static void note_peak(struct top_live *lv)
{
	if (lv->cur.have_global && lv->cur.count > lv->peak.count) {
		lv->peak.count = lv->cur.count;
		lv->peak.at = time(NULL);
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
	lv->want_names |= lv->bpf != NULL;
	if (lv->bpf && nl_open(&lv->nl, 0) < 0)
		lv->nl = NULL; /* failures are still named; their winners are not */
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
	t->win[t->head] = (struct failure_winner){ 0 };
	t->head = (t->head + 1) % TOP_RECENT;
	lv->fresh++;
	if (t->nrecent < TOP_RECENT)
		t->nrecent++;
	return 0;
}

/*
 * The entries the newest failures clashed with: one GET each by the failed flow's reply
 * tuple, while the table still holds them (at most the ring's size per tick).
 */
static void look_up_winners(struct top_live *lv)
{
	struct top_failures *t = &lv->since;
	unsigned int n = lv->fresh < TOP_RECENT ? lv->fresh : TOP_RECENT;

	for (unsigned int k = 0; lv->nl && k < n; k++) {
		unsigned int i = (t->head + TOP_RECENT - 1 - k) % TOP_RECENT;
		struct ct_tuple reply;
		struct ct_flow w;

		failures_reply(&t->recent[i], &reply);
		t->win[i].looked = true;
		t->win[i].found = ct_dump_get_by_reply(lv->nl, t->recent[i].family,
						       t->recent[i].proto, &reply, &w) == 0;
		if (t->win[i].found)
			t->win[i].orig = w.orig;
	}
	lv->fresh = 0;
}

/* This interval's named failures: what the ring buffer holds now. */
static void read_bpf(struct top_live *lv)
{
	failures_release(&lv->fails);
	if (failures_init(&lv->fails) < 0)
		return;
	while (lv->bpf && insfail_consume(lv->bpf, take_record, lv) > 0)
		;
	look_up_winners(lv);
	failures_sort(&lv->fails);
	if (lv->fails.reported) {
		failures_sort(&lv->since.all);
		/* a source never seen at start: its namespace may be new */
		for (unsigned int i = 0; i < lv->fails.nsources; i++)
			if (!addrmap_lookup(&lv->names, lv->fails.sources[i].family,
					    &lv->fails.sources[i].src)) {
				read_names(lv);
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
	lv->want_names = o->names;
	lv->names_t = -1;
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
	if (lv->want_names)
		read_names(lv);
	lv->cur_t = lv->rec.last = util_now_mono();
	rates_push(&lv->rates, lv->cur_t, &lv->cur);
	lv->last_failed = ct_stats_total(&lv->cur, CT_STAT_INSERT_FAILED);
	lv->peak.since = time(NULL);
	note_peak(lv);
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

/* A counter's rise per second over the last interval, summed over the CPUs. */
static double per_s(const struct top_live *lv, unsigned int attr, double dt)
{
	uint64_t now = ct_stats_total(&lv->cur, attr), was = ct_stats_total(&lv->prev, attr);

	return dt > 0 && now >= was ? (double)(now - was) / dt : 0;
}

static void push_history(struct top_live *lv, double dt)
{
	const struct top_frame *f = &lv->frame;
	double v[TOP_HISTS] = {
		[TOP_HIST_FAILED] = per_s(lv, CT_STAT_INSERT_FAILED, dt),
		[TOP_HIST_DROP] = per_s(lv, CT_STAT_DROP, dt),
		[TOP_HIST_EARLY_DROP] = per_s(lv, CT_STAT_EARLY_DROP, dt),
		[TOP_HIST_EVENTS] = f->events_per_s,
		[TOP_HIST_FILL] = f->have_kernel && f->kernel_max
					  ? 100.0 * (double)f->kernel_count / (double)f->kernel_max
					  : 0,
	};

	if (lv->nhist == TOP_HIST_LEN)
		for (int h = 0; h < TOP_HISTS; h++)
			memmove(lv->hist[h], lv->hist[h] + 1,
				(TOP_HIST_LEN - 1) * sizeof(lv->hist[h][0]));
	else
		lv->nhist++;
	for (int h = 0; h < TOP_HISTS; h++)
		lv->hist[h][lv->nhist - 1] = v[h];
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
	note_peak(lv);
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
	lv->last_failed = failed;

	if (lv->want_names && now - lv->names_t >= NAMES_EVERY)
		read_names(lv);
	read_bpf(lv);
	dt = now - lv->prev_t;
	lv->frame.iteration++;
	lv->frame.events_per_s = dt > 0 ? (double)(engine_events(lv->e) - lv->last_events) / dt : 0;
	lv->last_events = engine_events(lv->e);
	fill_frame(lv);
	push_history(lv, dt);
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

void top_live_peak(const struct top_live *lv, struct top_peak *p)
{
	*p = lv->peak;
}

const double *top_live_history(const struct top_live *lv, enum top_hist h, size_t *n)
{
	*n = lv->nhist;
	return lv->hist[h];
}

double top_live_now(const struct top_live *lv)
{
	return lv->cur_t;
}
