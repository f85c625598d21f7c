#ifndef NATSCOPE_FLOWS_BYNET_H
#define NATSCOPE_FLOWS_BYNET_H

#include <stddef.h>
#include <stdint.h>

#include "ct_flow.h"
#include "flows/failures.h"
#include "flows/trackclass.h"
#include "host/localnet.h"

/*
 * The table by attached network: which Docker network or CNI bridge is hot.  A flow
 * belongs to the network of its inside end: the pre-NAT source of a source-NAT'd flow,
 * the target of a destination-NAT'd one (a published port's container), else whichever
 * of its source and destination is on an attached network.  Flows with no end on one
 * are counted apart (row n: "elsewhere").
 */
struct bynet_row {
	uint64_t entries, snat, dnat, unreplied;
	uint64_t failures; /* failed insertions whose source is on it (named ones only) */
};

struct bynet {
	const struct localnets *nets;
	struct bynet_row *rows; /* nets->n + 1: the last is "elsewhere" */
	size_t nrows;
	struct track_classes track; /* the same flows by what needs tracking */
};

/** Rows for @nets (kept by reference); -ENOMEM. */
int bynet_init(struct bynet *b, const struct localnets *nets);
/** The network a flow belongs to (an index into nets), or -1. */
int bynet_of(const struct localnets *nets, const struct ct_flow *f);
void bynet_add(struct bynet *b, const struct ct_flow *f);
/** Count each source's failures on its network. */
void bynet_add_failures(struct bynet *b, const struct failures *f);
/** Row indexes by entries, descending (@order has nrows slots). */
void bynet_order(const struct bynet *b, size_t *order);
void bynet_release(struct bynet *b);

#endif
