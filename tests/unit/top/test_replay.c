/* `top --replay` on captures written here: frames per interval of recorded time. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>

#include <cmocka.h>
#include <linux/netfilter/nf_conntrack_common.h>

#include "host/evrec.h"
#include "top/replay.h"

#include "ctmsg.h"

struct frames {
	unsigned int n;
	double time[64];
	uint64_t entries[64];
	uint64_t overruns, dropped, lost; /* of the last frame */
	int fail_at;
};

static int on_frame(const struct top_frame *f, void *data)
{
	struct frames *fr = data;

	assert_true(fr->n < 64);
	assert_int_equal(f->iteration, fr->n + 1);
	fr->time[fr->n] = f->time;
	fr->entries[fr->n++] = f->counts->total;
	fr->overruns = f->es->overruns;
	fr->dropped = f->es->dropped;
	fr->lost = f->es->lost_estimate;
	return fr->n == (unsigned int)fr->fail_at ? -EIO : 0;
}

/* NEW events of flows 1.., one at each of the times @t; returns how many. */
static unsigned int capture_at(char *path, const double *t, unsigned int n, bool snat)
{
	struct evrec *rec;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(evrec_create(&rec, path), 0);
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(evrec_write(rec,
					     ctmsg_event(CT_EVENT_NEW, i + 1, IPPROTO_UDP, -1, snat,
							 IPS_CONFIRMED),
					     t[i]),
				 0);
	assert_int_equal(evrec_close(rec), 0);
	return n;
}

/* A capture of @n NEW events, one every @step seconds from @t0. */
static void capture(char *path, unsigned int n, double t0, double step)
{
	double t[64];

	assert_true(n <= 64);
	for (unsigned int i = 0; i < n; i++)
		t[i] = t0 + i * step;
	capture_at(path, t, n, true);
}

static void a_frame_per_interval_and_one_at_the_end(void **state)
{
	struct top_replay_opts o = { .interval = 1 };
	struct frames fr = { 0 };
	char path[] = "/tmp/natscope-replay-XXXXXX";
	struct evrec_status st;

	capture(path, 10, 1795500000.0, 0.5); /* 10 flows over 4.5 s */
	assert_int_equal(top_replay_run(path, &o, on_frame, &fr, &st), 0);
	/* frames at +1, +2, +3, +4 s and at the last record */
	assert_int_equal(fr.n, 5);
	assert_true(fr.time[0] == 1795500001.0);
	assert_int_equal(fr.entries[0], 2); /* flows at +0 and +0.5 */
	assert_int_equal(fr.entries[3], 8);
	assert_int_equal(fr.entries[4], 10);
	/* --iterations stops early, and no final frame past the count */
	o.iterations = 2;
	fr.n = 0;
	assert_int_equal(top_replay_run(path, &o, on_frame, &fr, &st), 0);
	assert_int_equal(fr.n, 2);
	/* the frame callback's error stops the replay with it */
	o.iterations = 0;
	fr = (struct frames){ .fail_at = 2 };
	assert_int_equal(top_replay_run(path, &o, on_frame, &fr, &st), -EIO);
	assert_int_equal(fr.n, 2);
	unlink(path);
	assert_int_equal(top_replay_run("/nonexistent-natscope.pcap", &o, on_frame, &fr, &st),
			 -ENOENT);
}

/*
 * Regression (issue 9, item 4): a record stamped 1970 before one of today made a frame
 * per second of the 56 years between (1.8e9 frames); a 10-day clock step 864,000.  Gaps
 * give one frame: never more frames than records, plus the last.
 */
