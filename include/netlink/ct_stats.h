#ifndef NATSCOPE_CT_STATS_H
#define NATSCOPE_CT_STATS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct nlmsghdr;
struct nl_sock;

/*
 * Per-CPU counters are kept by ctnetlink attribute number (enum ctattr_stats_cpu), so a
 * counter a newer kernel adds is carried through without a code change.  32 slots:
 * kernels up to 6.18 use 1..15.
 */
#define CT_STATS_NATTR 32

enum ct_stat {
	CT_STAT_FOUND = 2,
	CT_STAT_INVALID = 4,
	CT_STAT_INSERT = 8,
	CT_STAT_INSERT_FAILED = 9,
	CT_STAT_DROP = 10,
	CT_STAT_EARLY_DROP = 11,
	CT_STAT_ERROR = 12,
	CT_STAT_SEARCH_RESTART = 13,
	CT_STAT_CLASH_RESOLVE = 14,
	CT_STAT_CHAINTOOLONG = 15,
};

struct ct_cpu_stats {
	unsigned int cpu;
	uint32_t present; /* bit n: attribute n was reported */
	uint64_t val[CT_STATS_NATTR];
};

enum ct_stats_source {
	CT_STATS_NONE,
	CT_STATS_NETLINK,
	CT_STATS_PROCFS,
};

struct ct_stats {
	enum ct_stats_source source;
	unsigned int ncpu;
	struct ct_cpu_stats *cpu; /* ncpu entries, ascending cpu number */
	bool have_global;
	uint32_t count; /* nf_conntrack_count */
	uint32_t max;	/* nf_conntrack_max */
};

/** Name of counter @attr ("insert_failed"), or NULL when it has none we know. */
const char *ct_stats_name(unsigned int attr);
/** Number of named counters and the attribute of the i-th, in display order. */
unsigned int ct_stats_known_count(void);
unsigned int ct_stats_known_attr(unsigned int i);

/** Sum of counter @attr over all CPUs. */
uint64_t ct_stats_total(const struct ct_stats *st, unsigned int attr);
/** The CPU record for @cpu, or NULL. */
const struct ct_cpu_stats *ct_stats_cpu(const struct ct_stats *st, unsigned int cpu);
/** Union of the per-CPU present masks. */
uint32_t ct_stats_present(const struct ct_stats *st);

void ct_stats_init(struct ct_stats *st);
void ct_stats_release(struct ct_stats *st);
int ct_stats_copy(struct ct_stats *dst, const struct ct_stats *src);

/** Parse one IPCTNL_MSG_CT_GET_STATS_CPU reply into @st (appending a CPU). */
int ct_stats_parse_cpu_msg(const struct nlmsghdr *nlh, struct ct_stats *st);
/** Parse an IPCTNL_MSG_CT_GET_STATS reply (count and max). */
int ct_stats_parse_global_msg(const struct nlmsghdr *nlh, struct ct_stats *st);

/** Read per-CPU and global statistics over ctnetlink. */
int ct_stats_read_netlink(struct nl_sock *nl, struct ct_stats *st);

/**
 * Parse /proc/net/stat/nf_conntrack text (one header line, one hex line per possible CPU)
 * by column name.  Used only where ctnetlink statistics are unavailable.
 */
int ct_stats_parse_procfs(FILE *f, struct ct_stats *st);
int ct_stats_read_procfs(const char *path, struct ct_stats *st);

#endif
