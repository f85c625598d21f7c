#include "config.h"
#include "audit/render.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "audit/metrics.h"
#include "nftables/owner.h"
#include "util.h"

/*
 * The audit as metrics (audit/metrics.h writes the two formats).  Every series carries
 * netns; label sets are fixed, so a series goes to 0 rather than vanishing, except the
 * SNAT groups: at most CT_AGG_TOP (16) per namespace, the busiest of this audit.  Each
 * family is written once, with the samples of every namespace under it.  A namespace
 * whose audit failed has only natscope_build_info, natscope_audit_timestamp_seconds and
 * natscope_audit_success 0.
 */

typedef render_emit_fn emit_fn;

static void emit_build(struct metrics *m, const struct render_ns *ns, const void *version);
static void emit_timestamp(struct metrics *m, const struct render_ns *ns, const void *arg);
static void emit_success(struct metrics *m, const struct render_ns *ns, const void *arg);

/* What a namespace whose audit failed still has. */
static bool said_of_failed(emit_fn emit)
{
	return emit == emit_build || emit == emit_timestamp || emit == emit_success;
}

void render_family(struct metrics *m, const struct render_ns *ns, size_t n, const char *name,
		   enum metric_type type, const char *help, emit_fn emit, const void *arg)
{
	metrics_family(m, name, type, help);
	for (size_t i = 0; i < n; i++) {
		if (!ns[i].ok && !said_of_failed(emit))
			continue;
		metrics_set_netns(m, ns[i].netns);
		emit(m, &ns[i], arg);
	}
}

static void emit_build(struct metrics *m, const struct render_ns *ns, const void *version)
{
	metrics_sample(m, 1, "version", (const char *)version, "kernel", ns->snap->sys.kernel,
		       NULL);
}

static void emit_timestamp(struct metrics *m, const struct render_ns *ns, const void *arg)
{
	metrics_sample(m, (double)ns->snap->taken, NULL);
}

static void emit_entries(struct metrics *m, const struct render_ns *ns, const void *which)
{
	int64_t v = which ? snapshot_max(ns->snap) : snapshot_count(ns->snap);

	metrics_sample(m, v >= 0 ? (double)v : NAN, NULL);
}

static void emit_buckets(struct metrics *m, const struct render_ns *ns, const void *arg)
{
	long long v = ns->snap->sys.val[SYSCTL_BUCKETS];

	metrics_sample(m, v == SYSCTL_ABSENT ? NAN : (double)v, NULL);
}

/* What each per-CPU conntrack statistic counts, for its HELP line. */
static const char *stat_help(unsigned int attr)
{
	switch (attr) {
	case CT_STAT_FOUND:
		return "Conntrack lookups that found an existing entry, per CPU.";
	case CT_STAT_INVALID:
		return "Packets conntrack could not track (invalid), per CPU.";
	case CT_STAT_INSERT:
		return "Entries inserted, per CPU (stays 0 since Linux 5.x, which stopped "
		       "counting).";
	case CT_STAT_INSERT_FAILED:
		return "New entries that could not be inserted, their packet dropped (a clash of "
		       "the reply tuple, usually a source-NAT port), per CPU.";
	case CT_STAT_DROP:
		return "Packets conntrack dropped (failed insertions, a full table), per CPU.";
	case CT_STAT_EARLY_DROP:
		return "Entries evicted early to make room in a full table, per CPU.";
	case CT_STAT_ERROR:
		return "Packets conntrack refused with an error, per CPU.";
	case CT_STAT_SEARCH_RESTART:
		return "Hash lookups restarted because the table changed size, per CPU.";
	case CT_STAT_CLASH_RESOLVE:
		return "Insertion clashes the kernel resolved (the same-socket UDP race), per CPU.";
	case CT_STAT_CHAINTOOLONG:
		return "Insertions refused because a hash chain was too long, per CPU.";
	default:
		return "A per-CPU conntrack statistic.";
	}
}

