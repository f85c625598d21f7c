#include "config.h"
#include "audit/render.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define ANSI_RESET "\033[0m"

static const char *sev_color(enum severity sev)
{
	switch (sev) {
	case SEV_CRITICAL:
		return "\033[1;31m";
	case SEV_WARNING:
		return "\033[1;33m";
	case SEV_INFO:
		return "\033[36m";
	case SEV_OK:
		return "\033[32m";
	default:
		return "\033[1;35m";
	}
}

static void sev_tag(FILE *out, enum severity sev, bool color)
{
	char tag[12];
	size_t i;

	snprintf(tag, sizeof(tag), "%s", audit_severity_name(sev));
	for (i = 0; tag[i]; i++)
		tag[i] = (char)(tag[i] >= 'a' && tag[i] <= 'z' ? tag[i] - 32 : tag[i]);
	if (color)
		fprintf(out, "%s%-9s%s", sev_color(sev), tag, ANSI_RESET);
	else
		fprintf(out, "%-9s", tag);
}

static void group_line(FILE *out, const struct ct_agg_group *g)
{
	const char *proto = ct_flow_proto_name(g->key.l4proto);
	char a[64], b[64], dst[80];

	snprintf(dst, sizeof(dst), g->key.family == AF_INET6 ? "[%s]:%u" : "%s:%u",
		 ct_flow_addr_str(g->key.family, &g->key.dst, b, sizeof(b)), g->key.dport);
	fprintf(out, "%-5s %-24s %-30s %8u %7u%s %6.1f%% %9u\n", proto ? proto : "?",
		ct_flow_addr_str(g->key.family, &g->key.snat_src, a, sizeof(a)), dst, g->entries,
		g->sources, g->sources_capped ? "+" : " ", ct_agg_group_port_share(g) * 100.0,
		g->unreplied);
}

/* "sources: ADDR (OWNER) ENTRIES, ..." under group @i, @indent columns in. */
static void group_sources(FILE *out, const struct snapshot *s, unsigned int i, int indent)
{
	const struct ct_agg_group *g = &s->table.top[i];
	unsigned int n = s->table.ntop_src[i];

	if (!n)
		return;
	fprintf(out, "%*s  sources:", indent, "");
	for (unsigned int k = 0; k < n; k++) {
		const struct ct_agg_source *src = &s->table.top_src[i][k];
		char a[64], who[192];

		fprintf(out, "%s %s %u", k ? "," : "",
			addrmap_label(&s->names, g->key.family, &src->src,
				      ct_flow_addr_str(g->key.family, &src->src, a, sizeof(a)), who,
				      sizeof(who)),
			src->entries);
	}
	if (g->sources > n)
		fprintf(out, ", %u more%s", g->sources - n, g->sources_capped ? "+" : "");
	fputc('\n', out);
}

static void group_header(FILE *out)
{
	fprintf(out, "%-5s %-24s %-30s %8s %8s %7s %9s\n", "PROTO", "SNAT SOURCE", "DESTINATION",
		"ENTRIES", "SOURCES", "PORTS", "UNREPLIED");
}

/* "  time_wait   left <10s 0, <30s 0, ..." for a remaining-timeout histogram. */
static void hist_line(FILE *out, const char *what, const uint64_t *h)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < CT_AGG_TIMEOUT_BUCKETS; i++)
		n += h[i];
	if (!n)
		return;
	fprintf(out, "  %-11s timeout left", what);
	for (unsigned int i = 0; i < CT_AGG_TIMEOUT_BUCKETS; i++) {
		if (i < CT_AGG_TIMEOUT_BUCKETS - 1)
			fprintf(out, "%s <%us %llu", i ? "," : "", ct_agg_timeout_bounds[i],
				(unsigned long long)h[i]);
		else
			fprintf(out, ", >=%us %llu", ct_agg_timeout_bounds[i - 1],
				(unsigned long long)h[i]);
	}
	fputc('\n', out);
}

/* The settings that explain the findings; every one is in the JSON. */
static void settings_section(FILE *out, const struct snapshot *s)
{
	static const enum sysctl_key shown[] = {
		SYSCTL_TCP_TIMEOUT_ESTABLISHED,
		SYSCTL_TCP_TIMEOUT_TIME_WAIT,
		SYSCTL_TCP_TIMEOUT_SYN_SENT,
		SYSCTL_UDP_TIMEOUT,
		SYSCTL_UDP_TIMEOUT_STREAM,
		SYSCTL_ACCT,
		SYSCTL_TIMESTAMP,
		SYSCTL_TCP_BE_LIBERAL,
	};
	unsigned int col = 0;

	fprintf(out, "\nSETTINGS (net.netfilter)\n");
	for (size_t i = 0; i < ARRAY_SIZE(shown); i++) {
		int64_t v = s->sys.val[shown[i]];
		char val[24];

		if (v == SYSCTL_ABSENT)
			snprintf(val, sizeof(val), "-");
		else
			snprintf(val, sizeof(val), "%lld", (long long)v);
		fprintf(out, "  %-38s %8s%s", sysctl_name(shown[i]), val, ++col % 2 ? "" : "\n");
	}
	if (col % 2)
		fputc('\n', out);
}

