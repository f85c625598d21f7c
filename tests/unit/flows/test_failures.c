/* Exact failures: counted, grouped by the SNAT group read from the reply tuple and by
 * pre-NAT source, the first records kept and the cap respected, sorted busiest first. */
#include "config.h"

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "flows/failures.h"

/* client C:sport -> 198.18.9.2:dport, masqueraded to 198.18.9.1:snat_port, on @cpu */
static struct insfail_rec rec(uint8_t client, uint16_t sport, uint16_t dport, uint16_t snat_port,
			      unsigned int cpu)
{
	struct insfail_rec r = { .cpu = cpu, .family = AF_INET, .proto = 17, .netns = 7 };

	inet_pton(AF_INET, "198.18.1.2", r.orig.src);
	r.orig.src[2] = client;
	inet_pton(AF_INET, "198.18.9.2", r.orig.dst);
	r.orig.sport = htons(sport);
	r.orig.dport = htons(dport);
	memcpy(r.reply.src, r.orig.dst, 4);
	inet_pton(AF_INET, "198.18.9.1", r.reply.dst);
	r.reply.sport = htons(dport);
	r.reply.dport = htons(snat_port);
	return r;
}

static void groups_sources_records(void **state)
{
	struct failures f;
	struct ct_snat_key k;
	struct insfail_rec r;
	char a[INET_ADDRSTRLEN];

	assert_int_equal(failures_init(&f), 0);
	for (unsigned int i = 0; i < 150; i++) {
		r = rec(i % 3 == 0 ? 1 : 2, (uint16_t)(10000 + i), i < 100 ? 20000 : 20001,
			(uint16_t)(10000 + i), i % 2);
		r.missed = i == 7 ? 2 : 0;
		failures_add(&f, &r);
	}
	failures_sort(&f);
	assert_int_equal(f.reported, 150);
	assert_int_equal(f.missed, 2);
	assert_int_equal(f.nrec, FAILURES_RECORDS); /* the cap */
	assert_int_equal(ntohs(f.rec[0].orig.sport), 10000);
	assert_int_equal(f.by_cpu[0] + f.by_cpu[1], 150);
	assert_int_equal(f.ngroups, 2);
	assert_int_equal(f.groups[0].failures, 100);
	assert_int_equal(f.groups[0].key.dport, 20000);
	inet_ntop(AF_INET, f.groups[0].key.snat_src.a8, a, sizeof(a));
	assert_string_equal(a, "198.18.9.1");
	inet_ntop(AF_INET, f.groups[0].key.dst.a8, a, sizeof(a));
	assert_string_equal(a, "198.18.9.2");
	assert_int_equal(f.nsources, 2);
	assert_int_equal(f.sources[0].failures, 100); /* client .2 had two of three */
	inet_ntop(AF_INET, f.sources[0].src.a8, a, sizeof(a));
	assert_string_equal(a, "198.18.2.2");
	/* the key of one record is the group it was counted in */
	failures_key(&f.rec[120 - 100 + 0], &k);
	assert_true(ct_snat_key_eq(&k, &f.groups[0].key));
	failures_release(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(groups_sources_records),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
