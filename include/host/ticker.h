#ifndef NATSCOPE_HOST_TICKER_H
#define NATSCOPE_HOST_TICKER_H

#include <stdbool.h>

/*
 * The two descriptors a poll() loop of top and record waits on besides its sockets: a
 * signalfd for the signals that end a run cleanly (SIGINT, SIGTERM, SIGHUP, SIGQUIT), and a timerfd
 * for the tick (or the end of a --duration).  Those signals are blocked, so they arrive only
 * through the signalfd.
 */
struct ticker {
	int sfd, tfd;
};

/** Open both; @interval seconds (0: not armed), every @interval when @repeat. 0 or -errno. */
int ticker_open(struct ticker *t, double interval, bool repeat);
/** Re-arm the timer. */
int ticker_arm(struct ticker *t, double interval, bool repeat);
/** Whether the timer expired since the last call (consumes the expirations). */
bool ticker_expired(const struct ticker *t);
/** Close both; safe on a ticker that failed to open. */
void ticker_close(struct ticker *t);

#endif
