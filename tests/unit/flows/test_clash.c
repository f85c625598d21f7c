/* Likely clash attribution on constructed intervals. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>

#include <cmocka.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_tcp.h>

#include "flows/clash.h"

/* A constructed episode: the busiest group fed by two sources is the likely place. */
static void clash_picks_the_right_group(void **state)
{
	struct clash *c;
	struct ct_flow f;
	const struct clash_episode *ep;

	assert_int_equal(clash_new(&c), 0);
	memset(&f, 0, sizeof(f));
	f.family = AF_INET;
	f.l4proto = IPPROTO_UDP;
	f.reply.dst.a32[0] = inet_addr("198.51.100.1"); /* post-NAT source */
	f.reply.src.a32[0] = inet_addr("203.0.113.9");
	for (int i = 0; i < 300; i++) {
		/* A: port 53, 100 flows from each of two sources */
		f.reply.sport = 53;
		f.orig.src.a32[0] = htonl(0x0a000001 + (i & 1));
		f.reply.dport = (uint16_t)(2000 + i);
		if (i < 200)
			clash_new_flow(c, &f);
		/* B: port 443, 300 flows from one source: busiest, but no race */
		f.reply.sport = 443;
		f.orig.src.a32[0] = htonl(0x0a000009);
		clash_new_flow(c, &f);
		/* C: port 123, 25 flows from each of two sources */
		if (i < 50) {
			f.reply.sport = 123;
			f.orig.src.a32[0] = htonl(0x0a000001 + (i & 1));
			clash_new_flow(c, &f);
		}
	}
	/* not SNAT'd: never grouped */
	f.reply.dst = f.orig.src;
	f.reply.dport = f.orig.sport;
	clash_new_flow(c, &f);

	assert_false(clash_close_interval(c, 10.0, 0)); /* nothing failed: no episode */
	assert_int_equal(clash_nepisodes(c), 0);
	/* the interval was reset: nothing qualifies now */
	assert_false(clash_close_interval(c, 11.0, 3));

	for (int i = 0; i < 200; i++) {
		f.reply.dst.a32[0] = inet_addr("198.51.100.1");
		f.reply.sport = i < 100 ? 53 : 123;
		f.orig.src.a32[0] = htonl(0x0a000001 + (i & 1));
		f.reply.dport = (uint16_t)(3000 + i);
		clash_new_flow(c, &f);
		if (i < 120) {
			f.reply.sport = 53;
			clash_new_flow(c, &f);
		}
	}
	assert_true(clash_close_interval(c, 12.0, 5));
	assert_int_equal(clash_nepisodes(c), 1);
	ep = clash_episode(c, 0);
	assert_true(ep->time == 12.0);
	assert_int_equal(ep->insert_failed, 5);
	assert_int_equal(ep->ngroups, 2);
	assert_int_equal(ep->groups[0].key.dport, 53);
	assert_int_equal(ep->groups[0].new_flows, 220);
	assert_int_equal(ep->groups[0].sources, 2);
	assert_int_equal(ep->groups[1].key.dport, 123);
	assert_int_equal(ep->groups[1].new_flows, 100);
	assert_int_equal(ep->groups[0].key.snat_src.a32[0], inet_addr("198.51.100.1"));
	clash_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(clash_picks_the_right_group),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
