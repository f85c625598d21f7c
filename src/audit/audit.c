#include "config.h"
#include "audit/audit.h"
#include "audit_int.h"
#include "audit/sizing.h"
#include "util.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <netinet/in.h>
#include <string.h>
#include <time.h>

struct audit_check {
	const char *id;
	const char *title;
	const char *remedy;
	bool live_only; /* needs counters, settings or rules a replay does not have */
	void (*run)(const struct snapshot *s, const struct audit_thresholds *t, struct finding *f);
};

void audit_thresholds_default(struct audit_thresholds *t)
{
	*t = (struct audit_thresholds){
		/* The fill thresholds of the issue (80 % / 95 %): early_drop starts at 100 %. */
		.fill_warning = 0.80,
		.fill_critical = 0.95,
		.time_wait_share = 0.50,
		.time_wait_min = 100,
		/* Above half the 64,512 ports, a random-start port search collides often. */
		.port_share_warning = 0.50,
		.port_share_critical = 0.90,
		/* The kernel's own default is one bucket per allowed entry (max == buckets). */
		.max_per_bucket = 8.0,
	};
}

void audit_summary(struct finding *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->summary, sizeof(f->summary), fmt, ap);
	va_end(ap);
}

void audit_evidence(struct finding *f, const char *key, double value)
{
	if (f->nev == AUDIT_MAX_EVIDENCE)
		return;
	snprintf(f->ev[f->nev].key, sizeof(f->ev[f->nev].key), "%s", key);
	f->ev[f->nev++].value = value;
}

void audit_raise(struct finding *f, enum severity sev)
{
	if (sev > f->sev)
		f->sev = sev;
}

/* The hottest SNAT groups, named as the likely place of clashes or exhaustion. */
static void cite_groups(const struct snapshot *s, struct finding *f, double min_share)
{
	for (unsigned int i = 0; i < s->table.ntop && f->ngroups < AUDIT_MAX_GROUPS; i++)
		if (ct_agg_group_port_share(&s->table.top[i]) >= min_share)
			f->groups[f->ngroups++] = i;
}

/* What the BPF component adds to the clash finding, in words. */
static const char *exact_words(const struct snapshot *s, char *buf, size_t len)
{
	if (!s->exact.on)
		return "; the groups below are the likely place, the one furthest short of its "
		       "peers first (not named exactly: see INSERTION FAILURES)";
	snprintf(buf, len, "; %llu of them named exactly (INSERTION FAILURES)",
		 (unsigned long long)s->exact.f.reported);
	return buf;
}

/*
 * The likely place of clashes when they are not named exactly.  A failed flow never
 * becomes an entry, so among groups that get the same traffic from the same sources,
 * the one that fell short of its peers is where insertions failed: the busiest group is
 * the wrong guess.  Peers are groups fed by two or more sources (as clashes need) toward
 * the same destination address from the same post-NAT source, other ports; each group's
 * shortfall is the largest peer's entries minus its own (0 without peers).  Cited by
 * shortfall, the busiest first among equals; the shortfall goes into the evidence.
 */
static uint32_t shortfall(const struct ct_summary *t, unsigned int i)
{
	const struct ct_agg_group *g = &t->top[i];
	uint32_t max = g->entries;

	for (unsigned int k = 0; k < t->ntop; k++) {
		const struct ct_agg_group *p = &t->top[k];

		if (p->sources >= 2 && p->key.family == g->key.family &&
		    p->key.l4proto == g->key.l4proto &&
		    memcmp(&p->key.dst, &g->key.dst, sizeof(p->key.dst)) == 0 &&
		    memcmp(&p->key.snat_src, &g->key.snat_src, sizeof(p->key.snat_src)) == 0 &&
		    p->entries > max)
			max = p->entries;
	}
	return max - g->entries;
}

