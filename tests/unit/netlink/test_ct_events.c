/* What kind of conntrack message each one is: NEW, UPDATE, DESTROY, a dump entry, or none. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netfilter/nf_tables.h>

#include "netlink/ct_events.h"

static int classify(uint16_t subsys, uint16_t msg, uint16_t flags)
{
	char buf[64];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = (uint16_t)(subsys << 8 | msg);
	nlh->nlmsg_flags = flags;
	return ct_events_classify(nlh);
}

static void classifies_by_type_and_flags(void **state)
{
	assert_int_equal(
		classify(NFNL_SUBSYS_CTNETLINK, IPCTNL_MSG_CT_NEW, NLM_F_CREATE | NLM_F_EXCL),
		CT_EVENT_NEW);
	assert_int_equal(classify(NFNL_SUBSYS_CTNETLINK, IPCTNL_MSG_CT_NEW, NLM_F_CREATE),
			 CT_EVENT_NEW);
	assert_int_equal(classify(NFNL_SUBSYS_CTNETLINK, IPCTNL_MSG_CT_NEW, 0), CT_EVENT_UPDATE);
	assert_int_equal(classify(NFNL_SUBSYS_CTNETLINK, IPCTNL_MSG_CT_NEW, NLM_F_MULTI),
			 CT_EVENT_DUMP);
	assert_int_equal(classify(NFNL_SUBSYS_CTNETLINK, IPCTNL_MSG_CT_DELETE, 0),
			 CT_EVENT_DESTROY);
	/* statistics, expectations and other subsystems are no conntrack entry */
	assert_int_equal(classify(NFNL_SUBSYS_CTNETLINK, IPCTNL_MSG_CT_GET_STATS_CPU, 0), -1);
	assert_int_equal(classify(NFNL_SUBSYS_CTNETLINK_EXP, 0, 0), -1);
	assert_int_equal(classify(NFNL_SUBSYS_NFTABLES, NFT_MSG_NEWRULE, 0), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(classifies_by_type_and_flags),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
