#include "config.h"
#include "audit/render.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

/*
 * The insertion failures of the interval, as the BPF component named them: text and
 * JSON.  Exactness is stated with the figures that show it: records against the
 * counter's increase, per CPU.
 */

static const char *addr(uint8_t family, const unsigned char *a, char *buf, size_t len)
{
	union ct_addr u = failures_addr(family, a);

	return ct_flow_addr_str(family, &u, buf, len);
}

static const char *proto(uint8_t p)
{
	const char *n = ct_flow_proto_name(p);

	return n ? n : "other";
}

static json_t *winner_json(const struct snapshot *s, const struct insfail_rec *r,
			   const struct failure_winner *w)
{
	char a[64];
	const char *owner;

	if (!w->looked)
		return json_null();
	if (!w->found)
		return json_false(); /* looked for, gone (expired or deleted since) */
	owner = addrmap_lookup(&s->names, r->family, &w->orig.src);
	return json_pack("{s:s,s:i,s:o}", "src",
			 ct_flow_addr_str(r->family, &w->orig.src, a, sizeof(a)), "sport",
			 w->orig.sport, "owner", owner ? json_string(owner) : json_null());
}

static json_t *record_json(const struct snapshot *s, const struct insfail_rec *r)
{
	char src[64], dst[64], snat[64];
	union ct_addr a = failures_addr(r->family, r->orig.src);
	const char *owner = addrmap_lookup(&s->names, r->family, &a);
	json_t *o;

	o = json_pack("{s:f,s:i,s:s,s:s,s:i,s:s,s:i,s:s,s:i,s:I,s:I}", "time_s",
		      (double)r->time_ns / 1e9, "cpu", (int)r->cpu, "proto", proto(r->proto), "src",
		      addr(r->family, r->orig.src, src, sizeof(src)), "sport", ntohs(r->orig.sport),
		      "dst", addr(r->family, r->orig.dst, dst, sizeof(dst)), "dport",
		      ntohs(r->orig.dport), "snat_src",
		      addr(r->family, r->reply.dst, snat, sizeof(snat)), "snat_port",
		      ntohs(r->reply.dport), "mark", (json_int_t)r->mark, "status",
		      (json_int_t)r->status);
	json_object_set_new(o, "src_owner", owner ? json_string(owner) : json_null());
	return o;
}

json_t *render_failures_json(const struct snapshot *s)
{
	const struct failures *f = &s->exact.f;
	json_t *o = json_object(), *cpus, *groups, *sources, *recs;
	char a[64], b[64];

	json_object_set_new(o, "exact", json_boolean(s->exact.on));
	json_object_set_new(o, "why",
			    s->exact.on || !s->exact.why[0] ? json_null()
							    : json_string(s->exact.why));
	json_object_set_new(o, "counter_delta",
			    json_integer((json_int_t)snapshot_delta(s, CT_STAT_INSERT_FAILED)));
	/* the same keys either way: what was not named is null or empty, not absent */
	json_object_set_new(o, "reported",
			    s->exact.on ? json_integer((json_int_t)f->reported) : json_null());
	json_object_set_new(o, "missed",
			    s->exact.on ? json_integer((json_int_t)f->missed) : json_null());
	json_object_set_new(o, "lost",
			    s->exact.on ? json_integer((json_int_t)s->exact.lost) : json_null());
	json_object_set_new(o, "records_cap", json_integer(FAILURES_RECORDS));
	if (!s->exact.on) {
		static const char *const empty[] = { "per_cpu", "by_group", "by_source",
						     "records" };

		for (size_t i = 0; i < sizeof(empty) / sizeof(empty[0]); i++)
			json_object_set_new(o, empty[i], json_array());
		return o;
	}
	cpus = json_array();
	for (unsigned int i = 0; i < s->stats1.ncpu; i++) {
		const struct ct_cpu_stats *c1 = &s->stats1.cpu[i];
		const struct ct_cpu_stats *c0 = ct_stats_cpu(&s->stats0, c1->cpu);
		uint64_t d =
			c0 ? c1->val[CT_STAT_INSERT_FAILED] - c0->val[CT_STAT_INSERT_FAILED] : 0;

		json_array_append_new(
			cpus, json_pack("{s:i,s:I,s:I}", "cpu", (int)c1->cpu, "reported",
					(json_int_t)(c1->cpu < 256 ? f->by_cpu[c1->cpu] : 0),
					"counter_delta", (json_int_t)d));
	}
	json_object_set_new(o, "per_cpu", cpus);
	groups = json_array();
	for (unsigned int i = 0; i < f->ngroups && i < FAILURES_TOP; i++) {
		const struct failure_group *g = &f->groups[i];

		json_array_append_new(
			groups,
			json_pack("{s:s,s:s,s:s,s:i,s:I}", "proto", proto(g->key.l4proto),
				  "snat_src",
				  ct_flow_addr_str(g->key.family, &g->key.snat_src, a, sizeof(a)),
				  "dst", ct_flow_addr_str(g->key.family, &g->key.dst, b, sizeof(b)),
				  "dport", (int)g->key.dport, "failures", (json_int_t)g->failures));
	}
	json_object_set_new(o, "by_group", groups);
	sources = json_array();
	for (unsigned int i = 0; i < f->nsources && i < FAILURES_TOP; i++) {
		const struct failure_source *src = &f->sources[i];
		const char *owner = addrmap_lookup(&s->names, src->family, &src->src);
		json_t *e = json_pack("{s:s,s:I}", "src",
				      ct_flow_addr_str(src->family, &src->src, a, sizeof(a)),
				      "failures", (json_int_t)src->failures);

		json_object_set_new(e, "owner", owner ? json_string(owner) : json_null());
		json_array_append_new(sources, e);
	}
	json_object_set_new(o, "by_source", sources);
	recs = json_array();
	for (unsigned int i = 0; i < f->nrec; i++) {
		json_t *rec = record_json(s, &f->rec[i]);

		json_object_set_new(rec, "winner", winner_json(s, &f->rec[i], &f->win[i]));
		json_array_append_new(recs, rec);
	}
	json_object_set_new(o, "records", recs);
	return o;
}

