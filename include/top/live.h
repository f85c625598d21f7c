#ifndef NATSCOPE_TOP_LIVE_H
#define NATSCOPE_TOP_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "flows/engine.h"
#include "netlink/ct_stats.h"
#include "top/top.h"

struct pollfd;
struct toplive;

/*
 * The live loop `top` runs, batch and interactive alike: the event sources, the engine,
 * the last two statistics reads, the rate windows and the tick.  Each tick applies what
 * arrived, reconciles with a dump when it is due, reads the statistics, closes the
 * interval for clash attribution and fills the frame.
 */
struct top_live;

struct top_live_opts {
	double interval;	   /* seconds between ticks */
	double resync;		   /* seconds between periodic reconciliations */
	size_t rcvbuf, rcvbuf_max; /* event socket buffer and its growth cap, bytes */
	const char *netns;	   /* shown in frames; the caller has entered it */
	unsigned int keep_gone;	   /* destroyed flows kept for the views (0: none) */
	bool bpf;		   /* name failed insertions with the BPF component */
	bool names;		   /* name addresses and networks for the views (10 s fresh) */
	unsigned long netns_ino;   /* the namespace's inode (BPF records name it) */
};

/* What failed in top_live_start(), for the message. */
enum top_live_stage {
	TOP_LIVE_OPEN,	/* subscribing to events, opening the sockets */
	TOP_LIVE_START, /* the seed dump, the first statistics, the timers */
};

/** Subscribe, seed with one dump, read the statistics once, arm the tick. */
int top_live_start(struct top_live **out, const struct top_live_opts *o,
		   enum top_live_stage *stage);
void top_live_free(struct top_live *lv);

/* The descriptors to poll, in this order. */
enum { TOP_LIVE_EVENTS, TOP_LIVE_DUMP, TOP_LIVE_TIMER, TOP_LIVE_SIGNAL, TOP_LIVE_NFDS };
void top_live_pollfds(const struct top_live *lv, struct pollfd *pfd);
/** Apply what the kernel has ready: events first, then a step of a running dump. */
int top_live_input(struct top_live *lv, const struct pollfd *pfd);
/** Whether the tick fired (and consume it). */
bool top_live_ticked(const struct top_live *lv, const struct pollfd *pfd);
/** Whether SIGINT or SIGTERM arrived. */
bool top_live_signalled(const struct pollfd *pfd);
/** One tick (see above).  0 or -errno. */
int top_live_tick(struct top_live *lv);
/** Change the tick's interval. */
int top_live_set_interval(struct top_live *lv, double interval);

const struct top_frame *top_live_frame(const struct top_live *lv);
struct engine *top_live_engine(const struct top_live *lv);
struct toplive *top_live_sources(const struct top_live *lv);
/** The statistics of the last two ticks and the seconds between them (prev may be NULL). */
void top_live_stats(const struct top_live *lv, const struct ct_stats **cur,
		    const struct ct_stats **prev, double *dt);
/* The highest entry count the statistics showed (read each tick) since @since. */
struct top_peak {
	uint64_t count;
	time_t at, since;
};
void top_live_peak(const struct top_live *lv, struct top_peak *p);
/* The histories the overview draws: one value per interval. */
enum top_hist {
	TOP_HIST_FAILED,     /* insert_failed per second */
	TOP_HIST_DROP,	     /* drop per second */
	TOP_HIST_EARLY_DROP, /* early_drop per second */
	TOP_HIST_EVENTS,     /* events per second */
	TOP_HIST_FILL,	     /* table fill, % of nf_conntrack_max */
	TOP_HISTS,
};
#define TOP_HIST_LEN 512
/** History @h, oldest first: *@n values (at most TOP_HIST_LEN). */
const double *top_live_history(const struct top_live *lv, enum top_hist h, size_t *n);
/** Seconds on the monotonic clock at the last statistics read. */
double top_live_now(const struct top_live *lv);

/*
 * When to reconcile with a full dump: every @every seconds, and early when the model's
 * count stays apart from the kernel's.  Plain data, so the decision is unit-tested.
 */
struct top_reconcile {
	double every;	   /* the periodic interval */
	double last;	   /* when the last one started */
	int64_t apart;	   /* model count - kernel count at the last tick */
	unsigned int held; /* ticks the difference held still */
};

/**
 * Whether a reconciliation is due at @now.  @dumping: one is running; @have_kernel: the
 * kernel's count is known, and @apart is the model's count minus it; @dump_cost: seconds
 * the last dump took.
 */
bool top_reconcile_due(struct top_reconcile *r, double now, bool dumping, bool have_kernel,
		       int64_t apart, double dump_cost);

#endif
