#ifndef NATSCOPE_TOP_TUI_KEYS_H
#define NATSCOPE_TOP_TUI_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "top/topdata.h"

/*
 * The keys of the interactive view and what they do to its state: a table and plain
 * functions, no curses, so they are unit-tested.  The terminal layer (tui_term.c) turns
 * curses key codes into the TUI_KEY_* codes below.
 */

enum tui_view {
	TUI_OVERVIEW,
	TUI_GROUPS,
	TUI_RULES,
	TUI_FLOWS,
	TUI_NETWORKS,
	TUI_VIEWS,
};

/* What the user chose; the command reads it to prepare the next frame. */
struct tui_state {
	enum tui_view view;
	bool help;
	size_t help_scroll; /* the first line of the help screen shown */
	bool paused;
	double interval;
	size_t scroll;
	size_t cursor;	 /* the selected flow in the flows view */
	bool confirm;	 /* asking whether to delete the selected flow */
	char status[96]; /* one line of feedback (a delete's outcome) */
	enum topdata_col sort;
	bool reverse;
	char filter[64];
	bool editing; /* typing a filter */
};

/* Reaction bits from a key */
#define TUI_REDRAW   0x1
#define TUI_QUIT     0x2
#define TUI_INTERVAL 0x4  /* the interval changed */
#define TUI_REFRESH  0x8  /* the view needs new data (sort, filter, view) */
#define TUI_DELETE   0x10 /* delete the selected flow (confirmed) */
#define TUI_NOW	     0x20 /* read the statistics now, not at the next tick */

/* Keys that are not characters (characters are their own code). */
enum tui_key {
	TUI_KEY_UP = 0x1000,
	TUI_KEY_DOWN,
	TUI_KEY_PGUP,
	TUI_KEY_PGDN,
	TUI_KEY_BACKSPACE,
	TUI_KEY_ENTER,
	TUI_KEY_RESIZE,
	TUI_KEY_HOME,
	TUI_KEY_END,
	TUI_KEY_BTAB, /* shift-tab */
	TUI_KEY_F1,
	TUI_KEY_F3,
	TUI_KEY_F4,
	TUI_KEY_F6,
	TUI_KEY_F10,
	TUI_KEY_ESC = 27,
};

/** A view by its name (overview, groups, rules, flows, networks) or key (1-5), or -1. */
int tui_view_by_name(const char *s);

/** Apply one key to @st; returns reaction bits. */
int tui_keys_handle(struct tui_state *st, int key);
/**
 * Keep the flows view's selection among its @total rows and on a page of @rows rows, and
 * the help screen's scroll on its last page at most.
 */
void tui_keys_follow(struct tui_state *st, size_t rows, size_t total);

/**
 * The key table, for the help screen: the @i-th binding, or false past the end;
 * @from names the tool whose binding it follows ("" for natscope's own).
 */
bool tui_keys_help(size_t i, const char **label, const char **help, const char **from);
/** Lines of the help screen (the bindings and the filter grammar). */
size_t tui_keys_help_lines(void);
/** The @i-th line of the filter grammar (after the bindings), or NULL. */
const char *tui_keys_filter_help(size_t i);

#endif
