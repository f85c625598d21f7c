#include "config.h"
#include "audit/audit.h"
#include "audit_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "nftables/owner.h"

/* The checks of source-NAT rules, natscope's overlay and what its fix did (audit.c has
 * the table). */

void audit_check_nat_random(const struct snapshot *s, const struct audit_thresholds *t,
			    struct finding *f)
{
	unsigned int lacking = 0, ours = 0, covered = 0, hairpin = 0;

	if (!s->nat.have_nftables) {
		audit_raise(f, SEV_INFO);
		audit_summary(f, "nf_tables ruleset not read (%s): NAT rules not inspected",
			      strerror(s->nat_error ? -s->nat_error : ENOENT));
		return;
	}
	for (unsigned int i = 0; i < s->nat.n; i++) {
		const struct natrule *r = &s->nat.v[i];

		if (r->owner == NATRULE_OWNER_NATSCOPE) {
			ours++;
			continue;
		}
		if (natrule_fully_random(r))
			continue;
		if (r->cover == NATRULE_COVER_COVERED || r->cover == NATRULE_COVER_HARMLESS) {
			covered++;
			continue;
		}
		if (r->hairpin) { /* one address reaching itself: no crowded port space */
			hairpin++;
			continue;
		}
		if (f->nrules < AUDIT_MAX_RULES)
			f->rules[f->nrules++] = i;
		else
			f->rules_omitted++;
		lacking++;
	}
	audit_evidence(f, "snat_rules", (double)(s->nat.n - ours));
	audit_evidence(f, "not_fully_random", (double)lacking);
	audit_evidence(f, "covered_by_overlay", (double)covered);
	audit_evidence(f, "hairpin_only", (double)hairpin);
	audit_evidence(f, "nat_postrouting_chains", (double)s->nat.base_chains);
	if (!lacking && hairpin) {
		audit_raise(f, SEV_INFO);
		audit_summary(
			f,
			"%u hairpin-only source-NAT rule%s (one address reaching itself through "
			"a published port) lack%s fully-random: no clash risk",
			hairpin, hairpin == 1 ? "" : "s", hairpin == 1 ? "s" : "");
		return;
	}
	if (!lacking) {
		if (covered)
			audit_summary(f,
				      "%u source-NAT rule%s without fully-random %s taken over by "
				      "natscope's overlay",
				      covered, covered == 1 ? "" : "s",
				      covered == 1 ? "is" : "are");
		else
			audit_summary(f, s->nat.n - ours ? "every source-NAT rule uses fully-random"
							 : "no source-NAT rules in nf_tables");
		return;
	}
	/* Clashes happening now make the missing flag the likely cause. */
	audit_raise(f, snapshot_delta(s, CT_STAT_INSERT_FAILED) ? SEV_CRITICAL : SEV_WARNING);
	audit_summary(f, "%u of %u source-NAT rules lack fully-random port allocation%s", lacking,
		      s->nat.n - ours, f->sev == SEV_CRITICAL ? " while insertions fail" : "");
}

void audit_check_overlay(const struct snapshot *s, const struct audit_thresholds *t,
			 struct finding *f)
{
	unsigned int n[NATRULE_COVERS] = { 0 };

	for (unsigned int i = 0; i < s->nat.n; i++)
		n[s->nat.v[i].cover]++;
	audit_evidence(f, "present", s->nat.overlay);
	audit_evidence(f, "stale", s->nat.overlay_stale);
	for (int c = NATRULE_COVER_COVERED; c < NATRULE_COVERS; c++)
		audit_evidence(f, natrules_cover_name((enum natrule_cover)c), (double)n[c]);
	if (n[NATRULE_COVER_DANGEROUS]) {
		audit_raise(f, SEV_CRITICAL);
		audit_summary(
			f,
			"%u rule%s of natscope's overlay NAT%s traffic that no source rule NATs "
			"any more (its source is gone or changed)",
			n[NATRULE_COVER_DANGEROUS], n[NATRULE_COVER_DANGEROUS] == 1 ? "" : "s",
			n[NATRULE_COVER_DANGEROUS] == 1 ? "s" : "");
	} else if (n[NATRULE_COVER_UNCOVERED]) {
		audit_raise(f, SEV_WARNING);
		audit_summary(f, "natscope's overlay misses %u source-NAT rule%s it should mirror",
			      n[NATRULE_COVER_UNCOVERED],
			      n[NATRULE_COVER_UNCOVERED] == 1 ? "" : "s");
	} else if (s->nat.overlay_stale) {
		audit_raise(f, SEV_INFO);
		audit_summary(f, "natscope's overlay differs from a fresh plan but does the same%s",
			      n[NATRULE_COVER_HARMLESS]
				      ? " (rules that never match the same packet "
					"changed order)"
				      : "");
	} else {
		audit_summary(f, s->nat.overlay ? "natscope's overlay is current"
						: "no natscope overlay");
	}
}

/*
 * What natscope's fix did: the failure rate it recorded just before (owner.h) against
 * the rate since, per 100,000 new source-NAT flows tried (new + failed before; since, the
 * overlay's own count, which includes the failed ones).
 */
