#include "config.h"
#include "top/tui_keys.h"

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
	{ { TUI_KEY_UP, 'k' }, "up k", "scroll up", act_up },
	{ { TUI_KEY_DOWN, 'j' }, "down j", "scroll down", act_down },
	{ { TUI_KEY_PGUP }, "PgUp", "page up", act_pgup },
	{ { TUI_KEY_PGDN }, "PgDn", "page down", act_pgdn },
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

bool tui_keys_help(size_t i, const char **label, const char **help)
{
	if (i >= ARRAY_SIZE(keys))
		return false;
	*label = keys[i].label;
	*help = keys[i].help;
	return true;
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

void tui_keys_follow(struct tui_state *st, size_t rows)
{
	if (st->view != TUI_FLOWS)
		return;
	if (st->cursor < st->scroll)
		st->scroll = st->cursor;
	else if (st->cursor >= st->scroll + rows)
		st->scroll = st->cursor - rows + 1;
}
