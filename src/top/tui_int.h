#ifndef NATSCOPE_TOP_TUI_INT_H
#define NATSCOPE_TOP_TUI_INT_H

#include <stdbool.h>

/* Shared by the curses files of the interactive view: tui_term.c and tui_views.c. */
struct screen;

struct tui {
	struct screen *screen; /* curses' SCREEN */
	bool open;
	bool color;
};

enum { PAIR_ALERT = 1, PAIR_HEAD, PAIR_GOOD, PAIR_FADED };

/** Print one line at row @y with curses attributes @attr, cut to the width. */
void tui_line(int y, int attr, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/** Attributes for an alert (when @on) and for headings. */
int tui_alert(const struct tui *t, bool on);
int tui_head(const struct tui *t);

#endif
