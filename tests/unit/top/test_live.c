/* The live loop's decision when to reconcile with a full dump. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "top/live.h"

/* Every `every` seconds, whatever the counts say; never while a dump runs. */
static void periodic(void **state)
{
	struct top_reconcile r = { .every = 60, .last = 100 };

	assert_false(top_reconcile_due(&r, 150, false, true, 0, 0.01));
	assert_false(top_reconcile_due(&r, 161, true, true, 0, 0.01)); /* one is running */
	assert_true(top_reconcile_due(&r, 161, false, true, 0, 0.01));
	assert_true(r.last == 161); /* the next period starts now */
	assert_false(top_reconcile_due(&r, 162, false, true, 0, 0.01));
}

/*
 * Early, when the model's count stays apart from the kernel's for three ticks (events the
 * kernel never sent), but no sooner than 5 s after the last dump and 20 dump costs.
 */
static void early_when_apart_and_still(void **state)
{
	struct top_reconcile r = { .every = 60, .last = 0 };
	double t = 10;

	assert_false(top_reconcile_due(&r, t++, false, true, 7, 0.01)); /* held 0 */
	assert_false(top_reconcile_due(&r, t++, false, true, 7, 0.01)); /* 1 */
	assert_false(top_reconcile_due(&r, t++, false, true, 7, 0.01)); /* 2 */
	assert_true(top_reconcile_due(&r, t++, false, true, 7, 0.01));	/* 3: due */
	assert_int_equal(r.held, 0);
	/* a moving difference is churn in flight, not loss */
	for (int64_t apart = 1; apart < 10; apart++)
		assert_false(top_reconcile_due(&r, t++, false, true, apart, 0.01));
	/* no difference: nothing to do */
	for (int i = 0; i < 10; i++)
		assert_false(top_reconcile_due(&r, t++, false, true, 0, 0.01));
	/* without the kernel's count, only the period applies */
	for (int i = 0; i < 10; i++)
		assert_false(top_reconcile_due(&r, t++, false, false, 7, 0.01));
}

static void spaced_by_what_a_dump_costs(void **state)
{
	struct top_reconcile r = { .every = 600, .last = 0 };
	double t;

	/* a dump that takes 2 s: early ones no more often than every 40 s */
	for (t = 1; t < 40; t++)
		assert_false(top_reconcile_due(&r, t, false, true, 5, 2.0));
	assert_true(top_reconcile_due(&r, 40, false, true, 5, 2.0));
	/* and never within 5 s of the last, however cheap */
	r = (struct top_reconcile){ .every = 600, .last = 0 };
	for (t = 1; t < 5; t++)
		assert_false(top_reconcile_due(&r, t, false, true, 5, 0.0));
	assert_true(top_reconcile_due(&r, 5, false, true, 5, 0.0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(periodic),
		cmocka_unit_test(early_when_apart_and_still),
		cmocka_unit_test(spaced_by_what_a_dump_costs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
