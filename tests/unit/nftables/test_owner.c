/* natscope's ownership mark: the whole comment, of a known version, with a valid scope. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <linux/netfilter.h>

#include "nftables/owner.h"
#include "nftables/ruleset.h"

#include "nftbuild.h"

static void parses_exactly(void **state)
{
	static const char *const refused[] = {
		"natscope-managed",	       /* the bare prefix */
		"natscope-managed v2 by hand", /* more after it (issue 9, item 15) */
		"natscope-managed v2x",
		"natscope-managed v3",		 /* a version this one does not know */
		"natscope-managed v2 ",		 /* trailing space */
		"natscope-managed v2  oif=eth0", /* two spaces */
		"natscope-managed v2 oif=",	 /* empty value */
		"natscope-managed v2 oif=a/b",	 /* not an interface name */
		"natscope-managed v2 oif=sixteen-bytes-xx",
		"natscope-managed v2 saddr=10.0.0.0/33",
		"natscope-managed v2 saddr=10.0.0.0/+8",
		"natscope-managed v2 saddr=10.0.0.0/8 oif=eth0", /* out of order */
		"natscope-managed v2 oif=eth0 oif=eth1",
		"natscope-managed v1",
		"natscope-managed v1 digest=0123",
		"natscope-managed v1 digest=0123456789ABCDEF", /* upper case */
		"Natscope-managed v2",
		/* the record: both of since and base, digits only, nothing after it */
		"natscope-managed v2 since=1",
		"natscope-managed v2 base=1 since=1",
		"natscope-managed v2 since=+1 base=1",
		"natscope-managed v2 since=01 base=1",
		"natscope-managed v2 since=1 base=18446744073709551616", /* 2^64 */
		"natscope-managed v2 since=1 base=1 ",
		"natscope-managed v2 since=1 base=1 before=1/2",
		"natscope-managed v2 since=1 base=1 before=1/2/3/4",
		"natscope-managed v2 since=1 base=1 before=1//3",
		"natscope-managed v2 since=1 base=1 before=1/2/3 x",
		"natscope-managed v1 digest=0123456789abcdef since=1 base=1",
		"natscope-managed v2 since=1 base=1 oif=eth0",
		"",
	};
	struct owner_mark m;

	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (owner_mark_parse(refused[i], &m) != -EINVAL)
			fail_msg("'%s' taken as natscope's mark", refused[i]);
	assert_int_equal(owner_mark_parse("natscope-managed v2", &m), 0);
	assert_int_equal(m.version, 2);
	assert_string_equal(m.oif, "");
	assert_int_equal(owner_mark_parse("natscope-managed v2 oif=eth0 saddr=fd00::/64", &m), 0);
	assert_string_equal(m.oif, "eth0");
	assert_string_equal(m.saddr, "fd00::/64");
	/* the marks of earlier versions are still natscope's */
	assert_int_equal(
		owner_mark_parse("natscope-managed v1 digest=0123456789abcdef saddr=10.1.0.0/16",
				 &m),
		0);
	assert_int_equal(m.version, 1);
	assert_string_equal(m.saddr, "10.1.0.0/16");
}

