#ifndef NATSCOPE_TOP_VIEWDATA_H
#define NATSCOPE_TOP_VIEWDATA_H

#include <stdbool.h>

#include "flows/ct_agg.h"
#include "nftables/natrules.h"
#include "top/topdata.h"
#include "top/tui.h"

struct top_live;

/* What the interactive view shows besides the frame, kept between ticks. */
struct top_viewdata {
	struct ct_summary groups;
	bool have_groups;
	struct natrules rules;
	bool have_rules;
	double rules_t;
	struct topdata_flows flows;
	struct bynet bynet;
	bool have_bynet;
};

/* Destroyed flows stay in the flows view, fading, for this many intervals. */
#define TOP_GONE_INTERVALS 3
#define TOP_GONE_KEPT	   4096

void top_viewdata_init(struct top_viewdata *vd);
void top_viewdata_release(struct top_viewdata *vd);

/**
 * Prepare what the visible view needs, and only that (a million flows cost nothing
 * unseen): @rows is the height of its list, @now the monotonic time.
 */
void top_viewdata_prepare(struct top_viewdata *vd, struct top_live *lv, const struct tui_state *st,
			  int rows, double now);

/** The plain data of one frame of the interactive view. */
void top_viewdata_frame(const struct top_viewdata *vd, const struct top_live *lv,
			struct tui_data *d);

/** Rows of the visible view's list as last prepared (for moving the selection). */
size_t top_viewdata_rows(const struct top_viewdata *vd, const struct tui_state *st);

/** Delete the selected flow; the outcome goes to st->status. */
void top_viewdata_delete(struct top_viewdata *vd, struct top_live *lv, struct tui_state *st);

#endif
