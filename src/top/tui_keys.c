#include "config.h"
#include "top/tui_keys.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

static int act_quit(struct tui_state *st)
{
	return TUI_QUIT;
}
static int act_help(struct tui_state *st)
{
	st->help = !st->help;
	st->help_scroll = 0;
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
static int act_prev(struct tui_state *st)
{
	return set_view(st, (st->view + TUI_VIEWS - 1) % TUI_VIEWS);
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
static int act_v5(struct tui_state *st)
{
	return set_view(st, TUI_NETWORKS);
}
/* In the flows view the keys move the selection (the list follows); elsewhere, the page. */
static int move_by(struct tui_state *st, long d)
{
	size_t *v = st->view == TUI_FLOWS ? &st->cursor : &st->scroll;

	if (st->help)
		v = &st->help_scroll;
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
static int act_home(struct tui_state *st)
{
	return move_by(st, -(long)(SIZE_MAX / 4));
}
/* the views clamp it to their last row (tui_keys_follow(), the help screen) */
static int act_end(struct tui_state *st)
{
	return move_by(st, (long)(SIZE_MAX / 4));
}
static int act_delete(struct tui_state *st)
{
	if (st->view != TUI_FLOWS)
		return 0;
	st->confirm = true;
	return TUI_REDRAW;
}
/* Sorting is the flows view's: from another view the key also opens it (as iptstate,
 * whose one view is the table, would have it). */
static int sorted(struct tui_state *st)
{
	if (st->view != TUI_FLOWS)
		set_view(st, TUI_FLOWS);
	return TUI_REDRAW | TUI_REFRESH;
}
static int act_sort(struct tui_state *st)
{
	st->sort = (st->sort + 1) % TOPDATA_COLS;
	return sorted(st);
}
static int act_sort_back(struct tui_state *st)
{
	st->sort = (st->sort + TOPDATA_COLS - 1) % TOPDATA_COLS;
	return sorted(st);
}
static int act_reverse(struct tui_state *st)
{
	st->reverse = !st->reverse;
	return sorted(st);
}
/* Start typing a filter word: @prefix ("src=", ...) after what is there, or anew. */
static int edit_filter(struct tui_state *st, const char *prefix)
{
	size_t len = strlen(st->filter);

	st->editing = true;
	if (!prefix)
		st->filter[0] = '\0';
	else if (len + strlen(prefix) + 2 < sizeof(st->filter))
		snprintf(st->filter + len, sizeof(st->filter) - len, "%s%s", len ? " " : "",
			 prefix);
	if (st->view != TUI_FLOWS)
		set_view(st, TUI_FLOWS);
	return TUI_REDRAW | TUI_REFRESH;
}
static int act_filter(struct tui_state *st)
{
	return edit_filter(st, NULL);
}
static int act_fsrc(struct tui_state *st)
{
	return edit_filter(st, "src=");
}
static int act_fdst(struct tui_state *st)
{
	return edit_filter(st, "dst=");
}
static int act_fsport(struct tui_state *st)
{
	return edit_filter(st, "sport=");
}
static int act_fdport(struct tui_state *st)
{
	return edit_filter(st, "dport=");
}
static int act_fproto(struct tui_state *st)
{
	return edit_filter(st, "proto=");
}
static int act_pause(struct tui_state *st)
{
	st->paused = !st->paused;
	return TUI_REDRAW;
}
static int act_now(struct tui_state *st)
{
	return TUI_NOW | TUI_REFRESH | TUI_REDRAW;
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

/*
 * One table: dispatch and the help screen.  Where the tools sysadmins know disagree,
 * the flows view follows iptstate (its filter, sort and delete keys), the rest htop
 * (function keys, Z, <, >), and procps top for q, space and +/-.  'k' is "up" as in less
 * and vi, not htop's kill: natscope deletes with iptstate's x, and asks first.
 */
static const struct key {
	int keys[3];
	const char *label;
	const char *help;
	const char *from;
	int (*action)(struct tui_state *st);
} keys[] = {
	{ { 'q', TUI_KEY_F10 }, "q F10", "quit", "top, htop", act_quit },
	{ { 'h', '?', TUI_KEY_F1 }, "h ? F1", "help (this screen; Esc leaves)", "htop", act_help },
	{ { '\t' }, "Tab", "next view", "", act_next },
	{ { TUI_KEY_BTAB }, "S-Tab", "previous view", "", act_prev },
	{ { '1' }, "1", "overview: counters, per CPU, histories", "", act_v1 },
	{ { '2' }, "2", "SNAT groups, failed insertions, clashes", "", act_v2 },
	{ { '3' }, "3", "NAT rules and who owns them", "", act_v3 },
	{ { '4' }, "4", "flows (the conntrack table)", "iptstate", act_v4 },
	{ { '5' }, "5", "networks: the table by bridge", "", act_v5 },
	{ { TUI_KEY_UP, 'k' }, "Up k", "move up", "less", act_up },
	{ { TUI_KEY_DOWN, 'j' }, "Down j", "move down", "less", act_down },
	{ { TUI_KEY_PGUP }, "PgUp", "page up", "", act_pgup },
	{ { TUI_KEY_PGDN }, "PgDn", "page down", "", act_pgdn },
	{ { TUI_KEY_HOME }, "Home", "first row", "htop", act_home },
	{ { TUI_KEY_END }, "End", "last row", "htop", act_end },
	{ { 'b', '>', TUI_KEY_F6 },
	  "b > F6",
	  "sort flows by the next column",
	  "iptstate, htop",
	  act_sort },
	{ { 'B', '<' },
	  "B <",
	  "sort flows by the previous column",
	  "iptstate, htop",
	  act_sort_back },
	{ { 'r' }, "r", "reverse the sort", "iptstate", act_reverse },
	{ { '/', '\\', TUI_KEY_F4 },
	  "/ \\ F4",
	  "filter flows (below); Esc clears",
	  "htop",
	  act_filter },
	{ { TUI_KEY_F3 }, "F3", "search flows: the same filter", "htop", act_filter },
	{ { 's' }, "s", "filter by source address or prefix", "iptstate", act_fsrc },
	{ { 'd' }, "d", "filter by destination address or prefix", "iptstate", act_fdst },
	{ { 'S' }, "S", "filter by source port", "iptstate", act_fsport },
	{ { 'D' }, "D", "filter by destination port", "iptstate", act_fdport },
	{ { 'p' }, "p", "filter by protocol", "iptstate", act_fproto },
	{ { 'x' }, "x", "delete the selected flow (asks first)", "iptstate", act_delete },
	{ { 'Z' }, "Z", "pause / resume the display", "htop", act_pause },
	{ { ' ' }, "Space", "refresh now", "top", act_now },
	{ { 12 }, "C-l", "redraw the screen", "", act_now },
	{ { '+' }, "+", "refresh faster", "", act_faster },
	{ { '-' }, "-", "refresh slower", "", act_slower },
};

/* The filter grammar, after the keys on the help screen. */
static const char *const filter_help[] = {
	"",
	"filter words (all must hold; ! before a word negates it):",
	"  ADDR or CIDR       any of the flow's addresses      10.0.0.0/8",
	"  PORT               any of its ports                 443",
	"  tcp, udp, ...      the protocol                     icmp",
	"  STATE, snat, dnat  TCP state or NAT kind            time_wait",
	"  src= dst= sport= dport= proto=   one side only      src=172.17.0.2",
	"  other text         the flow's line or its owners    web-1",
};

int tui_view_by_name(const char *s)
{
	static const char *const names[TUI_VIEWS] = {
		[TUI_OVERVIEW] = "overview", [TUI_GROUPS] = "groups",	  [TUI_RULES] = "rules",
		[TUI_FLOWS] = "flows",	     [TUI_NETWORKS] = "networks",
	};

	for (int v = 0; v < TUI_VIEWS; v++)
		if (strcmp(s, names[v]) == 0 || (s[0] == '1' + v && !s[1]))
			return v;
	return -1;
}

bool tui_keys_help(size_t i, const char **label, const char **help, const char **from)
{
	if (i >= ARRAY_SIZE(keys))
		return false;
	*label = keys[i].label;
	*help = keys[i].help;
	*from = keys[i].from;
	return true;
}

size_t tui_keys_help_lines(void)
{
	return ARRAY_SIZE(keys) + ARRAY_SIZE(filter_help);
}

const char *tui_keys_filter_help(size_t i)
{
	return i < ARRAY_SIZE(filter_help) ? filter_help[i] : NULL;
}

static int filter_key(struct tui_state *st, int c)
{
	size_t len = strlen(st->filter);

	if (c == '\n' || c == TUI_KEY_ENTER) {
		st->editing = false;
	} else if (c == TUI_KEY_ESC) {
		st->editing = false;
		st->filter[0] = '\0';
	} else if ((c == TUI_KEY_BACKSPACE || c == 127 || c == 8) && len) {
		st->filter[len - 1] = '\0';
	} else if (c >= 32 && c < 127 && len + 1 < sizeof(st->filter)) {
		st->filter[len] = (char)c;
		st->filter[len + 1] = '\0';
	}
	st->scroll = st->cursor = 0;
	return TUI_REDRAW | TUI_REFRESH;
}

int tui_keys_handle(struct tui_state *st, int c)
{
	int r = 0;

	if (c == TUI_KEY_RESIZE)
		return TUI_REDRAW | TUI_REFRESH;
	if (st->editing)
		return filter_key(st, c);
	if (st->help && (c == TUI_KEY_ESC || c == 'h' || c == '?' || c == TUI_KEY_F1)) {
		st->help = false;
		return TUI_REDRAW;
	}
	if (st->confirm) {
		st->confirm = false;
		r = TUI_REDRAW | (c == 'y' || c == 'Y' ? TUI_DELETE : 0);
		if (!(r & TUI_DELETE))
			snprintf(st->status, sizeof(st->status), "not deleted");
		return r;
	}
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		for (size_t k = 0; k < 3 && keys[i].keys[k]; k++)
			if (keys[i].keys[k] == c)
				r |= keys[i].action(st);
	return r;
}

void tui_keys_follow(struct tui_state *st, size_t rows, size_t total)
{
	size_t help = tui_keys_help_lines();

	if (st->help) {
		if (st->help_scroll + rows > help)
			st->help_scroll = help > rows ? help - rows : 0;
		return;
	}
	if (st->view != TUI_FLOWS)
		return;
	if (st->cursor >= total)
		st->cursor = total ? total - 1 : 0;
	if (st->cursor < st->scroll)
		st->scroll = st->cursor;
	else if (st->cursor >= st->scroll + rows)
		st->scroll = st->cursor - rows + 1;
}
