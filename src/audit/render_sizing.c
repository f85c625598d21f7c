#include "config.h"
#include "audit/render.h"

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