static void cite_short_groups(const struct snapshot *s, struct finding *f)
{
	unsigned int order[CT_AGG_TOP], n = 0;
	uint32_t gap[CT_AGG_TOP];
	char key[40];

	for (unsigned int i = 0; i < s->table.ntop; i++)
		if (s->table.top[i].sources >= 2) {
			gap[n] = shortfall(&s->table, i);
			order[n++] = i;
		}
	/* insertion sort, stable: shortfall descending, then the table's order (entries) */
	for (unsigned int i = 1; i < n; i++)
		for (unsigned int k = i; k > 0 && gap[k] > gap[k - 1]; k--) {
			unsigned int t = order[k];
			uint32_t g = gap[k];

			order[k] = order[k - 1];
			gap[k] = gap[k - 1];
			order[k - 1] = t;
			gap[k - 1] = g;
		}
	for (unsigned int i = 0; i < n && f->ngroups < AUDIT_MAX_GROUPS; i++) {
		f->groups[f->ngroups++] = order[i];
		snprintf(key, sizeof(key), "group%u_shortfall", f->ngroups);
		audit_evidence(f, key, (double)gap[i]);
	}
	if (!f->ngroups)
		cite_groups(s, f, 0.0);
}

/* Whether every source-NAT rule (hairpin-only ones aside) is fully random or covered. */
static bool every_rule_random(const struct snapshot *s)
{
	if (!s->nat.have_nftables || !s->nat.n)
		return false;
	for (unsigned int i = 0; i < s->nat.n; i++) {
		const struct natrule *r = &s->nat.v[i];

		if (!natrule_fully_random(r) && !r->hairpin && r->cover != NATRULE_COVER_COVERED &&
		    r->cover != NATRULE_COVER_HARMLESS)
			return false;
	}
	return true;
}

/* A counter that rose only before the interval, or with no interval (-i 0) to tell. */
static void since_boot(struct finding *f, const struct snapshot *s, const char *what,
		       uint64_t total)
{
	if (s->interval > 0)
		audit_summary(f, "%llu %s since boot, none in the last %.1f s",
			      (unsigned long long)total, what, s->interval);
	else
		audit_summary(f, "%llu %s since boot (one sample, -i 0: no rate measured)",
			      (unsigned long long)total, what);
}

static void check_snat_clash(const struct snapshot *s, const struct audit_thresholds *t,
			     struct finding *f)
{
	uint64_t total = ct_stats_total(&s->stats1, CT_STAT_INSERT_FAILED);
	uint64_t delta = snapshot_delta(s, CT_STAT_INSERT_FAILED);
	char key[40], words[96];

	audit_evidence(f, "insert_failed_total", (double)total);
	audit_evidence(f, "insert_failed_per_s", snapshot_rate(s, CT_STAT_INSERT_FAILED));
	audit_evidence(f, "clash_resolve_per_s", snapshot_rate(s, CT_STAT_CLASH_RESOLVE));
	if (delta) {
		for (unsigned int i = 0; i < s->stats1.ncpu; i++) {
			snprintf(key, sizeof(key), "cpu%u_insert_failed_per_s",
				 s->stats1.cpu[i].cpu);
			audit_evidence(f, key, snapshot_cpu_rate(s, i, CT_STAT_INSERT_FAILED));
		}
		audit_raise(f, SEV_CRITICAL);
		audit_summary(
			f,
			"%.1f conntrack insertions/s fail (%llu in %.1f s): new flows are dropped "
			"and clients stall on SYN/packet retransmits%s",
			snapshot_rate(s, CT_STAT_INSERT_FAILED), (unsigned long long)delta,
			s->interval, exact_words(s, words, sizeof(words)));
		if (every_rule_random(s))
			snprintf(
				f->remedy, sizeof(f->remedy),
				"Every source-NAT rule already allocates ports fully at random "
				"(natscope's overlay or the rule itself): the failures left are "
				"not the port search giving up.  Look at who fails "
				"(INSERTION FAILURES, or the likely groups), at clash_resolve (the "
				"same-socket UDP race, e.g. DNS A/AAAA), and at whether the port "
				"space of one destination is full (snat_port_exhaustion).");
		/* named exactly: the likely groups would only add guesses */
		if (!s->exact.on)
			cite_short_groups(s, f);
		else
			audit_evidence(f, "named_exactly", (double)s->exact.f.reported);
	} else if (total) {
		audit_raise(f, SEV_INFO);
		since_boot(f, s, "insertions failed", total);
	} else {
		audit_summary(f, "no conntrack insertion failures");
	}
}

/*
 * The settings SIZING recommends, in the remedy of a finding they answer: "@base ...
 * natscope fix --tune sets KEY = VALUE, ...".  Left as the check's own when there are none.
 */
static void sizing_remedy(const struct snapshot *s, const struct audit_thresholds *t,
			  struct finding *f, const char *base)
{
	struct sizing z;
	size_t off;

