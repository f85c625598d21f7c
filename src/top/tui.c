#include "config.h"
#include "top/tui.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <curses.h>

#include "flows/clash.h"

/* All curses state of natscope is here, and only here. */
struct tui {
	bool open;
	bool color;
};

enum { PAIR_ALERT = 1, PAIR_HEAD, PAIR_GOOD, PAIR_FADED };

static int act_quit(struct tui_state *st)
{
	return TUI_QUIT;
}
static int act_help(struct tui_state *st)
{
	st->help = !st->help;
	return TUI_REDRAW;
}
static int set_view(struct tui_state *st, enum tui_view v)
{
	st->view = v;
	st->help = false;
	st->scroll = 0;
	return TUI_REDRAW | TUI_REFRESH;
}
static int act_next(struct tui_state *st)
{
	return set_view(st, (st->view + 1) % TUI_VIEWS);
}
static int act_v1(struct tui_state *st)
{
	return set_view(st, TUI_OVERVIEW);
}
static int act_v2(struct tui_state *st)
{
	return set_view(st, TUI_GROUPS);
}
static int act_v3(struct tui_state *st)
{
	return set_view(st, TUI_RULES);
}
static int act_v4(struct tui_state *st)
{
	return set_view(st, TUI_FLOWS);
}
/* In the flows view the keys move the selection (the list follows); elsewhere, the page. */
static int move_by(struct tui_state *st, long d)
{
	size_t *v = st->view == TUI_FLOWS ? &st->cursor : &st->scroll;

	*v = d < 0 && (size_t)-d > *v ? 0 : *v + (size_t)d;
	return TUI_REDRAW | TUI_REFRESH;
}
static int act_up(struct tui_state *st)
{
	return move_by(st, -1);
}
static int act_down(struct tui_state *st)
{
	return move_by(st, 1);
}
static int act_pgup(struct tui_state *st)
{
	return move_by(st, -20);
}
static int act_pgdn(struct tui_state *st)
{
	return move_by(st, 20);
}
static int act_delete(struct tui_state *st)
{
	if (st->view != TUI_FLOWS)
		return 0;
	st->confirm = true;
	return TUI_REDRAW;
}
static int act_sort(struct tui_state *st)
{
	st->sort = (st->sort + 1) % TOPDATA_COLS;
	return TUI_REDRAW | TUI_REFRESH;
}
static int act_sort_back(struct tui_state *st)
{
	st->sort = (st->sort + TOPDATA_COLS - 1) % TOPDATA_COLS;
	return TUI_REDRAW | TUI_REFRESH;
}
static int act_reverse(struct tui_state *st)
{
	st->reverse = !st->reverse;
	return TUI_REDRAW | TUI_REFRESH;
}
static int act_filter(struct tui_state *st)
{
	st->editing = true;
	st->filter[0] = '\0';
	if (st->view != TUI_FLOWS)
		set_view(st, TUI_FLOWS);
	return TUI_REDRAW | TUI_REFRESH;
}
static int act_pause(struct tui_state *st)
{
	st->paused = !st->paused;
	return TUI_REDRAW;
}
static int act_faster(struct tui_state *st)
{
	st->interval = st->interval > 0.2 ? st->interval / 2 : 0.1;
	return TUI_REDRAW | TUI_INTERVAL;
}
static int act_slower(struct tui_state *st)
{
	st->interval = st->interval < 30 ? st->interval * 2 : 60;
	return TUI_REDRAW | TUI_INTERVAL;
}

/* One table: dispatch and the help screen. */
static const struct key {
	int keys[3];
	const char *label;
	const char *help;
	int (*action)(struct tui_state *st);
} keys[] = {
	{ { 'q' }, "q", "quit", act_quit },
	{ { 'h', '?' }, "h ?", "help (this screen)", act_help },
	{ { '\t' }, "tab", "next view", act_next },
	{ { '1' }, "1", "overview", act_v1 },
	{ { '2' }, "2", "SNAT groups and likely clashes", act_v2 },
	{ { '3' }, "3", "NAT rules", act_v3 },
	{ { '4' }, "4", "flows", act_v4 },
	{ { KEY_UP, 'k' }, "up k", "scroll up", act_up },
	{ { KEY_DOWN, 'j' }, "down j", "scroll down", act_down },
	{ { KEY_PPAGE }, "PgUp", "page up", act_pgup },
	{ { KEY_NPAGE }, "PgDn", "page down", act_pgdn },
	{ { 's' }, "s", "sort flows by the next column", act_sort },
	{ { 'S' }, "S", "sort flows by the previous column", act_sort_back },
	{ { 'r' }, "r", "reverse the sort", act_reverse },
	{ { '/' },
	  "/",
	  "filter flows: address, CIDR, port, protocol, state, text; !negates",
	  act_filter },
	{ { 'x' }, "x", "delete the selected flow (asks first)", act_delete },
	{ { 'p' }, "p", "pause / resume the display", act_pause },
	{ { '+' }, "+", "refresh faster", act_faster },
	{ { '-' }, "-", "refresh slower", act_slower },
};

