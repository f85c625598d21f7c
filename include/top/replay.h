#ifndef NATSCOPE_TOP_REPLAY_H
#define NATSCOPE_TOP_REPLAY_H

#include <stddef.h>

#include "host/evrec.h"
#include "top/top.h"

/*
 * `top --replay`: the engine on a capture from `natscope record` (markers included, so
 * overruns and resynchronisations happen as they did live), a frame per interval of
 * recorded time in which something was recorded, and one at the end.  A gap in the
 * recorded time (a stopped recorder, a clock step, a record stamped 1970) gives one frame,
 * not one per empty interval: at most a frame per record, plus the last.
 */

/* Called per frame; return 0 to go on or -errno to stop the replay with that error. */
typedef int (*top_replay_fn)(const struct top_frame *f, void *data);

struct top_replay_opts {
	double interval;	 /* seconds of recorded time between frames */
	unsigned int iterations; /* stop after this many frames; 0: all */
};

/**
 * Replay @path.  Returns 0, the callback's -errno, or evrec_replay()'s errors; @st says
 * how many records were read and whether the file was cut short.
 */
int top_replay_run(const char *path, const struct top_replay_opts *o, top_replay_fn fn, void *data,
		   struct evrec_status *st);

#endif