static void records(void **state)
{
	const struct owner_record r = { .have = true,
					.since = 1796000000,
					.base = UINT64_MAX,
					.have_before = true,
					.before_failed = 145,
					.before_new = 200000,
					.before_ms = 1000 };
	char buf[256];
	struct owner_mark m;

	assert_int_equal(owner_mark_format("eth0", NULL, &r, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "natscope-managed v2 oif=eth0 since=1796000000 "
				 "base=18446744073709551615 before=145/200000/1000");
	assert_int_equal(owner_mark_parse(buf, &m), 0);
	assert_string_equal(m.oif, "eth0");
	assert_true(m.rec.have && m.rec.have_before);
	assert_true(m.rec.since == r.since && m.rec.base == r.base);
	assert_true(m.rec.before_failed == 145 && m.rec.before_new == 200000 &&
		    m.rec.before_ms == 1000);
	/* a record without a sample before */
	assert_int_equal(
		owner_mark_parse("natscope-managed v2 saddr=10.0.0.0/8 since=0 base=7", &m), 0);
	assert_true(m.rec.have);
	assert_false(m.rec.have_before);
	assert_int_equal(m.rec.base, 7);
	/* the longest mark fits a table comment (NFT_USERDATA_MAXLEN, 256) */
	assert_int_equal(owner_mark_format("fifteen-bytes-x",
					   "ffff:ffff:ffff:ffff:ffff:ffff:"
					   "ffff:ffff/128",
					   &(struct owner_record){ .have = true,
								   .since = UINT64_MAX,
								   .base = UINT64_MAX,
								   .have_before = true,
								   .before_failed = UINT64_MAX,
								   .before_new = UINT64_MAX,
								   .before_ms = UINT64_MAX },
					   buf, sizeof(buf)),
			 0);
	assert_int_equal(owner_mark_parse(buf, &m), 0);
}

static void formats_what_it_parses(void **state)
{
	char buf[128];
	struct owner_mark m;

	assert_int_equal(owner_mark_format("wan0", "10.0.0.0/8", NULL, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "natscope-managed v2 oif=wan0 saddr=10.0.0.0/8");
	assert_int_equal(owner_mark_parse(buf, &m), 0);
	assert_int_equal(owner_mark_format(NULL, NULL, NULL, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "natscope-managed v2");
	assert_int_equal(owner_mark_format("a b", NULL, NULL, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(owner_mark_format("wan0", NULL, NULL, buf, 10), -ENOSPC);
}

static void tables(void **state)
{
	/* a comment attribute without its NUL (issue 9, item 5) */
	static const uint8_t no_nul[] = { 0,   19,  'n', 'a', 't', 's', 'c', 'o', 'p', 'e', '-',
					  'm', 'a', 'n', 'a', 'g', 'e', 'd', ' ', 'v', '2' };
	/* a record whose length runs past the user data (found by fuzz_nft_rules) */
	static const uint8_t past_end[] = { 0, 50, 'n', 'a' };
	struct ruleset *rs;
	struct owner_mark m;

	assert_int_equal(ruleset_new(&rs), 0);
	assert_int_equal(owner_of_table(rs, NFPROTO_IPV4, "natscope", &m), 0);
	nb_feed_table(rs, NFPROTO_IPV4, "natscope", "natscope-managed v2 oif=eth0");
	nb_feed_table(rs, NFPROTO_IPV6, "natscope", "natscope-managed v2 (not really)");
	nb_feed_table(rs, NFPROTO_INET, "natscope", NULL);
	nb_feed_table_udata(rs, NFPROTO_ARP, "natscope", no_nul, sizeof(no_nul));
	assert_int_equal(owner_of_table(rs, NFPROTO_IPV4, "natscope", &m), 1);
	assert_string_equal(m.oif, "eth0");
	assert_int_equal(owner_of_table(rs, NFPROTO_IPV6, "natscope", &m), -EEXIST);
	assert_int_equal(owner_of_table(rs, NFPROTO_INET, "natscope", NULL), -EEXIST);
	assert_null(ruleset_table_comment(rs, NFPROTO_ARP, "natscope"));
	assert_int_equal(owner_of_table(rs, NFPROTO_ARP, "natscope", NULL), -EEXIST);
	nb_feed_table_udata(rs, NFPROTO_BRIDGE, "natscope", past_end, sizeof(past_end));
	assert_null(ruleset_table_comment(rs, NFPROTO_BRIDGE, "natscope"));
	assert_int_equal(owner_of_table(rs, NFPROTO_BRIDGE, "natscope", NULL), -EEXIST);
	ruleset_free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_exactly),
		cmocka_unit_test(formats_what_it_parses),
		cmocka_unit_test(records),
		cmocka_unit_test(tables),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
