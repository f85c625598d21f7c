#ifndef NATSCOPE_TOPDATA_H
#define NATSCOPE_TOPDATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flows/ct_agg.h"
#include "ct_flow.h"
#include "flows/engine.h"

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

/*
 * The flows filter: words separated by spaces, all of which must hold; "!" before a word
 * negates it.  A word is an address or CIDR prefix (any of the flow's four addresses), a
 * port (any of its ports), a protocol name, a TCP state or NAT kind (any case), or else
 * text the flow's line contains.
 */
#define TOPDATA_FILTER_WORDS 8

struct topdata_filter {
	unsigned int n;
	struct topdata_word {
		enum { FW_PREFIX, FW_PORT, FW_PROTO, FW_STATE, FW_NAT, FW_TEXT } kind;
		bool negate;
		uint8_t family, plen; /* FW_PREFIX */
		union ct_addr addr;
		uint16_t num; /* port, protocol, state or NAT kind */
		char text[64];
	} w[TOPDATA_FILTER_WORDS];
};

/** Compile @s (NULL or "" match everything).  -EINVAL: more than TOPDATA_FILTER_WORDS words. */
int topdata_filter_parse(const char *s, struct topdata_filter *out);
bool topdata_filter_match(const struct topdata_filter *fl, const struct ct_flow *f);

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
 * those matching @filter (see struct topdata_filter; NULL/"" for all): a bounded heap, one pass, so
 * a million-flow table costs no more memory than a page.  Flows destroyed in the last
 * @gone_age intervals that the engine kept are listed among them (CT_LIFE_GONE).
 */
int topdata_flows(const struct engine *e, enum topdata_col col, bool rev, const char *filter,
		  unsigned int gone_age, size_t cap, struct topdata_flows *out);
void topdata_flows_release(struct topdata_flows *f);

/** The flow as one line of the flows view (also what the filter matches). */
void topdata_flow_line(const struct ct_flow *f, char *buf, size_t len);

/** SNAT groups of the current table, as audit aggregates them. */
int topdata_groups(const struct engine *e, struct ct_summary *out);

#endif