void render_failures_text(FILE *out, const struct snapshot *s)
{
	const struct failures *f = &s->exact.f;
	uint64_t delta = snapshot_delta(s, CT_STAT_INSERT_FAILED);
	char a[64], b[64], c[64];

	if (!s->exact.on) {
		fprintf(out, "\nINSERTION FAILURES: not named%s%s%s%s\n",
			s->exact.why[0] ? " (" : "", s->exact.why, s->exact.why[0] ? ")" : "",
			delta ? "; snat_port_clash lists the likely groups" : "");
		return;
	}
	fprintf(out,
		"\nINSERTION FAILURES (named by BPF: %llu of the %llu insert_failed counted in "
		"the interval%s)\n",
		(unsigned long long)f->reported, (unsigned long long)delta,
		f->missed || s->exact.lost ? "; some without a record" : "");
	if (!f->reported) {
		fprintf(out, "  none\n");
		return;
	}
	fprintf(out, "  by source-NAT group:\n");
	for (unsigned int i = 0; i < f->ngroups && i < FAILURES_TOP; i++) {
		const struct failure_group *g = &f->groups[i];

		fprintf(out, "    %-4s %s -> %s  %llu\n", proto(g->key.l4proto),
			ct_flow_addr_str(g->key.family, &g->key.snat_src, a, sizeof(a)),
			ct_flow_endpoint_str(g->key.family, g->key.l4proto, &g->key.dst,
					     g->key.dport, b, sizeof(b)),
			(unsigned long long)g->failures);
	}
	fprintf(out, "  by source:\n");
	for (unsigned int i = 0; i < f->nsources && i < FAILURES_TOP; i++) {
		const struct failure_source *src = &f->sources[i];
		char who[192];

		fprintf(out, "    %s  %llu\n",
			addrmap_label(&s->names, src->family, &src->src,
				      ct_flow_addr_str(src->family, &src->src, a, sizeof(a)), who,
				      sizeof(who)),
			(unsigned long long)src->failures);
	}
	fprintf(out, "  the first %u:\n", f->nrec < 10 ? f->nrec : 10);
	for (unsigned int i = 0; i < f->nrec && i < 10; i++) {
		const struct insfail_rec *r = &f->rec[i];
		const struct failure_winner *w = &f->win[i];
		char won[224] = "", who[192];

		union ct_addr sa = failures_addr(r->family, r->orig.src),
			      da = failures_addr(r->family, r->orig.dst),
			      na = failures_addr(r->family, r->reply.dst);

		if (w->found)
			snprintf(won, sizeof(won), ", won by %s",
				 addrmap_label(&s->names, r->family, &w->orig.src,
					       ct_flow_endpoint_str(r->family, r->proto,
								    &w->orig.src, w->orig.sport, c,
								    sizeof(c)),
					       who, sizeof(who)));
		fprintf(out, "    cpu%u %s %s -> %s clashed on %s%s\n", r->cpu, proto(r->proto),
			ct_flow_endpoint_str(r->family, r->proto, &sa, ntohs(r->orig.sport), a,
					     sizeof(a)),
			ct_flow_endpoint_str(r->family, r->proto, &da, ntohs(r->orig.dport), b,
					     sizeof(b)),
			ct_flow_endpoint_str(r->family, r->proto, &na, ntohs(r->reply.dport), c,
					     sizeof(c)),
			won);
	}
}
