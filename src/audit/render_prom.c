#include "config.h"
#include "audit/render.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>

/*
 * OpenMetrics 1.0 text: counter families are declared without the _total suffix their
 * samples carry; the exposition ends with "# EOF".  Every value is from one audit run.
 */

static void family(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# TYPE %s %s\n# HELP %s %s\n", name, type, name, help);
}

static void stat_families(FILE *out, const struct snapshot *s)
{
	char name[96];

	for (unsigned int k = 0; k < ct_stats_known_count(); k++) {
		unsigned int attr = ct_stats_known_attr(k);

		if (!(ct_stats_present(&s->stats1) & (1u << attr)))
			continue;
		snprintf(name, sizeof(name), "natscope_conntrack_stat_%s", ct_stats_name(attr));
		family(out, name, "counter", "per-CPU conntrack statistic since boot");
		for (unsigned int i = 0; i < s->stats1.ncpu; i++)
			fprintf(out, "%s_total{cpu=\"%u\"} %llu\n", name, s->stats1.cpu[i].cpu,
				(unsigned long long)s->stats1.cpu[i].val[attr]);
	}
	/* Counters this build has no name for, by ctnetlink attribute number. */
	uint32_t unknown = ct_stats_present(&s->stats1);

	for (unsigned int attr = 1; attr < CT_STATS_NATTR; attr++)
		if (ct_stats_name(attr))
			unknown &= ~(1u << attr);
	if (unknown) {
		family(out, "natscope_conntrack_stat_other", "counter",
		       "per-CPU conntrack statistic without a name in this version");
		for (unsigned int attr = 1; attr < CT_STATS_NATTR; attr++) {
			if (!(unknown & (1u << attr)))
				continue;
			for (unsigned int i = 0; i < s->stats1.ncpu; i++)
				fprintf(out,
					"natscope_conntrack_stat_other_total{cpu=\"%u\",attr=\"%"
					"u\"} "
					"%llu\n",
					s->stats1.cpu[i].cpu, attr,
					(unsigned long long)s->stats1.cpu[i].val[attr]);
		}
	}
	if (s->interval > 0) {
		family(out, "natscope_conntrack_stat_rate", "gauge",
		       "per-second increase over the audit interval");
		for (unsigned int k = 0; k < ct_stats_known_count(); k++) {
			unsigned int attr = ct_stats_known_attr(k);

			for (unsigned int i = 0; i < s->stats1.ncpu; i++)
				fprintf(out,
					"natscope_conntrack_stat_rate{stat=\"%s\",cpu=\"%u\"} "
					"%.6g\n",
					ct_stats_name(attr), s->stats1.cpu[i].cpu,
					snapshot_cpu_rate(s, i, attr));
		}
	}
}

static void table_families(FILE *out, const struct snapshot *s)
{
	const struct ct_summary *t = &s->table;

	family(out, "natscope_conntrack_entries_by_proto", "gauge", "entries by L4 protocol");
	for (int p = flow_counts_next_proto(&t->counts, -1); p >= 0;
	     p = flow_counts_next_proto(&t->counts, p)) {
		const char *name = ct_flow_proto_name((uint8_t)p);

		if (name)
			fprintf(out, "natscope_conntrack_entries_by_proto{proto=\"%s\"} %llu\n",
				name, (unsigned long long)t->counts.by_proto[p]);
		else
			fprintf(out, "natscope_conntrack_entries_by_proto{proto=\"%d\"} %llu\n", p,
				(unsigned long long)t->counts.by_proto[p]);
	}
	family(out, "natscope_conntrack_entries_by_family", "gauge", "entries by address family");
	for (unsigned int i = 0; i < FLOW_FAMILIES; i++)
		fprintf(out, "natscope_conntrack_entries_by_family{family=\"%s\"} %llu\n",
			flow_family_name(i), (unsigned long long)t->counts.by_family[i]);
	family(out, "natscope_conntrack_tcp_state_entries", "gauge", "TCP entries by state");
	for (unsigned int i = 0; i < CT_TCP_STATES; i++)
		fprintf(out, "natscope_conntrack_tcp_state_entries{state=\"%s\"} %llu\n",
			ct_flow_tcp_state_name(i), (unsigned long long)t->counts.tcp_state[i]);
	family(out, "natscope_conntrack_nat_entries", "gauge", "entries by NAT kind");
	for (unsigned int k = 0; k < CT_NAT_KINDS; k++)
		fprintf(out, "natscope_conntrack_nat_entries{kind=\"%s\"} %llu\n",
			ct_flow_nat_kind_name(k), (unsigned long long)t->counts.nat_kind[k]);
	family(out, "natscope_conntrack_assured_entries", "gauge", "ASSURED entries");
	fprintf(out, "natscope_conntrack_assured_entries %llu\n",
		(unsigned long long)t->counts.assured);
	family(out, "natscope_conntrack_unreplied_entries", "gauge", "UNREPLIED entries");
	fprintf(out, "natscope_conntrack_unreplied_entries %llu\n",
		(unsigned long long)t->counts.unreplied);
}

