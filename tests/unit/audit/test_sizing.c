/* What to set when the table is under pressure: the maximum, buckets, timeouts, memory. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>

#include <cmocka.h>

#include "audit/sizing.h"

#include "fixture.h"

static void saved_from_histograms(void **state)
{
	/* remaining <10, <30, <60, <120, <300, >=300 */
	const uint64_t h[CT_AGG_TIMEOUT_BUCKETS] = { 5, 7, 11, 13, 17, 19 };

	assert_int_equal(sizing_saved(h, 120, 60), 5 + 7 + 11); /* 60 s or less left */
	assert_int_equal(sizing_saved(h, 120, 100), 5);		/* 20 s: the <10 bucket only */
	assert_int_equal(sizing_saved(h, 60, 60), 0);
	assert_int_equal(sizing_saved(h, 30, 60), 0);
}

static void full_table(void **state)
{
	struct audit_thresholds t;
	struct snapshot s;
	struct sizing z;
	char file[512];

	audit_thresholds_default(&t);
	fixture_snapshot(&s);
	s.stats1.count = 250000; /* of 262,144: 95 % */
	s.sys.val[SYSCTL_COUNT] = 250000;
	s.sys.ct_entry_bytes = 256;
	s.table.counts.by_proto[IPPROTO_UDP] = 99000; /* most of the table */
	s.table.udp_timeout[0] = 60000;		      /* <10 s left of 30: idle 20 s+ */
	s.table.counts.tcp_state[CT_TCP_CLOSE] = 400;
	s.sys.val[SYSCTL_TCP_TIMEOUT_CLOSE] = 10;
	sizing_compute(&s, &t, &z);
	assert_int_equal(z.n, 5);
	assert_int_equal(z.v[0].key, SYSCTL_MAX);
	assert_int_equal(z.v[0].current, 262144);
	assert_int_equal(z.v[0].recommended, 524288); /* 2 x 250,000 up to 65,536 steps */
	assert_true(z.v[0].global);
	assert_non_null(strstr(z.v[0].risk, "256 bytes"));
	assert_int_equal(z.v[1].key, SYSCTL_BUCKETS);
	assert_int_equal(z.v[1].recommended, 524288);
	assert_int_equal(z.v[2].key, SYSCTL_TCP_TIMEOUT_TIME_WAIT);
	assert_int_equal(z.v[2].recommended, 60);
	assert_false(z.v[2].global);
	assert_int_equal(z.v[3].key, SYSCTL_TCP_TIMEOUT_CLOSE);
	assert_int_equal(z.v[3].recommended, 5);
	assert_non_null(strstr(z.v[3].why, "about 200 of them")); /* half of 400 */
	assert_int_equal(z.v[4].key, SYSCTL_UDP_TIMEOUT);
	assert_int_equal(z.v[4].recommended, 15);
	/* 524,288 x 256 bytes + 524,288 buckets x 8 */
	assert_true(z.mem_mib_after > 131.9 && z.mem_mib_after < 132.1);
	assert_int_equal(sizing_sysctl_d(&z, file, sizeof(file)), 0);
	assert_non_null(strstr(file, "# global: takes effect from the initial namespace\n"
				     "net.netfilter.nf_conntrack_max = 524288\n"));
	assert_non_null(strstr(file, "net.netfilter.nf_conntrack_udp_timeout = 15\n"));
	assert_int_equal(sizing_sysctl_d(&z, file, 40), -1); /* never a cut file */
	snapshot_release(&s);
}

static void no_pressure_no_advice(void **state)
{
	struct audit_thresholds t;
	struct snapshot s;
	struct sizing z;

	audit_thresholds_default(&t);
	fixture_snapshot(&s);
	s.table.counts.tcp_state[CT_TCP_TIME_WAIT] = 10; /* TIME_WAIT no longer dominates */
	sizing_compute(&s, &t, &z);
	assert_int_equal(z.n, 0);
	snapshot_release(&s);
}

/* A running engine's peak sizes the table when the count has fallen since. */
static void sized_from_the_peak(void **state)
{
	struct audit_thresholds t;
	struct snapshot s;
	struct sizing z;

	audit_thresholds_default(&t);
	fixture_snapshot(&s);
	s.table.counts.tcp_state[CT_TCP_TIME_WAIT] = 10;
	s.stats1.count = 20000; /* 8 % now */
	s.peak.count = 240000;	/* 92 % of 262,144, 3 h ago, watched for 2 days */
	s.peak.at = s.taken - 3 * 3600;
	s.peak.since = s.taken - 2 * 86400;
	sizing_compute(&s, &t, &z);
	assert_int_equal(z.n, 3); /* the peak is pressure: TIME_WAIT's timeout too */
	assert_int_equal(z.v[2].key, SYSCTL_TCP_TIMEOUT_TIME_WAIT);
	assert_int_equal(z.v[0].key, SYSCTL_MAX);
	assert_int_equal(z.v[0].recommended, 524288); /* 2 x 240,000 up to 65,536 steps */
	assert_string_equal(z.v[0].why, "the table peaked at 240000 of 262144 3.0 h ago (20000 "
					"now; the highest in 2.0 d of watching): twice that "
					"leaves room for a burst like it");
	/* a peak below the count now is no peak: the count is what the table held */
	s.stats1.count = 250000;
	sizing_compute(&s, &t, &z);
	assert_int_equal(z.v[0].recommended, 524288);
	assert_non_null(strstr(z.v[0].why, "the table held 250000 of 262144"));
	/* without pressure, now or at the peak, nothing */
	s.stats1.count = 20000;
	s.peak.count = 30000;
	sizing_compute(&s, &t, &z);
	assert_int_equal(z.n, 0);
	snapshot_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(saved_from_histograms),
		cmocka_unit_test(full_table),
		cmocka_unit_test(no_pressure_no_advice),
		cmocka_unit_test(sized_from_the_peak),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