static void table_section(FILE *out, const struct snapshot *s)
{
	const struct ct_summary *t = &s->table;
	bool first = true;

	fprintf(out, "  entries     %llu dumped (ipv4 %llu, ipv6 %llu)\n",
		(unsigned long long)t->counts.total,
		(unsigned long long)t->counts.by_family[FLOW_IPV4],
		(unsigned long long)t->counts.by_family[FLOW_IPV6]);
	fprintf(out, "  protocols  ");
	for (int p = flow_counts_next_proto(&t->counts, -1); p >= 0;
	     p = flow_counts_next_proto(&t->counts, p)) {
		const char *name = ct_flow_proto_name((uint8_t)p);

		if (name)
			fprintf(out, "%s %s %llu", first ? "" : ",", name,
				(unsigned long long)t->counts.by_proto[p]);
		else
			fprintf(out, "%s proto-%d %llu", first ? "" : ",", p,
				(unsigned long long)t->counts.by_proto[p]);
		first = false;
	}
	fprintf(out, "%s\n", first ? " none" : "");
	if (t->counts.by_proto[IPPROTO_TCP]) {
		first = true;
		fprintf(out, "  tcp states ");
		for (unsigned int i = 0; i < CT_TCP_STATES; i++) {
			if (!t->counts.tcp_state[i])
				continue;
			fprintf(out, "%s %s %llu", first ? "" : ",", ct_flow_tcp_state_name(i),
				(unsigned long long)t->counts.tcp_state[i]);
			first = false;
		}
		fputc('\n', out);
	}
	fprintf(out, "  flags       assured %llu, unreplied %llu\n",
		(unsigned long long)t->counts.assured, (unsigned long long)t->counts.unreplied);
	if (!s->replay) { /* a capture does not carry timeouts */
		hist_line(out, "time_wait", t->time_wait_timeout);
		hist_line(out, "unreplied", t->unreplied_timeout);
	}
	fprintf(out, "  nat         snat %llu, dnat %llu, both %llu, none %llu\n",
		(unsigned long long)t->counts.nat_kind[CT_NAT_SNAT],
		(unsigned long long)t->counts.nat_kind[CT_NAT_DNAT],
		(unsigned long long)t->counts.nat_kind[CT_NAT_BOTH],
		(unsigned long long)t->counts.nat_kind[CT_NAT_NONE]);
}

static const char *rule_state(const struct natrule *r)
{
	switch (r->cover) {
	case NATRULE_COVER_COVERED:
		return r->owner == NATRULE_OWNER_NATSCOPE ? "" : " covered by natscope's overlay";
	case NATRULE_COVER_HARMLESS:
		return r->owner == NATRULE_OWNER_NATSCOPE
			       ? " (out of order, harmless)"
			       : " covered by natscope's overlay (out of order, harmless)";
	case NATRULE_COVER_UNCOVERED:
		return " NOT fully-random: natscope's overlay misses it";
	case NATRULE_COVER_DANGEROUS:
		return " DANGEROUS: its source rule is gone or changed";
	default:
		if (natrule_fully_random(r))
			return "";
		return r->hairpin ? " NOT fully-random (hairpin only: no clash risk)"
				  : " NOT fully-random";
	}
}

static void rule_line(FILE *out, const struct natrule *r, int indent)
{
	fprintf(out, "%*s%s%s %s %s %s %llu (%s, prio %d via %s)%s\n%*s  %s\n", indent, "",
		r->legacy ? "iptables-legacy " : "", natrules_family_name(r->family), r->table,
		r->chain, r->legacy ? "rule" : "handle", (unsigned long long)r->handle,
		natrules_owner_name(r->owner), r->base_priority, r->base_chain, rule_state(r),
		indent, "", r->text);
}

static void finding_block(FILE *out, const struct snapshot *s, const struct finding *f, bool color)
{
	sev_tag(out, f->sev, color);
	if (f->accepted != SEV_OK)
		fprintf(out, "%-22s accepted (%s, --ignore): %s\n", audit_check_id(f->check),
			audit_severity_name(f->accepted), f->summary);
	else
		fprintf(out, "%-22s %s\n", audit_check_id(f->check), f->summary);
	if (f->sev == SEV_OK)
		return;
	fprintf(out, "%9s  evidence:", "");
	for (unsigned int k = 0; k < f->nev; k++) {
		double v = f->ev[k].value;

		if (v == (double)(long long)v)
			fprintf(out, " %s=%lld", f->ev[k].key, (long long)v);
		else
			fprintf(out, " %s=%.4g", f->ev[k].key, v);
	}
	fputc('\n', out);
	if (f->ngroups) {
		fprintf(out, "%9s  likely SNAT groups:\n", "");
		for (unsigned int k = 0; k < f->ngroups; k++) {
			fprintf(out, "%11s", "");
			group_line(out, &s->table.top[f->groups[k]]);
			group_sources(out, s, f->groups[k], 11);
		}
	}
	if (f->nrules && f->rules_omitted)
		fprintf(out, "%9s  rules (the first %u of %u; SOURCE-NAT RULES lists all):\n", "",
			f->nrules, f->nrules + f->rules_omitted);
	else if (f->nrules)
		fprintf(out, "%9s  rules:\n", "");
	for (unsigned int k = 0; k < f->nrules; k++)
		rule_line(out, &s->nat.v[f->rules[k]], 11);
	fprintf(out, "%9s  remedy: %s\n", "", audit_finding_remedy(f));
}

