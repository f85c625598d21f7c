/* Conntrack settings from a /proc/sys tree built by the test. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "host/sysctl.h"

#include "tmptree.h"

static void reads_sysctls(void **state)
{
	struct sysctl_info info;
	char root[128];

	tmptree_put("sys/netfilter/nf_conntrack_max", "262144\n", 7);
	tmptree_put("sys/netfilter/nf_conntrack_count", "17\n", 3);
	tmptree_put("sys/netfilter/nf_conntrack_tcp_timeout_time_wait", "120\n", 4);
	tmptree_put("sys/netfilter/nf_conntrack_buckets", "garbage\n", 8);
	tmptree_put("sys/ipv4/ip_local_port_range", "32768\t60999\n", 12);
	snprintf(root, sizeof(root), "%s", tmptree_path("sys"));
	assert_int_equal(sysctl_read(root, &info), 0);
	assert_int_equal(info.val[SYSCTL_MAX], 262144);
	assert_int_equal(info.val[SYSCTL_COUNT], 17);
	assert_int_equal(info.val[SYSCTL_TCP_TIMEOUT_TIME_WAIT], 120);
	assert_true(info.val[SYSCTL_BUCKETS] == SYSCTL_ABSENT);
	assert_true(info.val[SYSCTL_UDP_TIMEOUT] == SYSCTL_ABSENT);
	assert_int_equal(info.port_range_lo, 32768);
	assert_int_equal(info.port_range_hi, 60999);
	assert_string_equal(sysctl_name(SYSCTL_BUCKETS), "nf_conntrack_buckets");
	assert_int_equal(sysctl_read("/nonexistent-natscope", &info), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_sysctls),
	};
	return cmocka_run_group_tests(tests, tmptree_setup, tmptree_teardown);
}
