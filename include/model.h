#ifndef NATSCOPE_MODEL_H
#define NATSCOPE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ct_agg.h"
#include "ct_events.h"
#include "ct_flow.h"

/*
 * The live flow table: every conntrack entry by id and original tuple, kept exact by applying
 * events, with counts maintained as flows come, change and go, so a frame never walks the table.
 * Resynchronisation is mark and sweep: flows a dump does not confirm are removed.
 */
struct model;

/* Counts of the flows in the model (a subset of what a full dump aggregates). */
struct model_counts {
	uint64_t total;
	uint64_t by_family[CT_AGG_FAMILIES];
	uint64_t by_proto[256];
	uint64_t tcp_state[CT_TCP_STATES];
	uint64_t assured;
	uint64_t unreplied;
	uint64_t nat_kind[CT_NAT_KINDS];
};

int model_new(struct model **out);
void model_free(struct model *m);

/** Apply one event or dump entry.  Returns 0 or -ENOMEM. */
int model_apply(struct model *m, enum ct_event_type type, const struct ct_flow *f);

/** Start a resynchronisation; dump entries applied until model_sweep() are "seen". */
void model_mark(struct model *m);
/** Remove flows the dump did not list; returns how many (drift). */
uint64_t model_sweep(struct model *m);

const struct model_counts *model_counts(const struct model *m);
/** Whether the flow with @f's id and original tuple is in the model. */
bool model_has(const struct model *m, const struct ct_flow *f);
/* Called per flow with what the model keeps of it (IPv6 flows: no addresses). */
typedef int (*model_fn)(const struct ct_flow *f, void *data);
/** Visit every flow; stops at the first non-zero return and returns it. */
int model_foreach(const struct model *m, model_fn fn, void *data);

/** Bytes the model uses per flow slot (for the memory figure). */
size_t model_flow_bytes(void);

#endif
