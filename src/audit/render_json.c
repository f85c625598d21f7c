#include "config.h"
#include "audit/render.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <linux/netfilter/nf_nat.h>

#include "flows/counts_json.h"

/* jansson keeps insertion order, so the key order below is the schema's order. */

static json_t *num(double v)
{
	if (isfinite(v) && v == floor(v) && fabs(v) < 9007199254740992.0)
		return json_integer((json_int_t)v);
	return json_real(isfinite(v) ? v : 0.0);
}

static json_t *opt_int(int64_t v)
{
	return v == SYSCTL_ABSENT ? json_null() : json_integer(v);
}

static const char *stats_source_name(enum ct_stats_source src)
{
	switch (src) {
	case CT_STATS_NETLINK:
		return "netlink";
	case CT_STATS_PROCFS:
		return "procfs";
	default:
		return "none";
	}
}

static json_t *cpu_json(const struct snapshot *s, unsigned int i)
{
	const struct ct_cpu_stats *c = &s->stats1.cpu[i];
	json_t *o = json_object(), *rates = json_object(), *other = json_object();

	json_object_set_new(o, "cpu", json_integer(c->cpu));
	for (unsigned int k = 0; k < ct_stats_known_count(); k++) {
		unsigned int attr = ct_stats_known_attr(k);

		if (c->present & (1u << attr))
			json_object_set_new(o, ct_stats_name(attr),
					    json_integer((json_int_t)c->val[attr]));
		if (s->interval > 0)
			json_object_set_new(rates, ct_stats_name(attr),
					    num(snapshot_cpu_rate(s, i, attr)));
	}
	/* Counters a newer kernel adds, by attribute number. */
	for (unsigned int attr = 1; attr < CT_STATS_NATTR; attr++) {
		char key[12];

		if (!(c->present & (1u << attr)) || ct_stats_name(attr))
			continue;
		snprintf(key, sizeof(key), "%u", attr);
		json_object_set_new(other, key, json_integer((json_int_t)c->val[attr]));
	}
	json_object_set_new(o, "other", other);
	json_object_set_new(o, "per_s", rates);
	return o;
}

static json_t *stats_json(const struct snapshot *s)
{
	json_t *o = json_object(), *cpus = json_array(), *tot = json_object(),
	       *rates = json_object();

	json_object_set_new(o, "source", json_string(stats_source_name(s->stats1.source)));
	json_object_set_new(o, "fallback", json_boolean(s->stats_fallback));
	for (unsigned int k = 0; k < ct_stats_known_count(); k++) {
		unsigned int attr = ct_stats_known_attr(k);

		json_object_set_new(tot, ct_stats_name(attr),
				    json_integer((json_int_t)ct_stats_total(&s->stats1, attr)));
		json_object_set_new(rates, ct_stats_name(attr), num(snapshot_rate(s, attr)));
	}
	json_object_set_new(o, "totals", tot);
	json_object_set_new(o, "per_s", rates);
	for (unsigned int i = 0; i < s->stats1.ncpu; i++)
		json_array_append_new(cpus, cpu_json(s, i));
	json_object_set_new(o, "cpus", cpus);
	return o;
}

static json_t *hist_json(const uint64_t *h)
{
	json_t *a = json_array();

	for (unsigned int i = 0; i < CT_AGG_TIMEOUT_BUCKETS; i++)
		json_array_append_new(a, json_integer((json_int_t)h[i]));
	return a;
}

/* TCP connections one way of which passes here, the first pairs of them; @side: which
 * side passes (picked up mid-stream), or where they were DNAT'd to (hairpin). */
enum pairs_extra { PAIRS_PLAIN, PAIRS_SIDE, PAIRS_TARGET };

