#ifndef NATSCOPE_AUDIT_SIZING_H
#define NATSCOPE_AUDIT_SIZING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audit/audit.h"

/*
 * What to set when the table is under pressure: nf_conntrack_max with headroom over the
 * count seen (twice it, in steps of 65,536) and its kernel memory (the slab object size
 * measured on this kernel), nf_conntrack_buckets by the kernel's own rule (one bucket per
 * allowed entry), and the TIME_WAIT, CLOSE and UDP timeouts that would have held the table, from
 * the remaining-timeout histograms of the dump.  Each line says what it risks and whether
 * it is global (nf_conntrack_max and _buckets: set from the initial namespace only) or
 * per network namespace.
 */
#define SIZING_LINES	     5
#define SIZING_STEP	     65536 /* nf_conntrack_max is rounded up to this */
#define SIZING_TW_TIMEOUT    60	   /* Linux's own TCP TIME_WAIT (TCP_TIMEWAIT_LEN) */
#define SIZING_UDP_TIMEOUT   15
#define SIZING_CLOSE_TIMEOUT 5

struct sizing_line {
	enum sysctl_key key;
	int64_t current, recommended;
	bool global;
	char why[200];
	char risk[240];
};

struct sizing {
	unsigned int n;
	struct sizing_line v[SIZING_LINES];
	int64_t entry_bytes;		   /* SYSCTL_ABSENT when not measured */
	double mem_mib_now, mem_mib_after; /* of the entries allowed (-1: unknown) */
};

/** The recommendations for @s (none when the table is not under pressure). */
void sizing_compute(const struct snapshot *s, const struct audit_thresholds *t, struct sizing *z);
/** "net.netfilter.KEY = VALUE" lines, as an /etc/sysctl.d/ file with comments. */
int sizing_sysctl_d(const struct sizing *z, char *buf, size_t len);
/** The entries a timeout cut from @now to @then seconds would have removed, from a
 *  remaining-timeout histogram (ct_agg_timeout_bounds): a lower bound. */
uint64_t sizing_saved(const uint64_t *hist, int64_t now, int64_t then);

#endif
