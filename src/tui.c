#include "config.h"
#include "tui.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <curses.h>

#include "clash.h"

/* All curses state of natscope is here, and only here. */
struct tui {
	bool open;
	bool color;
};

enum { PAIR_ALERT = 1, PAIR_HEAD, PAIR_GOOD };

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
	{ { '/' }, "/", "filter flows (text; Enter ends, Esc clears)", act_filter },
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
	line(2, alert(t, f->es->dropped > 0),
	     "events lost %llu (dropped %llu, overruns %llu)  rcvbuf %zu MiB  entries %llu%s",
	     (unsigned long long)f->es->lost_estimate, (unsigned long long)f->es->dropped,
	     (unsigned long long)f->es->overruns, f->rcvbuf >> 20,
	     (unsigned long long)f->counts->total, st->paused ? "  [paused]" : "");
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

static void draw_flows(struct tui *t, const struct tui_data *d, const struct tui_state *st, int y)
{
	/* 79 columns: an 80x24 terminal shows every column */
	static const int width[TOPDATA_COLS] = { 4, 20, 20, 20, 11 };
	const struct topdata_flows *fl = d->flows;

	/* the sort column carries ^ (ascending) or v (descending) */
	move(y, 0);
	attron(head(t));
	for (int c = 0; c < TOPDATA_COLS; c++) {
		char name[32];

		snprintf(name, sizeof(name), "%s%s", topdata_col_name(c),
			 c == (int)st->sort ? (st->reverse ? "v" : "^") : "");
		printw("%-*s ", width[c], name);
	}
	attroff(head(t));
	clrtoeol();
	y++;
	line(LINES - 1, 0, "sort: %s%s  %s%s%s  %zu of %zu flows", topdata_col_name(st->sort),
	     st->reverse ? " (reversed)" : "", st->editing || st->filter[0] ? "filter: " : "",
	     st->filter, st->editing ? "_" : "", fl ? fl->n : 0, fl ? fl->matched : 0);
	if (st->confirm && fl && st->cursor < fl->n) {
		char what[256];

		topdata_flow_line(&fl->v[st->cursor], what, sizeof(what));
		line(LINES - 1, alert(t, true), "delete? y/n  %s", what);
	} else if (st->status[0]) {
		mvprintw(LINES - 1, COLS > 50 ? COLS - 32 : 0, "%.31s", st->status);
	}
	for (size_t i = st->scroll; fl && i < fl->n && y < LINES - 1; i++) {
		const struct ct_flow *f = &fl->v[i];
		char s[64], dd[64], n[64], a[80], b[80], c[80];

		snprintf(a, sizeof(a), "%s:%u",
			 ct_flow_addr_str(f->family, &f->orig.src, s, sizeof(s)), f->orig.sport);
		snprintf(b, sizeof(b), "%s:%u",
			 ct_flow_addr_str(f->family, &f->orig.dst, dd, sizeof(dd)), f->orig.dport);
		snprintf(c, sizeof(c), "%s:%u",
			 ct_flow_addr_str(f->family, &f->reply.dst, n, sizeof(n)), f->reply.dport);
		line(y++, i == st->cursor ? A_REVERSE : 0, "%-4s %-20s %-20s %-20s %s",
		     ct_flow_proto_name(f->l4proto) ? ct_flow_proto_name(f->l4proto) : "?", a, b, c,
		     f->has_tcp_state ? ct_flow_tcp_state_name(f->tcp_state) : "-");
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
