/* The flows filter of top: what each kind of word matches, negation, and the limits. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "top/flow_filter.h"
#include "top/topdata.h"

/* 10.1.2.3:40000 -> 203.0.113.9:443 over TCP, masqueraded to 198.51.100.1:61000. */
static struct ct_flow snat_flow(void)
{
	struct ct_flow f = { .id = 1, .family = AF_INET, .l4proto = IPPROTO_TCP };

	f.has_tcp_state = true;
	f.tcp_state = 3; /* ESTABLISHED */
	f.orig.src.a32[0] = inet_addr("10.1.2.3");
	f.orig.dst.a32[0] = inet_addr("203.0.113.9");
	f.reply.src = f.orig.dst;
	f.reply.dst.a32[0] = inet_addr("198.51.100.1");
	f.orig.sport = 40000;
	f.orig.dport = f.reply.sport = 443;
	f.reply.dport = 61000;
	return f;
}

static bool matches(const char *filter, const struct ct_flow *f)
{
	struct flow_filter fl;

	assert_int_equal(flow_filter_parse(filter, &fl), 0);
	return flow_filter_match(&fl, f);
}

static void words_by_kind(void **state)
{
	struct ct_flow f = snat_flow();

	assert_true(matches(NULL, &f));
	assert_true(matches("", &f));
	/* addresses: any of the four, exact or by prefix */
	assert_true(matches("10.1.2.3", &f));
	assert_false(matches("10.1.2.30", &f));
	assert_true(matches("10.1.0.0/16", &f));
	assert_true(matches("10.1.2.2/31", &f));
	assert_false(matches("10.1.2.4/31", &f));
	assert_true(matches("198.51.100.0/24", &f)); /* the post-NAT source */
	assert_true(matches("0.0.0.0/0", &f));
	assert_false(matches("2001:db8::/32", &f)); /* another family */
	/* ports: any of them, but a port is a whole number, not a substring */
	assert_true(matches("443", &f));
	assert_true(matches("61000", &f));
	assert_false(matches("44", &f));
	/* protocol, state, NAT kind, in any case */
	assert_true(matches("tcp", &f));
	assert_true(matches("TCP", &f));
	assert_false(matches("udp", &f));
	assert_true(matches("established", &f));
	assert_false(matches("TIME_WAIT", &f));
	assert_true(matches("snat", &f));
	assert_false(matches("dnat", &f));
	/* anything else is text of the line */
	assert_true(matches("3:40000", &f));
	assert_false(matches("10.1.2.3/99", &f)); /* not a prefix: text, not in the line */
}

static void words_combine(void **state)
{
	struct ct_flow f = snat_flow();
	struct flow_filter fl;

	assert_true(matches("tcp 443 10.0.0.0/8", &f));
	assert_false(matches("tcp 80", &f));
	assert_true(matches("!udp", &f));
	assert_false(matches("!10.0.0.0/8", &f));
	assert_true(matches("  tcp\t!time_wait  ", &f));
	assert_int_equal(flow_filter_parse("a b c d e f g h i", &fl), -EINVAL);
}

static void ipv6_prefixes(void **state)
{
	struct ct_flow f = snat_flow();

	f.family = AF_INET6;
	memset(&f.orig.src, 0, sizeof(f.orig.src));
	inet_pton(AF_INET6, "fd00:1::5", &f.orig.src);
	assert_true(matches("fd00:1::/32", &f));
	assert_true(matches("fd00:1::5", &f));
	assert_true(matches("fd00:1::4/127", &f));
	assert_false(matches("fd00:2::/32", &f));
	assert_false(matches("10.0.0.0/8", &f));
}

/* iptstate's one-sided words: src=, dst=, sport=, dport=, proto=. */
static void one_side(void **state)
{
	struct ct_flow f = snat_flow();

	assert_true(matches("src=10.1.0.0/16", &f));
	assert_false(matches("dst=10.1.0.0/16", &f));
	assert_true(matches("dst=203.0.113.9", &f));
	assert_false(matches("src=198.51.100.1", &f)); /* the NAT'd side is not the source */
	assert_true(matches("198.51.100.1", &f));      /* though any address matches it */
	assert_true(matches("sport=40000", &f));
	assert_false(matches("sport=443", &f));
	assert_true(matches("dport=443", &f));
	assert_true(matches("proto=tcp", &f));
	assert_false(matches("proto=udp", &f));
	assert_true(matches("src=", &f));     /* being typed: holds */
	assert_false(matches("src=web", &f)); /* not an address: holds for nothing */
	assert_true(matches("!dport=53", &f));
}

/* Text words also match who owns one of the flow's addresses. */
static void owners(void **state)
{
	struct ct_flow f = snat_flow();
	struct flow_filter fl;
	struct addrmap m = { 0 };
	uint8_t a[4];

	inet_pton(AF_INET, "10.1.2.3", a);
	assert_int_equal(addrmap_add(&m, AF_INET, a, "docker:web-1"), 0);
	inet_pton(AF_INET, "10.9.9.9", a);
	assert_int_equal(addrmap_add(&m, AF_INET, a, "docker:db"), 0);
	assert_int_equal(flow_filter_parse("WEB-1", &fl), 0);
	assert_false(flow_filter_match(&fl, &f)); /* unbound: the line only */
	flow_filter_bind(&fl, &m);
	assert_true(flow_filter_match(&fl, &f));
	assert_int_equal(flow_filter_parse("db", &fl), 0);
	flow_filter_bind(&fl, &m);
	assert_false(flow_filter_match(&fl, &f));
	assert_int_equal(flow_filter_parse("!web", &fl), 0);
	flow_filter_bind(&fl, &m);
	assert_false(flow_filter_match(&fl, &f));
	addrmap_release(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(words_by_kind), cmocka_unit_test(one_side),
		cmocka_unit_test(owners),	 cmocka_unit_test(words_combine),
		cmocka_unit_test(ipv6_prefixes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
