/* The conntrack entry parser against libnetfilter_conntrack's encoder and parser. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include <cmocka.h>
#include <libmnl/libmnl.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack_tcp.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "netlink/ct_parse.h"
#include "util.h"

#include "ctmsg.h"
#include "entries.h"

static char buf[8192];

static void parses_entries_and_skips_unknown_attr(void **state)
{
	struct ctmsg m = test_entries[1];
	struct ct_flow f;

	m.unknown_attr = true;
	assert_int_equal(ct_parse_msg(ctmsg_build(buf, sizeof(buf), &m), &f), 0);
	assert_int_equal(f.family, AF_INET);
	assert_int_equal(f.l4proto, IPPROTO_TCP);
	assert_true(f.has_tcp_state);
	assert_int_equal(f.tcp_state, TCP_CONNTRACK_TIME_WAIT);
	assert_int_equal(f.orig.sport, 50000);
	assert_int_equal(f.reply.sport, 443);
	assert_int_equal(f.timeout, 100);
	assert_int_equal(f.id, 77);
	assert_int_equal(f.orig.src.a32[0], inet_addr("192.168.1.5"));
	assert_int_equal(f.reply.dst.a32[0], inet_addr("198.51.100.1"));

	/* A UDP entry after a TCP one keeps nothing of it. */
	assert_int_equal(ct_parse_msg(ctmsg_build(buf, sizeof(buf), &test_entries[2]), &f), 0);
	assert_false(f.has_tcp_state);
	assert_int_equal(f.id, 77);
}

/* Our parser must read what libnetfilter_conntrack's own parser reads. */
static void agrees_with_libnetfilter_conntrack(void **state)
{
	for (size_t i = 0; i < TEST_NENTRIES; i++) {
		struct ctmsg m = test_entries[i];
		struct nf_conntrack *ct = nfct_new();
		struct nlmsghdr *nlh;
		struct ct_flow f;

		m.unknown_attr = true;
		nlh = ctmsg_build(buf, sizeof(buf), &m);
		assert_int_equal(ct_parse_msg(nlh, &f), 0);
		assert_int_equal(nfct_nlmsg_parse(nlh, ct), 0);
		assert_int_equal(f.l4proto, nfct_get_attr_u8(ct, ATTR_ORIG_L4PROTO));
		assert_int_equal(f.orig.src.a32[0], nfct_get_attr_u32(ct, ATTR_ORIG_IPV4_SRC));
		assert_int_equal(f.orig.dst.a32[0], nfct_get_attr_u32(ct, ATTR_ORIG_IPV4_DST));
		assert_int_equal(f.reply.src.a32[0], nfct_get_attr_u32(ct, ATTR_REPL_IPV4_SRC));
		assert_int_equal(f.reply.dst.a32[0], nfct_get_attr_u32(ct, ATTR_REPL_IPV4_DST));
		assert_int_equal(f.orig.sport, ntohs(nfct_get_attr_u16(ct, ATTR_ORIG_PORT_SRC)));
		assert_int_equal(f.orig.dport, ntohs(nfct_get_attr_u16(ct, ATTR_ORIG_PORT_DST)));
		assert_int_equal(f.reply.sport, ntohs(nfct_get_attr_u16(ct, ATTR_REPL_PORT_SRC)));
		assert_int_equal(f.reply.dport, ntohs(nfct_get_attr_u16(ct, ATTR_REPL_PORT_DST)));
		assert_int_equal(f.status, nfct_get_attr_u32(ct, ATTR_STATUS));
		assert_int_equal(f.timeout, nfct_get_attr_u32(ct, ATTR_TIMEOUT));
		assert_int_equal(f.id, nfct_get_attr_u32(ct, ATTR_ID));
		assert_int_equal(f.has_tcp_state, nfct_attr_is_set(ct, ATTR_TCP_STATE) > 0);
		if (f.has_tcp_state)
			assert_int_equal(f.tcp_state, nfct_get_attr_u8(ct, ATTR_TCP_STATE));
		nfct_destroy(ct);
	}
}

