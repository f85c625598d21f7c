/*
 * The table by attached network: networks with their Docker names (from made-up
 * config.v2.json files), the longest prefix, and which end of a flow decides.
 */
#include "config.h"

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <linux/netfilter/nf_conntrack_common.h>

#include "flows/bynet.h"
#include "host/localnet.h"

#include "tmptree.h"

static void add4(struct localnets *m, const char *a, uint8_t plen, const char *ifname)
{
	uint8_t x[4];

	assert_int_equal(inet_pton(AF_INET, a, x), 1);
	assert_int_equal(localnets_add(m, AF_INET, x, plen, ifname), 0);
}

static union ct_addr ip4(const char *s)
{
	union ct_addr a = { 0 };

	assert_int_equal(inet_pton(AF_INET, s, a.a8), 1);
	return a;
}

static void networks_named(void **state)
{
	static const char cfg[] =
		"{\"Name\":\"/web\",\"NetworkSettings\":{\"Networks\":{"
		"\"shop\":{\"Gateway\":\"172.20.0.1\",\"IPAddress\":\"172.20.0.2\"},"
		"\"bridge\":{\"Gateway\":\"172.17.0.1\",\"IPv6Gateway\":\"\"}}}}";
	struct container_roots r = { .ndocker = 1 };
	struct localnets m = { 0 };
	union ct_addr a;
	char buf[128];

	add4(&m, "172.17.0.1", 16, "docker0");
	add4(&m, "172.20.0.1", 16, "br-0123456789ab");
	add4(&m, "10.244.0.1", 24, "cni0");
	add4(&m, "10.244.0.9", 24, "cni0");  /* the same network again */
	add4(&m, "172.20.5.1", 24, "vlan5"); /* inside shop's: the longer prefix wins */
	assert_int_equal(m.n, 4);
	tmptree_put("docker/containers/abc/config.v2.json", cfg, sizeof(cfg) - 1);
	tmptree_put("docker/containers/broken/config.v2.json", "{", 1);
	snprintf(r.docker[0], sizeof(r.docker[0]), "%s", tmptree_path("docker"));
	localnets_name_docker_roots(&m, &r);
	assert_string_equal(localnet_label(&m.v[0], buf, sizeof(buf)),
			    "docker:bridge (docker0) 172.17.0.0/16");
	assert_string_equal(localnet_label(&m.v[1], buf, sizeof(buf)),
			    "docker:shop (br-0123456789ab) 172.20.0.0/16");
	assert_string_equal(localnet_label(&m.v[2], buf, sizeof(buf)), "cni0 10.244.0.0/24");
	a = ip4("172.20.0.7");
	assert_int_equal(localnets_find(&m, AF_INET, &a), 1);
	a = ip4("172.20.5.7");
	assert_int_equal(localnets_find(&m, AF_INET, &a), 3);
	a = ip4("192.0.2.1");
	assert_int_equal(localnets_find(&m, AF_INET, &a), -1);
	localnets_release(&m);
}

static void flow(struct ct_flow *f, const char *src, const char *dst, const char *rsrc,
		 const char *rdst)
{
	memset(f, 0, sizeof(*f));
	f->family = AF_INET;
	f->l4proto = IPPROTO_TCP;
	f->status = IPS_CONFIRMED | IPS_SEEN_REPLY;
	f->orig.src = ip4(src);
	f->orig.dst = ip4(dst);
	f->reply.src = ip4(rsrc);
	f->reply.dst = ip4(rdst);
	f->orig.sport = f->reply.dport = 40000;
	f->orig.dport = f->reply.sport = 80;
}

static void flows_by_inside_end(void **state)
{
	struct localnets m = { 0 };
	struct bynet b;
	struct ct_flow f;
	size_t order[3];

	add4(&m, "172.17.0.1", 16, "docker0");
	add4(&m, "10.244.0.1", 24, "cni0");
	assert_int_equal(bynet_init(&b, &m), 0);
	/* a container reaching out, masqueraded: its source decides */
	flow(&f, "172.17.0.2", "198.51.100.9", "198.51.100.9", "192.0.2.1");
	f.status |= IPS_SRC_NAT;
	f.status &= ~IPS_SEEN_REPLY;
	bynet_add(&b, &f);
	/* a published port: the client is outside, the DNAT target is in cni0 */
	flow(&f, "198.51.100.7", "192.0.2.1", "10.244.0.5", "198.51.100.7");
	f.status |= IPS_DST_NAT;
	bynet_add(&b, &f);
	flow(&f, "198.51.100.7", "192.0.2.1", "10.244.0.6", "198.51.100.7");
	f.status |= IPS_DST_NAT;
	bynet_add(&b, &f);
	/* no NAT, the destination on docker0 */
	flow(&f, "192.0.2.1", "172.17.0.3", "172.17.0.3", "192.0.2.1");
	bynet_add(&b, &f);
	/* nothing attached */
	flow(&f, "192.0.2.1", "198.51.100.1", "198.51.100.1", "192.0.2.1");
	bynet_add(&b, &f);

	assert_int_equal(b.nrows, 3);
	assert_int_equal(b.rows[0].entries, 2);
	assert_int_equal(b.rows[0].snat, 1);
	assert_int_equal(b.rows[0].unreplied, 1);
	assert_int_equal(b.rows[1].entries, 2);
	assert_int_equal(b.rows[1].dnat, 2);
	assert_int_equal(b.rows[2].entries, 1);
	bynet_order(&b, order);
	assert_int_equal(order[0], 0); /* ties keep the interface order */
	assert_int_equal(order[1], 1);
	assert_int_equal(order[2], 2);
	bynet_release(&b);
	localnets_release(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(networks_named, tmptree_setup, tmptree_teardown),
		cmocka_unit_test(flows_by_inside_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
