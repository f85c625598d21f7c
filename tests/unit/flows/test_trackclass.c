/* What conntrack tracks, by whether it needs tracking: tunnels, bridge-local, loopback. */
#include "config.h"

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <linux/netfilter/nf_conntrack_common.h>

#include "flows/trackclass.h"
#include "host/localnet.h"

static struct ct_flow flow(uint8_t proto, const char *src, uint16_t sport, const char *dst,
			   uint16_t dport)
{
	struct ct_flow f = { .family = AF_INET, .l4proto = proto, .status = IPS_CONFIRMED };

	inet_pton(AF_INET, src, f.orig.src.a8);
	inet_pton(AF_INET, dst, f.orig.dst.a8);
	f.orig.sport = f.reply.dport = sport;
	f.orig.dport = f.reply.sport = dport;
	f.reply.src = f.orig.dst;
	f.reply.dst = f.orig.src;
	return f;
}

static void classes(void **state)
{
	struct localnets nets = { 0 };
	struct track_classes c = { 0 };
	struct ct_flow f;
	uint8_t a[4];
	int kind, net;

	inet_pton(AF_INET, "10.1.0.1", a);
	assert_int_equal(localnets_add(&nets, AF_INET, a, 24, "br0"), 0);
	f = flow(IPPROTO_UDP, "192.0.2.1", 40000, "192.0.2.2", 4789);
	assert_int_equal(track_class_of(&nets, &f, &kind, &net), TRACK_TUNNEL);
	assert_int_equal(kind, TUNNEL_VXLAN);
	f = flow(IPPROTO_UDP, "192.0.2.2", 8472, "192.0.2.1", 40000); /* the other way */
	assert_int_equal(track_class_of(&nets, &f, &kind, &net), TRACK_TUNNEL);
	assert_int_equal(kind, TUNNEL_FLANNEL);
	f = flow(IPPROTO_ESP, "192.0.2.1", 0, "192.0.2.2", 0);
	assert_int_equal(track_class_of(&nets, &f, &kind, &net), TRACK_TUNNEL);
	assert_int_equal(kind, TUNNEL_ESP);
	f = flow(IPPROTO_TCP, "127.0.0.1", 40000, "127.0.0.1", 80);
	assert_int_equal(track_class_of(&nets, &f, &kind, &net), TRACK_LOOPBACK);
	f = flow(IPPROTO_TCP, "10.1.0.2", 40000, "10.1.0.3", 80);
	assert_int_equal(track_class_of(&nets, &f, &kind, &net), TRACK_BRIDGE_LOCAL);
	assert_int_equal(net, 0);
	/* to the host's own address on the bridge: not bridged */
	f = flow(IPPROTO_TCP, "10.1.0.2", 40000, "10.1.0.1", 80);
	assert_int_equal(track_class_of(&nets, &f, &kind, &net), TRACK_OTHER);
	/* NAT'd: not bridge-local, whatever its ends */
	f = flow(IPPROTO_TCP, "10.1.0.2", 40000, "10.1.0.3", 80);
	f.status |= IPS_DST_NAT;
	f.reply.src.a8[3] = 9;
	assert_int_equal(track_class_of(&nets, &f, &kind, &net), TRACK_OTHER);
	/* without networks nothing is bridge-local */
	f = flow(IPPROTO_TCP, "10.1.0.2", 40000, "10.1.0.3", 80);
	assert_int_equal(track_class_of(NULL, &f, &kind, &net), TRACK_OTHER);

	/* counting, with counters */
	f = flow(IPPROTO_UDP, "192.0.2.1", 40000, "192.0.2.2", 4789);
	f.has_counters = true;
	f.packets[0] = 3, f.packets[1] = 2, f.bytes[0] = 300, f.bytes[1] = 200;
	track_classes_add(&c, &nets, &f);
	f = flow(IPPROTO_TCP, "10.1.0.2", 40000, "10.1.0.3", 80);
	track_classes_add(&c, &nets, &f);
	assert_int_equal(c.total, 2);
	assert_true(c.counters);
	assert_int_equal(c.row[TRACK_TUNNEL].entries, 1);
	assert_int_equal(c.row[TRACK_TUNNEL].bytes, 500);
	assert_int_equal(c.tunnel[TUNNEL_VXLAN].packets, 5);
	assert_int_equal(c.net[0].entries, 1);
	assert_int_equal(c.row[TRACK_BRIDGE_LOCAL].entries, 1);
	localnets_release(&nets);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(classes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
