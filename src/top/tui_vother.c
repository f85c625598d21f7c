#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <curses.h>

#include "top/tui_fmt.h"
#include "tui_int.h"

/* The NAT rules view and the networks view. */

/* What natscope's fix recorded, against what it counted since (audit's fix_effect). */
static int draw_fix_effect(struct tui *t, const struct tui_data *d, int y)
{
	struct owner_effect e;
	char was[48] = "not measured", now[48] = "not counted";

	if (!d->rules->overlay || !d->rules->fix_record.have || !d->stats)
		return y;
	owner_effect_compute(&d->rules->fix_record, ct_stats_total(d->stats, CT_STAT_INSERT_FAILED),
			     d->rules->have_counted, d->rules->counted, &e);
	if (e.before_per_100k >= 0)
		snprintf(was, sizeof(was), "%.1f", e.before_per_100k);
	if (e.since_per_100k >= 0)
		snprintf(now, sizeof(now), "%.1f (%" PRIu64 " of %" PRIu64 ")", e.since_per_100k,
			 e.since_failed, e.since_flows);
	tui_line(y++, 0, "insertion failures per 100k new SNAT flows: before fix %s, since %s", was,
		 now);
	return y;
}

void tui_draw_rules(struct tui *t, const struct tui_data *d, const struct tui_state *st, int y)
{
	if (!d->rules || !d->rules->have_nftables) {
		tui_line(y, 0, "nf_tables ruleset not read");
		return;
	}
	tui_line(y++, tui_head(t), "source-NAT rules (generation %u)%s", d->rules->genid,
		 d->rules->overlay ? (d->rules->overlay_stale ? ": natscope overlay STALE"
							      : ": natscope overlay current")
				   : "");
	y = draw_fix_effect(t, d, y);
	for (unsigned int i = 0; i < d->rules->n && y < LINES - 1; i++) {
		const struct natrule *r = &d->rules->v[i];
		bool covered =
			r->cover == NATRULE_COVER_COVERED || r->cover == NATRULE_COVER_HARMLESS;
		bool bad = r->cover == NATRULE_COVER_DANGEROUS ||
			   (!natrule_fully_random(r) && !covered && !r->hairpin &&
			    r->owner != NATRULE_OWNER_NATSCOPE);

		tui_line(y++, tui_alert(t, bad), "%s%s %s %s #%llu %s (%s)",
			 r->legacy ? "iptables-legacy " : "", natrules_family_name(r->family),
			 r->table, r->chain, (unsigned long long)r->handle,
			 r->cover == NATRULE_COVER_DANGEROUS ? "DANGEROUS: source gone or changed"
			 : natrule_fully_random(r)	     ? "fully-random"
			 : covered			     ? "covered by overlay"
			 : r->hairpin			     ? "NOT fully-random (hairpin only)"
							     : "NOT fully-random",
			 natrules_owner_name(r->owner));
		tui_line(y++, 0, "    %s", r->text);
	}
	if (!d->rules->n)
		tui_line(y, 0, "no source-NAT rules");
}

/*
 * The table by attached network (flows/bynet.h): which bridge or Docker network holds
 * the entries, the NAT and the failed insertions.
 */
void tui_draw_networks(struct tui *t, const struct tui_data *d, const struct tui_state *st, int y)
{
	const struct bynet *b = d->bynet;
	size_t order[64];
	uint64_t total = 0;
	int w = COLS - 8 * 5 - 9;

	if (!b || !b->nets) {
		tui_line(y, 0, "attached networks not read");
		return;
	}
	w = w < 16 ? 16 : w > 64 ? 64 : w;
	tui_line(y++, tui_head(t), "%-*s %7s %7s %7s %7s %7s %s", w, "NETWORK", "ENTRIES", "SNAT",
		 "DNAT", "UNREPL", "FAILED", "SHARE");
	for (size_t i = 0; i < b->nrows; i++)
		total += b->rows[i].entries;
	if (b->nrows > 64) {
		tui_line(y, 0, "%zu networks: more than this view lists", b->nrows);
		return;
	}
	bynet_order(b, order);
	for (size_t k = st->scroll < b->nrows ? st->scroll : 0; k < b->nrows && y < LINES; k++) {
		const struct bynet_row *r = &b->rows[order[k]];
		char label[160], fit[160], bar[16];

		if (order[k] == b->nrows - 1)
			snprintf(label, sizeof(label), "(no attached network)");
		else
			localnet_label(&b->nets->v[order[k]], label, sizeof(label));
		tui_line(y++, tui_alert(t, r->failures > 0),
			 "%-*s %7llu %7llu %7llu %7llu %7llu %s", w,
			 tui_fmt_fit(label, w, fit, sizeof(fit)), (unsigned long long)r->entries,
			 (unsigned long long)r->snat, (unsigned long long)r->dnat,
			 (unsigned long long)r->unreplied, (unsigned long long)r->failures,
			 tui_fmt_bar(total ? (double)r->entries / (double)total : 0, 8, bar,
				     sizeof(bar)));
	}
	if (y < LINES - 1)
		tui_line(y + 1, A_DIM,
			 "a flow counts on the network of its inside end: the pre-NAT source, or "
			 "the DNAT target");
	if (y + 3 < LINES) {
		const struct track_classes *tc = &b->track;

		tui_line(y + 3, 0,
			 "tracked: tunnel %llu, bridge-local %llu, loopback %llu, other %llu",
			 (unsigned long long)tc->row[TRACK_TUNNEL].entries,
			 (unsigned long long)tc->row[TRACK_BRIDGE_LOCAL].entries,
			 (unsigned long long)tc->row[TRACK_LOOPBACK].entries,
			 (unsigned long long)tc->row[TRACK_OTHER].entries);
		tui_line(y + 4, A_DIM,
			 "tunnel carriers and bridge-local flows need no state: natscope audit "
			 "says when to exempt them (TRACKING)");
	}
}