static void emit_stat(struct metrics *m, const struct render_ns *ns, const void *attr)
{
	const struct ct_stats *st = &ns->snap->stats1;
	unsigned int a = *(const unsigned int *)attr;
	char cpu[16];

	for (unsigned int i = 0; i < st->ncpu; i++) {
		snprintf(cpu, sizeof(cpu), "%u", st->cpu[i].cpu);
		metrics_sample(m, (double)st->cpu[i].val[a], "cpu", cpu, NULL);
	}
}

/* Counters this version has no name for, by ctnetlink attribute number. */
static void emit_other(struct metrics *m, const struct render_ns *ns, const void *arg)
{
	const struct ct_stats *st = &ns->snap->stats1;
	uint32_t present = ct_stats_present(st);
	char cpu[16], attr[16];

	for (unsigned int a = 1; a < CT_STATS_NATTR; a++) {
		if (!(present & (1u << a)) || ct_stats_name(a))
			continue;
		snprintf(attr, sizeof(attr), "%u", a);
		for (unsigned int i = 0; i < st->ncpu; i++) {
			snprintf(cpu, sizeof(cpu), "%u", st->cpu[i].cpu);
			metrics_sample(m, (double)st->cpu[i].val[a], "cpu", cpu, "attr", attr,
				       NULL);
		}
	}
}

static void stat_families(struct metrics *m, const struct render_ns *ns, size_t n)
{
	uint32_t present = 0;
	unsigned int attrs[CT_STATS_NATTR];
	char name[96];

	for (size_t i = 0; i < n; i++)
		if (ns[i].ok)
			present |= ct_stats_present(&ns[i].snap->stats1);
	for (unsigned int k = 0; k < ct_stats_known_count(); k++) {
		attrs[k] = ct_stats_known_attr(k);
		if (!(present & (1u << attrs[k])))
			continue; /* this kernel does not have it */
		snprintf(name, sizeof(name), "natscope_conntrack_%s", ct_stats_name(attrs[k]));
		render_family(m, ns, n, name, METRIC_COUNTER, stat_help(attrs[k]), emit_stat,
			      &attrs[k]);
	}
	for (unsigned int a = 1; a < CT_STATS_NATTR; a++)
		if ((present & (1u << a)) && !ct_stats_name(a)) {
			render_family(
				m, ns, n, "natscope_conntrack_other", METRIC_COUNTER,
				"Per-CPU conntrack statistics this version has no name for, by "
				"ctnetlink attribute number.",
				emit_other, NULL);
			break;
		}
}

/* The protocols with a series of their own (all ct_flow_proto_name() names); the rest
 * are "other". */
static const uint8_t protos[] = { 6, 17, 1, 58, 132, 33, 47, 136 };

static void emit_by_proto(struct metrics *m, const struct render_ns *ns, const void *arg)
{
	if (!ns->snap->have_table)
		return;
	const struct flow_counts *c = &ns->snap->table.counts;
	uint64_t other = 0;

	for (unsigned int p = 0; p < 256; p++)
		other += c->by_proto[p];
	for (size_t i = 0; i < ARRAY_SIZE(protos); i++) {
		metrics_sample(m, (double)c->by_proto[protos[i]], "proto",
			       ct_flow_proto_name(protos[i]), NULL);
		other -= c->by_proto[protos[i]];
	}
	metrics_sample(m, (double)other, "proto", "other", NULL);
}

static void emit_by_family(struct metrics *m, const struct render_ns *ns, const void *arg)
{
	if (!ns->snap->have_table)
		return;
	for (unsigned int i = 0; i < FLOW_FAMILIES; i++)
		metrics_sample(m, (double)ns->snap->table.counts.by_family[i], "family",
			       flow_family_name(i), NULL);
}

