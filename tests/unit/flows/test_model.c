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

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * An IPv4 and an IPv6 flow with the same conntrack id and the same 32-bit tuple key: a
 * birthday search over 2^17 IPv4 tuples finds one in about 2^15 IPv6 tries.
 */
static void colliding_v4_v6(struct ct_flow *v4, struct ct_flow *v6)
{
	enum { N4 = 1 << 17 };
	uint64_t *keys = malloc(N4 * sizeof(*keys));
	struct ct_flow f;

	memset(&f, 0, sizeof(f));
	f.id = 4242;
	f.family = AF_INET;
	f.l4proto = IPPROTO_UDP;
	for (uint32_t i = 0; i < N4; i++) {
		f.orig.src.a32[0] = htonl(0x0a000000 + (i >> 16));
		f.orig.sport = (uint16_t)i;
		keys[i] = (uint64_t)model_tuple_key(&f) << 32 | i;
	}
	qsort(keys, N4, sizeof(*keys), cmp_u64);
	f.family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8::", &f.orig.src);
	for (uint32_t j = 0;; j++) {
		uint64_t k, *hit;
		size_t lo = 0, hi = N4;

		assert_true(j < 1u << 24);
		f.orig.src.a32[3] = htonl(j);
		k = (uint64_t)model_tuple_key(&f) << 32;
		while (lo < hi) { /* the first key >= k */
			size_t mid = (lo + hi) / 2;

			if (keys[mid] < k)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo == N4 || keys[lo] >> 32 != k >> 32)
			continue;
		hit = &keys[lo];
		*v6 = f;
		memset(v4, 0, sizeof(*v4));
		v4->id = 4242;
		v4->family = AF_INET;
		v4->l4proto = IPPROTO_UDP;
		v4->orig.src.a32[0] = htonl(0x0a000000 + ((uint32_t)*hit >> 16));
		v4->orig.sport = (uint16_t)*hit;
		break;
	}
	free(keys);
	assert_int_equal(model_tuple_key(v4), model_tuple_key(v6));
}

/*
 * Regression (issue 9, item 1): an IPv6 event whose id and tuple key collide with an
 * IPv4 flow's made the model take the IPv4 address for the IPv6 flow's side-table slot
 * and write far outside it.  The two are two flows now, each with its own addresses.
 */
static void colliding_families_stay_apart(void **state)
{
	struct ct_flow v4, v6, got;
	struct model *m;

	colliding_v4_v6(&v4, &v6);
	v4.reply.dst = v4.orig.src;
	v6.reply.dst = v6.orig.src;
	assert_int_equal(model_new(&m), 0);
	assert_int_equal(model_apply(m, CT_EVENT_NEW, &v4), 0);
	assert_int_equal(model_apply(m, CT_EVENT_UPDATE, &v6), 0);
	assert_int_equal(model_apply(m, CT_EVENT_UPDATE, &v6), 0);
	assert_int_equal(model_counts(m)->total, 2);
	assert_int_equal(model_counts(m)->by_family[FLOW_IPV6], 1);
	assert_true(model_get(m, &v6, &got));
	assert_memory_equal(&got.orig.src, &v6.orig.src, 16);
	assert_true(model_get(m, &v4, &got));
	assert_int_equal(got.family, AF_INET);
	assert_int_equal(got.orig.src.a32[0], v4.orig.src.a32[0]);
	assert_int_equal(model_apply(m, CT_EVENT_DESTROY, &v4), 0);
	assert_false(model_has(m, &v4));
	assert_true(model_has(m, &v6));
	assert_int_equal(model_apply(m, CT_EVENT_DESTROY, &v6), 0);
	assert_int_equal(model_counts(m)->total, 0);
	model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(colliding_ids_stay_apart),
		cmocka_unit_test(model_survives_churn),
		cmocka_unit_test(model_keeps_ipv6_addresses),
		cmocka_unit_test(colliding_families_stay_apart),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
