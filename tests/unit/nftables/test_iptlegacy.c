/*
 * The legacy reader's shared half, without a kernel: matches and targets decoded from
 * their blobs as x_tables stores them, the iptables-legacy-save text, hairpin rules, and
 * the source-NAT rules reached from POSTROUTING through user chains.
 */
#include "config.h"

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/xt_tcpudp.h>

#include "nftables/iptlegacy.h"

static struct iptlegacy_rule v4(const char *chain, const char *src, int slen, const char *dst,
				int dlen)
{
	struct iptlegacy_rule r = { .family = NFPROTO_IPV4, .num = 1 };

	strcpy(r.chain, chain);
	if (src) {
		inet_pton(AF_INET, src, r.src);
		memset(r.smsk, 0xff, (size_t)slen / 8);
	}
	if (dst) {
		inet_pton(AF_INET, dst, r.dst);
		memset(r.dmsk, 0xff, (size_t)dlen / 8);
	}
	return r;
}

static void render_and_hairpin(void **state)
{
	struct iptlegacy_rule r = v4("POSTROUTING", "172.17.0.0", 16, NULL, 0);
	struct xt_tcp tcp = { .spts = { 0, 0xffff }, .dpts = { 80, 80 } };
	struct nf_nat_ipv4_multi_range_compat mr = { .rangesize = 1 };
	char text[256];

	strcpy(r.outiface, "docker0");
	r.inv_out = true;
	iptlegacy_target(&r, "MASQUERADE", 0, &mr, sizeof(mr));
	iptlegacy_render(&r, text, sizeof(text));
	assert_string_equal(text, "-s 172.17.0.0/16 ! -o docker0 -j MASQUERADE");
	assert_true(r.have_range);
	assert_false(iptlegacy_hairpin(&r));

	r = v4("POSTROUTING", "172.17.0.2", 32, "172.17.0.2", 32);
	r.proto = 6;
	iptlegacy_match(&r, "tcp", &tcp, sizeof(tcp));
	mr.range[0].flags = NF_NAT_RANGE_PROTO_RANDOM_FULLY;
	iptlegacy_target(&r, "MASQUERADE", 0, &mr, sizeof(mr));
	iptlegacy_render(&r, text, sizeof(text));
	assert_string_equal(text, "-s 172.17.0.2/32 -d 172.17.0.2/32 -p tcp -m tcp --dport 80 "
				  "-j MASQUERADE --random-fully");
	assert_true(iptlegacy_hairpin(&r));
	r.inv_dst = true; /* ! -d C: everything but itself */
	assert_false(iptlegacy_hairpin(&r));

	/* a match natscope does not decode is named; a cut blob decodes nothing */
	r = v4("POSTROUTING", NULL, 0, NULL, 0);
	iptlegacy_match(&r, "addrtype", "\0\0\0\0", 4);
	iptlegacy_match(&r, "tcp", &tcp, 3);
	iptlegacy_target(&r, "SNAT", 0, &mr, 5);
	iptlegacy_render(&r, text, sizeof(text));
	assert_string_equal(text, "-m addrtype -m tcp -j SNAT");
	assert_false(r.have_range);
	assert_false(r.have_dport);
	/* a name without its NUL is cut at the extension name limit */
	r = v4("POSTROUTING", NULL, 0, NULL, 0);
	iptlegacy_target(&r, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 0, NULL, 0);
	assert_int_equal(strlen(r.target), XT_EXTENSION_MAXNAMELEN);
	/* a short buffer is cut, never overrun */
	r = v4("POSTROUTING", "10.0.0.0", 8, NULL, 0);
	iptlegacy_render(&r, text, 8);
	assert_true(strlen(text) < 8);
}

static void ipv6_text(void **state)
{
	struct iptlegacy_rule r = { .family = NFPROTO_IPV6 };
	char text[128];

	inet_pton(AF_INET6, "fd00::", r.src);
	memset(r.smsk, 0xff, 8);
	strcpy(r.target, "MASQUERADE");
	iptlegacy_render(&r, text, sizeof(text));
	assert_string_equal(text, "-s fd00::/64 -j MASQUERADE");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(render_and_hairpin),
		cmocka_unit_test(ipv6_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
