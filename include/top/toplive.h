#ifndef NATSCOPE_TOPLIVE_H
#define NATSCOPE_TOPLIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netlink/ct_stats.h"
#include "flows/engine.h"

struct evrec;

/* The live sources of `top` and `record`: the event socket, a request socket for dumps
 * and statistics, and optionally a recorder that gets every message. */
struct toplive;

/* @background: resynchronisations after overruns run in steps from the caller's poll loop
 * (toplive_dump_fd(), toplive_resync_step()); otherwise inside toplive_drain(). */
int toplive_open(struct toplive **out, size_t rcvbuf, size_t rcvbuf_max, struct evrec *rec,
		 bool background);
void toplive_free(struct toplive *tl);
int toplive_event_fd(const struct toplive *tl);
size_t toplive_rcvbuf(const struct toplive *tl);

/**
 * Dump the table into @e as a resynchronisation of kind @why and wait for it: the same
 * stepped path as below, polled until done.  A failed dump is cancelled (nothing swept).
 */
int toplive_resync(struct toplive *tl, struct engine *e, enum engine_resync why);

/*
 * The same in the background: start it (a no-op while one runs), poll toplive_dump_fd()
 * (-1 when none runs) and call toplive_resync_step() when it is readable, until it returns
 * 1 (done) or -errno (given up; nothing swept).  Events go on being applied meanwhile.
 */
int toplive_resync_start(struct toplive *tl, struct engine *e, enum engine_resync why);
int toplive_dump_fd(const struct toplive *tl);
int toplive_resync_step(struct toplive *tl, struct engine *e);
/** Seconds the last completed dump took (wall clock, steps included). */
double toplive_dump_cost(const struct toplive *tl);

/**
 * Apply every queued event to @e.  On ENOBUFS: count the overrun, grow the buffer and
 * resynchronise once (or start it, in the background).  Returns 0 or -errno.
 */
int toplive_drain(struct toplive *tl, struct engine *e);

int toplive_stats(struct toplive *tl, struct ct_stats *st);

/** Delete @flow's conntrack entry. */
int toplive_delete(struct toplive *tl, const struct ct_flow *flow);

/** Read timeout, state and counters of @n flows (see ct_dump_refresh()). */
int toplive_refresh(struct toplive *tl, struct ct_flow *flows, size_t n, bool *found);

struct natrules;
/* toplive_rules() flags */
#define TOPLIVE_RULES_TEXT   0x1 /* nft's text of each rule (libnftables, in a child) */
#define TOPLIVE_RULES_LEGACY 0x2 /* iptables-legacy's too: only in the caller's namespace */
/** Read the source-NAT rules of the namespace (released and refilled). */
int toplive_rules(struct toplive *tl, struct natrules *out, unsigned int flags);

#endif
