#ifndef NATSCOPE_FLOWS_COUNTS_H
#define NATSCOPE_FLOWS_COUNTS_H

#include <stdbool.h>
#include <stdint.h>

#include "ct_flow.h"

/*
 * Counts of conntrack entries by family, protocol, TCP state, flags and NAT kind: what a
 * full dump aggregates (ct_agg) and what the live model keeps up to date (model), one
 * structure and one way of counting for both.
 */
enum flow_family {
	FLOW_IPV4,
	FLOW_IPV6,
	FLOW_FAMILY_OTHER,
	FLOW_FAMILIES,
};

struct flow_counts {
	uint64_t total;
	uint64_t by_family[FLOW_FAMILIES];
	uint64_t by_proto[256];
	uint64_t tcp_state[CT_TCP_STATES];
	uint64_t assured;
	uint64_t unreplied;
	uint64_t nat_kind[CT_NAT_KINDS];
};

/* What counting needs to know of one entry. */
struct flow_class {
	uint8_t family, l4proto;
	bool has_tcp_state;
	uint8_t tcp_state;
	bool assured, unreplied;
	enum ct_nat_kind nat;
};

void flow_class_of(const struct ct_flow *f, struct flow_class *out);
/** Add (@delta 1) or take away (-1) one entry of class @k. */
void flow_counts_add(struct flow_counts *c, const struct flow_class *k, int64_t delta);

/** The next protocol number above @p (-1 to start) with entries, or -1 after the last. */
int flow_counts_next_proto(const struct flow_counts *c, int p);

enum flow_family flow_family_of(uint8_t af);
/** "ipv4", "ipv6", "other". */
const char *flow_family_name(enum flow_family f);

#endif
