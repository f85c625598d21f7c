#include "config.h"
#include "audit/collect.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netfilter.h>
#include <time.h>

#include "audit/exact.h"
#include "bpf/insfail.h"
#include "netlink/ct_dump.h"
#include "nftables/natfix.h"
#include "nftables/natrules.h"
#include "nftables/ruleset.h"
#include "netlink/nl.h"
#include "host/container.h"
#include "util.h"

void collect_opts_default(struct collect_opts *o)
{
	*o = (struct collect_opts){
		.interval = 1.0,
		.dump = true,
		.sys_root = "/proc/sys/net",
		.proc_root = "/proc",
		.procfs_stats = "/proc/net/stat/nf_conntrack",
		.proc_net = "/proc/net",
		.nat_rules = true,
	};
}

static void sleep_until(double deadline)
{
	for (;;) {
		double left = deadline - util_now_mono();
		struct timespec ts;

		if (left <= 0)
			return;
		ts.tv_sec = (time_t)left;
		ts.tv_nsec = (long)((left - floor(left)) * 1e9);
		if (nanosleep(&ts, NULL) == 0)
			return;
	}
}

/*
 * ctnetlink statistics first; procfs only when the netlink request itself is refused for
 * want of support (never for EPERM, which the caller must report).
 */
static int read_stats(struct nl_sock *nl, const struct collect_opts *o, struct ct_stats *st,
		      bool *fallback)
{
	int ret = ct_stats_read_netlink(nl, st);

	if (ret == -EPERM || ret == 0 || ret == -ENOMEM)
		return ret;
	if (ct_stats_read_procfs(o->procfs_stats, st) < 0)
		return ret;
	*fallback = true;
	return 0;
}

static void take_text(void *ctx, uint8_t family, const char *table, uint64_t handle,
		      const char *text)
{
	struct snapshot *snap = ctx;

	natrules_take_text(&snap->nat, family, table, handle, text);
	trackrules_take_text(&snap->trackrules, family, table, handle, text);
}

/*
 * The NAT rules are context for the conntrack findings, not their precondition: a host
 * without nf_tables (or with only iptables-legacy) still gets its conntrack audit, and
 * the reason the rules are missing is kept for the report.
 */
static int read_nat_rules(struct nl_sock *nl, const struct collect_opts *o, struct snapshot *snap)
{
	struct ruleset *rs;
	int ret;

	natrules_read_legacy(o->proc_net, &snap->nat);
	ret = ruleset_dump(nl, &rs, &snap->nat.genid);
	if (ret == -ENOMEM)
		return ret;
	if (ret < 0) {
		snap->nat_error = ret;
		return natrules_add_legacy(&snap->nat);
	}
	ret = natrules_analyze(rs, &snap->nat);
	if (ret == 0)
		ret = natfix_judge_rules(rs, snap->nat.genid, &snap->nat);
	if (ret == 0)
		ret = trackrules_analyze(rs, &snap->trackrules);
	/* nft's text where it can list the ruleset (once for both); natscope's own where not */
	if (ret == 0 && (snap->nat.n || snap->trackrules.n) &&
	    nft_rule_texts(take_text, snap) == -ENOMEM)
		ret = -ENOMEM;
	ruleset_free(rs);
	/* after the judgement: natscope's overlay does not cover legacy rules */
	return ret < 0 ? ret : natrules_add_legacy(&snap->nat);
}

static int dump_cb(const struct ct_flow *flow, void *data)
{
	return ct_agg_add(data, flow);
}

