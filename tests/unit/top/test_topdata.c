/* The page of flows a view lists (sorted, filtered, bounded) and the SNAT groups. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>

#include <cmocka.h>
#include <linux/netfilter/nf_conntrack_common.h>

#include "flows/engine.h"
#include "top/topdata.h"

#include "ctmsg.h"

/* 30 UDP flows (ids 1..30, sources 10.0.0.1..30), every third one SNAT'd. */
static struct engine *thirty(void)
{
	struct engine *e;

	assert_int_equal(engine_new(&e), 0);
	for (uint32_t id = 1; id <= 30; id++)
		assert_int_equal(engine_ingest(e, ctmsg_event(CT_EVENT_NEW, id, IPPROTO_UDP, -1,
							      id % 3 == 0, IPS_CONFIRMED)),
				 0);
	return e;
}

static void pages_sorted_and_bounded(void **state)
{
	struct engine *e = thirty();
	struct topdata_flows fl = { 0 };

	assert_int_equal(topdata_flows(e, TOPDATA_SOURCE, false, NULL, NULL, 0, 10, &fl), 0);
	assert_int_equal(fl.n, 10);
	assert_int_equal(fl.matched, 30);
	for (size_t i = 0; i < fl.n; i++)
		assert_int_equal(ntohl(fl.v[i].orig.src.a32[0]), 0x0a000001 + i);
	/* reversed: the last ten, highest first */
	assert_int_equal(topdata_flows(e, TOPDATA_SOURCE, true, NULL, NULL, 0, 10, &fl), 0);
	assert_int_equal(ntohl(fl.v[0].orig.src.a32[0]), 0x0a000000 + 30);
	assert_int_equal(ntohl(fl.v[9].orig.src.a32[0]), 0x0a000000 + 21);
	/* a filter: only the SNAT'd ones */
	assert_int_equal(topdata_flows(e, TOPDATA_SOURCE, false, "snat", NULL, 0, 100, &fl), 0);
	assert_int_equal(fl.n, 10);
	assert_int_equal(fl.matched, 10);
	for (size_t i = 0; i < fl.n; i++)
		assert_int_equal(ct_flow_nat_kind(&fl.v[i]), CT_NAT_SNAT);
	/* more words than the filter takes */
	assert_int_equal(
		topdata_flows(e, TOPDATA_SOURCE, false, "a b c d e f g h i", NULL, 0, 10, &fl),
		-EINVAL);
	topdata_flows_release(&fl);
	engine_free(e);
}

static void groups_of_the_model(void **state)
{
	struct engine *e = thirty();
	struct ct_summary sum;

	assert_int_equal(topdata_groups(e, &sum), 0);
	assert_int_equal(sum.counts.total, 30);
	assert_int_equal(sum.ngroups, 1);
	assert_int_equal(sum.top[0].entries, 10);
	assert_int_equal(sum.top[0].sources, 10);
	engine_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pages_sorted_and_bounded),
		cmocka_unit_test(groups_of_the_model),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
