#include "config.h"
#include "top/tui.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <curses.h>

#include "top/tui_fmt.h"
#include "tui_int.h"

/* The frame around the views: header, tabs, help, and which view draws the rest. */

/* The views, in the order of their keys (1-5) and tabs; short names for narrow screens. */
static const struct view {
	const char *name, *brief;
	void (*draw)(struct tui *t, const struct tui_data *d, const struct tui_state *st, int y);
} views[TUI_VIEWS] = {
	[TUI_OVERVIEW] = { "Overview", "Over", tui_draw_overview },
	[TUI_GROUPS] = { "SNAT groups", "Groups", tui_draw_groups },
	[TUI_RULES] = { "NAT rules", "Rules", tui_draw_rules },
	[TUI_FLOWS] = { "Flows", "Flows", tui_draw_flows },
	[TUI_NETWORKS] = { "Networks", "Nets", tui_draw_networks },
};

const char *tui_who(const struct tui_data *d, uint8_t family, const union ct_addr *a, char *buf,
		    size_t len)
{
	char addr[64];

	return addrmap_label(d->frame.names, family, a,
			     ct_flow_addr_str(family, a, addr, sizeof(addr)), buf, len);
}

static void field(struct tui_field *f, size_t *n, int attr, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void field(struct tui_field *f, size_t *n, int attr, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f[*n].text, sizeof(f[*n].text), fmt, ap);
	va_end(ap);
	f[(*n)++].attr = attr;
}

/* Rows 0..: what the table holds, the rates, the events; returns the next free row. */
static int draw_header(struct tui *t, const struct tui_data *d, const struct tui_state *st)
{
	const struct top_frame *f = &d->frame;
	double fill = f->have_kernel && f->kernel_max ? (double)f->kernel_count / f->kernel_max : 0;
	struct tui_field v[16];
	char bar[24], when[16];
	size_t n = 0;
	int y = 0;
	time_t now = (time_t)f->time;
	struct tm tm;

	strftime(when, sizeof(when), "%H:%M:%S", localtime_r(&now, &tm));
	field(v, &n, A_BOLD, "natscope top %s", when);
	field(v, &n, 0, "netns %s", f->netns && *f->netns ? f->netns : "(current)");
	field(v, &n, tui_alert(t, fill >= 0.9) | tui_warn(t, fill >= 0.75 && fill < 0.9),
	      "table [%s] %llu/%llu %.1f%%",
	      tui_fmt_bar(fill, COLS >= 100 ? 20 : 10, bar, sizeof(bar)),
	      (unsigned long long)f->kernel_count, (unsigned long long)f->kernel_max, fill * 100);
	if (f->have_kernel && f->kernel_peak > f->kernel_count && f->kernel_max) {
		double pfill = (double)f->kernel_peak / f->kernel_max;

		now = (time_t)f->kernel_peak_at;
		strftime(when, sizeof(when), "%H:%M:%S", localtime_r(&now, &tm));
		field(v, &n, tui_alert(t, pfill >= 0.9) | tui_warn(t, pfill >= 0.75 && pfill < 0.9),
		      "peak %llu %.1f%% at %s", (unsigned long long)f->kernel_peak, pfill * 100,
		      when);
	}
	y += tui_fields(y, 2, v, n);
	n = 0;
	for (unsigned int i = 0; i < TOP_NRATES; i++) {
		double r = f->have_rate[i][0] ? f->rate[i][0] : 0.0;
		bool bad = r > 0 && i != 3; /* clash_resolve is the kernel coping, not failing */

		if (i == 0)
			field(v, &n, tui_alert(t, bad), "insert_failed/s %.1f%s", r,
			      !f->exact_why ? ""
			      : f->exact    ? " (exact)"
					    : " (likely)");
		else
			field(v, &n, tui_warn(t, bad), "%s/s %.1f",
			      ct_stats_name(top_rate_attrs[i]), r);
	}
	y += tui_fields(y, 2, v, n);
	n = 0;
	field(v, &n, 0, "events/s %.0f", f->events_per_s);
	if (f->ct_events == 0) {
		field(v, &n, tui_alert(t, true), "conntrack events OFF (nf_conntrack_events=0)");
		field(v, &n, 0, "followed by dumps");
	} else {
		field(v, &n, tui_alert(t, f->es->dropped > 0),
		      "lost %llu (dropped %llu overruns %llu)",
		      (unsigned long long)f->es->lost_estimate, (unsigned long long)f->es->dropped,
		      (unsigned long long)f->es->overruns);
		field(v, &n, 0, "rcvbuf %zuM", f->rcvbuf >> 20);
	}
	field(v, &n, 0, "entries %llu", (unsigned long long)f->counts->total);
	field(v, &n, 0, "every %.2gs%s", st->interval, st->paused ? " [paused]" : "");
	return y + tui_fields(y, 2, v, n);
}

/* The tabs, with the short names when the long ones do not fit; then the key hints. */
static void draw_tabs(struct tui *t, const struct tui_state *st, int y)
{
	bool brief = false;
	int w = 0;

	for (int v = 0; v < TUI_VIEWS; v++)
		w += (int)strlen(views[v].name) + 4;
	brief = w > COLS;
	move(y, 0);
	clrtoeol();
	for (int v = 0; v < TUI_VIEWS && getcurx(stdscr) < COLS - 1; v++) {
		char tab[32];

		snprintf(tab, sizeof(tab), " %d %s ", v + 1,
			 brief ? views[v].brief : views[v].name);
		attron(v == (int)st->view ? A_REVERSE : 0);
		addnstr(tab, COLS - getcurx(stdscr));
		attroff(A_REVERSE);
	}
	if (COLS - getcurx(stdscr) >= 18)
		mvaddstr(y, COLS - 17, "F1 help  q quit");
}

/* The keys, then the filter grammar; scrolled by Up/Down/PgUp/PgDn/Home/End. */
static void draw_help(struct tui *t, const struct tui_state *st, int y)
{
	size_t total = tui_keys_help_lines(), i = st->help_scroll, nkeys = 0;
	const char *label, *help, *from;

	while (tui_keys_help(nkeys, &label, &help, &from))
		nkeys++;

	tui_line(y++, tui_head(t), "keys (where a tool's binding is followed, it is named)");
	for (; i < total && y < LINES - 1; i++) {
		if (tui_keys_help(i, &label, &help, &from))
			tui_line(y++, 0, "  %-8s %-44s %s", label, help, from);
		else
			tui_line(y++, 0, "%s", tui_keys_filter_help(i - nkeys));
	}
	tui_line(LINES - 1, A_DIM,
		 "lines %zu-%zu of %zu  Up/Down/PgUp/PgDn/Home/End scroll, Esc leaves",
		 st->help_scroll + 1, i, total);
}

void tui_draw(struct tui *t, const struct tui_data *d, const struct tui_state *st)
{
	int y;

	erase();
	y = draw_header(t, d, st);
	draw_tabs(t, st, y);
	t->top = y + 1;
	if (st->help)
		draw_help(t, st, t->top);
	else if (st->view < TUI_VIEWS)
		views[st->view].draw(t, d, st, t->top);
	refresh();
}