int tui_open(struct tui **out, bool color)
{
	struct tui *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	if (!initscr()) {
		free(t);
		return -ENOTTY;
	}
	t->open = true;
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	if (color && has_colors()) {
		start_color();
		use_default_colors();
		init_pair(PAIR_ALERT, COLOR_RED, -1);
		init_pair(PAIR_HEAD, COLOR_CYAN, -1);
		init_pair(PAIR_GOOD, COLOR_GREEN, -1);
		init_pair(PAIR_FADED, COLORS > 8 ? 8 : COLOR_BLUE,
			  -1); /* grey where there is one */
		t->color = true;
	}
	*out = t;
	return 0;
}

void tui_close(struct tui *t)
{
	if (!t)
		return;
	if (t->open)
		endwin();
	free(t);
}

int tui_list_rows(const struct tui *t)
{
	return LINES > 6 ? LINES - 6 : 1;
}

static int filter_key(struct tui_state *st, int c)
{
	size_t len = strlen(st->filter);

	if (c == '\n' || c == KEY_ENTER) {
		st->editing = false;
	} else if (c == 27) {
		st->editing = false;
		st->filter[0] = '\0';
	} else if ((c == KEY_BACKSPACE || c == 127 || c == 8) && len) {
		st->filter[len - 1] = '\0';
	} else if (c >= 32 && c < 127 && len + 1 < sizeof(st->filter)) {
		st->filter[len] = (char)c;
		st->filter[len + 1] = '\0';
	}
	st->scroll = st->cursor = 0;
	return TUI_REDRAW | TUI_REFRESH;
}

/* Keep the selection on the page. */
static void follow_cursor(const struct tui *t, struct tui_state *st)
{
	size_t rows = (size_t)tui_list_rows(t);

	if (st->cursor < st->scroll)
		st->scroll = st->cursor;
	else if (st->cursor >= st->scroll + rows)
		st->scroll = st->cursor - rows + 1;
}

int tui_input(struct tui *t, struct tui_state *st)
{
	int c, r = 0;

	while ((c = getch()) != ERR) {
		if (c == KEY_RESIZE) {
			r |= TUI_REDRAW | TUI_REFRESH;
			continue;
		}
		if (st->editing) {
			r |= filter_key(st, c);
			continue;
		}
		if (st->confirm) {
			st->confirm = false;
			r |= TUI_REDRAW | (c == 'y' || c == 'Y' ? TUI_DELETE : 0);
			if (!(r & TUI_DELETE))
				snprintf(st->status, sizeof(st->status), "not deleted");
			continue;
		}
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			for (size_t k = 0; k < 3 && keys[i].keys[k]; k++)
				if (keys[i].keys[k] == c)
					r |= keys[i].action(st);
		if (r & TUI_QUIT)
			break;
	}
	if (st->view == TUI_FLOWS)
		follow_cursor(t, st);
	return r;
}

