/* Captures: messages and timestamps written, read back the same; damaged files refused. */
#include "config.h"

#include <arpa/inet.h>
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
#include <sys/stat.h>

#include <cmocka.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_tcp.h>

#include <libmnl/libmnl.h>

#include "host/evrec.h"

#include "ctmsg.h"

#define N 10

struct got {
	unsigned int n;
	char msgs[N][512];
	uint32_t len[N];
	double t[N];
};

static int collect(const struct nlmsghdr *nlh, double t, void *data)
{
	struct got *g = data;

	assert_true(g->n < N);
	assert_true(nlh->nlmsg_len <= sizeof(g->msgs[0]));
	memcpy(g->msgs[g->n], nlh, nlh->nlmsg_len);
	g->len[g->n] = nlh->nlmsg_len;
	g->t[g->n++] = t;
	return 0;
}

static void records_read_back_exactly(void **state)
{
	char path[] = "/tmp/natscope-evrec-XXXXXX";
	struct evrec_status st;
	char want[N][512];
	uint32_t wlen[N];
	int fd = mkstemp(path);
	struct evrec *rec;
	struct got got = { 0 };

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(evrec_create(&rec, path), 0);
	for (uint32_t i = 0; i < N; i++) {
		struct nlmsghdr *nlh = ctmsg_event(i % 3 == 0 ? CT_EVENT_DUMP : CT_EVENT_NEW, i + 1,
						   IPPROTO_UDP, -1, i & 1, IPS_CONFIRMED);

		memcpy(want[i], nlh, nlh->nlmsg_len);
		wlen[i] = nlh->nlmsg_len;
		assert_int_equal(evrec_write(rec, nlh, 1795500000.0 + i * 0.25), 0);
	}
	assert_int_equal(evrec_close(rec), 0);
	assert_int_equal(evrec_replay(path, collect, &got, &st), 0);
	assert_int_equal(st.records, N);
	assert_false(st.truncated);
	assert_int_equal(got.n, N);
	for (unsigned int i = 0; i < N; i++) {
		assert_int_equal(got.len[i], wlen[i]);
		assert_memory_equal(got.msgs[i], want[i], wlen[i]);
		/* pcap keeps microseconds */
		assert_true(got.t[i] > 1795500000.0 + i * 0.25 - 1e-6);
		assert_true(got.t[i] < 1795500000.0 + i * 0.25 + 1e-6);
	}
	unlink(path);
}

static int never_cb(const struct nlmsghdr *nlh, double t, void *data)
{
	return 0;
}

static void rejects_damaged_captures(void **state)
{
	char path[] = "/tmp/natscope-bad-XXXXXX";
	struct evrec_status st;
	int fd = mkstemp(path);
	FILE *f;

	assert_true(fd >= 0);
	close(fd);
	f = fopen(path, "w");
	fputs("this is not a capture\n", f);
	fclose(f);
	assert_int_equal(evrec_replay(path, never_cb, NULL, &st), -EBADMSG);
	assert_non_null(strstr(st.why, "not a pcap file"));
	unlink(path);
	assert_int_equal(evrec_replay("/nonexistent-natscope.pcap", never_cb, NULL, &st), -ENOENT);
	assert_int_equal(evrec_replay("/tmp", never_cb, NULL, &st), -EISDIR);
}

static int count_cb(const struct nlmsghdr *nlh, double t, void *data)
{
	(*(unsigned int *)data)++;
	return 0;
}

/*
 * Regression (issue 9, item 9): a capture cut inside a record (disk full, a killed
 * recorder) replays its complete records and says where it ends, instead of failing.
 */