	sizing_compute(s, t, &z);
	if (!z.n)
		return;
	off = (size_t)snprintf(f->remedy, sizeof(f->remedy), "%s `natscope fix --tune` sets", base);
	for (unsigned int i = 0; i < z.n && off < sizeof(f->remedy); i++)
		off += (size_t)snprintf(f->remedy + off, sizeof(f->remedy) - off, "%s %s = %lld%s",
					i ? "," : "", sysctl_name(z.v[i].key),
					(long long)z.v[i].recommended,
					z.v[i].global ? " (global)" : "");
	if (off < sizeof(f->remedy))
		snprintf(f->remedy + off, sizeof(f->remedy) - off,
			 "; SIZING says why and what each risks.");
}

static void check_table_fill(const struct snapshot *s, const struct audit_thresholds *t,
			     struct finding *f)
{
	int64_t count = snapshot_count(s), max = snapshot_max(s);
	double fill;

	if (count < 0 || max <= 0) {
		f->sev = SEV_UNKNOWN;
		audit_summary(f, "conntrack count or maximum unavailable");
		return;
	}
	fill = (double)count / (double)max;
	audit_evidence(f, "count", (double)count);
	audit_evidence(f, "max", (double)max);
	audit_evidence(f, "fill_ratio", fill);
	if (fill >= t->fill_critical)
		audit_raise(f, SEV_CRITICAL);
	else if (fill >= t->fill_warning)
		audit_raise(f, SEV_WARNING);
	audit_summary(f, "conntrack table %.1f%% full (%lld of %lld)", fill * 100.0,
		      (long long)count, (long long)max);
	if (f->sev > SEV_OK)
		sizing_remedy(s, t, f, "Make room, or shorten what fills it:");
}

static void check_table_drops(const struct snapshot *s, const struct audit_thresholds *t,
			      struct finding *f)
{
	uint64_t early = snapshot_delta(s, CT_STAT_EARLY_DROP);
	uint64_t drop = snapshot_delta(s, CT_STAT_DROP);
	uint64_t failed = snapshot_delta(s, CT_STAT_INSERT_FAILED);
	/* A failed insertion also counts as a drop; those belong to the clash check. */
	uint64_t other = drop > failed ? drop - failed : 0;
	uint64_t early_total = ct_stats_total(&s->stats1, CT_STAT_EARLY_DROP);

	audit_evidence(f, "early_drop_per_s", snapshot_rate(s, CT_STAT_EARLY_DROP));
	audit_evidence(f, "drop_per_s", snapshot_rate(s, CT_STAT_DROP));
	audit_evidence(f, "drop_not_insert_failed_per_s",
		       s->interval > 0 ? other / s->interval : 0);
	audit_evidence(f, "early_drop_total", (double)early_total);
	audit_evidence(f, "drop_total", (double)ct_stats_total(&s->stats1, CT_STAT_DROP));
	if (early || other) {
		audit_raise(f, SEV_CRITICAL);
		audit_summary(
			f,
			"conntrack is dropping packets: %.1f early_drop/s, %.1f drop/s not from "
			"clashes (table full: \"nf_conntrack: table full, dropping packet\")",
			snapshot_rate(s, CT_STAT_EARLY_DROP), other / s->interval);
	} else if (early_total) {
		audit_raise(f, SEV_INFO);
		since_boot(f, s, "early drops", early_total);
	} else {
		audit_summary(f, "no table-full drops");
	}
}

static void check_hash_chains(const struct snapshot *s, const struct audit_thresholds *t,
			      struct finding *f)
{
	uint64_t delta = snapshot_delta(s, CT_STAT_CHAINTOOLONG);
	uint64_t total = ct_stats_total(&s->stats1, CT_STAT_CHAINTOOLONG);
	int64_t buckets = s->sys.val[SYSCTL_BUCKETS], max = snapshot_max(s);
	double per_bucket = buckets > 0 && max > 0 ? (double)max / (double)buckets : 0;