static void emit_tcp_state(struct metrics *m, const struct render_ns *ns, const void *arg)
{
	if (!ns->snap->have_table)
		return;
	for (unsigned int i = 0; i < CT_TCP_STATES; i++)
		metrics_sample(m, (double)ns->snap->table.counts.tcp_state[i], "state",
			       ct_flow_tcp_state_name(i), NULL);
}

static void emit_nat_kind(struct metrics *m, const struct render_ns *ns, const void *arg)
{
	if (!ns->snap->have_table)
		return;
	for (unsigned int k = 0; k < CT_NAT_KINDS; k++)
		metrics_sample(m, (double)ns->snap->table.counts.nat_kind[k], "kind",
			       ct_flow_nat_kind_name(k), NULL);
}

/* By what needs tracking (flows/trackclass.h): tunnel, bridge_local, loopback, other. */
static void emit_track_class(struct metrics *m, const struct render_ns *ns, const void *arg)
{
	if (!ns->snap->have_table)
		return;
	for (int k = 0; k < TRACK_CLASSES; k++)
		metrics_sample(m, (double)ns->snap->table.track.row[k].entries, "class",
			       track_class_name(k), NULL);
}

/* @assured: non-NULL for ASSURED entries, NULL for UNREPLIED */
static void emit_flag(struct metrics *m, const struct render_ns *ns, const void *assured)
{
	if (!ns->snap->have_table)
		return;
	const struct flow_counts *c = &ns->snap->table.counts;

	metrics_sample(m, (double)(assured ? c->assured : c->unreplied), NULL);
}

/* which: 0 entries, 1 sources, 2 port share */
static void emit_group(struct metrics *m, const struct render_ns *ns, const void *which)
{
	if (!ns->snap->have_table)
		return;
	for (unsigned int i = 0; i < ns->snap->table.ntop; i++) {
		const struct ct_agg_group *g = &ns->snap->table.top[i];
		const char *proto = ct_flow_proto_name(g->key.l4proto);
		char a[64], b[64], port[8];
		double v = which == NULL	      ? g->entries
			   : *(const int *)which == 1 ? g->sources
						      : ct_agg_group_port_share(g);

		snprintf(port, sizeof(port), "%u", g->key.dport);
		metrics_sample(m, v, "proto", proto ? proto : "other", "snat_src",
			       ct_flow_addr_str(g->key.family, &g->key.snat_src, a, sizeof(a)),
			       "dst", ct_flow_addr_str(g->key.family, &g->key.dst, b, sizeof(b)),
			       "dport", port, NULL);
	}
}

static void table_families(struct metrics *m, const struct render_ns *ns, size_t n)
{
	static const int sources = 1, share = 2;
	static const bool assured = true;

	render_family(m, ns, n, "natscope_conntrack_entries_by_proto", METRIC_GAUGE,
		      "Conntrack entries by layer-4 protocol, from one table dump.", emit_by_proto,
		      NULL);
	render_family(m, ns, n, "natscope_conntrack_entries_by_family", METRIC_GAUGE,
		      "Conntrack entries by address family, from one table dump.", emit_by_family,
		      NULL);
	render_family(m, ns, n, "natscope_conntrack_tcp_entries", METRIC_GAUGE,
		      "TCP conntrack entries by TCP state, from one table dump.", emit_tcp_state,
		      NULL);
	render_family(m, ns, n, "natscope_conntrack_nat_entries", METRIC_GAUGE,
		      "Conntrack entries by the NAT they carry, from one table dump.",
		      emit_nat_kind, NULL);
	render_family(m, ns, n, "natscope_conntrack_entries_by_class", METRIC_GAUGE,
		      "Conntrack entries by what needs tracking: tunnel carriers, bridge-local "
		      "traffic, loopback, other (natscope-audit(8), TRACKING).",
		      emit_track_class, NULL);
	render_family(m, ns, n, "natscope_conntrack_assured_entries", METRIC_GAUGE,
		      "ASSURED conntrack entries, from one table dump.", emit_flag, &assured);
	render_family(m, ns, n, "natscope_conntrack_unreplied_entries", METRIC_GAUGE,
		      "UNREPLIED conntrack entries, from one table dump.", emit_flag, NULL);
	render_family(m, ns, n, "natscope_snat_group_entries", METRIC_GAUGE,
		      "Source-NAT entries of one group (protocol, post-NAT source, destination, "
		      "port): the 16 busiest per namespace.",
		      emit_group, NULL);
	render_family(m, ns, n, "natscope_snat_group_sources", METRIC_GAUGE,
		      "Distinct pre-NAT sources of one source-NAT group (the 16 busiest).",
		      emit_group, &sources);
	render_family(m, ns, n, "natscope_snat_group_port_share", METRIC_GAUGE,
		      "Share of the ports 1024-65535 one source-NAT group uses (the 16 busiest).",
		      emit_group, &share);
}

