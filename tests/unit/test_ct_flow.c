/* The flow value type: NAT kind, SNAT key, names, text line. */
#include "config.h"

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>

#include <cmocka.h>

#include "ct_flow.h"
#include "netlink/ct_parse.h"

#include "ctmsg.h"
#include "entries.h"

static char buf[8192];

static void parse(size_t i, struct ct_flow *f)
{
	assert_int_equal(ct_parse_msg(ctmsg_build(buf, sizeof(buf), &test_entries[i]), f), 0);
}

static void classifies_nat_kind(void **state)
{
	static const enum ct_nat_kind want[TEST_NENTRIES] = {
		CT_NAT_NONE, CT_NAT_SNAT, CT_NAT_SNAT, CT_NAT_SNAT,
		CT_NAT_SNAT, CT_NAT_DNAT, CT_NAT_BOTH,
	};
	struct ct_flow f;

	for (size_t i = 0; i < TEST_NENTRIES; i++) {
		parse(i, &f);
		assert_int_equal(ct_flow_nat_kind(&f), want[i]);
	}
}

/* The SNAT key is the reply tuple seen from the NAT address, for SNAT'd flows only. */
static void snat_key_from_the_reply_tuple(void **state)
{
	struct ct_snat_key a, b, c;
	struct ct_flow f;

	parse(0, &f);
	assert_false(ct_flow_snat_key(&f, &a)); /* no NAT */
	parse(5, &f);
	assert_false(ct_flow_snat_key(&f, &a)); /* DNAT only */
	parse(2, &f);
	assert_true(ct_flow_snat_key(&f, &a));
	assert_int_equal(a.family, AF_INET);
	assert_int_equal(a.l4proto, IPPROTO_UDP);
	assert_int_equal(a.dport, 53);
	assert_int_equal(a.snat_src.a32[0], inet_addr("198.51.100.1"));
	assert_int_equal(a.dst.a32[0], inet_addr("203.0.113.9"));
	/* another source, same destination and NAT address: the same group */
	parse(3, &f);
	assert_true(ct_flow_snat_key(&f, &b));
	assert_true(ct_snat_key_eq(&a, &b));
	assert_int_equal(ct_snat_key_hash(&a), ct_snat_key_hash(&b));
	/* hairpin: both NAT kinds, its own group */
	parse(6, &f);
	assert_true(ct_flow_snat_key(&f, &c));
	assert_false(ct_snat_key_eq(&a, &c));
	c = a;
	c.dport = 54;
	assert_false(ct_snat_key_eq(&a, &c));
}

static void names(void **state)
{
	assert_string_equal(ct_flow_proto_name(IPPROTO_TCP), "tcp");
	assert_null(ct_flow_proto_name(250));
	assert_int_equal(ct_flow_proto_by_name("UDP"), IPPROTO_UDP);
	assert_int_equal(ct_flow_proto_by_name("icmpv6"), IPPROTO_ICMPV6);
	assert_int_equal(ct_flow_proto_by_name("nosuch"), -1);
	assert_string_equal(ct_flow_tcp_state_name(7), "TIME_WAIT");
	assert_string_equal(ct_flow_tcp_state_name(99), "UNKNOWN");
	assert_string_equal(ct_flow_nat_kind_name(CT_NAT_BOTH), "both");
}

static void one_line(void **state)
{
	struct ct_flow f;
	char line[256];

	parse(1, &f);
	ct_flow_line(&f, line, sizeof(line));
	assert_string_equal(
		line, "tcp   192.168.1.5:50000 203.0.113.9:443 198.51.100.1:50000 TIME_WAIT snat");
	/* cut, never overrun */
	ct_flow_line(&f, line, 10);
	assert_int_equal(strlen(line), 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(classifies_nat_kind),
		cmocka_unit_test(snat_key_from_the_reply_tuple),
		cmocka_unit_test(names),
		cmocka_unit_test(one_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
