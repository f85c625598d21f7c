#include "config.h"

#include <arpa/inet.h>
#include "flows/failures.h"
#include "top/top.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "flows/clash.h"
#include "flows/counts_json.h"

const unsigned int top_rate_attrs[TOP_NRATES] = {
	CT_STAT_INSERT_FAILED, CT_STAT_DROP,	CT_STAT_EARLY_DROP,
	CT_STAT_CLASH_RESOLVE, CT_STAT_INVALID, CT_STAT_SEARCH_RESTART,
};
const double top_windows[TOP_WINDOWS] = { 1, 10, 60 };

void top_frame_rates(struct top_frame *f, const struct rates *r)
{
	for (unsigned int i = 0; i < TOP_NRATES; i++)
		for (unsigned int w = 0; w < TOP_WINDOWS; w++)
			f->have_rate[i][w] =
				rates_get(r, top_rate_attrs[i], top_windows[w], &f->rate[i][w]);
}

/* Named failures, once there are any: the interval's, the total against the counter, the
 * last one. */
static void exact_line(FILE *out, const struct top_frame *f)
{
	const struct insfail_rec *r;
	union ct_addr s, d, n;
	char a[64], b[64], c[64];

	if (!f->exact || !f->fails || !f->named_total)
		return;
	fprintf(out, "  failed insertions named: %llu this interval, %llu of %llu since start",
		(unsigned long long)f->named, (unsigned long long)f->named_total,
		(unsigned long long)f->counted_total);
	if (!f->fails->nrec) {
		fputc('\n', out);
		return;
	}
	r = &f->fails->rec[f->fails->nrec - 1];
	s = failures_addr(r->family, r->orig.src);
	d = failures_addr(r->family, r->orig.dst);
	n = failures_addr(r->family, r->reply.dst);
	fprintf(out, "; last cpu%u %s %s -> %s clashed on %s\n", r->cpu,
		ct_flow_proto_name(r->proto) ? ct_flow_proto_name(r->proto) : "other",
		ct_flow_endpoint_str(r->family, r->proto, &s, ntohs(r->orig.sport), a, sizeof(a)),
		ct_flow_endpoint_str(r->family, r->proto, &d, ntohs(r->orig.dport), b, sizeof(b)),
		ct_flow_endpoint_str(r->family, r->proto, &n, ntohs(r->reply.dport), c, sizeof(c)));
}

int top_render_text(FILE *out, const struct top_frame *f)
{
	const struct flow_counts *c = f->counts;
	char when[32];
	time_t t = (time_t)f->time;
	struct tm tm;
	bool first = true;

	/* local time as TZ says, like procps top and journalctl; JSON keeps epoch values */
	if (!localtime_r(&t, &tm) || !strftime(when, sizeof(when), "%H:%M:%S %Z", &tm))
		snprintf(when, sizeof(when), "%lld", (long long)t);
	fprintf(out, "natscope top %s  netns %s  entries %llu", when,
		f->netns && *f->netns ? f->netns : "(current)", (unsigned long long)c->total);
	if (f->have_kernel)
		fprintf(out, " (kernel %llu of %llu, peak %llu)",
			(unsigned long long)f->kernel_count, (unsigned long long)f->kernel_max,
			(unsigned long long)f->kernel_peak);
	fprintf(out, "  events/s %.0f  lost %llu (%llu dropped, %llu overruns)", f->events_per_s,
		(unsigned long long)f->es->lost_estimate, (unsigned long long)f->es->dropped,
		(unsigned long long)f->es->overruns);
	if (f->rcvbuf)
		fprintf(out, "  rcvbuf %zu MiB", f->rcvbuf >> 20);
	if (f->ct_events == 0)
		fprintf(out, "  EVENTS OFF (nf_conntrack_events=0: followed by dumps)");
	fputc('\n', out);
	if (f->have_kernel) {
		fprintf(out, " ");
		for (unsigned int i = 0; i < TOP_NRATES; i++)
			fprintf(out, " %s/s %.1f", ct_stats_name(top_rate_attrs[i]),
				f->have_rate[i][0] ? f->rate[i][0] : 0.0);
		fputc('\n', out);
	}
	fprintf(out, " ");
	for (int p = flow_counts_next_proto(c, -1); p >= 0; p = flow_counts_next_proto(c, p)) {
		const char *name = ct_flow_proto_name((uint8_t)p);

		fprintf(out, "%s %s %llu", first ? "" : ",", name ? name : "other",
			(unsigned long long)c->by_proto[p]);
		first = false;
	}
	if (first)
		fprintf(out, " no entries");
	for (unsigned int s = 0, n = 0; s < CT_TCP_STATES; s++)
		if (c->tcp_state[s])
			fprintf(out, "%s %s %llu", n++ ? "," : "; tcp", ct_flow_tcp_state_name(s),
				(unsigned long long)c->tcp_state[s]);
	if (f->clash && clash_nepisodes(f->clash)) {
		const struct clash_episode *ep =
			clash_episode(f->clash, clash_nepisodes(f->clash) - 1);
		const struct clash_group *g = &ep->groups[0];
		char a[64], b[64];

		fprintf(out, "; snat %llu, dnat %llu, both %llu\n",
			(unsigned long long)c->nat_kind[CT_NAT_SNAT],
			(unsigned long long)c->nat_kind[CT_NAT_DNAT],
			(unsigned long long)c->nat_kind[CT_NAT_BOTH]);
		fprintf(out,
			"  likely clash (%u episodes, last %llu insert_failed): %s %s -> %s, "
			"%u new flows from %u%s sources\n",
			clash_nepisodes(f->clash), (unsigned long long)ep->insert_failed,
			ct_flow_proto_name(g->key.l4proto) ? ct_flow_proto_name(g->key.l4proto)
							   : "?",
			ct_flow_addr_str(g->key.family, &g->key.snat_src, a, sizeof(a)),
			ct_flow_endpoint_str(g->key.family, g->key.l4proto, &g->key.dst,
					     g->key.dport, b, sizeof(b)),
			g->new_flows, g->sources, g->sources >= CLASH_MAX_SOURCES ? "+" : "");
		exact_line(out, f);
		return ferror(out) ? -EIO : 0;
	}
	fprintf(out, "; snat %llu, dnat %llu, both %llu\n",
		(unsigned long long)c->nat_kind[CT_NAT_SNAT],
		(unsigned long long)c->nat_kind[CT_NAT_DNAT],
		(unsigned long long)c->nat_kind[CT_NAT_BOTH]);
	exact_line(out, f);
	return ferror(out) ? -EIO : 0;
}

