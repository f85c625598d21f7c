#ifndef NATSCOPE_FLOWS_FAILURES_H
#define NATSCOPE_FLOWS_FAILURES_H

#include <stdbool.h>
#include <stdint.h>

#include "bpf/insfail_rec.h"
#include "ct_flow.h"

/*
 * The conntrack insertions that failed, each named by the BPF component (bpf/insfail.h):
 * counted exactly, grouped by source-NAT group and by pre-NAT source (the busiest kept),
 * the first records kept as they came.  Counts are always exact; what is kept is capped,
 * and the cap is said.  Plain data, so it is unit-tested.
 */
#define FAILURES_RECORDS 100
#define FAILURES_TOP	 16
#define FAILURES_TRACK	 4096 /* distinct groups or sources counted; beyond, "others" */

struct failure_group {
	struct ct_snat_key key; /* post-NAT source address, destination, port */
	uint64_t failures;
};

struct failure_source {
	uint8_t family;
	union ct_addr src; /* pre-NAT source address */
	uint64_t failures;
};

/* The entry that holds a failed flow's reply tuple: the flow it clashed with. */
struct failure_winner {
	bool looked, found;
	struct ct_tuple orig; /* its original direction (pre-NAT), host-order ports */
};

struct failures {
	uint64_t reported; /* records accepted */
	uint64_t missed;   /* increments of insert_failed without a record (their sum) */
	uint64_t outside;  /* records of other namespaces or past the window */
	unsigned int nrec; /* records kept, at most FAILURES_RECORDS */
	struct insfail_rec rec[FAILURES_RECORDS];
	struct failure_winner win[FAILURES_RECORDS]; /* of rec[i], when looked up */
	unsigned int ngroups, nsources;	      /* distinct ones counted (up to FAILURES_TRACK) */
	uint64_t other_groups, other_sources; /* failures past FAILURES_TRACK */
	struct failure_group *groups;	      /* FAILURES_TRACK */
	struct failure_source *sources;	      /* FAILURES_TRACK */
	uint64_t by_cpu[256];		      /* records per CPU (CPU numbers below 256) */
};

int failures_init(struct failures *f);
void failures_release(struct failures *f);
/** Count @r. */
void failures_add(struct failures *f, const struct insfail_rec *r);
/** Sort groups and sources by failures, descending (call once, when done). */
void failures_sort(struct failures *f);
/** An address of a record (its 16 bytes, of which IPv4 uses 4) as natscope holds them. */
union ct_addr failures_addr(uint8_t family, const unsigned char *a);
/** The reply tuple of failed flow @r, host-order ports (what the winner holds). */
void failures_reply(const struct insfail_rec *r, struct ct_tuple *t);
/** The SNAT group of a failed flow: its reply tuple, read backwards. */
void failures_key(const struct insfail_rec *r, struct ct_snat_key *k);

#endif
