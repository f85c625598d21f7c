#ifndef NATSCOPE_CT_AGG_H
#define NATSCOPE_CT_AGG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ct_flow.h"
#include "flows/counts.h"
#include "flows/trackclass.h"

/*
 * masquerade and snat without an explicit port range draw from 1024-65535 for an original
 * port >= 1024 (nf_nat_l4proto_unique_tuple(); ip_local_port_range does not apply to NAT).
 */
#define CT_AGG_PORT_LO	  1024
#define CT_AGG_PORT_SPACE (65535 - CT_AGG_PORT_LO + 1)

/* Bounds that keep memory flat however large the table is. */
#define CT_AGG_MAX_GROUPS  65536u
#define CT_AGG_MAX_SOURCES 262144u
#define CT_AGG_TOP	   16

/* Remaining-timeout histogram bucket upper bounds in seconds; the last bucket is open. */
#define CT_AGG_TIMEOUT_BUCKETS 6
extern const uint32_t ct_agg_timeout_bounds[CT_AGG_TIMEOUT_BUCKETS - 1];

/* One SNAT group: where post-NAT source ports can clash. */
struct ct_agg_group {
	struct ct_snat_key key;
	uint32_t entries;	 /* SNAT'd entries in the group */
	uint32_t ports_in_range; /* entries whose post-NAT port is in 1024-65535 */
	uint32_t sources;	 /* distinct pre-NAT source addresses */
	bool sources_capped;	 /* sources is a lower bound (CT_AGG_MAX_SOURCES reached) */
	uint32_t unreplied;
};

/* A pre-NAT source of a group, with its entries there (the group's family). */
#define CT_AGG_TOP_SOURCES 3
struct ct_agg_source {
	union ct_addr src;
	uint32_t entries;
};

/*
 * TCP connections only one direction of which passes here: a pair (client, server and
 * its port), with its entries; the first CT_AGG_PAIRS pairs, and the entries of all.
 */
#define CT_AGG_PAIRS 8
struct ct_agg_pair {
	uint8_t family;
	union ct_addr src, dst; /* client, server */
	uint16_t dport;		/* the server's port */
	bool from_server;	/* what passes is the server's side (the client's else) */
	union ct_addr to;	/* hairpin pairs: where dst:dport was DNAT'd to */
	uint16_t to_port;
	uint32_t entries;
};

struct ct_agg_pairs {
	uint64_t entries;
	unsigned int n;
	struct ct_agg_pair v[CT_AGG_PAIRS];
	bool capped; /* more pairs than CT_AGG_PAIRS */
};

/* Plain result of one pass over the table. */
struct ct_summary {
	struct flow_counts counts;
	uint64_t time_wait_timeout[CT_AGG_TIMEOUT_BUCKETS];
	uint64_t unreplied_timeout[CT_AGG_TIMEOUT_BUCKETS];
	uint64_t udp_timeout[CT_AGG_TIMEOUT_BUCKETS];	/* UDP entries, replied or not */
	uint64_t close_timeout[CT_AGG_TIMEOUT_BUCKETS]; /* TCP entries in CLOSE (after a RST) */
	uint64_t ngroups;	 /* SNAT groups seen (bounded by CT_AGG_MAX_GROUPS) */
	uint64_t untracked_snat; /* SNAT'd entries not grouped because the bound was hit */
	bool groups_truncated;
	unsigned int ntop;
	struct ct_agg_group top[CT_AGG_TOP]; /* by entries, descending */
	/* each top group's busiest sources, by entries (of those counted: see sources_capped) */
	struct ct_agg_source top_src[CT_AGG_TOP][CT_AGG_TOP_SOURCES];
	uint8_t ntop_src[CT_AGG_TOP];
	struct track_classes track; /* the entries by what needs tracking (flows/trackclass.h) */
	/* TCP entries still in SYN_SENT without a reply: the reply takes another path, or
	 * the server is silent */
	struct ct_agg_pairs syn_unreplied;
	/* TCP entries past SYN_SENT without a reply ever: picked up mid-stream (loose
	 * tracking) from packets of one direction only, the other taking another path.  The
	 * server is the side with the lower port. */
	struct ct_agg_pairs oneway;
	/* unanswered SYNs DNAT'd (not SNAT'd) to an address in the client's own attached
	 * network (ct_agg_set_nets()): hairpin DNAT, whose target answers its client over
	 * the bridge, not through here, unless br_netfilter hands it to conntrack */
	struct ct_agg_pairs hairpin;
};

struct ct_agg;

int ct_agg_new(struct ct_agg **out);
void ct_agg_free(struct ct_agg *agg);

/** Classify bridge-local traffic by @nets (kept by reference; NULL: none is). */
void ct_agg_set_nets(struct ct_agg *agg, const struct localnets *nets);

/** Account one entry. Returns 0 or -ENOMEM. */
int ct_agg_add(struct ct_agg *agg, const struct ct_flow *flow);

/** Fill @sum with the totals and the hottest groups. */
void ct_agg_summarize(const struct ct_agg *agg, struct ct_summary *sum);

/** Share (0..1) of the usable source-port space a group uses. */
double ct_agg_group_port_share(const struct ct_agg_group *g);

/** Bucket index for a remaining timeout of @seconds. */
unsigned int ct_agg_timeout_bucket(uint32_t seconds);

#endif