/* Likely clash episodes: "likely", because the kernel does not name the failed flow. */
static json_t *episodes_json(const struct clash *c)
{
	json_t *a = json_array();

	for (unsigned int i = 0; c && i < clash_nepisodes(c); i++) {
		const struct clash_episode *ep = clash_episode(c, i);
		json_t *o = json_object(), *groups = json_array();

		json_object_set_new(o, "time_ms", json_integer((json_int_t)(ep->time * 1000.0)));
		json_object_set_new(o, "insert_failed",
				    json_integer((json_int_t)ep->insert_failed));
		for (unsigned int k = 0; k < ep->ngroups; k++) {
			const struct clash_group *g = &ep->groups[k];
			const char *proto = ct_flow_proto_name(g->key.l4proto);
			json_t *go = json_object();
			char a[64], b[64];

			json_object_set_new(go, "proto",
					    proto ? json_string(proto)
						  : json_integer(g->key.l4proto));
			json_object_set_new(
				go, "snat_src",
				json_string(ct_flow_addr_str(g->key.family, &g->key.snat_src, a,
							     sizeof(a))));
			json_object_set_new(go, "dst",
					    json_string(ct_flow_addr_str(g->key.family, &g->key.dst,
									 b, sizeof(b))));
			json_object_set_new(go, "dport", json_integer(g->key.dport));
			json_object_set_new(go, "new_flows", json_integer(g->new_flows));
			json_object_set_new(go, "sources", json_integer(g->sources));
			json_array_append_new(groups, go);
		}
		json_object_set_new(o, "likely_groups", groups);
		json_array_append_new(a, o);
	}
	return a;
}

#define TOP_RECORDS 20 /* failure records per frame; the counts are always whole */

/* Failed insertions named by the BPF component: counts, and this interval's records. */
static json_t *failures_json(const struct top_frame *f)
{
	json_t *o = json_object(), *recs;
	char a[64], b[64], c[64];

	json_object_set_new(o, "exact", json_boolean(f->exact));
	json_object_set_new(o, "why",
			    f->exact || !f->exact_why || !f->exact_why[0]
				    ? json_null()
				    : json_string(f->exact_why));
	/* the same keys either way: what was not named is null or empty, not absent */
	json_object_set_new(o, "named",
			    f->exact ? json_integer((json_int_t)f->named) : json_null());
	json_object_set_new(o, "named_total",
			    f->exact ? json_integer((json_int_t)f->named_total) : json_null());
	json_object_set_new(o, "counted_total", json_integer((json_int_t)f->counted_total));
	json_object_set_new(o, "records_cap", json_integer(TOP_RECORDS));
	recs = json_array();
	for (unsigned int i = 0; f->exact && f->fails && i < f->fails->nrec && i < TOP_RECORDS;
	     i++) {
		const struct insfail_rec *r = &f->fails->rec[i];
		union ct_addr s = failures_addr(r->family, r->orig.src),
			      d = failures_addr(r->family, r->orig.dst),
			      n = failures_addr(r->family, r->reply.dst);

		json_array_append_new(
			recs,
			json_pack("{s:i,s:s,s:s,s:i,s:s,s:i,s:s,s:i}", "cpu", (int)r->cpu, "proto",
				  ct_flow_proto_name(r->proto) ? ct_flow_proto_name(r->proto)
							       : "other",
				  "src", ct_flow_addr_str(r->family, &s, a, sizeof(a)), "sport",
				  ntohs(r->orig.sport), "dst",
				  ct_flow_addr_str(r->family, &d, b, sizeof(b)), "dport",
				  ntohs(r->orig.dport), "snat_src",
				  ct_flow_addr_str(r->family, &n, c, sizeof(c)), "snat_port",
				  ntohs(r->reply.dport)));
	}
	json_object_set_new(o, "records", recs);
	return o;
}

