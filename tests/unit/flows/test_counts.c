/* Flow counts: adding and taking away, the protocol walk, and their JSON. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cmocka.h>
#include <jansson.h>
#include <linux/netfilter/nf_conntrack_common.h>

#include "flows/counts.h"
#include "flows/counts_json.h"

static void adds_and_takes_away(void **state)
{
	struct flow_counts c = { 0 };
	struct ct_flow f = { .family = AF_INET6,
			     .l4proto = IPPROTO_TCP,
			     .has_tcp_state = true,
			     .tcp_state = 7,
			     .status = IPS_ASSURED };
	struct flow_class k;

	f.reply.dst.a8[0] = 1; /* SNAT'd, and unreplied */
	flow_class_of(&f, &k);
	flow_counts_add(&c, &k, 1);
	flow_counts_add(&c, &k, 1);
	assert_int_equal(c.total, 2);
	assert_int_equal(c.by_family[FLOW_IPV6], 2);
	assert_int_equal(c.by_proto[IPPROTO_TCP], 2);
	assert_int_equal(c.tcp_state[7], 2);
	assert_int_equal(c.assured, 2);
	assert_int_equal(c.unreplied, 2);
	assert_int_equal(c.nat_kind[CT_NAT_SNAT], 2);
	flow_counts_add(&c, &k, -1);
	flow_counts_add(&c, &k, -1);
	assert_int_equal(c.total, 0);
	assert_int_equal(c.tcp_state[7], 0);
	assert_int_equal(c.nat_kind[CT_NAT_SNAT], 0);
	/* an out-of-range state counts in the total, never past the array */
	k.tcp_state = 200;
	flow_counts_add(&c, &k, 1);
	assert_int_equal(c.total, 1);
	assert_int_equal(flow_family_of(AF_INET), FLOW_IPV4);
	assert_string_equal(flow_family_name(FLOW_FAMILY_OTHER), "other");
}

static void walks_protocols_with_entries(void **state)
{
	struct flow_counts c = { 0 };
	int seen[4], n = 0;

	c.by_proto[0] = 1;
	c.by_proto[IPPROTO_TCP] = 3;
	c.by_proto[IPPROTO_UDP] = 2;
	c.by_proto[255] = 1;
	for (int p = flow_counts_next_proto(&c, -1); p >= 0; p = flow_counts_next_proto(&c, p)) {
		assert_true(n < 4);
		seen[n++] = p;
	}
	assert_int_equal(n, 4);
	assert_int_equal(seen[0], 0);
	assert_int_equal(seen[1], IPPROTO_TCP);
	assert_int_equal(seen[2], IPPROTO_UDP);
	assert_int_equal(seen[3], 255);
}

static void as_json(void **state)
{
	struct flow_counts c = { 0 };
	json_t *o;
	char *s;

	c.by_proto[IPPROTO_UDP] = 2;
	c.by_proto[250] = 1;
	c.tcp_state[3] = 4;
	c.nat_kind[CT_NAT_DNAT] = 5;
	c.by_family[FLOW_IPV4] = 3;
	o = flow_counts_protocols_json(&c);
	/* every named protocol is there, 0 when absent; unnamed ones sum into "other" */
	assert_int_equal(json_integer_value(json_object_get(o, "udp")), 2);
	assert_int_equal(json_integer_value(json_object_get(o, "tcp")), 0);
	assert_non_null(json_object_get(o, "igmp"));
	assert_int_equal(json_integer_value(json_object_get(o, "other")), 1);
	assert_null(json_object_get(o, "250"));
	json_decref(o);
	o = flow_counts_tcp_states_json(&c);
	assert_int_equal(json_object_size(o), CT_TCP_STATES);
	assert_int_equal(json_integer_value(json_object_get(o, "ESTABLISHED")), 4);
	json_decref(o);
	o = flow_counts_nat_json(&c);
	s = json_dumps(o, JSON_COMPACT);
	assert_string_equal(s, "{\"none\":0,\"snat\":0,\"dnat\":5,\"both\":0}");
	free(s);
	json_decref(o);
	o = flow_counts_families_json(&c);
	s = json_dumps(o, JSON_COMPACT);
	assert_string_equal(s, "{\"ipv4\":3,\"ipv6\":0,\"other\":0}");
	free(s);
	json_decref(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(adds_and_takes_away),
		cmocka_unit_test(walks_protocols_with_entries),
		cmocka_unit_test(as_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