/* The first part: settings and the first statistics sample (its time in snap->mono0). */
int collect_begin(const struct collect_opts *o, struct snapshot *snap, enum collect_stage *stage)
{
	struct nl_sock *nl;
	int ret;

	*stage = COLLECT_SYSCTL;
	ret = sysctl_read(o->sys_root, &snap->sys);
	if (ret < 0)
		return ret;
	snap->sys.ct_entry_bytes = sysctl_ct_entry_bytes("/sys/kernel/slab");
	*stage = COLLECT_SOCKET;
	ret = nl_open(&nl, 0);
	if (ret < 0)
		return ret;
	*stage = COLLECT_STATS;
	if (o->interval > 0)
		ret = read_stats(nl, o, &snap->stats0, &snap->stats_fallback);
	snap->mono0 = util_now_mono();
	nl_close(nl);
	/* the baseline of exact failures is this very sample */
	if (ret == 0 && o->bpf && o->interval > 0 && snap->stats0.source == CT_STATS_NETLINK) {
		int err = insfail_seed(o->bpf, (uint32_t)snap->netns_ino, &snap->stats0);

		snap->exact.on = err == 0;
		if (err < 0)
			snprintf(snap->exact.why, sizeof(snap->exact.why),
				 "seeding the BPF baseline failed: %s", strerror(-err));
	} else if (ret == 0 && o->bpf) {
		snprintf(snap->exact.why, sizeof(snap->exact.why),
			 o->interval > 0 ? "no ctnetlink statistics to start from"
					 : "no interval (-i 0): nothing to watch");
	}
	return ret;
}

/*
 * The rest: the dump comes at the end of the interval, so the SNAT groups it finds are
 * those the interval's traffic made (the likely place of the clashes it counted); then the
 * second sample, the rules and docker-proxy.
 */
int collect_finish(const struct collect_opts *o, struct snapshot *snap, enum collect_stage *stage)
{
	struct nl_sock *nl;
	struct ct_agg *agg = NULL;
	double t1;
	int ret;

	*stage = COLLECT_SOCKET;
	ret = nl_open(&nl, 0);
	if (ret < 0)
		return ret;
	if (o->dump) {
		struct container_roots roots;

		*stage = COLLECT_DUMP;
		ret = ct_agg_new(&agg);
		if (ret < 0)
			goto out;
		/* the attached networks, for bridge-local traffic (best effort) */
		container_roots_find(o->proc_root, "/var/lib/docker", NULL, &roots);
		if (localnets_read(&snap->nets, &roots) == 0)
			ct_agg_set_nets(agg, &snap->nets);
		ret = ct_dump_run(nl, AF_UNSPEC, dump_cb, agg, NULL);
		if (ret < 0)
			goto out;
		ct_agg_summarize(agg, &snap->table);
		snap->have_table = true;
	}

	*stage = COLLECT_STATS;
	t1 = util_now_mono();
	ret = read_stats(nl, o, &snap->stats1, &snap->stats_fallback);
	if (ret < 0)
		goto out;
	snap->interval = o->interval > 0 ? t1 - snap->mono0 : 0;
	snap->taken = time(NULL);
	/* procfs has no maximum; sysctl has it. */
	if (snap->stats1.source == CT_STATS_PROCFS && snap->sys.val[SYSCTL_MAX] != SYSCTL_ABSENT)
		snap->stats1.max = (uint32_t)snap->sys.val[SYSCTL_MAX];

	if (o->nat_rules) {
		*stage = COLLECT_RULES;
		ret = read_nat_rules(nl, o, snap);
		if (ret < 0)
			goto out;
	}

	*stage = COLLECT_PROC;
	ret = dproxy_scan(o->proc_root, o->netns_ino, &snap->proxies);
out:
	ct_agg_free(agg);
	nl_close(nl);
	return ret;
}

void collect_wait(double deadline)
{
	sleep_until(deadline);
}

int collect_snapshot(const struct collect_opts *o, struct snapshot *snap, enum collect_stage *stage)
{
	int ret = collect_begin(o, snap, stage);

	if (ret < 0)
		return ret;
	if (snap->exact.on)
		exact_attach(o->bpf, &snap, 1);
	if (o->interval > 0)
		collect_wait(snap->mono0 + o->interval);
	ret = collect_finish(o, snap, stage);
	if (ret == 0 && snap->exact.on)
		ret = exact_collect(o->bpf, &snap, 1);
	if (ret == 0 && snap->exact.on)
		exact_winners(snap); /* in the namespace, while the table holds them */
	if (ret == 0)
		ret = exact_name(&snap, 1) == -ENOMEM ? -ENOMEM : 0;
	return ret;
}