static const char *const coverage[NATRULE_COVERS] = {
	[NATRULE_COVER_NONE] = "none",
	[NATRULE_COVER_COVERED] = "covered",
	[NATRULE_COVER_HARMLESS] = "stale_harmless",
	[NATRULE_COVER_UNCOVERED] = "uncovered",
	[NATRULE_COVER_DANGEROUS] = "dangerous",
};

static void emit_rules(struct metrics *m, const struct render_ns *ns, const void *arg)
{
	unsigned int n[2][NATRULE_COVERS] = { { 0 } };
	const struct natrules *nr = &ns->snap->nat;

	for (unsigned int i = 0; i < nr->n; i++)
		n[natrule_fully_random(&nr->v[i])][nr->v[i].cover]++;
	for (int fr = 0; fr < 2; fr++)
		for (int c = 0; c < NATRULE_COVERS; c++)
			metrics_sample(m, n[fr][c], "fully_random", fr ? "true" : "false",
				       "coverage", coverage[c], NULL);
}

/* Rules that lack fully-random, that natscope's overlay does not cover, not hairpin. */
static void emit_unprotected(struct metrics *m, const struct render_ns *ns, const void *arg)
{
	const struct natrules *nr = &ns->snap->nat;
	unsigned int n = 0;

	for (unsigned int i = 0; i < nr->n; i++) {
		const struct natrule *r = &nr->v[i];

		n += !natrule_fully_random(r) && !r->hairpin && r->cover != NATRULE_COVER_COVERED &&
		     r->cover != NATRULE_COVER_HARMLESS;
	}
	metrics_sample(m, n, NULL);
}

static void emit_overlay(struct metrics *m, const struct render_ns *ns, const void *arg)
{
	metrics_sample(m, ns->snap->nat.overlay, NULL);
}

static void emit_overlay_rules(struct metrics *m, const struct render_ns *ns, const void *arg)
{
	unsigned int n[NATRULE_COVERS] = { 0 };

	for (unsigned int i = 0; i < ns->snap->nat.n; i++)
		n[ns->snap->nat.v[i].cover]++;
	for (int c = NATRULE_COVER_COVERED; c < NATRULE_COVERS; c++)
		metrics_sample(m, n[c], "state", coverage[c], NULL);
}

enum fix_figure {
	FIX_SINCE,
	FIX_BEFORE_FAILED,
	FIX_BEFORE_FLOWS,
	FIX_BEFORE_SECONDS,
	FIX_SINCE_FAILED,
	FIX_SINCE_FLOWS,
	FIX_FIGURES,
};

