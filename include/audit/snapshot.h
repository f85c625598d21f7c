#ifndef NATSCOPE_SNAPSHOT_H
#define NATSCOPE_SNAPSHOT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "flows/ct_agg.h"
#include "flows/failures.h"
#include "netlink/ct_stats.h"
#include "host/addrmap.h"
#include "host/dproxy.h"
#include "host/localnet.h"
#include "nftables/natrules.h"
#include "nftables/trackrules.h"
#include "host/sysctl.h"

/*
 * Everything one audit observed, as plain data.  Audit checks and renderers read a
 * const snapshot and nothing else, so they run the same on a live system and in tests.
 */
struct snapshot {
	char netns[128];	/* what --netns named, "" for the caller's namespace */
	time_t taken;		/* wall clock at the second sample */
	double interval;	/* seconds between the two stats samples; 0: one sample */
	double mono0;		/* monotonic time of the first sample */
	struct ct_stats stats0; /* first sample (empty when interval == 0) */
	struct ct_stats stats1; /* second (or only) sample */
	bool stats_fallback;	/* netlink stats unavailable, procfs used */
	bool replay;		/* built from a capture: no statistics, settings or rules */
	bool have_table;
	struct ct_summary table;      /* one streamed dump, taken between the samples */
	struct localnets nets;	      /* the networks attached to the namespace */
	struct trackrules trackrules; /* notrack rules, rules that need conntrack */
	struct sysctl_info sys;
	struct dproxy_list proxies;
	struct natrules nat; /* source-NAT rules; nat.have_nftables false if unread */
	int nat_error;	     /* why the ruleset could not be read (-errno), or 0 */
	ino_t netns_ino;     /* the namespace's inode (BPF records name it) */
	/* the insertion failures of the interval, named by the BPF component */
	struct {
		bool on;	   /* it watched this namespace over the interval */
		char why[200];	   /* why not, when !on */
		uint64_t lost;	   /* failures whose record the ring buffer could not take */
		struct failures f; /* initialised when on */
	} exact;
	struct addrmap names; /* who holds the addresses shown (audit/exact.h) */
	/* the highest count a running engine (the exporter's) saw, -1 without one */
	struct {
		int64_t count;
		time_t at, since;
	} peak;
};

void snapshot_init(struct snapshot *s);
void snapshot_release(struct snapshot *s);

/** Increase of counter @attr over the interval, summed over CPUs (0 with one sample). */
uint64_t snapshot_delta(const struct snapshot *s, unsigned int attr);
/** The same per second. */
double snapshot_rate(const struct snapshot *s, unsigned int attr);
/** Per-second increase of @attr on the i-th CPU of the second sample. */
double snapshot_cpu_rate(const struct snapshot *s, unsigned int i, unsigned int attr);

/** Conntrack entry count and maximum: ctnetlink's when present, else sysctl's; -1 unknown. */
int64_t snapshot_count(const struct snapshot *s);
int64_t snapshot_max(const struct snapshot *s);
/** The highest count seen: a running engine's peak when above the count now, else the
 *  count; -1 unknown. */
int64_t snapshot_peak(const struct snapshot *s);

#endif
