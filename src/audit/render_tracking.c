#include "config.h"
#include "audit/render.h"

#include <stdio.h>
#include <string.h>

#include <linux/netfilter.h>

#include "audit/tracking.h"

/* The table by what needs tracking, the notrack rules in place, the candidates. */

static const char *hook_names(unsigned int hooks, char *buf, size_t len)
{
	static const char *const names[] = { "prerouting", "input", "forward", "output",
					     "postrouting" };
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned int h = 0; h < 5 && off < len; h++)
		if (hooks & TRACKRULES_HOOK(h))
			off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? "," : "",
						names[h]);
	return buf;
}

static void row_text(FILE *out, const char *name, const struct track_row *r, uint64_t total,
		     bool counters)
{
	fprintf(out, "  %-14s %9llu entries %5.1f%%", name, (unsigned long long)r->entries,
		total ? 100.0 * (double)r->entries / (double)total : 0.0);
	if (counters)
		fprintf(out, "  %llu packets, %llu bytes", (unsigned long long)r->packets,
			(unsigned long long)r->bytes);
	if (r->nat)
		fprintf(out, "  (%llu NAT'd)", (unsigned long long)r->nat);
	fputc('\n', out);
}

void render_tracking_text(FILE *out, const struct snapshot *s)
{
	const struct track_classes *t = &s->table.track;
	struct tracking_candidates c;
	char hooks[64];
	unsigned int nt = 0;

	fprintf(out, "\nTRACKING (the table by what needs tracking%s)\n",
		t->counters
			? ""
			: "; no byte counts: net.netfilter.nf_conntrack_acct=1 adds them to "
			  "entries created after it, at 16 bytes and an update per packet each");
	for (int k = 0; k < TRACK_CLASSES; k++)
		row_text(out, track_class_name(k), &t->row[k], t->total, t->counters);
	for (int k = 0; k < TUNNEL_KINDS; k++)
		if (t->tunnel[k].entries) {
			char name[40];

			snprintf(name, sizeof(name), "  %s", tunnel_kind_name(k));
			row_text(out, name, &t->tunnel[k], t->total, t->counters);
		}
	for (size_t i = 0; i < s->trackrules.n; i++) {
		const struct trackrule *r = &s->trackrules.v[i];

		if (!r->notrack)
			continue;
		if (!nt++)
			fprintf(out, "  notrack rules in place:\n");
		fprintf(out, "    %s %s %s handle %llu (%s, %s): %s\n",
			natrules_family_name(r->family), r->table, r->chain,
			(unsigned long long)r->handle, natrules_owner_name(r->owner),
			hook_names(r->hooks, hooks, sizeof(hooks)), r->text);
	}
	tracking_candidates(s, &c);
	for (unsigned int i = 0; i < c.n; i++) {
		const struct tracking_candidate *v = &c.v[i];

		fprintf(out, "  candidate: %s, %.1f%% of the entries", v->what, v->share * 100);
		if (v->byte_share >= 0)
			fprintf(out, ", %.1f%% of the bytes", v->byte_share * 100);
		if (v->safe) {
			fprintf(out, ": exempt it with\n    nft -f - <<'EOF'\n    %s\n    EOF\n",
				v->snippet);
			continue;
		}
		fprintf(out, ": must stay tracked:\n");
		for (unsigned int k = 0; k < v->nreasons; k++)
			fprintf(out, "    %s\n", v->reasons[k]);
	}
}

static json_t *row_json(const struct track_row *r, bool counters)
{
	json_t *o = json_object();

	json_object_set_new(o, "entries", json_integer((json_int_t)r->entries));
	json_object_set_new(o, "nat", json_integer((json_int_t)r->nat));
	json_object_set_new(o, "packets",
			    counters ? json_integer((json_int_t)r->packets) : json_null());
	json_object_set_new(o, "bytes",
			    counters ? json_integer((json_int_t)r->bytes) : json_null());
	return o;
}

static json_t *candidates_json(const struct snapshot *s)
{
	struct tracking_candidates c;
	json_t *a = json_array();

	tracking_candidates(s, &c);
	for (unsigned int i = 0; i < c.n; i++) {
		const struct tracking_candidate *v = &c.v[i];
		json_t *o = json_object(), *why = json_array();

		json_object_set_new(o, "class", json_string(track_class_name(v->cls)));
		json_object_set_new(o, "what", json_string(v->what));
		json_object_set_new(o, "entries", json_integer((json_int_t)v->row->entries));
		json_object_set_new(o, "share", json_real(v->share));
		json_object_set_new(o, "byte_share",
				    v->byte_share >= 0 ? json_real(v->byte_share) : json_null());
		json_object_set_new(o, "safe", json_boolean(v->safe));
		for (unsigned int k = 0; k < v->nreasons; k++)
			json_array_append_new(why, json_string(v->reasons[k]));
		json_object_set_new(o, "reasons", why);
		json_object_set_new(o, "snippet", v->safe ? json_string(v->snippet) : json_null());
		json_array_append_new(a, o);
	}
	return a;
}

json_t *render_tracking_json(const struct snapshot *s)
{
	const struct track_classes *t = &s->table.track;
	json_t *o = json_object(), *classes = json_object(), *tunnels = json_object(),
	       *rules = json_array();
	char hooks[64];

	if (!s->have_table) {
		json_decref(o);
		json_decref(classes);
		json_decref(tunnels);
		json_decref(rules);
		return json_null();
	}
	json_object_set_new(o, "accounting", json_boolean(t->counters));
	for (int k = 0; k < TRACK_CLASSES; k++)
		json_object_set_new(classes, track_class_name(k),
				    row_json(&t->row[k], t->counters));
	json_object_set_new(o, "classes", classes);
	for (int k = 0; k < TUNNEL_KINDS; k++)
		json_object_set_new(tunnels, tunnel_kind_name(k),
				    row_json(&t->tunnel[k], t->counters));
	json_object_set_new(o, "tunnels", tunnels);
	for (size_t i = 0; i < s->trackrules.n; i++) {
		const struct trackrule *r = &s->trackrules.v[i];

		if (r->notrack)
			json_array_append_new(
				rules, json_pack("{s:s,s:s,s:s,s:I,s:s,s:s,s:s}", "family",
						 natrules_family_name(r->family), "table", r->table,
						 "chain", r->chain, "handle", (json_int_t)r->handle,
						 "owner", natrules_owner_name(r->owner), "hooks",
						 hook_names(r->hooks, hooks, sizeof(hooks)), "rule",
						 r->text));
	}
	json_object_set_new(o, "notrack_rules", rules);
	json_object_set_new(o, "candidates", candidates_json(s));
	return o;
}