/* What natscope's fix recorded and counted since (nftables/owner.h); NaN: not known. */
static void emit_fix(struct metrics *m, const struct render_ns *ns, const void *arg)
{
	const struct snapshot *s = ns->snap;
	const struct owner_record *r = &s->nat.fix_record;
	struct owner_effect e;
	double v[FIX_FIGURES];

	owner_effect_compute(r, ct_stats_total(&s->stats1, CT_STAT_INSERT_FAILED),
			     s->nat.have_counted, s->nat.counted, &e);
	v[FIX_SINCE] = s->nat.overlay && r->have ? (double)r->since : 0;
	v[FIX_BEFORE_FAILED] = e.have_before ? (double)e.before_failed : NAN;
	v[FIX_BEFORE_FLOWS] = e.have_before ? (double)e.before_flows : NAN;
	v[FIX_BEFORE_SECONDS] = e.have_before ? e.before_seconds : NAN;
	v[FIX_SINCE_FAILED] = e.have_since ? (double)e.since_failed : NAN;
	v[FIX_SINCE_FLOWS] = e.have_since ? (double)e.since_flows : NAN;
	metrics_sample(m, v[*(const enum fix_figure *)arg], NULL);
}

static void fix_families(struct metrics *m, const struct render_ns *ns, size_t n)
{
	static const struct {
		enum fix_figure f;
		const char *name, *help;
	} figs[] = {
		{ FIX_SINCE, "natscope_fix_timestamp_seconds",
		  "When natscope's fix was first installed (0: no fix in force)." },
		{ FIX_BEFORE_FAILED, "natscope_fix_before_insert_failed",
		  "Insertion failures in the sample fix took just before it applied." },
		{ FIX_BEFORE_FLOWS, "natscope_fix_before_flows",
		  "New source-NAT flows tried in that sample (new + failed)." },
		{ FIX_BEFORE_SECONDS, "natscope_fix_before_sample_seconds",
		  "Length of the sample fix took before it applied." },
		{ FIX_SINCE_FAILED, "natscope_fix_since_insert_failed",
		  "Insertion failures since natscope's fix was installed." },
		{ FIX_SINCE_FLOWS, "natscope_fix_since_flows",
		  "New source-NAT flows since natscope's fix was installed (its count chain)." },
	};

	for (size_t i = 0; i < ARRAY_SIZE(figs); i++)
		render_family(m, ns, n, figs[i].name, METRIC_GAUGE, figs[i].help, emit_fix,
			      &figs[i].f);
}

static void emit_legacy(struct metrics *m, const struct render_ns *ns, const void *arg)
{
	metrics_sample(m, ns->snap->nat.legacy_nat_ipv4, "family", "ipv4", NULL);
	metrics_sample(m, ns->snap->nat.legacy_nat_ipv6, "family", "ipv6", NULL);
}

static void emit_proxies(struct metrics *m, const struct render_ns *ns, const void *arg)
{
	metrics_sample(m, ns->snap->proxies.n, NULL);
}

static void emit_findings(struct metrics *m, const struct render_ns *ns, const void *arg)
{
	for (unsigned int i = 0; i < ns->rep->n; i++)
		metrics_sample(m, ns->rep->f[i].sev, "id", audit_check_id(ns->rep->f[i].check),
			       NULL);
}

static void emit_status(struct metrics *m, const struct render_ns *ns, const void *arg)
{
	metrics_sample(m, audit_exit_code(ns->rep->worst), NULL);
}

static void emit_success(struct metrics *m, const struct render_ns *ns, const void *arg)
{
	metrics_sample(m, ns->ok, NULL);
}

int render_metrics(FILE *out, enum metrics_format fmt, const struct render_ns *ns, size_t n,
		   const struct render_opts *o)
{
	struct metrics m;

	metrics_init(&m, out, fmt);
	render_metrics_families(&m, ns, n, o);
	return metrics_end(&m);
}

