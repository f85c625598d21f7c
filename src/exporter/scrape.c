#include "config.h"
#include "exporter/scrape.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "audit/audit.h"
#include "audit/render.h"
#include "flows/ct_agg.h"
#include "flows/clash.h"
#include "flows/engine.h"
#include "top/live.h"
#include "top/toplive.h"

static int agg_flow(const struct ct_flow *f, void *data)
{
	return ct_agg_add(data, f);
}

/* A snapshot of @ns as audit would take it, from its live engine. */
static int snapshot_of(struct exporter_ns *ns, struct snapshot *s)
{
	const struct ct_stats *cur, *prev;
	struct ct_agg *agg = NULL;
	struct top_peak peak;
	double dt;
	int ret;

	snprintf(s->netns, sizeof(s->netns), "%s", ns->label);
	s->sys = ns->sys;
	s->taken = time(NULL);
	top_live_stats(ns->live, &cur, &prev, &dt);
	top_live_peak(ns->live, &peak);
	s->peak.count = (int64_t)peak.count;
	s->peak.at = peak.at;
	s->peak.since = peak.since;
	ret = ct_stats_copy(&s->stats1, cur);
	if (ret == 0 && prev) {
		ret = ct_stats_copy(&s->stats0, prev);
		s->interval = dt;
	}
	if (ret == 0)
		ret = ct_agg_new(&agg);
	if (ret == 0) {
		ct_agg_set_nets(agg, &ns->nets);
		ret = engine_foreach(top_live_engine(ns->live), agg_flow, agg);
	}
	if (ret == 0) {
		ct_agg_summarize(agg, &s->table);
		s->have_table = true;
	}
	ct_agg_free(agg);
	if (ret < 0)
		return ret;
	/* the rules as they are now; no text (metrics have none) */
	ret = toplive_rules(top_live_sources(ns->live), &s->nat,
			    ns->own ? TOPLIVE_RULES_LEGACY : 0);
	if (ret == -ENOMEM)
		return ret;
	s->nat_error = ret < 0 ? ret : 0;
	return dproxy_scan("/proc", ns->ino, &s->proxies);
}

enum engine_figure {
	EF_EVENTS,
	EF_DROPPED,
	EF_LOST,
	EF_DRIFT,
	EF_OVERRUNS,
	EF_RESYNCS,
	EF_FLOWS,
	EF_CLASHES,
	EF_CLASH_LAST,
};

/*
 * The likely groups of the last clash episode (at most CLASH_GROUPS_PER_EPISODE): the
 * new flows each had in the interval insert_failed rose.  Likely, never certain.
 */
static void emit_last_clash(struct metrics *m, const struct clash *c)
{
	const struct clash_episode *ep;

	if (!c || !clash_nepisodes(c))
		return;
	ep = clash_episode(c, clash_nepisodes(c) - 1);
	for (unsigned int i = 0; i < ep->ngroups; i++) {
		const struct clash_group *g = &ep->groups[i];
		const char *proto = ct_flow_proto_name(g->key.l4proto);
		char a[64], b[64], port[8];

		snprintf(port, sizeof(port), "%u", g->key.dport);
		metrics_sample(m, g->new_flows, "proto", proto ? proto : "other", "snat_src",
			       ct_flow_addr_str(g->key.family, &g->key.snat_src, a, sizeof(a)),
			       "dst", ct_flow_addr_str(g->key.family, &g->key.dst, b, sizeof(b)),
			       "dport", port, NULL);
	}
}

static void emit_engine(struct metrics *m, const struct render_ns *rn, const void *arg)
{
	const struct exporter_ns *ns = rn->ext;
	const struct engine *e = top_live_engine(ns->live);
	const struct engine_stats *st = engine_stats(e);

	switch (*(const enum engine_figure *)arg) {
	case EF_EVENTS:
		metrics_sample(m, (double)st->received[CT_EVENT_NEW], "type", "new", NULL);
		metrics_sample(m, (double)st->received[CT_EVENT_UPDATE], "type", "update", NULL);
		metrics_sample(m, (double)st->received[CT_EVENT_DESTROY], "type", "destroy", NULL);
		break;
	case EF_DROPPED:
		metrics_sample(m, (double)st->dropped, NULL);
		break;
	case EF_LOST:
		metrics_sample(m, (double)st->lost_estimate, NULL);
		break;
	case EF_DRIFT:
		metrics_sample(m, (double)st->drift, NULL);
		break;
	case EF_OVERRUNS:
		metrics_sample(m, (double)st->overruns, NULL);
		break;
	case EF_RESYNCS:
		metrics_sample(m, (double)st->resyncs, NULL);
		break;
	case EF_FLOWS:
		metrics_sample(m, (double)engine_counts(e)->total, NULL);
		break;
	case EF_CLASHES:
		metrics_sample(m, engine_clash(e) ? (double)clash_total(engine_clash(e)) : 0, NULL);
		break;
	case EF_CLASH_LAST:
		emit_last_clash(m, engine_clash(e));
		break;
	}
}

