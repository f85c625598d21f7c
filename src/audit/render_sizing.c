#include "config.h"
#include "audit/render.h"

#include <math.h>
#include <stdio.h>

#include "audit/sizing.h"

/* What to set, when the table is under pressure: the lines, what each risks, the file. */

void render_sizing_text(FILE *out, const struct snapshot *s)
{
	struct audit_thresholds t;
	struct sizing z;
	char file[1024];

	audit_thresholds_default(&t);
	sizing_compute(s, &t, &z);
	if (!z.n)
		return;
	fprintf(out, "\nSIZING (natscope fix --tune applies it; conntrack entry: ");
	if (z.entry_bytes > 0)
		fprintf(out, "%lld bytes, the slab object size on this kernel)\n",
			(long long)z.entry_bytes);
	else
		fprintf(out, "size not measured here)\n");
	for (unsigned int i = 0; i < z.n; i++) {
		const struct sizing_line *l = &z.v[i];

		fprintf(out, "  %-38s %lld -> %lld (%s)\n    why: %s\n    risk: %s\n",
			sysctl_name(l->key), (long long)l->current, (long long)l->recommended,
			l->global ? "global" : "this namespace", l->why, l->risk);
	}
	if (z.mem_mib_after >= 0)
		fprintf(out, "  memory of a full table: %.0f MiB now, %.0f MiB after\n",
			z.mem_mib_now, z.mem_mib_after);
	if (sizing_sysctl_d(&z, file, sizeof(file)) == 0)
		fprintf(out, "  to keep it across reboots:\n%s", file);
}

json_t *render_sizing_json(const struct snapshot *s)
{
	struct audit_thresholds t;
	struct sizing z;
	json_t *o = json_object(), *lines = json_array();
	char file[1024];

	audit_thresholds_default(&t);
	sizing_compute(s, &t, &z);
	for (unsigned int i = 0; i < z.n; i++) {
		const struct sizing_line *l = &z.v[i];

		json_array_append_new(lines, json_pack("{s:s,s:I,s:I,s:s,s:s,s:s}", "key",
						       sysctl_name(l->key), "current",
						       (json_int_t)l->current, "recommended",
						       (json_int_t)l->recommended, "scope",
						       l->global ? "global" : "namespace", "why",
						       l->why, "risk", l->risk));
	}
	json_object_set_new(o, "entry_bytes",
			    z.entry_bytes > 0 ? json_integer(z.entry_bytes) : json_null());
	json_object_set_new(o, "lines", lines);
	json_object_set_new(o, "memory_mib_now",
			    z.mem_mib_now >= 0 ? json_real(z.mem_mib_now) : json_null());
	json_object_set_new(o, "memory_mib_after",
			    z.mem_mib_after >= 0 ? json_real(z.mem_mib_after) : json_null());
	json_object_set_new(o, "sysctl_d",
			    z.n && sizing_sysctl_d(&z, file, sizeof(file)) == 0 ? json_string(file)
										: json_null());
	return o;
}

/* The settings sizing looks at, in sizing's order: current and recommended side by side. */
static const enum sysctl_key sized[] = {
	SYSCTL_MAX,	    SYSCTL_BUCKETS, SYSCTL_TCP_TIMEOUT_TIME_WAIT, SYSCTL_TCP_TIMEOUT_CLOSE,
	SYSCTL_UDP_TIMEOUT,
};

static void emit_peak(struct metrics *m, const struct render_ns *ns, const void *arg)
{
	int64_t v = snapshot_peak(ns->snap);

	metrics_sample(m, v >= 0 ? (double)v : NAN, NULL);
}

static int64_t current(const struct snapshot *s, enum sysctl_key k)
{
	return k == SYSCTL_MAX ? snapshot_max(s) : s->sys.val[k];
}

static void emit_setting(struct metrics *m, const struct render_ns *ns, const void *arg)
{
	struct audit_thresholds t;
	struct sizing z;

	if (arg) {
		audit_thresholds_default(&t);
		sizing_compute(ns->snap, &t, &z);
	}
	for (size_t i = 0; i < sizeof(sized) / sizeof(sized[0]); i++) {
		int64_t v = current(ns->snap, sized[i]);

		for (unsigned int k = 0; arg && k < z.n; k++)
			if (z.v[k].key == sized[i])
				v = z.v[k].recommended;
		if (v != SYSCTL_ABSENT && v >= 0)
			metrics_sample(m, (double)v, "setting", sysctl_name(sized[i]), NULL);
	}
}

void render_sizing_metrics(struct metrics *m, const struct render_ns *ns, size_t n)
{
	static const bool recommended = true;

	render_family(m, ns, n, "natscope_conntrack_entries_peak", METRIC_GAUGE,
		      "The highest conntrack entry count seen: the exporter's since it started "
		      "(read every interval), an audit's own count.",
		      emit_peak, NULL);
	render_family(m, ns, n, "natscope_conntrack_setting", METRIC_GAUGE,
		      "The conntrack settings that table sizing looks at (net.netfilter.SETTING).",
		      emit_setting, NULL);
	render_family(m, ns, n, "natscope_sizing_recommended", METRIC_GAUGE,
		      "What natscope-audit(8) SIZING recommends for each setting: the current "
		      "value when it recommends no change.",
		      emit_setting, &recommended);
}