	audit_evidence(f, "chaintoolong_per_s", snapshot_rate(s, CT_STAT_CHAINTOOLONG));
	audit_evidence(f, "chaintoolong_total", (double)total);
	if (buckets > 0) {
		audit_evidence(f, "buckets", (double)buckets);
		audit_evidence(f, "max_per_bucket", per_bucket);
	}
	if (delta) {
		audit_raise(f, SEV_WARNING);
		audit_summary(f, "hash chains too long: %.1f/s (%.1f entries allowed per bucket)",
			      snapshot_rate(s, CT_STAT_CHAINTOOLONG), per_bucket);
	} else if (per_bucket > t->max_per_bucket) {
		audit_raise(f, SEV_INFO);
		audit_summary(f,
			      "%lld buckets for up to %lld entries (%.1f per bucket): lookups slow "
			      "down as the table fills",
			      (long long)buckets, (long long)max, per_bucket);
	} else if (total) {
		audit_raise(f, SEV_INFO);
		since_boot(f, s, "too-long hash chains", total);
	} else {
		audit_summary(f, "hash table sized for the maximum");
	}
}

static void check_time_wait(const struct snapshot *s, const struct audit_thresholds *t,
			    struct finding *f)
{
	uint64_t tcp = s->table.counts.by_proto[IPPROTO_TCP],
		 tw = s->table.counts.tcp_state[CT_TCP_TIME_WAIT];
	double share = tcp ? (double)tw / (double)tcp : 0;

	if (!s->have_table) {
		f->sev = SEV_UNKNOWN;
		audit_summary(f, "table not dumped");
		return;
	}
	audit_evidence(f, "tcp_entries", (double)tcp);
	audit_evidence(f, "time_wait_entries", (double)tw);
	audit_evidence(f, "time_wait_share", share);
	if (tcp >= t->time_wait_min && share > t->time_wait_share) {
		audit_raise(f, SEV_WARNING);
		audit_summary(f, "%.0f%% of TCP entries are TIME_WAIT (%llu of %llu)",
			      share * 100.0, (unsigned long long)tw, (unsigned long long)tcp);
		sizing_remedy(s, t, f,
			      "Clients open and close many short connections: reuse them "
			      "(keep-alive, pooling); or");
	} else {
		audit_summary(f, "%.0f%% of %llu TCP entries are TIME_WAIT", share * 100.0,
			      (unsigned long long)tcp);
	}
}

static void check_invalid(const struct snapshot *s, const struct audit_thresholds *t,
			  struct finding *f)
{
	uint64_t delta = snapshot_delta(s, CT_STAT_INVALID);
	uint64_t total = ct_stats_total(&s->stats1, CT_STAT_INVALID);

	audit_evidence(f, "invalid_per_s", snapshot_rate(s, CT_STAT_INVALID));
	audit_evidence(f, "invalid_total", (double)total);
	if (delta) {
		audit_raise(f, SEV_WARNING);
		audit_summary(f, "%.1f invalid packets/s", snapshot_rate(s, CT_STAT_INVALID));
	} else if (total) {
		audit_raise(f, SEV_INFO);
		since_boot(f, s, "invalid packets", total);
	} else {
		audit_summary(f, "no invalid packets");
	}
}

static void check_port_exhaustion(const struct snapshot *s, const struct audit_thresholds *t,
				  struct finding *f)
{
	const struct ct_agg_group *g;
	double share;

	if (!s->have_table) {
		f->sev = SEV_UNKNOWN;
		audit_summary(f, "table not dumped");
		return;
	}
	audit_evidence(f, "snat_groups", (double)s->table.ngroups);
	if (s->table.ntop == 0) {
		audit_summary(f, "no source-NAT entries");
		return;
	}
	/* Groups are sorted by entries, which is ports in use for a group. */
	g = &s->table.top[0];
	share = ct_agg_group_port_share(g);
	audit_evidence(f, "max_port_share", share);
	audit_evidence(f, "max_group_entries", (double)g->entries);
	if (share >= t->port_share_critical)
		audit_raise(f, SEV_CRITICAL);
	else if (share >= t->port_share_warning)
		audit_raise(f, SEV_WARNING);
	if (f->sev > SEV_OK) {
		cite_groups(s, f, t->port_share_warning);
		audit_summary(f, "a SNAT group uses %.0f%% of its %u source ports", share * 100.0,
			      CT_AGG_PORT_SPACE);
	} else {
		audit_summary(f, "busiest SNAT group uses %.1f%% of its source ports",
			      share * 100.0);
	}
}

