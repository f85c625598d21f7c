#ifndef NATSCOPE_TOPDATA_H
#define NATSCOPE_TOPDATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flows/ct_agg.h"
#include "ct_flow.h"
#include "flows/engine.h"
#include "host/addrmap.h"

/* Columns of the flows view, in display order; also the sort keys. */
enum topdata_col {
	TOPDATA_PROTO,
	TOPDATA_SOURCE,
	TOPDATA_DEST,
	TOPDATA_NATSRC,
	TOPDATA_STATE,
	TOPDATA_COLS,
};

const char *topdata_col_name(enum topdata_col c);

/* A page of flows: those matching the filter, sorted, at most @cap of them. */
struct topdata_flows {
	struct ct_flow *v;
	bool *detail; /* detail[i]: v[i]'s timeout and counters were read from the kernel */
	size_t n, cap;
	size_t matched; /* live flows matching the filter in the whole table */
	size_t gone;	/* recently destroyed ones matching it */
};

/**
 * Keep the first @cap flows of the table in the order of @col (reversed if @rev) among
 * those matching @filter (see struct flow_filter; NULL/"" for all; text also matches the owners
 * @names gives, when not NULL): a bounded heap, one pass, so
 * a million-flow table costs no more memory than a page.  Flows destroyed in the last
 * @gone_age intervals that the engine kept are listed among them (CT_LIFE_GONE).
 */
int topdata_flows(const struct engine *e, enum topdata_col col, bool rev, const char *filter,
		  const struct addrmap *names, unsigned int gone_age, size_t cap,
		  struct topdata_flows *out);
void topdata_flows_release(struct topdata_flows *f);

/** SNAT groups of the current table, as audit aggregates them. */
int topdata_groups(const struct engine *e, struct ct_summary *out);

#endif
