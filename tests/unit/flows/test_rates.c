/* Per-second rates over sliding windows of statistics samples. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "flows/rates.h"

static void sample(struct rates *r, double t, uint64_t failed)
{
	struct ct_cpu_stats cpu = { .cpu = 0 };
	struct ct_stats st = { .ncpu = 1, .cpu = &cpu };

	cpu.val[CT_STAT_INSERT_FAILED] = failed;
	rates_push(r, t, &st);
}

static void windows(void **state)
{
	static struct rates r;
	double v;

	rates_init(&r);
	assert_false(rates_get(&r, CT_STAT_INSERT_FAILED, 1, &v)); /* one sample: no rate */
	/* 10 per second for 60 s, then 100 per second for 10 s */
	for (int t = 0; t <= 60; t++)
		sample(&r, t, (uint64_t)t * 10);
	for (int t = 61; t <= 70; t++)
		sample(&r, t, 600 + (uint64_t)(t - 60) * 100);
	assert_true(rates_get(&r, CT_STAT_INSERT_FAILED, 1, &v));
	assert_true(v == 100);
	assert_true(rates_get(&r, CT_STAT_INSERT_FAILED, 10, &v));
	assert_true(v == 100);
	assert_true(rates_get(&r, CT_STAT_INSERT_FAILED, 60, &v));
	assert_true(v > 24.9 && v < 25.1); /* (1600 - 100) / 60 */
	/* a shrinking total (a CPU went offline) is no negative rate */
	sample(&r, 71, 5);
	assert_true(rates_get(&r, CT_STAT_INSERT_FAILED, 1, &v));
	assert_true(v == 0);
	assert_false(rates_get(&r, CT_STATS_NATTR, 1, &v));
}

/* More samples than the ring holds: the oldest give way, windows stay right. */
static void ring_wraps(void **state)
{
	static struct rates r;
	double v;

	rates_init(&r);
	for (int t = 0; t < 3 * RATES_SAMPLES; t++)
		sample(&r, t * 0.5, (uint64_t)t);
	assert_true(rates_get(&r, CT_STAT_INSERT_FAILED, 10, &v));
	assert_true(v == 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(windows),
		cmocka_unit_test(ring_wraps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
