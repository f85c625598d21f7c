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
	char path[] = "/tmp/natscope-evrec-XXXXXX", err[128] = "";
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
	assert_int_equal(evrec_replay(path, collect, &got, err, sizeof(err)), N);
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
	char path[] = "/tmp/natscope-bad-XXXXXX", err[128];
	int fd = mkstemp(path);
	FILE *f;

	assert_true(fd >= 0);
	close(fd);
	f = fopen(path, "w");
	fputs("this is not a capture\n", f);
	fclose(f);
	assert_int_equal(evrec_replay(path, never_cb, NULL, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "not a pcap file"));
	unlink(path);
	assert_int_equal(
		evrec_replay("/nonexistent-natscope.pcap", never_cb, NULL, err, sizeof(err)),
		-ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(records_read_back_exactly),
		cmocka_unit_test(rejects_damaged_captures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
