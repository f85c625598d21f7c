#ifndef NATSCOPE_EXPORTER_NAMED_H
#define NATSCOPE_EXPORTER_NAMED_H

#include <stdint.h>

#include "bpf/insfail_rec.h"
#include "ct_flow.h"

/*
 * The exporter's counters of named insertion failures of one namespace: in all, by who
 * holds the pre-NAT source address, and by source-NAT group.  Bounded for Prometheus:
 * NAMED_MAX of each, first come; the rest count under "other".  Counters only grow.
 */
#define NAMED_MAX 16

struct named_fails {
	uint64_t total;
	unsigned int nowners, ngroups;
	struct {
		char owner[128];
		uint64_t n;
	} owners[NAMED_MAX];
	uint64_t other_owners;
	struct {
		struct ct_snat_key key;
		uint64_t n;
	} groups[NAMED_MAX];
	uint64_t other_groups;
};

/** Count @r, its source held by @owner (NULL: not known). */
void named_fails_add(struct named_fails *nf, const struct insfail_rec *r, const char *owner);

#endif
