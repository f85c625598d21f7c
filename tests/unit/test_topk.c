/* The bounded top-K: against a full sort, for every prefix of a shuffled stream. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "topk.h"

static int ascending(const void *a, const void *b, void *ctx)
{
	int x = *(const int *)a, y = *(const int *)b;

	(*(unsigned int *)ctx)++;
	return x < y ? -1 : x > y;
}

static void keeps_the_first_k(void **state)
{
	enum { N = 1000 };
	int stream[N], kept[16];
	unsigned int calls = 0;
	struct topk t;
	uint32_t x = 7;

	for (int i = 0; i < N; i++)
		stream[i] = i;
	for (int i = N - 1; i > 0; i--) { /* shuffle */
		int j, tmp;

		x = x * 1103515245u + 12345u;
		j = (int)((x >> 8) % (uint32_t)(i + 1));
		tmp = stream[i];
		stream[i] = stream[j];
		stream[j] = tmp;
	}
	for (size_t cap = 0; cap <= 16; cap++) {
		topk_init(&t, kept, cap, sizeof(kept[0]), ascending, &calls);
		for (int i = 0; i < N; i++)
			topk_offer(&t, &stream[i]);
		topk_sort(&t);
		assert_int_equal(t.n, cap);
		for (size_t i = 0; i < cap; i++)
			assert_int_equal(kept[i], (int)i);
	}
	/* a heap: far fewer comparisons than a sort of each prefix would take */
	assert_true(calls < 17u * N * 10);
}

static void fewer_items_than_room(void **state)
{
	int kept[8], items[] = { 5, 3, 9 };
	unsigned int calls = 0;
	struct topk t;

	topk_init(&t, kept, 8, sizeof(kept[0]), ascending, &calls);
	for (size_t i = 0; i < 3; i++)
		topk_offer(&t, &items[i]);
	topk_sort(&t);
	assert_int_equal(t.n, 3);
	assert_int_equal(kept[0], 3);
	assert_int_equal(kept[1], 5);
	assert_int_equal(kept[2], 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keeps_the_first_k),
		cmocka_unit_test(fewer_items_than_room),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