static json_t *pairs_json(const struct ct_agg_pairs *t, enum pairs_extra side)
{
	json_t *a = json_array();

	for (unsigned int i = 0; i < t->n; i++) {
		const struct ct_agg_pair *p = &t->v[i];
		char s[64], d[64];
		json_t *o = json_pack("{s:s,s:s,s:i,s:i}", "src",
				      ct_flow_addr_str(p->family, &p->src, s, sizeof(s)), "dst",
				      ct_flow_addr_str(p->family, &p->dst, d, sizeof(d)), "dport",
				      (int)p->dport, "entries", (int)p->entries);

		if (side == PAIRS_SIDE)
			json_object_set_new(o, "passes",
					    json_string(p->from_server ? "server" : "client"));
		if (side == PAIRS_TARGET) {
			json_object_set_new(
				o, "to",
				json_string(ct_flow_addr_str(p->family, &p->to, d, sizeof(d))));
			json_object_set_new(o, "to_port", json_integer(p->to_port));
		}
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *table_json(const struct snapshot *s)
{
	const struct ct_summary *t = &s->table;
	json_t *o = json_object(), *tmo = json_object(), *bounds = json_array();

	json_object_set_new(o, "entries", json_integer((json_int_t)t->counts.total));
	json_object_set_new(o, "families", flow_counts_families_json(&t->counts));
	json_object_set_new(o, "protocols", flow_counts_protocols_json(&t->counts));
	json_object_set_new(o, "tcp_states", flow_counts_tcp_states_json(&t->counts));
	json_object_set_new(o, "assured", json_integer((json_int_t)t->counts.assured));
	json_object_set_new(o, "unreplied", json_integer((json_int_t)t->counts.unreplied));
	json_object_set_new(o, "nat", flow_counts_nat_json(&t->counts));
	json_object_set_new(o, "syn_unreplied", json_integer((json_int_t)t->syn_unreplied.entries));
	json_object_set_new(o, "syn_unreplied_pairs", pairs_json(&t->syn_unreplied, PAIRS_PLAIN));
	json_object_set_new(o, "oneway", json_integer((json_int_t)t->oneway.entries));
	json_object_set_new(o, "oneway_pairs", pairs_json(&t->oneway, PAIRS_SIDE));
	json_object_set_new(o, "hairpin_unreplied", json_integer((json_int_t)t->hairpin.entries));
	json_object_set_new(o, "hairpin_pairs", pairs_json(&t->hairpin, PAIRS_TARGET));
	for (unsigned int i = 0; i < CT_AGG_TIMEOUT_BUCKETS - 1; i++)
		json_array_append_new(bounds, json_integer(ct_agg_timeout_bounds[i]));
	json_array_append_new(bounds, json_null());
	json_object_set_new(tmo, "bucket_upper_s", bounds);
	if (s->replay) {
		/* a capture does not carry how long each entry has left */
		json_decref(tmo);
		tmo = json_null();
		goto done;
	}
	json_object_set_new(tmo, "time_wait", hist_json(t->time_wait_timeout));
	json_object_set_new(tmo, "unreplied", hist_json(t->unreplied_timeout));
done:
	json_object_set_new(o, "timeouts", tmo);
	return o;
}

/* The busiest pre-NAT sources of top group @i, with their owners (null when unknown). */
static json_t *group_sources_json(const struct snapshot *s, unsigned int i)
{
	const struct ct_agg_group *g = &s->table.top[i];
	json_t *a = json_array();

	for (unsigned int k = 0; k < s->table.ntop_src[i]; k++) {
		const struct ct_agg_source *src = &s->table.top_src[i][k];
		const char *owner = addrmap_lookup(&s->names, g->key.family, &src->src);
		char buf[64];

		json_array_append_new(
			a, json_pack("{s:s, s:I, s:o}", "addr",
				     ct_flow_addr_str(g->key.family, &src->src, buf, sizeof(buf)),
				     "entries", (json_int_t)src->entries, "owner",
				     owner ? json_string(owner) : json_null()));
	}
	return a;
}

static json_t *group_json(const struct snapshot *s, unsigned int i)
{
	const struct ct_agg_group *g = &s->table.top[i];
	char a[64], b[64];
	const char *proto = ct_flow_proto_name(g->key.l4proto);
	json_t *o = json_object();

	json_object_set_new(o, "proto", proto ? json_string(proto) : json_integer(g->key.l4proto));
	json_object_set_new(
		o, "snat_src",
		json_string(ct_flow_addr_str(g->key.family, &g->key.snat_src, a, sizeof(a))));
	json_object_set_new(
		o, "dst", json_string(ct_flow_addr_str(g->key.family, &g->key.dst, b, sizeof(b))));
	json_object_set_new(o, "dport", json_integer(g->key.dport));
	json_object_set_new(o, "entries", json_integer(g->entries));
	json_object_set_new(o, "sources", json_integer(g->sources));
	json_object_set_new(o, "sources_capped", json_boolean(g->sources_capped));
	json_object_set_new(o, "unreplied", json_integer(g->unreplied));
	json_object_set_new(o, "port_space", json_integer(CT_AGG_PORT_SPACE));
	json_object_set_new(o, "port_share", num(ct_agg_group_port_share(g)));
	json_object_set_new(o, "top_sources", group_sources_json(s, i));
	return o;
}

static json_t *groups_json(const struct snapshot *s)
{
	json_t *o = json_object(), *top = json_array();

	json_object_set_new(o, "groups", json_integer((json_int_t)s->table.ngroups));
	json_object_set_new(o, "truncated", json_boolean(s->table.groups_truncated));
	json_object_set_new(o, "untracked_entries",
			    json_integer((json_int_t)s->table.untracked_snat));
	for (unsigned int i = 0; i < s->table.ntop; i++)
		json_array_append_new(top, group_json(s, i));
	json_object_set_new(o, "top", top);
	return o;
}

static json_t *sysctl_json(const struct snapshot *s)
{
	json_t *o = json_object(), *range = json_array();

	for (int k = 0; k < SYSCTL_KEYS; k++)
		json_object_set_new(o, sysctl_name(k), opt_int(s->sys.val[k]));
	json_array_append_new(range, opt_int(s->sys.port_range_lo));
	json_array_append_new(range, opt_int(s->sys.port_range_hi));
	json_object_set_new(o, "ip_local_port_range", range);
	return o;
}

static json_t *proxies_json(const struct snapshot *s)
{
	json_t *a = json_array();

	for (unsigned int i = 0; i < s->proxies.n; i++) {
		const struct dproxy *p = &s->proxies.v[i];
		json_t *o = json_object();

		json_object_set_new(o, "pid", json_integer(p->pid));
		json_object_set_new(o, "proto", json_string(p->proto));
		json_object_set_new(o, "host_ip", json_string(p->host_ip));
		json_object_set_new(o, "host_port", json_integer(p->host_port));
		json_object_set_new(o, "container_ip", json_string(p->container_ip));
		json_object_set_new(o, "container_port", json_integer(p->container_port));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *rule_json(const struct natrule *r)
{
	json_t *o = json_object(), *flags = json_array();

	json_object_set_new(o, "family", json_string(natrules_family_name(r->family)));
	json_object_set_new(o, "table", json_string(r->table));
	json_object_set_new(o, "chain", json_string(r->chain));
	json_object_set_new(o, "base_chain", json_string(r->base_chain));
	json_object_set_new(o, "base_priority", json_integer(r->base_priority));
	json_object_set_new(o, "handle", json_integer((json_int_t)r->handle));
	json_object_set_new(o, "statement",
			    json_string(r->kind == NATRULE_MASQUERADE ? "masquerade" : "snat"));
	json_object_set_new(o, "compat", json_boolean(r->compat));
	if (r->flags & NF_NAT_RANGE_PROTO_RANDOM)
		json_array_append_new(flags, json_string("random"));
	if (r->flags & NF_NAT_RANGE_PROTO_RANDOM_FULLY)
		json_array_append_new(flags, json_string("fully-random"));
	if (r->flags & NF_NAT_RANGE_PERSISTENT)
		json_array_append_new(flags, json_string("persistent"));
	json_object_set_new(o, "flags", flags);
	json_object_set_new(o, "fully_random", json_boolean(natrule_fully_random(r)));
	json_object_set_new(o, "address_range", json_boolean(r->addr_range));
	json_object_set_new(o, "port_range", json_boolean(r->port_range));
	json_object_set_new(o, "owner", json_string(natrules_owner_name(r->owner)));
	json_object_set_new(o, "hairpin", json_boolean(r->hairpin));
	json_object_set_new(o, "backend", json_string(r->legacy ? "iptables-legacy" : "nftables"));
	json_object_set_new(o, "covered_by_overlay",
			    json_boolean(r->cover == NATRULE_COVER_COVERED ||
					 r->cover == NATRULE_COVER_HARMLESS));
	json_object_set_new(o, "coverage",
			    r->cover ? json_string(natrules_cover_name(r->cover)) : json_null());
	json_object_set_new(o, "rule", json_string(r->text));
	return o;
}

static json_t *nat_json(const struct snapshot *s)
{
	json_t *o = json_object(), *legacy = json_object(), *rules = json_array();

	json_object_set_new(o, "nftables", json_boolean(s->nat.have_nftables));
	json_object_set_new(o, "error",
			    s->nat_error ? json_string(strerror(-s->nat_error)) : json_null());
	json_object_set_new(o, "genid",
			    s->nat.have_nftables ? json_integer(s->nat.genid) : json_null());
	json_object_set_new(o, "postrouting_nat_chains", json_integer(s->nat.base_chains));
	json_object_set_new(o, "overlay", json_boolean(s->nat.overlay));
	json_object_set_new(o, "overlay_stale", json_boolean(s->nat.overlay_stale));
	json_object_set_new(legacy, "ipv4", json_boolean(s->nat.legacy_nat_ipv4));
	json_object_set_new(legacy, "ipv6", json_boolean(s->nat.legacy_nat_ipv6));
	json_object_set_new(o, "iptables_legacy_nat", legacy);
	for (unsigned int i = 0; i < s->nat.n; i++)
		json_array_append_new(rules, rule_json(&s->nat.v[i]));
	json_object_set_new(o, "rules", rules);
	return o;
}

static json_t *findings_json(const struct snapshot *s, const struct audit_report *r)
{
	json_t *a = json_array();

	for (unsigned int i = 0; i < r->n; i++) {
		const struct finding *f = &r->f[i];
		json_t *o = json_object(), *ev = json_object(), *groups = json_array();

		json_object_set_new(o, "id", json_string(audit_check_id(f->check)));
		json_object_set_new(o, "severity", json_string(audit_severity_name(f->sev)));
		json_object_set_new(o, "accepted",
				    f->accepted != SEV_OK
					    ? json_string(audit_severity_name(f->accepted))
					    : json_null());
		json_object_set_new(o, "title", json_string(audit_check_title(f->check)));
		json_object_set_new(o, "summary", json_string(f->summary));
		for (unsigned int k = 0; k < f->nev; k++)
			json_object_set_new(ev, f->ev[k].key, num(f->ev[k].value));
		json_object_set_new(o, "evidence", ev);
		for (unsigned int k = 0; k < f->ngroups; k++)
			json_array_append_new(groups, group_json(s, f->groups[k]));
		json_object_set_new(o, "groups", groups);
		json_t *rules = json_array();

		for (unsigned int k = 0; k < f->nrules; k++)
			json_array_append_new(rules, rule_json(&s->nat.v[f->rules[k]]));
		json_object_set_new(o, "rules", rules);
		json_object_set_new(o, "rules_omitted", json_integer(f->rules_omitted));
		json_object_set_new(o, "remedy",
				    f->sev == SEV_OK ? json_null()
						     : json_string(audit_finding_remedy(f)));
		json_array_append_new(a, o);
	}
	return a;
}

int render_json(FILE *out, const struct snapshot *s, const struct audit_report *r,
		const struct render_opts *opts)
{
	json_t *root = json_object(), *ct = json_object();
	int64_t count = snapshot_count(s), max = snapshot_max(s);
	int ret = 0;

	if (!root || !ct)
		return -ENOMEM;
	json_object_set_new(root, "schema", json_string("natscope.audit"));
	json_object_set_new(root, "schema_version", json_integer(RENDER_JSON_SCHEMA_VERSION));
	json_object_set_new(root, "natscope_version", json_string(opts->version));
	json_object_set_new(root, "netns", json_string(s->netns));
	json_object_set_new(root, "replay", json_boolean(s->replay));
	json_object_set_new(root, "kernel", json_string(s->sys.kernel));
	json_object_set_new(root, "time_ms", json_integer((json_int_t)s->taken * 1000));
	json_object_set_new(root, "interval_s", num(s->interval));
	json_object_set_new(root, "status", json_string(audit_severity_name(r->worst)));
	json_object_set_new(root, "exit_code", json_integer(audit_exit_code(r->worst)));

	json_object_set_new(ct, "count", count < 0 ? json_null() : json_integer(count));
	json_object_set_new(ct, "max", max < 0 ? json_null() : json_integer(max));
	json_object_set_new(ct, "buckets", opt_int(s->sys.val[SYSCTL_BUCKETS]));
	json_object_set_new(ct, "fill",
			    count >= 0 && max > 0 ? num((double)count / max) : json_null());
	json_object_set_new(root, "conntrack", ct);
	json_object_set_new(root, "stats", stats_json(s));
	json_object_set_new(root, "table", s->have_table ? table_json(s) : json_null());
	json_object_set_new(root, "snat", groups_json(s));
	json_object_set_new(root, "nat_rules", nat_json(s));
	json_object_set_new(root, "sysctl", sysctl_json(s));
	json_object_set_new(root, "docker_proxy", proxies_json(s));
	json_object_set_new(root, "findings", findings_json(s, r));
	json_object_set_new(root, "insert_failures",
			    s->replay ? json_null() : render_failures_json(s));
	json_object_set_new(root, "tracking", render_tracking_json(s));
	json_object_set_new(root, "sizing", render_sizing_json(s));

	if (json_dumpf(root, out, JSON_INDENT(2) | JSON_REAL_PRECISION(6)) < 0 ||
	    fputc('\n', out) == EOF)
		ret = -EIO;
	json_decref(root);
	return ret;
}
