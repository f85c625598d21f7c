#ifndef NATSCOPE_TOP_H
#define NATSCOPE_TOP_H

#include <stdbool.h>
#include <stdio.h>

#include "flows/engine.h"
#include "flows/rates.h"

/* The counters `top` follows, with their 1 s / 10 s / 60 s rates. */
#define TOP_NRATES  6
#define TOP_WINDOWS 3
extern const unsigned int top_rate_attrs[TOP_NRATES];
extern const double top_windows[TOP_WINDOWS];

/* One frame: plain data for the renderers. */
#include "flows/failures.h"
#include "host/addrmap.h"
#include "host/localnet.h"

struct top_frame {
	double time; /* wall clock, or the recorded time when replaying */
	unsigned int iteration;
	const char *netns;
	const struct flow_counts *counts;
	const struct engine_stats *es;
	const struct clash *clash; /* likely clash episodes, may be NULL */
	double events_per_s;
	size_t rcvbuf;	  /* 0 when replaying */
	int ct_events;	  /* net.netfilter.nf_conntrack_events; -1 unknown (replay) */
	bool have_kernel; /* live: the kernel's count/max and rates below are valid */
	uint64_t kernel_count, kernel_max;
	uint64_t kernel_peak; /* the highest count since the start, and when (wall clock) */
	double kernel_peak_at;
	bool have_rate[TOP_NRATES][TOP_WINDOWS];
	double rate[TOP_NRATES][TOP_WINDOWS];
	/* failed insertions named by the BPF component (live only) */
	bool exact;			  /* it is attached */
	const char *exact_why;		  /* why not, when !exact ("" when not asked) */
	uint64_t named, named_total;	  /* this interval's records, and since the start */
	uint64_t counted_total;		  /* insert_failed's rise since the start */
	const struct failures *fails;	  /* this interval's (records capped), or NULL */
	const struct top_failures *since; /* since the start (live), or NULL */
	/* who holds the addresses shown, and the networks attached (live views), or NULL */
	const struct addrmap *names;
	const struct localnets *nets;
};

/* The named failures since top started, for the live view: grouped, and the last ones. */
#define TOP_RECENT 64
struct top_failures {
	struct failures all;		       /* counts since the start (records: the first) */
	struct insfail_rec recent[TOP_RECENT]; /* a ring, the newest at head - 1 */
	struct failure_winner win[TOP_RECENT]; /* the entry each clashed with (looked up) */
	unsigned int nrecent, head;
};

/** Fill the rate part of @f from @r. */
void top_frame_rates(struct top_frame *f, const struct rates *r);

int top_render_text(FILE *out, const struct top_frame *f);
/* JSON schema "natscope.top" version (doc/natscope.top.schema.json). */
#define TOP_JSON_SCHEMA_VERSION 2
/** One JSON object on one line (schema natscope.top, TOP_JSON_SCHEMA_VERSION). */
int top_render_json(FILE *out, const struct top_frame *f);

#endif