static void line(int y, int attr, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void line(int y, int attr, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (y >= LINES)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	attron(attr);
	mvaddnstr(y, 0, buf, COLS);
	attroff(attr);
}

static int alert(const struct tui *t, bool on)
{
	return on ? (t->color ? COLOR_PAIR(PAIR_ALERT) | A_BOLD : A_BOLD | A_REVERSE) : 0;
}

static int head(const struct tui *t)
{
	return t->color ? COLOR_PAIR(PAIR_HEAD) | A_BOLD : A_BOLD;
}

static void draw_tabs(struct tui *t, const struct tui_state *st);

static void draw_header(struct tui *t, const struct tui_data *d, const struct tui_state *st)
{
	const struct top_frame *f = &d->frame;
	double fill = f->have_kernel && f->kernel_max ? (double)f->kernel_count / f->kernel_max : 0;
	char bar[21];
	int n = (int)(fill * 20 + 0.5);
	double failed = f->have_rate[0][0] ? f->rate[0][0] : 0;

	for (int i = 0; i < 20; i++)
		bar[i] = i < n ? '|' : ' ';
	bar[20] = '\0';
	line(0, A_BOLD, "natscope top  netns %s  table [%s] %llu/%llu (%.1f%%)  events/s %.0f",
	     f->netns && *f->netns ? f->netns : "(current)", bar,
	     (unsigned long long)f->kernel_count, (unsigned long long)f->kernel_max, fill * 100,
	     f->events_per_s);
	move(1, 0);
	attron(alert(t, failed > 0));
	printw("insert_failed/s %.1f", failed);
	attroff(alert(t, failed > 0));
	for (unsigned int i = 1; i < TOP_NRATES; i++)
		printw("  %s/s %.1f", ct_stats_name(top_rate_attrs[i]),
		       f->have_rate[i][0] ? f->rate[i][0] : 0.0);
	clrtoeol();
	if (f->ct_events == 0) {
		line(2, alert(t, true),
		     "conntrack events are OFF (nf_conntrack_events=0): followed by dumps");
		draw_tabs(t, st);
		return;
	}
	line(2, alert(t, f->es->dropped > 0),
	     "events lost %llu (dropped %llu, overruns %llu)  rcvbuf %zu MiB  entries %llu%s",
	     (unsigned long long)f->es->lost_estimate, (unsigned long long)f->es->dropped,
	     (unsigned long long)f->es->overruns, f->rcvbuf >> 20,
	     (unsigned long long)f->counts->total, st->paused ? "  [paused]" : "");
	draw_tabs(t, st);
}

static void draw_tabs(struct tui *t, const struct tui_state *st)
{
	move(3, 0);
	for (int v = 0; v < TUI_VIEWS; v++) {
		static const char *const names[TUI_VIEWS] = { "Overview", "SNAT groups",
							      "NAT rules", "Flows" };

		attron(v == (int)st->view ? A_REVERSE : 0);
		printw(" %d %s ", v + 1, names[v]);
		attroff(A_REVERSE);
	}
	printw("   h: help  q: quit  interval %.2g s", st->interval);
	clrtoeol();
}

static void draw_overview(struct tui *t, const struct tui_data *d, int y)
{
	const struct model_counts *c = d->frame.counts;
	const struct engine_stats *es = d->frame.es;
	char buf[512];
	size_t off = 0;

	for (unsigned int p = 0; p < 256; p++) {
		const char *name = ct_flow_proto_name((uint8_t)p);

		if (c->by_proto[p])
			off += (size_t)snprintf(buf + off, sizeof(buf) - off, " %s %llu",
						name ? name : "other",
						(unsigned long long)c->by_proto[p]);
		if (off >= sizeof(buf))
			break;
	}
	line(y++, 0, "protocols:%s", off ? buf : " none");
	off = 0;
	for (unsigned int s = 0; s < CT_TCP_STATES && off < sizeof(buf); s++)
		if (c->tcp_state[s])
			off += (size_t)snprintf(buf + off, sizeof(buf) - off, " %s %llu",
						ct_flow_tcp_state_name(s),
						(unsigned long long)c->tcp_state[s]);
	line(y++, 0, "tcp states:%s", off ? buf : " none");
	line(y++, 0,
	     "nat: snat %llu, dnat %llu, both %llu, none %llu; assured %llu, unreplied %llu",
	     (unsigned long long)c->nat_kind[CT_NAT_SNAT],
	     (unsigned long long)c->nat_kind[CT_NAT_DNAT],
	     (unsigned long long)c->nat_kind[CT_NAT_BOTH],
	     (unsigned long long)c->nat_kind[CT_NAT_NONE], (unsigned long long)c->assured,
	     (unsigned long long)c->unreplied);
	line(y++, 0, "events: new %llu, update %llu, destroy %llu; resyncs %llu, drift %llu",
	     (unsigned long long)es->received[CT_EVENT_NEW],
	     (unsigned long long)es->received[CT_EVENT_UPDATE],
	     (unsigned long long)es->received[CT_EVENT_DESTROY], (unsigned long long)es->resyncs,
	     (unsigned long long)es->drift);
	y++;
	line(y++, head(t), "%-6s %14s %10s %15s %11s", "CPU", "insert_failed/s", "drop/s",
	     "clash_resolve/s", "invalid/s");
	for (unsigned int i = 0; d->stats && i < d->stats->ncpu && y < LINES - 3; i++) {
		const struct ct_cpu_stats *now = &d->stats->cpu[i];
		const struct ct_cpu_stats *was =
			d->prev_stats ? ct_stats_cpu(d->prev_stats, now->cpu) : NULL;
		double r[4] = { 0 };
		static const unsigned int attrs[4] = { CT_STAT_INSERT_FAILED, CT_STAT_DROP,
						       CT_STAT_CLASH_RESOLVE, CT_STAT_INVALID };

		for (int k = 0; k < 4 && was && d->dt > 0; k++)
			if (now->val[attrs[k]] >= was->val[attrs[k]])
				r[k] = (double)(now->val[attrs[k]] - was->val[attrs[k]]) / d->dt;
		line(y++, alert(t, r[0] > 0), "cpu%-3u %15.1f %10.1f %15.1f %11.1f", now->cpu, r[0],
		     r[1], r[2], r[3]);
	}
	y++;
	if (y < LINES - 1) {
		static const char ramp[] = " .:-=+*#%@";
		double max = 0;

		for (size_t i = 0; i < d->nspark; i++)
			max = d->spark[i] > max ? d->spark[i] : max;
		mvprintw(y, 0, "insert_failed history (max %.0f/interval): ", max);
		for (size_t i = 0; i < d->nspark && getcurx(stdscr) < COLS - 1; i++)
			addch((chtype)ramp[max > 0 ? (int)(d->spark[i] / max * 9 + 0.5) : 0]);
		clrtoeol();
	}
}

static void draw_groups(struct tui *t, const struct tui_data *d, int y)
{
	const struct clash *cl = d->frame.clash;

	line(y++, head(t), "%-5s %-18s %-24s %8s %8s %7s", "PROTO", "SNAT SOURCE", "DESTINATION",
	     "ENTRIES", "SOURCES", "PORTS");
	for (unsigned int i = 0; d->groups && i < d->groups->ntop && y < LINES - 6; i++) {
		const struct ct_agg_group *g = &d->groups->top[i];
		const char *proto = ct_flow_proto_name(g->l4proto);
		char a[64], b[64], dst[80];
		double share = ct_agg_group_port_share(g);

		snprintf(dst, sizeof(dst), "%s:%u",
			 ct_flow_addr_str(g->family, &g->dst, b, sizeof(b)), g->dport);
		line(y++, alert(t, share >= 0.5), "%-5s %-18s %-24s %8u %8u %6.1f%%",
		     proto ? proto : "?", ct_flow_addr_str(g->family, &g->snat_src, a, sizeof(a)),
		     dst, g->entries, g->sources, share * 100);
	}
	if (!d->groups || !d->groups->ntop)
		line(y++, 0, "no source-NAT entries");
	y++;
	line(y++, head(t), "likely clash episodes (the kernel does not name the failed flow):");
	for (unsigned int i = cl ? clash_nepisodes(cl) : 0; i > 0 && y < LINES; i--) {
		const struct clash_episode *ep = clash_episode(cl, i - 1);
		const struct clash_group *g = &ep->groups[0];
		char a[64], b[64];

		line(y++, 0, "%llu insert_failed: %s %s -> %s:%u (%u new flows from %u sources)",
		     (unsigned long long)ep->insert_failed,
		     ct_flow_proto_name(g->l4proto) ? ct_flow_proto_name(g->l4proto) : "?",
		     ct_flow_addr_str(g->family, &g->snat_src, a, sizeof(a)),
		     ct_flow_addr_str(g->family, &g->dst, b, sizeof(b)), g->dport, g->new_flows,
		     g->sources);
	}
	if (!cl || !clash_nepisodes(cl))
		line(y, 0, "none");
}

static void draw_rules(struct tui *t, const struct tui_data *d, int y)
{
	if (!d->rules || !d->rules->have_nftables) {
		line(y, 0, "nf_tables ruleset not read");
		return;
	}
	line(y++, head(t), "source-NAT rules (generation %u)%s", d->rules->genid,
	     d->rules->overlay ? (d->rules->overlay_stale ? ": natscope overlay STALE"
							  : ": natscope overlay current")
			       : "");
	for (unsigned int i = 0; i < d->rules->n && y < LINES - 1; i++) {
		const struct natrule *r = &d->rules->v[i];
		bool bad = !natrule_fully_random(r) && !r->covered &&
			   r->owner != NATRULE_OWNER_NATSCOPE;

		line(y++, alert(t, bad), "%s %s %s #%llu %s%s", natrules_family_name(r->family),
		     r->table, r->chain, (unsigned long long)r->handle,
		     natrule_fully_random(r) ? "fully-random"
		     : r->covered	     ? "covered by overlay"
					     : "NOT fully-random",
		     r->owner != NATRULE_OWNER_UNKNOWN ? "" : "");
		line(y++, 0, "    %s", r->text);
	}
	if (!d->rules->n)
		line(y, 0, "no source-NAT rules");
}

/* A duration in at most 6 columns: 42s, 59m59s, 23h59m, 4d23h. */
static void fmt_ttl(uint32_t sec, char *buf, size_t len)
{
	if (sec < 60)
		snprintf(buf, len, "%us", sec);
	else if (sec < 3600)
		snprintf(buf, len, "%um%02us", sec / 60, sec % 60);
	else if (sec < 86400)
		snprintf(buf, len, "%uh%02um", sec / 3600, sec % 3600 / 60);
	else
		snprintf(buf, len, "%ud%02uh", sec / 86400, sec % 86400 / 3600);
}

/* A count in at most 6 columns: 999, 12.3K, 4.5M, 6.7G, 8.9T. */
static void fmt_count(uint64_t v, char *buf, size_t len)
{
	static const char unit[] = "KMGTPE";
	double d = (double)v;
	int u = -1;

	if (v < 1000) {
		snprintf(buf, len, "%llu", (unsigned long long)v);
		return;
	}
	while (d >= 999.95 && u < 5) {
		d /= 1000;
		u++;
	}
	snprintf(buf, len, "%.1f%c", d, unit[u]);
}

/* @addr:@port in @w columns; when it does not fit, the start gives way (the port stays). */
static void fmt_endpoint(uint8_t family, const union ct_addr *addr, uint16_t port, int w, char *buf,
			 size_t len)
{
	char a[64], full[80];
	int n = snprintf(full, sizeof(full), "%s:%u", ct_flow_addr_str(family, addr, a, sizeof(a)),
			 port);

	if (n <= w)
		snprintf(buf, len, "%s", full);
	else
		snprintf(buf, len, "~%s", full + n - w + 1);
}

/* Columns of the flows view, fitted to the terminal: see draw_flows(). */
struct flow_cols {
	int addr; /* width of each of the three endpoint columns */
	bool ttl, counters;
};

static struct flow_cols fit_flow_cols(bool counters)
{
	/* PROTO(4) STATE(11) and spaces; TTL(6); PKTS(6) BYTES(6) */
	const int base = 4 + 1 + 11 + 3, ttl = 6 + 1, cnt = 2 * (6 + 1);
	struct flow_cols c = { 0 };
	int room = COLS - base;

	/* endpoints come first; then TTL, then counters, while an endpoint keeps ≥ 15 */
	c.ttl = (room - ttl) / 3 - 1 >= 15;
	if (c.ttl)
		room -= ttl;
	c.counters = counters && (room - cnt) / 3 - 1 >= 21;
	if (c.counters)
		room -= cnt;
	c.addr = room / 3 - 1;
	if (c.addr > 45)
		c.addr = 45;
	if (c.addr < 8)
		c.addr = 8;
	return c;
}

static int flow_attr(const struct tui *t, const struct ct_flow *f, bool selected)
{
	int a = selected ? A_REVERSE : 0;

	if (f->life == CT_LIFE_NEW)
		a |= A_BOLD | (t->color ? COLOR_PAIR(PAIR_GOOD) : 0);
	else if (f->life == CT_LIFE_GONE)
		a |= A_DIM | (t->color && f->age > 0 ? COLOR_PAIR(PAIR_FADED) : 0);
	return a;
}

/*
 * Like iptstate, with the NAT'd reply side: the post-NAT source.  Timeout and counters
 * are read from the kernel for the rows on screen (they change without events); a
 * destroyed flow stays a few intervals, dimmed, with "gone" for its timeout, and a new
 * one is bold for one interval.
 */
static void draw_flows(struct tui *t, const struct tui_data *d, const struct tui_state *st, int y)
{
	const struct topdata_flows *fl = d->flows;
	bool counters = false;
	struct flow_cols c;
	char hdr[256];
	int off = 0;

	for (size_t i = st->scroll; fl && i < fl->n; i++)
		counters |= fl->v[i].has_counters;
	c = fit_flow_cols(counters);

	/* the sort column carries ^ (ascending) or v (descending) */
	for (int k = 0; k < TOPDATA_COLS; k++) {
		char name[32];

		snprintf(name, sizeof(name), "%s%s", topdata_col_name(k),
			 k == (int)st->sort ? (st->reverse ? "v" : "^") : "");
		off += snprintf(hdr + off, sizeof(hdr) - (size_t)off, "%-*s ",
				k == TOPDATA_PROTO   ? 4
				: k == TOPDATA_STATE ? 11
						     : c.addr,
				name);
	}
	if (c.ttl)
		off += snprintf(hdr + off, sizeof(hdr) - (size_t)off, "%6s ", "TTL");
	if (c.counters)
		snprintf(hdr + off, sizeof(hdr) - (size_t)off, "%6s %6s", "PKTS", "BYTES");
	line(y++, head(t), "%s", hdr);

	/* listed rows of the live flows that match, and the destroyed ones still shown */
	off = snprintf(hdr, sizeof(hdr), "sort: %s%s  %s%s%s  %zu of %zu flows",
		       topdata_col_name(st->sort), st->reverse ? " (reversed)" : "",
		       st->editing || st->filter[0] ? "filter: " : "", st->filter,
		       st->editing ? "_" : "", fl ? fl->n : 0, fl ? fl->matched : 0);
	if (fl && fl->gone)
		snprintf(hdr + off, sizeof(hdr) - (size_t)off, " + %zu gone", fl->gone);
	line(LINES - 1, 0, "%s", hdr);
	if (st->confirm && fl && st->cursor < fl->n) {
		char what[256];

		topdata_flow_line(&fl->v[st->cursor], what, sizeof(what));
		line(LINES - 1, alert(t, true), "delete? y/n  %s", what);
	} else if (st->status[0] && (int)strlen(st->status) + 2 + (int)strlen(hdr) <= COLS) {
		mvprintw(LINES - 1, COLS - (int)strlen(st->status) - 1, "%s", st->status);
	}
	for (size_t i = st->scroll; fl && i < fl->n && y < LINES - 1; i++) {
		const struct ct_flow *f = &fl->v[i];
		char a[80], b[80], n[80], ttl[16] = "", pk[16] = "", by[16] = "", row[320];
		const char *proto = ct_flow_proto_name(f->l4proto);

		fmt_endpoint(f->family, &f->orig.src, f->orig.sport, c.addr, a, sizeof(a));
		fmt_endpoint(f->family, &f->orig.dst, f->orig.dport, c.addr, b, sizeof(b));
		fmt_endpoint(f->family, &f->reply.dst, f->reply.dport, c.addr, n, sizeof(n));
		off = snprintf(row, sizeof(row), "%-4s %-*s %-*s %-*s %-11s", proto ? proto : "?",
			       c.addr, a, c.addr, b, c.addr, n,
			       f->has_tcp_state ? ct_flow_tcp_state_name(f->tcp_state) : "-");
		if (f->life == CT_LIFE_GONE)
			snprintf(ttl, sizeof(ttl), "gone");
		else if (fl->detail[i])
			fmt_ttl(f->timeout, ttl, sizeof(ttl));
		else
			snprintf(ttl, sizeof(ttl), "-");
		if (c.ttl)
			off += snprintf(row + off, sizeof(row) - (size_t)off, " %6s", ttl);
		if (c.counters && f->has_counters) {
			fmt_count(f->packets[0] + f->packets[1], pk, sizeof(pk));
			fmt_count(f->bytes[0] + f->bytes[1], by, sizeof(by));
			snprintf(row + off, sizeof(row) - (size_t)off, " %6s %6s", pk, by);
		}
		line(y++, flow_attr(t, f, i == st->cursor), "%s", row);
	}
}

static void draw_help(struct tui *t, int y)
{
	line(y++, head(t), "keys");
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]) && y < LINES; i++)
		line(y++, 0, "  %-8s %s", keys[i].label, keys[i].help);
}

void tui_draw(struct tui *t, const struct tui_data *d, const struct tui_state *st)
{
	erase();
	draw_header(t, d, st);
	if (st->help)
		draw_help(t, 5);
	else if (st->view == TUI_OVERVIEW)
		draw_overview(t, d, 5);
	else if (st->view == TUI_GROUPS)
		draw_groups(t, d, 5);
	else if (st->view == TUI_RULES)
		draw_rules(t, d, 5);
	else
		draw_flows(t, d, st, 5);
	refresh();
}