static void gaps_do_not_run_away(void **state)
{
	static const double epoch_then_now[] = { 0.5, 1795500000.0, 1795500000.5, 1795500003.0 };
	static const double clock_step[] = { 1795500000.0, 1795500000.4, 1795500000.8,
					     1795500000.0 + 864000, 1795500000.0 + 864000.5 };
	static const double backwards[] = { 1795500000.0, 1000.0, 1795500001.5, 1795500002.5 };
	struct top_replay_opts o = { .interval = 1 };
	struct evrec_status st;
	struct frames fr;
	char path[32];
	unsigned int n;

	strcpy(path, "/tmp/natscope-gap-XXXXXX");
	n = capture_at(path, epoch_then_now, 4, false);
	fr = (struct frames){ 0 };
	assert_int_equal(top_replay_run(path, &o, on_frame, &fr, &st), 0);
	assert_true(fr.n <= n + 1);
	assert_int_equal(fr.entries[fr.n - 1], 4);
	unlink(path);

	strcpy(path, "/tmp/natscope-gap-XXXXXX");
	n = capture_at(path, clock_step, 5, false);
	fr = (struct frames){ 0 };
	assert_int_equal(top_replay_run(path, &o, on_frame, &fr, &st), 0);
	assert_true(fr.n <= n + 1);
	assert_int_equal(fr.entries[0], 3); /* the frame before the step holds the first three */
	unlink(path);

	/* time running backwards neither stops the frames nor multiplies them */
	strcpy(path, "/tmp/natscope-gap-XXXXXX");
	n = capture_at(path, backwards, 4, false);
	fr = (struct frames){ 0 };
	assert_int_equal(top_replay_run(path, &o, on_frame, &fr, &st), 0);
	assert_true(fr.n >= 2 && fr.n <= n + 1);
	assert_int_equal(fr.entries[fr.n - 1], 4);
	unlink(path);
}

/*
 * Regression (issue 9, item 12): a capture recorded with an overrun.  The live engine
 * resynchronised and swept the flows whose DESTROY it lost; replay must do the same
 * from the markers, not keep them as phantoms, and count the loss.
 */
static void replays_overruns_and_resyncs(void **state)
{
	struct top_replay_opts o = { .interval = 10 };
	char path[] = "/tmp/natscope-over-XXXXXX";
	struct evrec_status st;
	struct frames fr = { 0 };
	struct evrec *rec;
	double t = 1795500000.0;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(evrec_create(&rec, path), 0);
	/* the seed: flows 1..10 */
	assert_int_equal(evrec_mark(rec, EVREC_RESYNC_BEGIN, 0, t), 0);
	for (uint32_t id = 1; id <= 10; id++)
		assert_int_equal(
			evrec_write(rec, ctmsg_event(CT_EVENT_DUMP, id, IPPROTO_UDP, -1, true, 0),
				    t),
			0);
	assert_int_equal(evrec_mark(rec, EVREC_RESYNC_END, 0, t), 0);
	/* events were lost: flows 1..6 died unseen, 11..12 were born unseen */
	assert_int_equal(evrec_mark(rec, EVREC_OVERRUN, 8, t + 1), 0);
	assert_int_equal(evrec_mark(rec, EVREC_RESYNC_BEGIN, 1, t + 1), 0);
	for (uint32_t id = 7; id <= 12; id++)
		assert_int_equal(
			evrec_write(rec, ctmsg_event(CT_EVENT_DUMP, id, IPPROTO_UDP, -1, true, 0),
				    t + 1),
			0);
	assert_int_equal(evrec_mark(rec, EVREC_RESYNC_END, 0, t + 1), 0);
	assert_int_equal(evrec_close(rec), 0);
	assert_int_equal(top_replay_run(path, &o, on_frame, &fr, &st), 0);
	assert_int_equal(fr.n, 1);
	assert_int_equal(fr.entries[0], 6); /* 7..12, as the kernel had them */
	assert_int_equal(fr.overruns, 1);
	assert_int_equal(fr.dropped, 8);
	assert_int_equal(fr.lost, 8); /* 6 swept + 2 found */
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_frame_per_interval_and_one_at_the_end),
		cmocka_unit_test(gaps_do_not_run_away),
		cmocka_unit_test(replays_overruns_and_resyncs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
