#ifndef NATSCOPE_TOP_REPLAY_H
#define NATSCOPE_TOP_REPLAY_H

#include <stddef.h>

#include "top/top.h"

/* `top --replay`: the engine on a capture from `natscope record`, a frame per interval of
 * recorded time and one at the end. */

/* Called per frame; return 0 to go on or -errno to stop the replay with that error. */
typedef int (*top_replay_fn)(const struct top_frame *f, void *data);

struct top_replay_opts {
	double interval;	 /* seconds of recorded time between frames */
	unsigned int iterations; /* stop after this many frames; 0: all */
};

/**
 * Replay @path.  Returns 0, the callback's -errno, -EBADMSG for a damaged capture (@err
 * says why), or the -errno of opening the file.
 */
int top_replay_run(const char *path, const struct top_replay_opts *o, top_replay_fn fn, void *data,
		   char *err, size_t errlen);

#endif