static void engine_families(struct metrics *m, const struct render_ns *rn, size_t n)
{
	static const struct {
		enum engine_figure f;
		const char *name;
		enum metric_type type;
		const char *help;
	} figs[] = {
		{ EF_EVENTS, "natscope_events", METRIC_COUNTER,
		  "Conntrack events the exporter received, by type." },
		{ EF_DROPPED, "natscope_events_dropped", METRIC_COUNTER,
		  "Event messages the kernel dropped for the exporter's socket (exact)." },
		{ EF_LOST, "natscope_events_lost_estimate", METRIC_COUNTER,
		  "Flows a resynchronisation after an overrun had to correct: a lower bound "
		  "of the events lost." },
		{ EF_DRIFT, "natscope_model_drift", METRIC_COUNTER,
		  "Flows a periodic reconciliation had to correct (0 when nothing is lost)." },
		{ EF_OVERRUNS, "natscope_event_overruns", METRIC_COUNTER,
		  "Overruns of the event socket (ENOBUFS episodes)." },
		{ EF_RESYNCS, "natscope_resyncs", METRIC_COUNTER,
		  "Table dumps the exporter took to resynchronise its model." },
		{ EF_FLOWS, "natscope_model_flows", METRIC_GAUGE,
		  "Conntrack entries in the exporter's model of the table." },
		{ EF_CLASHES, "natscope_clash_episodes", METRIC_COUNTER,
		  "Intervals in which insert_failed rose and a source-NAT group fed by two or "
		  "more sources qualified as the likely place." },
		{ EF_CLASH_LAST, "natscope_clash_last_episode_group_new_flows", METRIC_GAUGE,
		  "New flows of the likely source-NAT groups of the last clash episode (at most "
		  "3; likely, not certain)." },
	};

	for (size_t i = 0; i < sizeof(figs) / sizeof(figs[0]); i++)
		render_family(m, rn, n, figs[i].name, figs[i].type, figs[i].help, emit_engine,
			      &figs[i].f);
}

static void emit_named(struct metrics *m, const struct render_ns *rn, const void *which)
{
	const struct named_fails *nf = &((const struct exporter_ns *)rn->ext)->named;
	char a[64], b[64], port[8];

	switch (*(const int *)which) {
	case 0:
		metrics_sample(m, (double)nf->total, NULL);
		break;
	case 1:
		for (unsigned int i = 0; i < nf->nowners; i++)
			metrics_sample(m, (double)nf->owners[i].n, "owner", nf->owners[i].owner,
				       NULL);
		if (nf->other_owners)
			metrics_sample(m, (double)nf->other_owners, "owner", "other", NULL);
		break;
	default:
		for (unsigned int i = 0; i < nf->ngroups; i++) {
			const struct ct_snat_key *k = &nf->groups[i].key;
			const char *proto = ct_flow_proto_name(k->l4proto);

			snprintf(port, sizeof(port), "%u", k->dport);
			metrics_sample(m, (double)nf->groups[i].n, "proto", proto ? proto : "other",
				       "snat_src",
				       ct_flow_addr_str(k->family, &k->snat_src, a, sizeof(a)),
				       "dst", ct_flow_addr_str(k->family, &k->dst, b, sizeof(b)),
				       "dport", port, NULL);
		}
		if (nf->other_groups)
			metrics_sample(m, (double)nf->other_groups, "proto", "other", "snat_src",
				       "", "dst", "", "dport", "", NULL);
	}
}

static void emit_exact_state(struct metrics *m, const struct render_ns *rn, const void *exact)
{
	const struct exporter_exact *e = exact;

	metrics_sample(m, 1, "state", e->on ? "attached" : "unavailable", "reason",
		       e->on ? "" : e->why, NULL);
}

/* Exact attribution: whether it runs (and why not), and the failures it named. */
static void named_families(struct metrics *m, const struct render_ns *rn, size_t n,
			   const struct exporter_exact *exact)
{
	static const int total = 0, by_owner = 1, by_group = 2;

	render_family(m, rn, n, "natscope_bpf", METRIC_INFO,
		      "Whether the BPF component names failed insertions (attached), or why not.",
		      emit_exact_state, exact);
	if (!exact->on)
		return;
	render_family(m, rn, n, "natscope_insert_failures_named", METRIC_COUNTER,
		      "Conntrack insertions that failed, each named by the BPF component.",
		      emit_named, &total);
	render_family(m, rn, n, "natscope_insert_failures_by_source", METRIC_COUNTER,
		      "Named insertion failures by who holds the pre-NAT source address (the "
		      "first 16; the rest under owner=\"other\").",
		      emit_named, &by_owner);
	render_family(m, rn, n, "natscope_insert_failures_by_group", METRIC_COUNTER,
		      "Named insertion failures by source-NAT group (the first 16; the rest under "
		      "proto=\"other\").",
		      emit_named, &by_group);
}

int scrape_write(FILE *out, enum metrics_format fmt, struct exporter_ns *ns, size_t n,
		 const struct exporter_exact *exact, const char *version)
{
	struct render_opts ro = { .version = version };
	struct audit_thresholds th;
	struct snapshot *snaps = calloc(n, sizeof(*snaps));
	struct audit_report *reps = calloc(n, sizeof(*reps));
	struct render_ns *rn = calloc(n, sizeof(*rn));
	struct metrics m;
	int ret = snaps && reps && rn ? 0 : -ENOMEM;

	audit_thresholds_default(&th);
	for (size_t i = 0; i < n && ret == 0; i++) {
		snapshot_init(&snaps[i]);
		rn[i] = (struct render_ns){
			.netns = ns[i].label, .snap = &snaps[i], .rep = &reps[i], .ext = &ns[i]
		};
		ret = snapshot_of(&ns[i], &snaps[i]);
		if (ret == -ENOMEM)
			break;
		rn[i].ok = ret == 0;
		ret = 0;
		if (rn[i].ok)
			audit_run(&snaps[i], &th, &reps[i]);
	}
	if (ret == 0) {
		metrics_init(&m, out, fmt);
		render_metrics_families(&m, rn, n, &ro);
		engine_families(&m, rn, n);
		named_families(&m, rn, n, exact);
		ret = metrics_end(&m);
	}
	for (size_t i = 0; snaps && i < n; i++)
		snapshot_release(&snaps[i]);
	free(snaps);
	free(reps);
	free(rn);
	return ret;
}