void render_metrics_families(struct metrics *m, const struct render_ns *ns, size_t n,
			     const struct render_opts *o)
{
	static const int max = 1;
	bool table = false, rules = false;

	for (size_t i = 0; i < n; i++) {
		table |= ns[i].ok && ns[i].snap->have_table;
		rules |= ns[i].ok && ns[i].snap->nat.have_nftables;
	}
	render_family(m, ns, n, "natscope_build", METRIC_INFO,
		      "The natscope version and the kernel release it ran on.", emit_build,
		      o->version);
	render_family(m, ns, n, "natscope_audit_timestamp_seconds", METRIC_GAUGE,
		      "When the audit read the namespace (Unix time).", emit_timestamp, NULL);
	render_family(m, ns, n, "natscope_audit_success", METRIC_GAUGE,
		      "1 if the audit of the namespace succeeded, 0 if it failed (then only these "
		      "three metrics are written).",
		      emit_success, NULL);
	render_family(m, ns, n, "natscope_conntrack_entries", METRIC_GAUGE,
		      "Conntrack entries in the namespace (nf_conntrack_count).", emit_entries,
		      NULL);
	render_family(m, ns, n, "natscope_conntrack_max", METRIC_GAUGE,
		      "nf_conntrack_max: one limit for the entries of all namespaces together.",
		      emit_entries, &max);
	render_family(m, ns, n, "natscope_conntrack_buckets", METRIC_GAUGE,
		      "Conntrack hash buckets (nf_conntrack_buckets).", emit_buckets, NULL);
	stat_families(m, ns, n);
	if (table) {
		table_families(m, ns, n);
		render_sizing_metrics(m, ns, n);
	}
	if (rules) {
		render_family(m, ns, n, "natscope_snat_rules", METRIC_GAUGE,
			      "Source-NAT statements reachable from nat postrouting chains, by "
			      "fully-random and by what natscope's overlay does for them.",
			      emit_rules, NULL);
		render_family(m, ns, n, "natscope_snat_rules_unprotected", METRIC_GAUGE,
			      "Source-NAT statements without fully-random that no overlay covers "
			      "(hairpin-only rules left out): the clash risk.",
			      emit_unprotected, NULL);
		render_family(m, ns, n, "natscope_overlay_present", METRIC_GAUGE,
			      "1 if natscope's fix overlay is installed.", emit_overlay, NULL);
		render_family(
			m, ns, n, "natscope_overlay_rules", METRIC_GAUGE,
			"Rules by what natscope's overlay does for them (dangerous: NATs what "
			"no source rule does).",
			emit_overlay_rules, NULL);
		fix_families(m, ns, n);
	}
	render_family(m, ns, n, "natscope_iptables_legacy_nat", METRIC_GAUGE,
		      "1 if an iptables-legacy nat table exists (invisible to nf_tables).",
		      emit_legacy, NULL);
	render_family(m, ns, n, "natscope_docker_proxy_processes", METRIC_GAUGE,
		      "docker-proxy processes relaying published ports of the namespace.",
		      emit_proxies, NULL);
	render_family(m, ns, n, "natscope_finding_severity", METRIC_GAUGE,
		      "Severity of each audit finding: 0 ok, 1 info, 2 warning, 3 critical, 4 "
		      "unknown.",
		      emit_findings, NULL);
	render_family(
		m, ns, n, "natscope_audit_status", METRIC_GAUGE,
		"The audit's monitoring-plugin status: 0 ok, 1 warning, 2 critical, 3 unknown.",
		emit_status, NULL);
}

static int one(FILE *out, enum metrics_format fmt, const struct snapshot *s,
	       const struct audit_report *r, const struct render_opts *o)
{
	struct render_ns ns = { .netns = s->netns, .snap = s, .rep = r, .ok = true };

	return render_metrics(out, fmt, &ns, 1, o);
}

int render_prom(FILE *out, const struct snapshot *s, const struct audit_report *r,
		const struct render_opts *o)
{
	return one(out, METRICS_PROMETHEUS, s, r, o);
}

int render_openmetrics(FILE *out, const struct snapshot *s, const struct audit_report *r,
		       const struct render_opts *o)
{
	return one(out, METRICS_OPENMETRICS, s, r, o);
}
