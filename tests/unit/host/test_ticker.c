/* The tick and the stop signals of top and record, on a signalfd and a timerfd. */
#include "config.h"

#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>
#include <sys/signalfd.h>

#include <cmocka.h>

#include "host/ticker.h"

/* Wait (5 s at most: a loaded machine is slow, never this slow) for @fd to be readable. */
static bool readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 5000) == 1 && (p.revents & POLLIN);
}

static void ticks_and_signals(void **state)
{
	struct ticker t;
	struct signalfd_siginfo si;

	assert_int_equal(ticker_open(&t, 0.01, true), 0);
	assert_true(readable(t.tfd));
	assert_true(ticker_expired(&t));
	assert_true(readable(t.tfd)); /* repeating */
	assert_true(ticker_expired(&t));
	/* disarmed: nothing expires */
	assert_int_equal(ticker_arm(&t, 0, false), 0);
	usleep(30000);
	assert_false(ticker_expired(&t));
	/* SIGTERM arrives on the signalfd, not as a handler */
	assert_int_equal(kill(getpid(), SIGTERM), 0);
	assert_true(readable(t.sfd));
	assert_int_equal(read(t.sfd, &si, sizeof(si)), sizeof(si));
	assert_int_equal(si.ssi_signo, SIGTERM);
	ticker_close(&t);
	assert_int_equal(t.tfd, -1);
	ticker_close(&t); /* twice is harmless */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ticks_and_signals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
