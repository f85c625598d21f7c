#ifndef NATSCOPE_RATES_H
#define NATSCOPE_RATES_H

#include <stdbool.h>

#include "netlink/ct_stats.h"

/* Per-second rates of the per-CPU counters over sliding windows (1 s, 10 s, 60 s). */
#define RATES_SAMPLES 128

struct rates {
	unsigned int n, head; /* ring of samples, newest at head - 1 */
	struct {
		double t;
		uint64_t total[CT_STATS_NATTR];
	} s[RATES_SAMPLES];
};

void rates_init(struct rates *r);
/** Add a sample taken at monotonic time @t. */
void rates_push(struct rates *r, double t, const struct ct_stats *st);
/**
 * Rate of counter @attr over the last @window seconds (from the newest sample back to
 * the oldest one at least @window old, or the oldest there is).  false when fewer than
 * two samples exist.
 */
bool rates_get(const struct rates *r, unsigned int attr, double window, double *out);

#endif
