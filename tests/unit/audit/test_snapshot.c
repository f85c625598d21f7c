/* Deltas and rates between the two statistics samples of an audit. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "audit/snapshot.h"

#include "fixture.h"

static void deltas_and_rates(void **state)
{
	struct snapshot s;

	fixture_snapshot(&s);
	fixture_counter(&s, 0, CT_STAT_DROP, 100, 150);
	fixture_counter(&s, 1, CT_STAT_DROP, 10, 40);
	assert_int_equal(snapshot_delta(&s, CT_STAT_DROP), 80);
	assert_true(snapshot_rate(&s, CT_STAT_DROP) == 80 / s.interval);
	assert_true(snapshot_cpu_rate(&s, 1, CT_STAT_DROP) == 30 / s.interval);
	/* a counter that went backwards (CPU offline between samples) counts 0 */
	fixture_counter(&s, 1, CT_STAT_DROP, 40, 10);
	assert_int_equal(snapshot_delta(&s, CT_STAT_DROP), 50);
	/* one sample: no delta, no rate */
	s.interval = 0;
	assert_int_equal(snapshot_delta(&s, CT_STAT_DROP), 0);
	assert_true(snapshot_rate(&s, CT_STAT_DROP) == 0);
	assert_true(snapshot_cpu_rate(&s, 0, CT_STAT_DROP) == 0);
	snapshot_release(&s);
}

static void count_and_max_fall_back_to_sysctl(void **state)
{
	struct snapshot s;

	snapshot_init(&s);
	assert_int_equal(snapshot_count(&s), -1);
	assert_int_equal(snapshot_max(&s), -1);
	s.sys.val[SYSCTL_COUNT] = 12;
	s.sys.val[SYSCTL_MAX] = 1000;
	assert_int_equal(snapshot_count(&s), 12);
	assert_int_equal(snapshot_max(&s), 1000);
	s.stats1.have_global = true;
	s.stats1.count = 13;
	s.stats1.max = 2000;
	assert_int_equal(snapshot_count(&s), 13);
	assert_int_equal(snapshot_max(&s), 2000);
	snapshot_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(deltas_and_rates),
		cmocka_unit_test(count_and_max_fall_back_to_sysctl),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
