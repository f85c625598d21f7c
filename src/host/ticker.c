#include "config.h"
#include "host/ticker.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>

int ticker_arm(struct ticker *t, double interval, bool repeat)
{
	struct itimerspec its = { 0 };

	its.it_value.tv_sec = (time_t)interval;
	its.it_value.tv_nsec = (long)((interval - (double)(time_t)interval) * 1e9);
	if (repeat)
		its.it_interval = its.it_value;
	return timerfd_settime(t->tfd, 0, &its, NULL) < 0 ? -errno : 0;
}

int ticker_open(struct ticker *t, double interval, bool repeat)
{
	sigset_t mask;

	t->sfd = t->tfd = -1;
	sigemptyset(&mask);
	/* a clean stop: flush what is written, restore the terminal (SIGHUP: the terminal
	 * went away; SIGQUIT: Ctrl-\\) */
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGQUIT);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return -errno;
	t->sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (t->sfd < 0)
		return -errno;
	t->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (t->tfd < 0)
		return -errno;
	return interval > 0 ? ticker_arm(t, interval, repeat) : 0;
}

bool ticker_expired(const struct ticker *t)
{
	uint64_t expirations;

	return read(t->tfd, &expirations, sizeof(expirations)) > 0;
}

void ticker_close(struct ticker *t)
{
	if (t->tfd >= 0)
		close(t->tfd);
	if (t->sfd >= 0)
		close(t->sfd);
	t->tfd = t->sfd = -1;
}