static void cpu_section(FILE *out, const struct snapshot *s)
{
	unsigned int n = ct_stats_known_count();

	fprintf(out, "%-8s", "CPU");
	for (unsigned int k = 0; k < n; k++)
		fprintf(out, " %*s", (int)strlen(ct_stats_name(ct_stats_known_attr(k))),
			ct_stats_name(ct_stats_known_attr(k)));
	fputc('\n', out);
	for (unsigned int i = 0; i < s->stats1.ncpu; i++) {
		fprintf(out, "cpu%-5u", s->stats1.cpu[i].cpu);
		for (unsigned int k = 0; k < n; k++) {
			const char *name = ct_stats_name(ct_stats_known_attr(k));

			fprintf(out, " %*llu", (int)strlen(name),
				(unsigned long long)s->stats1.cpu[i].val[ct_stats_known_attr(k)]);
		}
		fputc('\n', out);
	}
	if (s->interval > 0) {
		fprintf(out, "%-8s", "per s");
		for (unsigned int k = 0; k < n; k++) {
			unsigned int attr = ct_stats_known_attr(k);

			fprintf(out, " %*.1f", (int)strlen(ct_stats_name(attr)),
				snapshot_rate(s, attr));
		}
		fputc('\n', out);
	}
}

int render_text(FILE *out, const struct snapshot *s, const struct audit_report *r,
		const struct render_opts *o)
{
	int64_t count = snapshot_count(s), max = snapshot_max(s);

	fprintf(out, "natscope audit: netns %s, kernel %s, interval %.1f s, status ",
		s->netns[0] ? s->netns : "(current)", s->sys.kernel, s->interval);
	if (o->color)
		fprintf(out, "%s%s%s\n", sev_color(r->worst), audit_severity_name(r->worst),
			ANSI_RESET);
	else
		fprintf(out, "%s\n", audit_severity_name(r->worst));
	if (s->stats_fallback)
		fprintf(out, "note: ctnetlink statistics unavailable; per-CPU counters read from "
			     "/proc/net/stat/nf_conntrack\n");

	fprintf(out, "\nCONNTRACK\n");
	if (count >= 0 && max > 0)
		fprintf(out, "  table       %lld of %lld entries (%.1f%%), %lld buckets\n",
			(long long)count, (long long)max, 100.0 * (double)count / (double)max,
			(long long)s->sys.val[SYSCTL_BUCKETS]);
	if (s->have_table)
		table_section(out, s);
	if (s->have_table && !s->replay) {
		render_tracking_text(out, s);
		render_sizing_text(out, s);
	}

	fprintf(out, "\nFINDINGS\n");
	for (unsigned int i = 0; i < r->n; i++)
		finding_block(out, s, &r->f[i], o->color);

	if (!s->replay && s->interval > 0)
		render_failures_text(out, s);
	fprintf(out, "\nPER-CPU STATISTICS (source: %s)\n",
		s->stats1.source == CT_STATS_PROCFS ? "procfs" : "netlink");
	cpu_section(out, s);

	settings_section(out, s);

	if (s->nat.n) {
		fprintf(out, "\nSOURCE-NAT RULES (nf_tables generation %u)\n", s->nat.genid);
		for (unsigned int i = 0; i < s->nat.n; i++)
			rule_line(out, &s->nat.v[i], 2);
	}

	if (s->have_table && s->table.ntop) {
		fprintf(out, "\nSNAT GROUPS (top %u of %llu%s)\n", s->table.ntop,
			(unsigned long long)s->table.ngroups,
			s->table.groups_truncated ? ", truncated" : "");
		group_header(out);
		for (unsigned int i = 0; i < s->table.ntop; i++) {
			group_line(out, &s->table.top[i]);
			group_sources(out, s, i, 4);
		}
	}
	if (s->proxies.n) {
		fprintf(out, "\nDOCKER USERLAND PROXIES\n");
		for (unsigned int i = 0; i < s->proxies.n; i++) {
			const struct dproxy *p = &s->proxies.v[i];

			/* IPv6 addresses in brackets, as everywhere: [::]:8080 */
			fprintf(out, "  pid %-8d %s %s%s%s:%d -> %s%s%s:%d\n", (int)p->pid,
				p->proto, strchr(p->host_ip, ':') ? "[" : "", p->host_ip,
				strchr(p->host_ip, ':') ? "]" : "", p->host_port,
				strchr(p->container_ip, ':') ? "[" : "", p->container_ip,
				strchr(p->container_ip, ':') ? "]" : "", p->container_port);
		}
	}
	return ferror(out) ? -EIO : 0;
}
