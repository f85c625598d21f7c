#ifndef NATSCOPE_MODEL_H
#define NATSCOPE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flows/counts.h"
#include "netlink/ct_events.h"
#include "ct_flow.h"

/*
 * The live flow table: every conntrack entry by id and original tuple, kept exact by applying
 * events, with counts maintained as flows come, change and go, so a frame never walks the table.
 * Resynchronisation is mark and sweep: flows a dump does not confirm are removed.
 */
struct model;

/* Called per flow with what the model keeps of it: ids, tuples, state, status bits (no
 * timeout, mark or counters). */
typedef int (*model_fn)(const struct ct_flow *f, void *data);

int model_new(struct model **out);
void model_free(struct model *m);

/** Apply one event or dump entry.  Returns 0 or -ENOMEM. */
int model_apply(struct model *m, enum ct_event_type type, const struct ct_flow *f);

/**
 * Start a resynchronisation; dump entries applied until model_sweep() are "seen".  Events
 * may be applied in between (a dump read in steps): a dump entry then never overrides what
 * an event since the mark said, and never revives a flow an event destroyed.
 */
void model_mark(struct model *m);
/** Give up a resynchronisation without sweeping (the dump failed). */
void model_mark_cancel(struct model *m);
/** Remove flows the dump did not list, passing each to @gone first (may be NULL);
 *  returns how many (drift). */
uint64_t model_sweep(struct model *m, model_fn gone, void *data);

const struct flow_counts *model_counts(const struct model *m);
/** Whether the flow with @f's id and original tuple is in the model. */
bool model_has(const struct model *m, const struct ct_flow *f);
/** The model's view of the flow with @key's id and original tuple, if it has it. */
bool model_get(const struct model *m, const struct ct_flow *key, struct ct_flow *out);

/*
 * Intervals: flows whose NEW event came in the interval that just ended are visited as
 * CT_LIFE_NEW.  model_tick() ends an interval and returns the new one's number.
 */
uint32_t model_tick(struct model *m);
uint32_t model_now(const struct model *m);

/** Visit every flow; stops at the first non-zero return and returns it. */
int model_foreach(const struct model *m, model_fn fn, void *data);

/**
 * The key the model files a flow under with its id: a hash of the original tuple and the
 * family.  32 bits: tests use it to build flows that collide.
 */
uint32_t model_tuple_key(const struct ct_flow *f);

/** Bytes the model uses per flow (for the memory figure); IPv6 flows add 64 for addresses. */
size_t model_flow_bytes(void);

#endif
