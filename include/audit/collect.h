#ifndef NATSCOPE_COLLECT_H
#define NATSCOPE_COLLECT_H

#include <stdbool.h>
#include <sys/types.h>

#include "audit/snapshot.h"

struct insfail;

struct collect_opts {
	double interval;	  /* seconds between stats samples; 0 = one sample */
	bool dump;		  /* stream the table through the aggregator */
	const char *sys_root;	  /* "/proc/sys/net" */
	const char *proc_root;	  /* "/proc" */
	const char *procfs_stats; /* "/proc/net/stat/nf_conntrack" */
	const char *proc_net;	  /* "/proc/net", for iptables-legacy table names */
	bool nat_rules;		  /* read the nf_tables ruleset */
	ino_t netns_ino;	  /* namespace docker-proxy processes must be in; 0 any */
	struct insfail *bpf;	  /* loaded BPF component (audit/exact.h), or NULL */
};

/* Which step failed, so the command can say what to do about it. */
enum collect_stage {
	COLLECT_SOCKET,
	COLLECT_STATS,
	COLLECT_DUMP,
	COLLECT_SYSCTL,
	COLLECT_RULES,
	COLLECT_PROC,
};

void collect_opts_default(struct collect_opts *o);

/**
 * Fill @snap: stats sample, wait out the interval, table dump, second stats sample,
 * settings and docker-proxy processes.  Returns 0 or -errno with *stage set.
 */
int collect_snapshot(const struct collect_opts *o, struct snapshot *snap,
		     enum collect_stage *stage);

/*
 * The same in two parts, for many namespaces sampled over one interval: begin in each
 * (settings, first sample), wait once until the first one's mono0 + interval, finish in
 * each (dump, second sample, rules, docker-proxy).  Each part runs inside the namespace.
 */
int collect_begin(const struct collect_opts *o, struct snapshot *snap, enum collect_stage *stage);
void collect_wait(double deadline);
int collect_finish(const struct collect_opts *o, struct snapshot *snap, enum collect_stage *stage);

#endif
