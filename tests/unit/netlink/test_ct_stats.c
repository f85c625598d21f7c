#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include <cmocka.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "netlink/ct_stats.h"

static char buf[4096];

static struct nlmsghdr *stats_msg(uint16_t type, uint16_t cpu)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | type;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = htons(cpu);
	return nlh;
}

static void parses_cpu_stats_and_keeps_unknown_attrs(void **state)
{
	struct ct_stats st;
	struct nlmsghdr *nlh;

	ct_stats_init(&st);
	nlh = stats_msg(IPCTNL_MSG_CT_GET_STATS_CPU, 3);
	mnl_attr_put_u32(nlh, CTA_STATS_FOUND, htonl(11));
	mnl_attr_put_u32(nlh, CTA_STATS_INSERT_FAILED, htonl(42));
	mnl_attr_put_u32(nlh, CTA_STATS_DROP, htonl(43));
	mnl_attr_put_u32(nlh, CTA_STATS_CLASH_RESOLVE, htonl(7));
	mnl_attr_put_u32(nlh, CTA_STATS_CHAIN_TOOLONG, htonl(5));
	/* A counter a future kernel might add, and one beyond what we keep at all. */
	mnl_attr_put_u32(nlh, 20, htonl(99));
	mnl_attr_put_u32(nlh, 200, htonl(1));
	/* A 64-bit counter is accepted too. */
	mnl_attr_put_u64(nlh, CTA_STATS_EARLY_DROP, htobe64(1ULL << 33));
	assert_int_equal(ct_stats_parse_cpu_msg(nlh, &st), 0);

	nlh = stats_msg(IPCTNL_MSG_CT_GET_STATS_CPU, 5);
	mnl_attr_put_u32(nlh, CTA_STATS_INSERT_FAILED, htonl(8));
	assert_int_equal(ct_stats_parse_cpu_msg(nlh, &st), 0);

	assert_int_equal(st.ncpu, 2);
	assert_int_equal(st.source, CT_STATS_NETLINK);
	assert_int_equal(st.cpu[0].cpu, 3);
	assert_int_equal(st.cpu[1].cpu, 5);
	assert_int_equal(st.cpu[0].val[CT_STAT_FOUND], 11);
	assert_int_equal(st.cpu[0].val[CT_STAT_CLASH_RESOLVE], 7);
	assert_int_equal(st.cpu[0].val[CT_STAT_CHAINTOOLONG], 5);
	assert_true(st.cpu[0].val[CT_STAT_EARLY_DROP] == (1ULL << 33));
	assert_int_equal(st.cpu[0].val[20], 99);
	assert_true(st.cpu[0].present & (1u << 20));
	assert_null(ct_stats_name(20));
	assert_false(st.cpu[1].present & (1u << CT_STAT_FOUND));
	assert_int_equal(ct_stats_total(&st, CT_STAT_INSERT_FAILED), 50);
	assert_non_null(ct_stats_cpu(&st, 5));
	assert_null(ct_stats_cpu(&st, 4));
	ct_stats_release(&st);
}

static void rejects_bad_counter_length(void **state)
{
	struct ct_stats st;
	struct nlmsghdr *nlh;

	ct_stats_init(&st);
	nlh = stats_msg(IPCTNL_MSG_CT_GET_STATS_CPU, 0);
	mnl_attr_put_u16(nlh, CTA_STATS_INSERT_FAILED, 1);
	assert_int_equal(ct_stats_parse_cpu_msg(nlh, &st), -EBADMSG);
	ct_stats_release(&st);
}

static void parses_global_stats(void **state)
{
	struct ct_stats st;
	struct nlmsghdr *nlh;

	ct_stats_init(&st);
	nlh = stats_msg(IPCTNL_MSG_CT_GET_STATS, 0);
	mnl_attr_put_u32(nlh, CTA_STATS_GLOBAL_ENTRIES, htonl(1234));
	mnl_attr_put_u32(nlh, CTA_STATS_GLOBAL_MAX_ENTRIES, htonl(262144));
	mnl_attr_put_u32(nlh, 9, htonl(5)); /* unknown: skipped */
	assert_int_equal(ct_stats_parse_global_msg(nlh, &st), 0);
	assert_true(st.have_global);
	assert_int_equal(st.count, 1234);
	assert_int_equal(st.max, 262144);
}

/* The header of kernel 6.18, plus a column no kernel has, in a different position. */
static const char procfs_text[] =
	"entries  clashres found new invalid ignore delete chainlength insert insert_failed "
	"drop early_drop icmp_error  expect_new expect_create expect_delete search_restart "
	"future_col\n"
	"00000010  00000002 00000003 00000000 00000004 00000000 00000000 00000001 00000000 "
	"0000002a 0000002b 00000005 00000006  00000000 00000000 00000000 00000007 000000ff\n"
	"00000010  00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 "
	"00000001 00000001 00000000 00000000  00000000 00000000 00000000 00000000 00000000\n";

static void parses_procfs_by_column_name(void **state)
{
	struct ct_stats st;
	FILE *f = fmemopen((void *)procfs_text, sizeof(procfs_text) - 1, "r");

	ct_stats_init(&st);
	assert_int_equal(ct_stats_parse_procfs(f, &st), 0);
	fclose(f);
	assert_int_equal(st.source, CT_STATS_PROCFS);
	assert_int_equal(st.ncpu, 2);
	assert_true(st.have_global);
	assert_int_equal(st.count, 16);
	assert_int_equal(st.cpu[0].val[CT_STAT_CLASH_RESOLVE], 2);
	assert_int_equal(st.cpu[0].val[CT_STAT_FOUND], 3);
	assert_int_equal(st.cpu[0].val[CT_STAT_INVALID], 4);
	assert_int_equal(st.cpu[0].val[CT_STAT_CHAINTOOLONG], 1);
	assert_int_equal(st.cpu[0].val[CT_STAT_INSERT_FAILED], 42);
	assert_int_equal(st.cpu[0].val[CT_STAT_DROP], 43);
	assert_int_equal(st.cpu[0].val[CT_STAT_EARLY_DROP], 5);
	assert_int_equal(st.cpu[0].val[CT_STAT_ERROR], 6);
	assert_int_equal(st.cpu[0].val[CT_STAT_SEARCH_RESTART], 7);
	assert_int_equal(ct_stats_total(&st, CT_STAT_INSERT_FAILED), 43);
	ct_stats_release(&st);
}

static void rejects_corrupt_procfs(void **state)
{
	static const char *const bad[] = {
		"",
		"entries found\n",			       /* no CPU line */
		"entries found\n0000zz 00000001\n",	       /* not hex */
		"entries found\n00000001 00000001 00000002\n", /* too many columns */
		"entries found\n00000001\n",		       /* too few */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ct_stats st;
		FILE *f = fmemopen((void *)bad[i], strlen(bad[i]) ? strlen(bad[i]) : 1, "r");

		ct_stats_init(&st);
		assert_int_equal(ct_stats_parse_procfs(f, &st), -EBADMSG);
		assert_int_equal(st.ncpu, 0);
		fclose(f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_cpu_stats_and_keeps_unknown_attrs),
		cmocka_unit_test(rejects_bad_counter_length),
		cmocka_unit_test(parses_global_stats),
		cmocka_unit_test(parses_procfs_by_column_name),
		cmocka_unit_test(rejects_corrupt_procfs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
