#ifndef NATSCOPE_FLOWS_COUNTS_JSON_H
#define NATSCOPE_FLOWS_COUNTS_JSON_H

#include <jansson.h>

#include "flows/counts.h"

/* The parts of struct flow_counts as JSON objects, for every report that carries them. */

/** {"tcp": N, ..., "<number>": N} for the protocols with entries. */
json_t *flow_counts_protocols_json(const struct flow_counts *c);
/** {"NONE": N, ..., "SYN_SENT2": N}, every state. */
json_t *flow_counts_tcp_states_json(const struct flow_counts *c);
/** {"none": N, "snat": N, "dnat": N, "both": N}. */
json_t *flow_counts_nat_json(const struct flow_counts *c);
/** {"ipv4": N, "ipv6": N, "other": N}. */
json_t *flow_counts_families_json(const struct flow_counts *c);

#endif
