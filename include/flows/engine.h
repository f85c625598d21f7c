#ifndef NATSCOPE_ENGINE_H
#define NATSCOPE_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "flows/clash.h"
#include "netlink/ct_events.h"
#include "flows/model.h"

struct nlmsghdr;

/* What the engine has seen: never silent about loss. */
struct engine_stats {
	uint64_t received[CT_EVENT_TYPES]; /* by ct_event_type; DUMP = dump entries */
	uint64_t ignored;		   /* messages that are no conntrack entry */
	uint64_t overruns;		   /* overrun episodes on the event socket */
	uint64_t dropped;		   /* event messages the kernel dropped (exact) */
	/* flows a resync after overruns had to add or remove, whose event did not come in the
	 * full interval after it either: a lower bound of the events lost */
	uint64_t lost_estimate;
	uint64_t drift; /* the same, found by periodic reconciliation (0 when nothing is lost) */
	uint64_t resyncs;
};

/*
 * Applies conntrack messages (live or replayed) to the model and keeps the count of
 * what came and what was missed.  No netlink here: the caller reads sockets or files.
 */
struct engine;

int engine_new(struct engine **out);
void engine_free(struct engine *e);

/** Parse and apply one message. -EBADMSG for a damaged conntrack entry. */
int engine_ingest(struct engine *e, const struct nlmsghdr *nlh);

/**
 * Apply one message of a capture: a conntrack message as engine_ingest() does, or a
 * recorded marker (resync begin/end/cancel, overrun) as the live engine applied it.
 */
int engine_replay(struct engine *e, const struct nlmsghdr *nlh);

/* A resynchronisation: begin, ingest the dump's messages, end. */
enum engine_resync {
	ENGINE_SEED,	  /* the first dump: nothing was known */
	ENGINE_OVERRUN,	  /* after ENOBUFS: differences are lost events */
	ENGINE_RECONCILE, /* periodic: differences are drift */
};
void engine_resync_begin(struct engine *e, enum engine_resync why);
void engine_resync_end(struct engine *e);
/** The dump failed: forget the resynchronisation (nothing is swept). */
void engine_resync_cancel(struct engine *e);
bool engine_resyncing(const struct engine *e);

/** @f was deleted by us and the kernel said so: drop it now, not when an event says. */
void engine_forget(struct engine *e, const struct ct_flow *f);

/**
 * A resync's differences wait a full interval for events still on their way (see
 * flows/pending.h) before they count as lost or drift.  The stream ended (the end of a
 * capture): count them now.
 */
void engine_settle(struct engine *e);

/** An overrun: @dropped messages the kernel counted as dropped since the last one. */
void engine_overrun(struct engine *e, uint64_t dropped);

const struct engine_stats *engine_stats(const struct engine *e);
const struct flow_counts *engine_counts(const struct engine *e);
uint64_t engine_events(const struct engine *e); /* NEW + UPDATE + DESTROY */

/** End a frame interval in which insert_failed rose by @insert_failed (clash episodes). */
bool engine_close_interval(struct engine *e, double time, uint64_t insert_failed);
const struct clash *engine_clash(const struct engine *e);
/**
 * Keep the last @cap destroyed flows (0: none, the default) for views that show them
 * fading out.  Returns 0 or -ENOMEM.
 */
int engine_keep_gone(struct engine *e, unsigned int cap);
/**
 * Visit the kept flows destroyed in the last @max_age intervals (not the current one),
 * newest first, as CT_LIFE_GONE with their age.
 */
int engine_foreach_gone(const struct engine *e, unsigned int max_age, model_fn fn, void *data);
/** Visit the flows of the model (see model_foreach()). */
int engine_foreach(const struct engine *e, model_fn fn, void *data);

#endif