/* IPv6: 16-byte addresses travel whole. */
static void parses_ipv6(void **state)
{
	struct ctmsg m = {
		.family = AF_INET6,
		.proto = IPPROTO_UDP,
		.osrc = "fd00:1::5",
		.odst = "2001:db8::9",
		.osport = 5000,
		.odport = 443,
		.rsrc = "2001:db8::9",
		.rdst = "2001:db8:ffff::1",
		.rsport = 443,
		.rdport = 5000,
		.tcp_state = -1,
		.status = IPS_CONFIRMED | IPS_SRC_NAT,
	};
	struct in6_addr osrc, rdst;
	struct ct_flow f;

	inet_pton(AF_INET6, m.osrc, &osrc);
	inet_pton(AF_INET6, m.rdst, &rdst);
	assert_int_equal(ct_parse_msg(ctmsg_build(buf, sizeof(buf), &m), &f), 0);
	assert_int_equal(f.family, AF_INET6);
	assert_memory_equal(&f.orig.src, &osrc, 16);
	assert_memory_equal(&f.reply.dst, &rdst, 16);
	assert_int_equal(ct_flow_nat_kind(&f), CT_NAT_SNAT);
}

static void rejects_malformed_entries(void **state)
{
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;
	struct nlattr *tuple, *ip;
	struct ct_flow f;

	/* A status attribute of the wrong size. */
	nlh = ctmsg_build(buf, sizeof(buf), &test_entries[0]);
	mnl_attr_put_u16(nlh, CTA_STATUS, 1);
	assert_int_equal(ct_parse_msg(nlh, &f), -EBADMSG);

	/* An IPv4 address of the wrong size inside the nested tuple. */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_INET;
	tuple = mnl_attr_nest_start(nlh, CTA_TUPLE_ORIG);
	ip = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	mnl_attr_put_u16(nlh, CTA_IP_V4_SRC, 1);
	mnl_attr_nest_end(nlh, ip);
	mnl_attr_nest_end(nlh, tuple);
	assert_int_equal(ct_parse_msg(nlh, &f), -EBADMSG);

	/* No original tuple at all. */
	nlh = mnl_nlmsg_put_header(buf);
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	mnl_attr_put_u32(nlh, CTA_STATUS, 0);
	assert_int_equal(ct_parse_msg(nlh, &f), -EPROTO);

	/* Truncated: shorter than its nfgenmsg. */
	nlh = mnl_nlmsg_put_header(buf);
	assert_int_equal(ct_parse_msg(nlh, &f), -EBADMSG);
}

/*
 * Regression (issue 9, item 3): a message whose length is not aligned, ending a capture
 * record, with a last attribute that claims two bytes more than the message holds.  The
 * parser read up to MNL_ALIGN(nlmsg_len): past the record (ASan), and used the bytes
 * there as the attribute's value.  It must stop at nlmsg_len and call the message bad.
 */
static void never_reads_past_the_message(void **state)
{
	struct nlmsghdr *nlh = ctmsg_build(buf, sizeof(buf), &test_entries[0]);
	struct nlmsghdr *exact;
	struct ct_flow f;
	uint32_t len;

	/* ctmsg puts CTA_ID (8 bytes) last: cut the message inside it */
	len = nlh->nlmsg_len - 2;
	exact = malloc(len);
	assert_non_null(exact);
	memcpy(exact, nlh, len);
	exact->nlmsg_len = len;
	assert_int_equal(ct_parse_msg(exact, &f), -EBADMSG);
	free(exact);

	/* an unaligned length that only drops padding is fine */
	nlh = ctmsg_build(buf, sizeof(buf), &test_entries[0]);
	mnl_attr_put(nlh, CTA_MAX + 10, 2, "xy"); /* an unknown attribute, 2 bytes padded to 4 */
	len = nlh->nlmsg_len - 2;
	exact = malloc(len);
	memcpy(exact, nlh, len);
	exact->nlmsg_len = len;
	assert_int_equal(ct_parse_msg(exact, &f), 0);
	assert_int_equal(f.id, 77);
	free(exact);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_entries_and_skips_unknown_attr),
		cmocka_unit_test(agrees_with_libnetfilter_conntrack),
		cmocka_unit_test(rejects_malformed_entries),
		cmocka_unit_test(parses_ipv6),
		cmocka_unit_test(never_reads_past_the_message),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
