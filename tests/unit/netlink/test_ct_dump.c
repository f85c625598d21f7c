/* The request that names one entry (lookup, delete), read back by libnetfilter_conntrack. */
#include "config.h"

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>

#include <cmocka.h>
#include <libmnl/libmnl.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "netlink/ct_dump.h"

static struct nf_conntrack *roundtrip(const struct ct_flow *f)
{
	static char buf[1024];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;
	struct nf_conntrack *ct = nfct_new();

	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = f->family;
	ct_dump_put_flow(nlh, f);
	assert_int_equal(nfct_nlmsg_parse(nlh, ct), 0);
	return ct;
}

static void names_an_ipv4_udp_entry(void **state)
{
	struct ct_flow f = { .id = 0xabcdef, .family = AF_INET, .l4proto = IPPROTO_UDP };
	struct nf_conntrack *ct;

	f.orig.src.a32[0] = inet_addr("10.0.0.1");
	f.orig.dst.a32[0] = inet_addr("203.0.113.9");
	f.orig.sport = 40000;
	f.orig.dport = 53;
	ct = roundtrip(&f);
	assert_int_equal(nfct_get_attr_u32(ct, ATTR_ORIG_IPV4_SRC), inet_addr("10.0.0.1"));
	assert_int_equal(nfct_get_attr_u32(ct, ATTR_ORIG_IPV4_DST), inet_addr("203.0.113.9"));
	assert_int_equal(nfct_get_attr_u8(ct, ATTR_ORIG_L4PROTO), IPPROTO_UDP);
	assert_int_equal(ntohs(nfct_get_attr_u16(ct, ATTR_ORIG_PORT_SRC)), 40000);
	assert_int_equal(ntohs(nfct_get_attr_u16(ct, ATTR_ORIG_PORT_DST)), 53);
	assert_int_equal(nfct_get_attr_u32(ct, ATTR_ID), 0xabcdef);
	nfct_destroy(ct);
}

static void names_ipv6_and_icmp_entries(void **state)
{
	struct ct_flow f = { .id = 5, .family = AF_INET6, .l4proto = IPPROTO_ICMPV6 };
	struct in6_addr src;
	struct nf_conntrack *ct;

	inet_pton(AF_INET6, "2001:db8::1", &f.orig.src);
	inet_pton(AF_INET6, "2001:db8::2", &f.orig.dst);
	f.orig.sport = f.orig.dport = 77; /* the echo id */
	ct = roundtrip(&f);
	inet_pton(AF_INET6, "2001:db8::1", &src);
	assert_memory_equal(nfct_get_attr(ct, ATTR_ORIG_IPV6_SRC), &src, 16);
	assert_int_equal(ntohs(nfct_get_attr_u16(ct, ATTR_ICMP_ID)), 77);
	assert_int_equal(nfct_get_attr_u8(ct, ATTR_ICMP_TYPE), 128); /* echo request */
	nfct_destroy(ct);

	f.family = AF_INET;
	f.l4proto = IPPROTO_ICMP;
	memset(&f.orig.src, 0, sizeof(f.orig.src));
	f.orig.src.a32[0] = inet_addr("10.0.0.1");
	ct = roundtrip(&f);
	assert_int_equal(nfct_get_attr_u8(ct, ATTR_ICMP_TYPE), 8);
	assert_int_equal(ntohs(nfct_get_attr_u16(ct, ATTR_ICMP_ID)), 77);
	nfct_destroy(ct);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_an_ipv4_udp_entry),
		cmocka_unit_test(names_ipv6_and_icmp_entries),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
