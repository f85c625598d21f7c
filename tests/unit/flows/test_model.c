/* The live flow table: index, counts, IPv6 side table, mark and sweep. */
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

#include "flows/model.h"

/* Two live flows may share a conntrack id: they stay two flows. */
static void colliding_ids_stay_apart(void **state)
{
	struct model *m;
	struct ct_flow a, b;

	assert_int_equal(model_new(&m), 0);
	memset(&a, 0, sizeof(a));
	a.family = AF_INET;
	a.l4proto = IPPROTO_UDP;
	a.id = 0xdeadbeef;
	a.orig.sport = 1000;
	b = a;
	b.orig.sport = 1001;
	assert_int_equal(model_apply(m, CT_EVENT_NEW, &a), 0);
	assert_int_equal(model_apply(m, CT_EVENT_NEW, &b), 0);
	assert_int_equal(model_counts(m)->total, 2);
	assert_int_equal(model_apply(m, CT_EVENT_DESTROY, &a), 0);
	assert_true(model_has(m, &b));
	assert_false(model_has(m, &a));
	assert_int_equal(model_counts(m)->total, 1);
	model_free(m);
}

/* Heavy churn: the index (linear probing, backward-shift deletion) and the counts hold. */
static void model_survives_churn(void **state)
{
	enum { N = 200000 };
	static uint8_t live[N];
	struct model *m;
	struct ct_flow f;
	uint64_t expect = 0;
	uint32_t x = 12345;

	assert_int_equal(model_new(&m), 0);
	memset(&f, 0, sizeof(f));
	f.family = AF_INET;
	f.l4proto = IPPROTO_UDP;
	for (int step = 0; step < 1000000; step++) {
		uint32_t id;

		x = x * 1103515245u + 12345u;
		id = (x >> 8) % N;
		f.id = id * 2654435761u; /* spread like kernel ids, never 0 for id > 0 */
		if (live[id] && (x & 1)) {
			assert_int_equal(model_apply(m, CT_EVENT_DESTROY, &f), 0);
			live[id] = 0;
			expect--;
		} else if (!live[id]) {
			assert_int_equal(model_apply(m, CT_EVENT_NEW, &f), 0);
			live[id] = 1;
			expect++;
		}
		assert_true(model_has(m, &f) == (live[id] != 0));
	}
	assert_int_equal(model_counts(m)->total, expect);
	for (uint32_t id = 0; id < N; id++) {
		f.id = id * 2654435761u;
		assert_true(model_has(m, &f) == (live[id] != 0));
	}
	assert_true(model_flow_bytes() <= 64);
	model_free(m);
}

/* An IPv6 flow numbered @i: addresses that say which flow they belong to. */
static void v6_flow(struct ct_flow *f, uint32_t i)
{
	memset(f, 0, sizeof(*f));
	f->id = i * 7919u;
	f->family = AF_INET6;
	f->l4proto = IPPROTO_TCP;
	inet_pton(AF_INET6, "fd00::", &f->orig.src);
	inet_pton(AF_INET6, "2001:db8::53", &f->orig.dst);
	inet_pton(AF_INET6, "2001:db8:ffff::1", &f->reply.dst); /* post-NAT source */
	f->orig.src.a32[3] = htonl(i);
	f->reply.src = f->orig.dst;
	f->reply.dst.a32[2] = htonl(i);
	f->orig.sport = f->reply.dport = (uint16_t)(1024 + i % 60000);
	f->orig.dport = f->reply.sport = 443;
}

struct v6_check {
	uint32_t seen, v4;
	bool *present;
};

static int check_v6(const struct ct_flow *f, void *data)
{
	struct v6_check *c = data;
	struct ct_flow want;
	uint32_t i;

	if (f->family == AF_INET) {
		c->v4++;
		return 0;
	}
	i = ntohl(f->orig.src.a32[3]);
	v6_flow(&want, i);
	assert_true(c->present[i]);
	assert_memory_equal(&f->orig.src, &want.orig.src, 16);
	assert_memory_equal(&f->orig.dst, &want.orig.dst, 16);
	assert_memory_equal(&f->reply.dst, &want.reply.dst, 16);
	assert_memory_equal(&f->reply.src, &want.reply.src, 16);
	assert_int_equal(f->orig.sport, want.orig.sport);
	assert_int_equal(ct_flow_nat_kind(f), CT_NAT_SNAT);
	c->seen++;
	return 0;
}

/* IPv6 flows keep their four addresses through churn, updates and sweeps. */
static void model_keeps_ipv6_addresses(void **state)
{
	enum { N = 5000 };
	bool present[N] = { false };
	struct v6_check c = { .present = present };
	struct model *m;
	struct ct_flow f;
	uint32_t live = 0;

	assert_int_equal(model_new(&m), 0);
	for (uint32_t i = 0; i < N; i++) {
		v6_flow(&f, i);
		assert_int_equal(model_apply(m, CT_EVENT_NEW, &f), 0);
		present[i] = true;
		/* an IPv4 flow in between: the two kinds share the table */
		memset(&f, 0, sizeof(f));
		f.id = i;
		f.family = AF_INET;
		f.l4proto = IPPROTO_UDP;
		f.orig.src.a32[0] = htonl(0x0a000000 + i);
		f.reply.dst = f.orig.src;
		assert_int_equal(model_apply(m, CT_EVENT_NEW, &f), 0);
	}
	/* destroy every third IPv6 flow, update the others, then create new ones in the
	 * released slots */
	for (uint32_t i = 0; i < N; i++) {
		v6_flow(&f, i);
		if (i % 3 == 0) {
			assert_int_equal(model_apply(m, CT_EVENT_DESTROY, &f), 0);
			present[i] = false;
		} else {
			f.has_tcp_state = true;
			f.tcp_state = 3;
			assert_int_equal(model_apply(m, CT_EVENT_UPDATE, &f), 0);
		}
	}
	for (uint32_t i = 0; i < N; i += 6) {
		v6_flow(&f, i);
		assert_int_equal(model_apply(m, CT_EVENT_NEW, &f), 0);
		present[i] = true;
	}
	for (uint32_t i = 0; i < N; i++)
		live += present[i];
	assert_int_equal(model_foreach(m, check_v6, &c), 0);
	assert_int_equal(c.seen, live);
	assert_int_equal(c.v4, N);
	assert_int_equal(model_counts(m)->by_family[FLOW_IPV6], live);

	/* a resync that confirms only the even IPv6 flows sweeps the rest */
	model_mark(m);
	live = 0;
	for (uint32_t i = 0; i < N; i++) {
		if (i % 2 || !present[i]) {
			present[i] = false;
			continue;
		}
		v6_flow(&f, i);
		assert_int_equal(model_apply(m, CT_EVENT_DUMP, &f), 0);
		live++;
	}
	model_sweep(m, NULL, NULL);
	c.seen = c.v4 = 0;
	assert_int_equal(model_foreach(m, check_v6, &c), 0);
	assert_int_equal(c.seen, live);
	assert_int_equal(c.v4, 0);
	assert_int_equal(model_counts(m)->total, live);
	model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(colliding_ids_stay_apart),
		cmocka_unit_test(model_survives_churn),
		cmocka_unit_test(model_keeps_ipv6_addresses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