static const struct audit_check checks[] = {
	{
		.id = "snat_port_clash",
		.live_only = true,
		.title = "SNAT port clashes (insert_failed)",
		.remedy = "Give masquerade/snat rules fully-random port allocation: "
			  "`natscope fix --random-fully`, or add `fully-random` (nft) / "
			  "`--random-fully` (iptables). The kernel does not say which flow "
			  "failed; the groups listed are the likely place.",
		.run = check_snat_clash,
	},
	{
		.id = "table_fill",
		.live_only = true,
		.title = "Conntrack table fill",
		.remedy = "Raise net.netfilter.nf_conntrack_max (and the hash size with it), or "
			  "shorten the timeouts of the states that dominate the table.",
		.run = check_table_fill,
	},
	{
		.id = "table_drops",
		.live_only = true,
		.title = "Table-full drops (early_drop, drop)",
		.remedy = "The table is full: raise net.netfilter.nf_conntrack_max, shorten "
			  "nf_conntrack_udp_timeout / tcp_timeout_time_wait, or exempt "
			  "high-volume stateless traffic with `notrack`.",
		.run = check_table_drops,
	},
	{
		.id = "hash_chains",
		.live_only = true,
		.title = "Conntrack hash-table pressure",
		.remedy = "Set the bucket count near nf_conntrack_max: "
			  "`echo N > /sys/module/nf_conntrack/parameters/hashsize` (or "
			  "net.netfilter.nf_conntrack_buckets in the initial namespace).",
		.run = check_hash_chains,
	},
	{
		.id = "time_wait",
		.title = "TIME_WAIT dominance",
		.remedy = "Clients open and close many short connections: reuse them "
			  "(keep-alive, pooling); nf_conntrack_tcp_timeout_time_wait (120 s) "
			  "can be lowered where the table fills.",
		.run = check_time_wait,
	},
	{
		.id = "invalid",
		.live_only = true,
		.title = "Invalid packets",
		.remedy = "Usually asymmetric routing (replies bypass this host) or hairpin NAT "
			  "without masquerading the hairpin path. Log them with "
			  "net.netfilter.nf_conntrack_log_invalid=255 and check routes and "
			  "rp_filter.",
		.run = check_invalid,
	},
	{
		.id = "snat_port_exhaustion",
		.title = "SNAT source-port exhaustion",
		.remedy = "Spread the load over more SNAT addresses (snat to a range), shorten "
			  "timeouts of idle entries, and use fully-random allocation so the "
			  "port search does not give up early.",
		.run = check_port_exhaustion,
	},
	{
		.id = "snat_rules_random",
		.live_only = true,
		.title = "Source-NAT rules without fully-random",
		.remedy = "Run `natscope fix --random-fully` (an overlay; your rules stay as they "
			  "are), or add fully-random to the rules listed (nft: `masquerade "
			  "fully-random`; iptables: `-j MASQUERADE --random-fully`). It gives up "
			  "source-port "
			  "preservation (STUN/P2P) and does not cure the same-socket UDP race "
			  "(clash_resolve).",
		.run = audit_check_nat_random,
	},
	{
		.id = "nat_overlay_stale",
		.live_only = true,
		.title = "natscope overlay out of date",
		.remedy = "The NAT rules changed since `natscope fix --random-fully` ran: run it "
			  "again to rebuild the overlay (atomically), or `natscope fix --revert` "
			  "to remove it. Rules marked dangerous NAT traffic their source rules no "
			  "longer do: act now.",
		.run = audit_check_overlay,
	},
	{
		.id = "fix_effect",
		.live_only = true,
		.title = "Effect of natscope's fix",
		.remedy = "Compare the rates before and since: if failures go on at the same "
			  "rate, they are not SNAT port clashes that fully-random cures (look at "
			  "clash_resolve, the same-socket UDP race, and at flows natscope's scope "
			  "leaves out).",
		.run = audit_check_fix_effect,
	},
	{
		.id = "legacy_iptables_nat",
		.live_only = true,
		.title = "iptables-legacy NAT tables",
		.remedy = "natscope fix cannot mirror iptables-legacy rules: add --random-fully "
			  "to their MASQUERADE/SNAT targets (iptables-legacy -t nat -R), or "
			  "move them to iptables-nft (iptables-legacy-save | "
			  "iptables-nft-restore, then flush the legacy tables) and run "
			  "natscope fix --random-fully.",
		.run = audit_check_legacy_nat,
	},
	{
		.id = "docker_userland_proxy",
		.live_only = true,
		.title = "Docker userland proxy",
		.remedy = "Set \"userland-proxy\": false in the config file dockerd reads and "
			  "restart it; without \"ip6tables\": true IPv6 published ports stop "
			  "answering once the proxy is off.",
		.run = audit_check_docker_proxy,
	},
	{
		.id = "asymmetric_route",
		.live_only = true,
		.title = "Asymmetric routes (one direction elsewhere)",
		.remedy = "Make both directions pass this host: a route on the server (or its "
			  "gateway) to the client's network via this host, or on the client to "
			  "the server's when only the server's packets pass; or masquerade that "
			  "path here so replies must return (hairpin NAT when a container "
			  "reaches a service by the host's address); --net=host for the container "
			  "is the last resort. net.netfilter.nf_conntrack_log_invalid=255 logs "
			  "the packets.",
		.run = audit_check_asymmetric,
	},
	{
		.id = "tracking_bypass_candidate",
		.live_only = true,
		.title = "Traffic tracked for nothing",
		.remedy = "Exempt the traffic named with notrack at raw priority.",
		.run = audit_check_tracking,
	},
};