static void group_families(FILE *out, const struct snapshot *s)
{
	static const struct {
		const char *name, *help;
	} fams[] = {
		{ "natscope_snat_group_entries", "SNAT'd entries toward one destination" },
		{ "natscope_snat_group_sources", "distinct pre-NAT sources in the group" },
		{ "natscope_snat_group_port_share", "share of the 1024-65535 port space in use" },
	};

	for (unsigned int f = 0; f < ARRAY_SIZE(fams); f++) {
		family(out, fams[f].name, "gauge", fams[f].help);
		for (unsigned int i = 0; i < s->table.ntop; i++) {
			const struct ct_agg_group *g = &s->table.top[i];
			const char *proto = ct_flow_proto_name(g->key.l4proto);
			char a[64], b[64];

			fprintf(out, "%s{proto=\"%s\",snat_src=\"%s\",dst=\"%s\",dport=\"%u\"} ",
				fams[f].name, proto ? proto : "other",
				ct_flow_addr_str(g->key.family, &g->key.snat_src, a, sizeof(a)),
				ct_flow_addr_str(g->key.family, &g->key.dst, b, sizeof(b)),
				g->key.dport);
			if (f == 0)
				fprintf(out, "%u\n", g->entries);
			else if (f == 1)
				fprintf(out, "%u\n", g->sources);
			else
				fprintf(out, "%.6g\n", ct_agg_group_port_share(g));
		}
	}
}

/* What natscope's overlay does, rule by rule (see enum natrule_cover). */
static void overlay_families(FILE *out, const struct snapshot *s)
{
	unsigned int n[NATRULE_COVERS] = { 0 };

	for (unsigned int i = 0; i < s->nat.n; i++)
		n[s->nat.v[i].cover]++;
	family(out, "natscope_overlay_present", "gauge", "natscope's fix overlay is installed");
	fprintf(out, "natscope_overlay_present %d\n", s->nat.overlay);
	family(out, "natscope_overlay_rules", "gauge",
	       "source-NAT statements by what natscope's overlay does for them");
	for (int c = NATRULE_COVER_COVERED; c < NATRULE_COVERS; c++)
		fprintf(out, "natscope_overlay_rules{state=\"%s\"} %u\n",
			natrules_cover_name((enum natrule_cover)c), n[c]);
}

int render_prom(FILE *out, const struct snapshot *s, const struct audit_report *r,
		const struct render_opts *o)
{
	int64_t count = snapshot_count(s), max = snapshot_max(s);

	family(out, "natscope_build", "info", "natscope version and kernel release");
	fprintf(out, "natscope_build_info{version=\"%s\",kernel=\"%s\"} 1\n", o->version,
		s->sys.kernel);
	if (count >= 0) {
		family(out, "natscope_conntrack_entries", "gauge", "conntrack entries");
		fprintf(out, "natscope_conntrack_entries %lld\n", (long long)count);
	}
	if (max > 0) {
		family(out, "natscope_conntrack_max", "gauge", "nf_conntrack_max");
		fprintf(out, "natscope_conntrack_max %lld\n", (long long)max);
	}
	if (s->sys.val[SYSCTL_BUCKETS] != SYSCTL_ABSENT) {
		family(out, "natscope_conntrack_buckets", "gauge", "nf_conntrack_buckets");
		fprintf(out, "natscope_conntrack_buckets %lld\n",
			(long long)s->sys.val[SYSCTL_BUCKETS]);
	}
	stat_families(out, s);
	if (s->have_table) {
		table_families(out, s);
		group_families(out, s);
	}
	if (s->nat.have_nftables) {
		unsigned int fr = 0;

		for (unsigned int i = 0; i < s->nat.n; i++)
			fr += natrule_fully_random(&s->nat.v[i]);
		family(out, "natscope_snat_rules", "gauge",
		       "source-NAT statements reachable from nat postrouting chains");
		fprintf(out, "natscope_snat_rules{fully_random=\"true\"} %u\n", fr);
		fprintf(out, "natscope_snat_rules{fully_random=\"false\"} %u\n", s->nat.n - fr);
		overlay_families(out, s);
	}
	family(out, "natscope_iptables_legacy_nat", "gauge", "iptables-legacy nat table present");
	fprintf(out, "natscope_iptables_legacy_nat{family=\"ipv4\"} %d\n", s->nat.legacy_nat_ipv4);
	fprintf(out, "natscope_iptables_legacy_nat{family=\"ipv6\"} %d\n", s->nat.legacy_nat_ipv6);
	family(out, "natscope_docker_proxy_processes", "gauge", "docker-proxy processes");
	fprintf(out, "natscope_docker_proxy_processes %u\n", s->proxies.n);
	family(out, "natscope_finding_severity", "gauge",
	       "0 ok, 1 info, 2 warning, 3 critical, 4 unknown");
	for (unsigned int i = 0; i < r->n; i++)
		fprintf(out, "natscope_finding_severity{id=\"%s\"} %d\n",
			audit_check_id(r->f[i].check), (int)r->f[i].sev);
	family(out, "natscope_audit_status", "gauge",
	       "exit code: 0 ok, 1 warning, 2 critical, 3 unknown");
	fprintf(out, "natscope_audit_status %d\n", audit_exit_code(r->worst));
	fputs("# EOF\n", out);
	return ferror(out) ? -EIO : 0;
}
