#ifndef NATSCOPE_FLOWS_SNAT_SAMPLE_H
#define NATSCOPE_FLOWS_SNAT_SAMPLE_H

#include <stdbool.h>
#include <stdint.h>

struct nl_sock;
struct nlmsghdr;

/*
 * How often new source-NAT flows fail to insert, over a short sample of the caller's
 * namespace: the increase of insert_failed (summed over CPUs) and the NEW events of
 * source-NAT flows (status IPS_SRC_NAT) between two readings of the statistics.  A flow
 * whose insertion failed sends no event, so the flows tried are new + failed.  What
 * `fix` records as "before" in its mark (nftables/owner.h).
 */
struct snat_sample {
	double seconds;
	uint64_t failed;       /* insert_failed increase */
	uint64_t new_snat;     /* NEW events of source-NAT flows */
	uint64_t failed_total; /* insert_failed summed over CPUs at the end */
	bool lost;	       /* the event socket overran: new_snat is a lower bound */
};

/** Sample for @seconds (> 0) with @nl for the statistics; -EPERM, -errno. */
int snat_sample_run(struct nl_sock *nl, double seconds, struct snat_sample *out);

/** Count one ctnetlink event message into @data (a struct snat_sample *): a ct_events_fn. */
int snat_sample_feed(const struct nlmsghdr *nlh, void *data);

#endif
