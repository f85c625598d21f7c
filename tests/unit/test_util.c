/* Number parsing, digits, growable arrays. */
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

#include <cmocka.h>

#include "util.h"

static void parses_numbers_strictly(void **state)
{
	double d;
	unsigned int u;

	assert_int_equal(util_parse_double("1.5", 0, 10, &d), 0);
	assert_true(d == 1.5);
	assert_int_equal(util_parse_double("0", 0, 10, &d), 0);
	assert_int_equal(util_parse_double("", 0, 10, &d), -EINVAL);
	assert_int_equal(util_parse_double("1s", 0, 10, &d), -EINVAL);
	assert_int_equal(util_parse_double("-1", 0, 10, &d), -EINVAL);
	assert_int_equal(util_parse_double("11", 0, 10, &d), -EINVAL);
	assert_int_equal(util_parse_double("nan", 0, 10, &d), -EINVAL);
	/* decimal only, no white space anywhere (issue 9, item 22) */
	assert_int_equal(util_parse_double("0x10", 0, 100, &d), -EINVAL);
	assert_int_equal(util_parse_double(" 1", 0, 10, &d), -EINVAL);
	assert_int_equal(util_parse_double("1 ", 0, 10, &d), -EINVAL);
	assert_int_equal(util_parse_double("1e1", 0, 100, &d), -EINVAL);
	assert_int_equal(util_parse_double("1..2", 0, 10, &d), -EINVAL);
	assert_int_equal(util_parse_double(".", 0, 10, &d), -EINVAL);
	assert_int_equal(util_parse_double(".5", 0, 10, &d), 0);
	assert_true(d == 0.5);
	assert_int_equal(util_parse_double("2.", 0, 10, &d), 0);
	assert_true(d == 2.0);
	assert_int_equal(util_parse_uint("42", 1, 100, &u), 0);
	assert_int_equal(u, 42);
	assert_int_equal(util_parse_uint("-1", 0, 100, &u), -EINVAL);
	assert_int_equal(util_parse_uint("0x10", 0, 100, &u), -EINVAL);
	assert_int_equal(util_parse_uint("101", 0, 100, &u), -EINVAL);
}

static void escapes_for_one_line(void **state)
{
	char buf[16];

	assert_string_equal(util_escape("eth0", buf, sizeof(buf)), "eth0");
	assert_string_equal(util_escape("a\nb", buf, sizeof(buf)), "a\\x0ab");
	assert_string_equal(util_escape("0123456789abcdefgh", buf, sizeof(buf)), "0123456789a...");
	assert_string_equal(util_escape("\x1b\x1b\x1b\x1b", buf, sizeof(buf)),
			    "\\x1b\\x1b\\x1b...");
}

static void digits_and_push(void **state)
{
	void **arr = NULL;
	size_t n = 0;
	int a, b;

	assert_true(util_all_digits("12345"));
	assert_false(util_all_digits(""));
	assert_false(util_all_digits("12a"));
	assert_false(util_all_digits("-1"));
	assert_int_equal(util_push(&arr, &n, &a), 0);
	assert_int_equal(util_push(&arr, &n, &b), 0);
	assert_int_equal(n, 2);
	assert_ptr_equal(arr[0], &a);
	assert_ptr_equal(arr[1], &b);
	free(arr);
	assert_true(util_now_mono() > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_numbers_strictly),
		cmocka_unit_test(escapes_for_one_line),
		cmocka_unit_test(digits_and_push),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