#define N_CHECKS (ARRAY_SIZE(checks))
_Static_assert(N_CHECKS <= AUDIT_MAX_FINDINGS, "raise AUDIT_MAX_FINDINGS");

/* As monitoring plugins combine states: a critical finding outranks an unknown one. */
static int sev_rank(enum severity sev)
{
	static const int rank[] = {
		[SEV_OK] = 0,	   [SEV_INFO] = 1,     [SEV_WARNING] = 2,
		[SEV_UNKNOWN] = 3, [SEV_CRITICAL] = 4,
	};
	return rank[sev];
}

void audit_run(const struct snapshot *snap, const struct audit_thresholds *t,
	       struct audit_report *report)
{
	memset(report, 0, sizeof(*report));
	for (size_t i = 0; i < N_CHECKS; i++) {
		struct finding *f;

		if (snap->replay && checks[i].live_only)
			continue; /* left out, never reported as ok */
		f = &report->f[report->n++];
		f->check = &checks[i];
		checks[i].run(snap, t, f);
		if (sev_rank(f->sev) > sev_rank(report->worst))
			report->worst = f->sev;
	}
}

const struct audit_check *audit_check_find(const char *id)
{
	for (size_t i = 0; i < N_CHECKS; i++)
		if (strcmp(checks[i].id, id) == 0)
			return &checks[i];
	return NULL;
}

void audit_accept(struct audit_report *report, const struct audit_check *const *accepted, size_t n)
{
	report->worst = SEV_OK;
	for (unsigned int i = 0; i < report->n; i++) {
		struct finding *f = &report->f[i];

		for (size_t k = 0; k < n; k++)
			if (f->check == accepted[k] && f->sev != SEV_OK) {
				f->accepted = f->sev;
				f->sev = SEV_OK;
			}
		if (sev_rank(f->sev) > sev_rank(report->worst))
			report->worst = f->sev;
	}
}

const char *audit_check_id(const struct audit_check *c)
{
	return c->id;
}

const char *audit_check_title(const struct audit_check *c)
{
	return c->title;
}

const char *audit_check_remedy(const struct audit_check *c)
{
	return c->remedy;
}

const char *audit_finding_remedy(const struct finding *f)
{
	return f->remedy[0] ? f->remedy : f->check->remedy;
}

const struct audit_check *audit_check_at(size_t i)
{
	return i < N_CHECKS ? &checks[i] : NULL;
}

const char *audit_severity_name(enum severity sev)
{
	static const char *const names[] = {
		[SEV_OK] = "ok",	   [SEV_INFO] = "info",
		[SEV_WARNING] = "warning", [SEV_CRITICAL] = "critical",
		[SEV_UNKNOWN] = "unknown",
	};
	return sev <= SEV_UNKNOWN ? names[sev] : "unknown";
}

int audit_exit_code(enum severity sev)
{
	switch (sev) {
	case SEV_OK:
	case SEV_INFO:
		return 0;
	case SEV_WARNING:
		return 1;
	case SEV_CRITICAL:
		return 2;
	default:
		return 3;
	}
}