int top_render_json(FILE *out, const struct top_frame *f)
{
	static const char *const type_names[CT_EVENT_TYPES] = { "new", "update", "destroy",
								"dump" };
	const struct flow_counts *c = f->counts;
	json_t *o = json_object(), *ev = json_object(), *lost = json_object(),
	       *rates = json_object();
	int ret = 0;

	json_object_set_new(o, "schema", json_string("natscope.top"));
	json_object_set_new(o, "schema_version", json_integer(TOP_JSON_SCHEMA_VERSION));
	json_object_set_new(o, "time_ms", json_integer((json_int_t)(f->time * 1000.0)));
	json_object_set_new(o, "iteration", json_integer(f->iteration));
	json_object_set_new(o, "netns", json_string(f->netns ? f->netns : ""));
	json_object_set_new(o, "entries", json_integer((json_int_t)c->total));
	/* the kernel's own figures, under the name audit gives them (null when replaying) */
	json_object_set_new(
		o, "conntrack",
		f->have_kernel
			? json_pack("{s:I,s:I,s:I,s:I}", "count", (json_int_t)f->kernel_count,
				    "max", (json_int_t)f->kernel_max, "peak",
				    (json_int_t)f->kernel_peak, "peak_time_ms",
				    (json_int_t)(f->kernel_peak_at * 1000.0))
			: json_pack("{s:n,s:n,s:n,s:n}", "count", "max", "peak", "peak_time_ms"));
	for (unsigned int t = 0; t < CT_EVENT_TYPES; t++)
		json_object_set_new(ev, type_names[t],
				    json_integer((json_int_t)f->es->received[t]));
	json_object_set_new(ev, "total",
			    json_integer((json_int_t)(f->es->received[0] + f->es->received[1] +
						      f->es->received[2])));
	json_object_set_new(o, "events", ev);
	json_object_set_new(o, "events_per_s", json_real(f->events_per_s));
	json_object_set_new(lost, "overruns", json_integer((json_int_t)f->es->overruns));
	json_object_set_new(lost, "dropped", json_integer((json_int_t)f->es->dropped));
	json_object_set_new(lost, "estimated", json_integer((json_int_t)f->es->lost_estimate));
	json_object_set_new(lost, "drift", json_integer((json_int_t)f->es->drift));
	json_object_set_new(lost, "resyncs", json_integer((json_int_t)f->es->resyncs));
	json_object_set_new(o, "lost", lost);
	json_object_set_new(o, "rcvbuf",
			    f->rcvbuf ? json_integer((json_int_t)f->rcvbuf) : json_null());
	json_object_set_new(o, "conntrack_events",
			    f->ct_events >= 0 ? json_integer(f->ct_events) : json_null());
	for (unsigned int i = 0; i < TOP_NRATES; i++) {
		json_t *w = json_object();

		for (unsigned int k = 0; k < TOP_WINDOWS; k++) {
			char key[8];

			snprintf(key, sizeof(key), "%.0fs", top_windows[k]);
			json_object_set_new(w, key,
					    f->have_rate[i][k] ? json_real(f->rate[i][k])
							       : json_null());
		}
		json_object_set_new(rates, ct_stats_name(top_rate_attrs[i]), w);
	}
	json_object_set_new(o, "rates_per_s", rates);
	json_object_set_new(o, "protocols", flow_counts_protocols_json(c));
	json_object_set_new(o, "tcp_states", flow_counts_tcp_states_json(c));
	json_object_set_new(o, "nat", flow_counts_nat_json(c));
	json_object_set_new(o, "clash_episodes", episodes_json(f->clash));
	json_object_set_new(o, "insert_failures", failures_json(f));
	json_object_set_new(o, "assured", json_integer((json_int_t)c->assured));
	json_object_set_new(o, "unreplied", json_integer((json_int_t)c->unreplied));
	if (json_dumpf(o, out, JSON_COMPACT | JSON_REAL_PRECISION(6)) < 0 ||
	    fputc('\n', out) == EOF)
		ret = -EIO;
	json_decref(o);
	return ret < 0 || ferror(out) ? -EIO : 0;
}