void audit_check_fix_effect(const struct snapshot *s, const struct audit_thresholds *t,
			    struct finding *f)
{
	const struct owner_record *r = &s->nat.fix_record;
	char when[64], was[96] = "not measured", now[96] = "not counted";
	struct owner_effect e;
	time_t at;
	struct tm tm;

	if (!s->nat.overlay || !r->have) {
		audit_summary(f, s->nat.overlay ? "natscope's overlay has no record of its effect "
						  "(made by an older natscope or by hand)"
						: "no natscope fix in force");
		return;
	}
	owner_effect_compute(r, ct_stats_total(&s->stats1, CT_STAT_INSERT_FAILED),
			     s->nat.have_counted, s->nat.counted, &e);
	at = (time_t)r->since;
	if (!localtime_r(&at, &tm) || !strftime(when, sizeof(when), "%Y-%m-%d %H:%M %Z", &tm))
		snprintf(when, sizeof(when), "%" PRIu64, r->since);
	audit_evidence(f, "since", (double)r->since);
	if (e.have_before) {
		audit_evidence(f, "before_failed", (double)e.before_failed);
		audit_evidence(f, "before_flows", (double)e.before_flows);
		audit_evidence(f, "before_seconds", e.before_seconds);
		snprintf(was, sizeof(was), "%.1f (%" PRIu64 " in %" PRIu64 " over %.1f s)",
			 e.before_per_100k, e.before_failed, e.before_flows, e.before_seconds);
		if (e.before_per_100k < 0)
			snprintf(was, sizeof(was), "not known (no new source-NAT flows in %.1f s)",
				 e.before_seconds);
	}
	if (e.have_since) {
		audit_evidence(f, "since_failed", (double)e.since_failed);
		audit_evidence(f, "since_flows", (double)e.since_flows);
		snprintf(now, sizeof(now), "%.1f (%" PRIu64 " in %" PRIu64 ")", e.since_per_100k,
			 e.since_failed, e.since_flows);
		if (e.since_per_100k < 0)
			snprintf(now, sizeof(now), "not known (no new source-NAT flows yet)");
	}
	audit_evidence(f, "before_per_100k", e.before_per_100k);
	audit_evidence(f, "since_per_100k", e.since_per_100k);
	audit_raise(f, SEV_INFO);
	/* at least 10 failures since, so that one unlucky race does not make it a warning */
	if (e.before_per_100k >= 0 && e.since_per_100k >= e.before_per_100k && e.since_failed >= 10)
		audit_raise(f, SEV_WARNING);
	audit_summary(f,
		      "insertion failures per 100,000 new source-NAT flows: before natscope's fix "
		      "(%s) %s, since %s%s",
		      when, was, now,
		      f->sev == SEV_WARNING ? ": the fix has not lowered the rate" : "");
}

void audit_check_legacy_nat(const struct snapshot *s, const struct audit_thresholds *t,
			    struct finding *f)
{
	unsigned int rules = 0, lacking = 0;

	for (unsigned int i = 0; i < s->nat.n; i++) {
		const struct natrule *r = &s->nat.v[i];

		if (!r->legacy)
			continue;
		rules++;
		if (!natrule_fully_random(r) && !r->hairpin)
			lacking++;
	}
	audit_evidence(f, "ipv4", s->nat.legacy_nat_ipv4);
	audit_evidence(f, "ipv6", s->nat.legacy_nat_ipv6);
	audit_evidence(f, "snat_rules", rules);
	audit_evidence(f, "not_fully_random", lacking);
	if (!s->nat.legacy_nat_ipv4 && !s->nat.legacy_nat_ipv6) {
		audit_summary(f, "no iptables-legacy nat tables");
		return;
	}
	audit_raise(f, SEV_WARNING);
	if (s->nat.legacy_error)
		audit_summary(f, "iptables-legacy nat table%s present (%s%s%s), not readable: %s",
			      s->nat.legacy_nat_ipv4 && s->nat.legacy_nat_ipv6 ? "s" : "",
			      s->nat.legacy_nat_ipv4 ? "ipv4" : "",
			      s->nat.legacy_nat_ipv4 && s->nat.legacy_nat_ipv6 ? ", " : "",
			      s->nat.legacy_nat_ipv6 ? "ipv6" : "", strerror(-s->nat.legacy_error));
	else
		audit_summary(
			f,
			"iptables-legacy nat table%s (%s%s%s): %u source-NAT rule%s, %u without "
			"--random-fully; natscope fix cannot mirror them",
			s->nat.legacy_nat_ipv4 && s->nat.legacy_nat_ipv6 ? "s" : "",
			s->nat.legacy_nat_ipv4 ? "ipv4" : "",
			s->nat.legacy_nat_ipv4 && s->nat.legacy_nat_ipv6 ? ", " : "",
			s->nat.legacy_nat_ipv6 ? "ipv6" : "", rules, rules == 1 ? "" : "s",
			lacking);
}
