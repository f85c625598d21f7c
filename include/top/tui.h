#ifndef NATSCOPE_TOP_TUI_H
#define NATSCOPE_TOP_TUI_H

#include <stdbool.h>
#include <stddef.h>

#include "flows/bynet.h"
#include "flows/ct_agg.h"
#include "netlink/ct_stats.h"
#include "nftables/natrules.h"
#include "top/live.h"
#include "top/top.h"
#include "top/topdata.h"
#include "top/tui_keys.h"

/* Everything a frame of the interactive view shows, as plain data. */
struct tui_data {
	struct top_frame frame;
	const struct ct_stats *stats, *prev_stats; /* per-CPU rates: (stats - prev) / dt */
	double dt;
	const double *hist[TOP_HISTS]; /* per interval, oldest first (top/live.h) */
	size_t nhist;
	const struct ct_summary *groups; /* NULL until computed */
	const struct natrules *rules;	 /* NULL when unread */
	const struct topdata_flows *flows;
	const struct bynet *bynet; /* NULL until computed */
};

struct tui;

/** Take over the terminal (curses); @color false with NO_COLOR or no colours. */
int tui_open(struct tui **out, bool color);
/** Give the terminal back exactly as it was.  Safe to call twice. */
void tui_close(struct tui *t);
/** Read pending keys and apply them to @st; returns reaction bits. */
int tui_input(struct tui *t, struct tui_state *st);
void tui_draw(struct tui *t, const struct tui_data *d, const struct tui_state *st);
/** Rows available for the list of a view (for paging the data), as last drawn. */
int tui_list_rows(const struct tui *t);

#endif
