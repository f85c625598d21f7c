#ifndef NATSCOPE_TOP_TUI_INT_H
#define NATSCOPE_TOP_TUI_INT_H

#include <stdbool.h>

#include "top/tui.h"

/* Shared by the curses files of the interactive view: tui_term.c and the tui_v*.c views. */
struct screen;

struct tui {
	struct screen *screen; /* curses' SCREEN */
	bool open;
	bool color;
	int top; /* the first row under the header and the tabs (the last frame's) */
};

enum { PAIR_ALERT = 1, PAIR_HEAD, PAIR_GOOD, PAIR_FADED, PAIR_WARN };

/** Print one line at row @y with curses attributes @attr, cut to the width. */
void tui_line(int y, int attr, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/** Attributes for an alert (when @on) and for headings. */
int tui_alert(const struct tui *t, bool on);
int tui_head(const struct tui *t);
/** Attributes for a warning (yellow), weaker than an alert. */
int tui_warn(const struct tui *t, bool on);

/*
 * Fields packed into lines: each is printed whole, two spaces apart, and one that does
 * not fit on the line goes to the next, up to @maxlines; what is left then ends with '>'.
 * Returns the lines used.
 */
struct tui_field {
	char text[96];
	int attr;
};
int tui_fields(int y, int maxlines, const struct tui_field *f, size_t n);

/* The views (tui_vgroups.c, tui_vflows.c, tui_vother.c), from row @y down. */
void tui_draw_overview(struct tui *t, const struct tui_data *d, const struct tui_state *st, int y);
void tui_draw_groups(struct tui *t, const struct tui_data *d, const struct tui_state *st, int y);
void tui_draw_rules(struct tui *t, const struct tui_data *d, const struct tui_state *st, int y);
void tui_draw_flows(struct tui *t, const struct tui_data *d, const struct tui_state *st, int y);
void tui_draw_networks(struct tui *t, const struct tui_data *d, const struct tui_state *st, int y);
/** "ADDR (OWNER)" or "ADDR", the owner from @d's names. */
const char *tui_who(const struct tui_data *d, uint8_t family, const union ct_addr *a, char *buf,
		    size_t len);

#endif
