#include "config.h"

#include <stdio.h>
#include <string.h>

#include <curses.h>

#include "top/tui_fmt.h"
#include "tui_int.h"

/* The overview: what the table holds, per CPU, and histories as wide as the screen. */

static int draw_counts(const struct tui_data *d, int y)
{
	const struct flow_counts *c = d->frame.counts;
	const struct engine_stats *es = d->frame.es;
	struct tui_field v[CT_TCP_STATES + 8];
	size_t n = 0;

	snprintf(v[n].text, sizeof(v[n].text), "protocols:");
	v[n++].attr = A_BOLD;
	for (int p = flow_counts_next_proto(c, -1); p >= 0; p = flow_counts_next_proto(c, p)) {
		char b[16];

		snprintf(v[n].text, sizeof(v[n].text), "%s %llu",
			 ct_flow_proto_label((uint8_t)p, b, sizeof(b)),
			 (unsigned long long)c->by_proto[p]);
		v[n++].attr = 0;
		if (n >= 8)
			break;
	}
	y += tui_fields(y, 2, v, n);
	n = 0;
	snprintf(v[n].text, sizeof(v[n].text), "tcp states:");
	v[n++].attr = A_BOLD;
	for (unsigned int s = 0; s < CT_TCP_STATES; s++)
		if (c->tcp_state[s]) {
			snprintf(v[n].text, sizeof(v[n].text), "%s %llu", ct_flow_tcp_state_name(s),
				 (unsigned long long)c->tcp_state[s]);
			v[n++].attr = 0;
		}
	y += tui_fields(y, 2, v, n);
	tui_line(y++, 0,
		 "nat: snat %llu dnat %llu both %llu none %llu; assured %llu unreplied %llu",
		 (unsigned long long)c->nat_kind[CT_NAT_SNAT],
		 (unsigned long long)c->nat_kind[CT_NAT_DNAT],
		 (unsigned long long)c->nat_kind[CT_NAT_BOTH],
		 (unsigned long long)c->nat_kind[CT_NAT_NONE], (unsigned long long)c->assured,
		 (unsigned long long)c->unreplied);
	tui_line(y++, 0, "events: new %llu update %llu destroy %llu; resyncs %llu drift %llu",
		 (unsigned long long)es->received[CT_EVENT_NEW],
		 (unsigned long long)es->received[CT_EVENT_UPDATE],
		 (unsigned long long)es->received[CT_EVENT_DESTROY],
		 (unsigned long long)es->resyncs, (unsigned long long)es->drift);
	return y;
}

/* Per CPU, at most @max rows (the busiest first would reorder: kept in CPU order). */
static int draw_cpus(struct tui *t, const struct tui_data *d, int y, int max)
{
	static const unsigned int attrs[4] = { CT_STAT_INSERT_FAILED, CT_STAT_DROP,
					       CT_STAT_CLASH_RESOLVE, CT_STAT_INVALID };
	unsigned int shown = 0;

	tui_line(y++, tui_head(t), "%-6s %15s %10s %15s %11s", "CPU", "insert_failed/s", "drop/s",
		 "clash_resolve/s", "invalid/s");
	for (unsigned int i = 0; d->stats && i < d->stats->ncpu && (int)shown < max; i++) {
		const struct ct_cpu_stats *now = &d->stats->cpu[i];
		const struct ct_cpu_stats *was =
			d->prev_stats ? ct_stats_cpu(d->prev_stats, now->cpu) : NULL;
		double r[4] = { 0 };

		for (int k = 0; k < 4 && was && d->dt > 0; k++)
			if (now->val[attrs[k]] >= was->val[attrs[k]])
				r[k] = (double)(now->val[attrs[k]] - was->val[attrs[k]]) / d->dt;
		tui_line(y++, tui_alert(t, r[0] > 0), "cpu%-3u %15.1f %10.1f %15.1f %11.1f",
			 now->cpu, r[0], r[1], r[2], r[3]);
		shown++;
	}
	if (d->stats && shown < d->stats->ncpu)
		tui_line(y++, A_DIM, "(%u more CPUs: a taller terminal shows them)",
			 d->stats->ncpu - shown);
	return y;
}

/* One history: a label with its last value and maximum, then @h rows of columns. */
static int draw_history(struct tui *t, const struct tui_data *d, enum top_hist which,
			const char *label, const char *unit, int y, int h)
{
	const double *v = d->hist[which];
	size_t n = d->nhist;
	double max = 0, last = n ? v[n - 1] : 0;
	int w = COLS - 1;
	char rows[4][512], *rp[4] = { rows[0], rows[1], rows[2], rows[3] };
	bool alert =
		which == TOP_HIST_FAILED || which == TOP_HIST_DROP || which == TOP_HIST_EARLY_DROP;

	for (size_t i = 0; i < n; i++)
		max = v[i] > max ? v[i] : max;
	if (w > 511)
		w = 511;
	if (h > 4)
		h = 4;
	tui_line(y++, tui_head(t), "%s  now %.1f%s  max %.1f%s  (%zu intervals)", label, last, unit,
		 max, unit, n < (size_t)w ? n : (size_t)w);
	tui_fmt_history(v, n, which == TOP_HIST_FILL ? 100 : max, w, h, rp); /* fill: of 100 % */
	for (int r = 0; r < h; r++)
		tui_line(y++, tui_alert(t, alert && max > 0), "%s", rows[r]);
	return y;
}

void tui_draw_overview(struct tui *t, const struct tui_data *d, const struct tui_state *st, int y)
{
	static const struct {
		enum top_hist h;
		const char *label, *unit;
	} hists[] = {
		{ TOP_HIST_FAILED, "insert_failed/s", "" },  { TOP_HIST_DROP, "drop/s", "" },
		{ TOP_HIST_EARLY_DROP, "early_drop/s", "" }, { TOP_HIST_EVENTS, "events/s", "" },
		{ TOP_HIST_FILL, "table fill", "%" },
	};
	int left, cpus, h;

	y = draw_counts(d, y);
	/* what is left: the CPU table (up to all CPUs) and five histories of 1-4 rows each */
	left = LINES - y - 2;
	cpus = d->stats ? (int)d->stats->ncpu : 0;
	if (cpus > left - 10 - 2)
		cpus = left - 10 - 2 > 1 ? left - 10 - 2 : 1;
	y = draw_cpus(t, d, y + 1, cpus);
	left = LINES - y - 1;
	h = left / 5 - 1;
	h = h < 1 ? 1 : h > 4 ? 4 : h;
	for (size_t i = 0; i < sizeof(hists) / sizeof(hists[0]) && y + h < LINES; i++)
		y = draw_history(t, d, hists[i].h, hists[i].label, hists[i].unit, y, h);
}
