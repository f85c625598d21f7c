/* The cells of the live view: middle truncation, endpoints, counts, bars, histories. */
#include "config.h"

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>

#include <cmocka.h>

#include "top/tui_fmt.h"

static void fit_keeps_both_ends(void **state)
{
	char b[64];

	assert_string_equal(tui_fmt_fit("10.0.0.1:80", 20, b, sizeof(b)), "10.0.0.1:80");
	/* the network part and the port survive */
	assert_string_equal(tui_fmt_fit("[2001:db8:50::2]:44096", 15, b, sizeof(b)),
			    "[2001:d~]:44096");
	assert_int_equal(strlen(tui_fmt_fit("198.18.200.200:44096", 9, b, sizeof(b))), 9);
	assert_string_equal(tui_fmt_fit("abcdef", 2, b, sizeof(b)), "ab");
}

static void endpoints(void **state)
{
	union ct_addr a = { 0 };
	char b[80];

	inet_pton(AF_INET6, "2001:db8:50::2", a.a8);
	assert_string_equal(tui_fmt_endpoint(AF_INET6, IPPROTO_TCP, &a, 80, 40, b, sizeof(b)),
			    "[2001:db8:50::2]:80");
	assert_string_equal(tui_fmt_endpoint(AF_INET6, IPPROTO_ICMPV6, &a, 0, 40, b, sizeof(b)),
			    "2001:db8:50::2");
	memset(&a, 0, sizeof(a));
	inet_pton(AF_INET, "224.0.0.1", a.a8);
	assert_string_equal(tui_fmt_endpoint(AF_INET, IPPROTO_IGMP, &a, 0, 40, b, sizeof(b)),
			    "224.0.0.1");
	assert_string_equal(ct_flow_proto_label(IPPROTO_IGMP, b, sizeof(b)), "igmp");
	assert_string_equal(ct_flow_proto_label(253, b, sizeof(b)), "proto-253");
}

static void counts_ttls_bars(void **state)
{
	char b[32];

	assert_string_equal(tui_fmt_count(999, b, sizeof(b)), "999");
	assert_string_equal(tui_fmt_count(12345, b, sizeof(b)), "12.3K");
	assert_string_equal(tui_fmt_count(999999, b, sizeof(b)), "1.0M");
	assert_string_equal(tui_fmt_ttl(59, b, sizeof(b)), "59s");
	assert_string_equal(tui_fmt_ttl(3599, b, sizeof(b)), "59m59s");
	assert_string_equal(tui_fmt_ttl(86400 + 3600, b, sizeof(b)), "1d01h");
	assert_string_equal(tui_fmt_bar(0.5, 10, b, sizeof(b)), "|||||     ");
	assert_string_equal(tui_fmt_bar(2, 4, b, sizeof(b)), "||||");
	assert_string_equal(tui_fmt_bar(-1, 4, b, sizeof(b)), "    ");
}

static void history_rows(void **state)
{
	static const double v[] = { 0, 1, 2, 4, 8 };
	char r0[8], r1[8], *rows[2] = { r0, r1 };

	/* 6 columns, 5 values: the newest at the right edge, the first column empty */
	tui_fmt_history(v, 5, 8, 6, 2, rows);
	assert_string_equal(r1, "  .:##");
	assert_string_equal(r0, "     #");
	/* a tiny value still shows; nothing at all stays blank */
	tui_fmt_history(v, 2, 1000, 3, 2, rows);
	assert_string_equal(r1, "  .");
	assert_string_equal(r0, "   ");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fit_keeps_both_ends),
		cmocka_unit_test(endpoints),
		cmocka_unit_test(counts_ttls_bars),
		cmocka_unit_test(history_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