static void replays_the_prefix_of_a_cut_capture(void **state)
{
	char path[] = "/tmp/natscope-cut-XXXXXX";
	struct evrec_status st;
	int fd = mkstemp(path);
	struct evrec *rec;
	unsigned int n = 0;
	struct stat sb;

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(evrec_create(&rec, path), 0);
	for (uint32_t i = 0; i < 5; i++)
		assert_int_equal(evrec_write(rec,
					     ctmsg_event(CT_EVENT_NEW, i + 1, IPPROTO_UDP, -1,
							 false, IPS_CONFIRMED),
					     1795500000.0 + i),
				 0);
	assert_int_equal(evrec_close(rec), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(truncate(path, sb.st_size - 20), 0); /* inside the fifth record */
	assert_int_equal(evrec_replay(path, count_cb, &n, &st), 0);
	assert_int_equal(n, 4);
	assert_int_equal(st.records, 4);
	assert_true(st.truncated);
	assert_non_null(strstr(st.why, "record 5"));
	/* cut inside a record header */
	assert_int_equal(truncate(path, sb.st_size - (sb.st_size - 24) / 5 + 8), 0);
	n = 0;
	assert_int_equal(evrec_replay(path, count_cb, &n, &st), 0);
	assert_true(st.truncated);
	assert_int_equal(n, 4);
	unlink(path);
}

/* Regression (issue 9, item 8): writing to a full device fails, never silently. */
static void reports_write_errors(void **state)
{
	struct evrec *rec;
	int ret = 0;

	assert_int_equal(evrec_create(&rec, "/dev/full"), 0);
	/* stdio buffers: the error shows at a write that flushes, or at the close */
	for (uint32_t i = 0; i < 2000 && ret == 0; i++)
		ret = evrec_write(rec, ctmsg_event(CT_EVENT_NEW, i + 1, IPPROTO_UDP, -1, false, 0),
				  1795500000.0);
	assert_int_equal(ret, -ENOSPC);
	assert_true(evrec_records(rec) < 2000);
	assert_int_equal(evrec_close(rec), -ENOSPC);
	assert_int_equal(evrec_create(&rec, "/nonexistent-dir/x.pcap"), -ENOENT);
}

static void markers_round_trip(void **state)
{
	char path[] = "/tmp/natscope-mark-XXXXXX";
	struct evrec_status st;
	struct got got = { 0 };
	int fd = mkstemp(path);
	enum evrec_mark m;
	struct evrec *rec;
	uint64_t arg;

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(evrec_create(&rec, path), 0);
	assert_int_equal(evrec_mark(rec, EVREC_OVERRUN, 1234567, 1.0), 0);
	assert_int_equal(evrec_mark(rec, EVREC_RESYNC_BEGIN, 1, 2.0), 0);
	assert_int_equal(
		evrec_write(rec, ctmsg_event(CT_EVENT_DUMP, 1, IPPROTO_UDP, -1, false, 0), 3.0), 0);
	assert_int_equal(evrec_mark(rec, EVREC_RESYNC_END, 0, 4.0), 0);
	assert_int_equal(evrec_records(rec), 4);
	assert_int_equal(evrec_close(rec), 0);
	assert_int_equal(evrec_replay(path, collect, &got, &st), 0);
	assert_int_equal(got.n, 4);
	assert_true(evrec_marker((struct nlmsghdr *)got.msgs[0], &m, &arg));
	assert_int_equal(m, EVREC_OVERRUN);
	assert_int_equal(arg, 1234567);
	assert_true(evrec_marker((struct nlmsghdr *)got.msgs[1], &m, &arg));
	assert_int_equal(m, EVREC_RESYNC_BEGIN);
	assert_int_equal(arg, 1);
	assert_false(evrec_marker((struct nlmsghdr *)got.msgs[2], &m, &arg));
	assert_true(evrec_marker((struct nlmsghdr *)got.msgs[3], &m, &arg));
	assert_int_equal(m, EVREC_RESYNC_END);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(records_read_back_exactly),
		cmocka_unit_test(rejects_damaged_captures),
		cmocka_unit_test(replays_the_prefix_of_a_cut_capture),
		cmocka_unit_test(reports_write_errors),
		cmocka_unit_test(markers_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
