#include "config.h"
#include "audit/render.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "nftables/natrules.h"

/*
 * The monitoring-plugin output of Nagios, Icinga and their kin: the first line is
 *
 *	NATSCOPE <STATE> - <the worst finding in words> | <perfdata>
 *
 * then one line per other finding that is not ok (the "long output").  Perfdata follows
 * the plugin guidelines: 'label'=value[UOM];[warn];[crit];[min];[max], counters with the
 * unit c.  The state is the exit status: OK (info included), WARNING, CRITICAL, UNKNOWN.
 */

static const char *state(enum severity sev)
{
	switch (sev) {
	case SEV_OK:
	case SEV_INFO:
		return "OK";
	case SEV_WARNING:
		return "WARNING";
	case SEV_CRITICAL:
		return "CRITICAL";
	default:
		return "UNKNOWN";
	}
}

/* '|' would end the text and start the perfdata: never in the words */
static void words(FILE *out, const char *s)
{
	for (; *s; s++)
		fputc(*s == '|' ? '/' : *s == '\n' ? ' ' : *s, out);
}

static void perfdata(FILE *out, const struct snapshot *s)
{
	static const struct {
		const char *label;
		unsigned int attr;
	} counters[] = {
		{ "insert_failed", CT_STAT_INSERT_FAILED }, { "drop", CT_STAT_DROP },
		{ "early_drop", CT_STAT_EARLY_DROP },	    { "invalid", CT_STAT_INVALID },
		{ "clash_resolve", CT_STAT_CLASH_RESOLVE },
	};
	struct audit_thresholds t;
	int64_t count = snapshot_count(s), max = snapshot_max(s);
	unsigned int unprotected = 0;

	audit_thresholds_default(&t);
	if (count >= 0 && max > 0)
		fprintf(out, " entries=%" PRId64 ";%.0f;%.0f;0;%" PRId64, count,
			t.fill_warning * (double)max, t.fill_critical * (double)max, max);
	else if (count >= 0)
		fprintf(out, " entries=%" PRId64 ";;;0", count);
	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++)
		if (ct_stats_present(&s->stats1) & (1u << counters[i].attr))
			fprintf(out, " %s=%" PRIu64 "c", counters[i].label,
				ct_stats_total(&s->stats1, counters[i].attr));
	if (s->interval > 0)
		fprintf(out, " insert_failed_per_s=%.3f", snapshot_rate(s, CT_STAT_INSERT_FAILED));
	for (unsigned int i = 0; i < s->nat.n; i++) {
		const struct natrule *r = &s->nat.v[i];

		unprotected += !natrule_fully_random(r) && !r->hairpin &&
			       r->cover != NATRULE_COVER_COVERED &&
			       r->cover != NATRULE_COVER_HARMLESS;
	}
	if (s->nat.have_nftables)
		fprintf(out, " snat_rules_unprotected=%u;;1;0", unprotected);
	fprintf(out, " docker_proxies=%u;1;;0", s->proxies.n);
}

int render_plugin(FILE *out, const struct snapshot *s, const struct audit_report *r,
		  const struct render_opts *o)
{
	const struct finding *worst = NULL;
	unsigned int info = 0, accepted = 0;

	for (unsigned int i = 0; i < r->n; i++) {
		const struct finding *f = &r->f[i];

		info += f->sev == SEV_INFO;
		accepted += f->accepted != SEV_OK;
		if (f->sev == r->worst && f->sev > SEV_INFO && !worst)
			worst = f;
	}
	fprintf(out, "NATSCOPE %s - ", state(r->worst));
	if (worst) {
		fprintf(out, "%s: ", audit_check_id(worst->check));
		words(out, worst->summary);
	} else {
		fprintf(out, "%u checks ok", r->n - info);
		if (info)
			fprintf(out, ", %u for information", info);
		if (accepted)
			fprintf(out, ", %u accepted", accepted);
	}
	fputs(" |", out);
	perfdata(out, s);
	fputc('\n', out);
	for (unsigned int i = 0; i < r->n; i++) {
		const struct finding *f = &r->f[i];

		if (f == worst || (f->sev == SEV_OK && f->accepted == SEV_OK))
			continue;
		if (f->accepted != SEV_OK)
			fprintf(out, "accepted %s (%s): ", audit_check_id(f->check),
				audit_severity_name(f->accepted));
		else
			fprintf(out, "%s %s: ", f->sev == SEV_INFO ? "INFO" : state(f->sev),
				audit_check_id(f->check));
		words(out, f->summary);
		fputc('\n', out);
	}
	return ferror(out) ? -EIO : 0;
}
