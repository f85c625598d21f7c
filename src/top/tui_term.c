#include "config.h"
#include "top/tui.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <curses.h>

#include "tui_int.h"

/* The terminal: curses set-up, teardown and input.  Views draw in tui_views.c. */

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

/* curses key codes to the key table's */
static int key_code(int c)
{
	switch (c) {
	case KEY_UP:
		return TUI_KEY_UP;
	case KEY_DOWN:
		return TUI_KEY_DOWN;
	case KEY_PPAGE:
		return TUI_KEY_PGUP;
	case KEY_NPAGE:
		return TUI_KEY_PGDN;
	case KEY_BACKSPACE:
		return TUI_KEY_BACKSPACE;
	case KEY_ENTER:
		return TUI_KEY_ENTER;
	case KEY_RESIZE:
		return TUI_KEY_RESIZE;
	default:
		return c;
	}
}

int tui_input(struct tui *t, struct tui_state *st)
{
	int c, r = 0;

	while ((c = getch()) != ERR) {
		r |= tui_keys_handle(st, key_code(c));
		if (r & TUI_QUIT)
			break;
	}
	tui_keys_follow(st, (size_t)tui_list_rows(t));
	return r;
}

void tui_line(int y, int attr, const char *fmt, ...)
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

int tui_alert(const struct tui *t, bool on)
{
	return on ? (t->color ? COLOR_PAIR(PAIR_ALERT) | A_BOLD : A_BOLD | A_REVERSE) : 0;
}

int tui_head(const struct tui *t)
{
	return t->color ? COLOR_PAIR(PAIR_HEAD) | A_BOLD : A_BOLD;
}
