#ifndef NATSCOPE_CLASH_H
#define NATSCOPE_CLASH_H

#include <stdbool.h>
#include <stdint.h>

#include "ct_flow.h"

/*
 * Clash attribution.  The kernel does not say which flow failed to insert, so per
 * interval natscope counts NEW events per SNAT group (protocol, post-NAT source,
 * destination, destination port) with their distinct pre-NAT sources; when
 * insert_failed rose in that interval, the busiest groups fed by two or more sources
 * are kept as a "likely" episode.  Likely, never certain.
 */
#define CLASH_GROUPS_PER_EPISODE 3
#define CLASH_EPISODES		 16
#define CLASH_MAX_GROUPS	 4096 /* per interval; beyond, groups are not counted */
#define CLASH_MAX_SOURCES	 8    /* distinct sources remembered per group */

struct clash_group {
	struct ct_snat_key key;
	uint32_t new_flows;
	uint32_t sources; /* distinct pre-NAT sources, up to CLASH_MAX_SOURCES */
};

struct clash_episode {
	double time;
	uint64_t insert_failed;
	unsigned int ngroups;
	struct clash_group groups[CLASH_GROUPS_PER_EPISODE];
};

struct clash;

int clash_new(struct clash **out);
void clash_free(struct clash *c);

/** Count a NEW flow (only SNAT'd flows are grouped). */
void clash_new_flow(struct clash *c, const struct ct_flow *f);
/**
 * Close the interval ending at @time in which insert_failed rose by @insert_failed:
 * record an episode if it rose and a group qualifies, then start a new interval.
 * Returns true when an episode was recorded.
 */
bool clash_close_interval(struct clash *c, double time, uint64_t insert_failed);

/** Episodes recorded since the start (the ring below keeps the last CLASH_EPISODES). */
uint64_t clash_total(const struct clash *c);
/** Episodes, oldest first. */
unsigned int clash_nepisodes(const struct clash *c);
const struct clash_episode *clash_episode(const struct clash *c, unsigned int i);

#endif
