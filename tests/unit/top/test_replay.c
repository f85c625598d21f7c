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
	int fail_at;
};

static int on_frame(const struct top_frame *f, void *data)
{
	struct frames *fr = data;

	assert_true(fr->n < 64);
	assert_int_equal(f->iteration, fr->n + 1);
	fr->time[fr->n] = f->time;
	fr->entries[fr->n++] = f->counts->total;
	return fr->n == (unsigned int)fr->fail_at ? -EIO : 0;
}

/* A capture of @n NEW events, one every @step seconds from @t0. */
static void capture(char *path, unsigned int n, double t0, double step)
{
	struct evrec *rec;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(evrec_create(&rec, path), 0);
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(evrec_write(rec,
					     ctmsg_event(CT_EVENT_NEW, i + 1, IPPROTO_UDP, -1, true,
							 IPS_CONFIRMED),
					     t0 + i * step),
				 0);
	assert_int_equal(evrec_close(rec), 0);
}

static void a_frame_per_interval_and_one_at_the_end(void **state)
{
	struct top_replay_opts o = { .interval = 1 };
	struct frames fr = { 0 };
	char path[] = "/tmp/natscope-replay-XXXXXX", err[128] = "";

	capture(path, 10, 1795500000.0, 0.5); /* 10 flows over 4.5 s */
	assert_int_equal(top_replay_run(path, &o, on_frame, &fr, err, sizeof(err)), 0);
	/* frames at +1, +2, +3, +4 s and at the last record */
	assert_int_equal(fr.n, 5);
	assert_true(fr.time[0] == 1795500001.0);
	assert_int_equal(fr.entries[0], 2); /* flows at +0 and +0.5 */
	assert_int_equal(fr.entries[3], 8);
	assert_int_equal(fr.entries[4], 10);
	/* --iterations stops early, and no final frame past the count */
	o.iterations = 2;
	fr.n = 0;
	assert_int_equal(top_replay_run(path, &o, on_frame, &fr, err, sizeof(err)), 0);
	assert_int_equal(fr.n, 2);
	/* the frame callback's error stops the replay with it */
	o.iterations = 0;
	fr = (struct frames){ .fail_at = 2 };
	assert_int_equal(top_replay_run(path, &o, on_frame, &fr, err, sizeof(err)), -EIO);
	assert_int_equal(fr.n, 2);
	unlink(path);
	assert_int_equal(
		top_replay_run("/nonexistent-natscope.pcap", &o, on_frame, &fr, err, sizeof(err)),
		-ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_frame_per_interval_and_one_at_the_end),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
