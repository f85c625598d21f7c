#include "config.h"
#include "netlink/ct_stats.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "netlink/nl.h"

#include "attr_int.h"
#include "util.h"

/* The project's names for the counters are the kernel's attribute numbers. */
_Static_assert((int)CT_STAT_FOUND == (int)CTA_STATS_FOUND, "CTA_STATS_FOUND");
_Static_assert((int)CT_STAT_INVALID == (int)CTA_STATS_INVALID, "CTA_STATS_INVALID");
_Static_assert((int)CT_STAT_INSERT == (int)CTA_STATS_INSERT, "CTA_STATS_INSERT");
_Static_assert((int)CT_STAT_INSERT_FAILED == (int)CTA_STATS_INSERT_FAILED,
	       "CTA_STATS_INSERT_FAILED");
_Static_assert((int)CT_STAT_DROP == (int)CTA_STATS_DROP, "CTA_STATS_DROP");
_Static_assert((int)CT_STAT_EARLY_DROP == (int)CTA_STATS_EARLY_DROP, "CTA_STATS_EARLY_DROP");
_Static_assert((int)CT_STAT_ERROR == (int)CTA_STATS_ERROR, "CTA_STATS_ERROR");
_Static_assert((int)CT_STAT_SEARCH_RESTART == (int)CTA_STATS_SEARCH_RESTART,
	       "CTA_STATS_SEARCH_RESTART");
_Static_assert((int)CT_STAT_CLASH_RESOLVE == (int)CTA_STATS_CLASH_RESOLVE,
	       "CTA_STATS_CLASH_RESOLVE");
_Static_assert((int)CT_STAT_CHAINTOOLONG == (int)CTA_STATS_CHAIN_TOOLONG,
	       "CTA_STATS_CHAIN_TOOLONG");
_Static_assert(CT_STATS_NATTR > CTA_STATS_MAX, "room for every per-CPU counter");

/* Display order follows `conntrack -S`. */
static const struct {
	unsigned int attr;
	const char *name;
} known_stats[] = {
	{ CT_STAT_FOUND, "found" },
	{ CT_STAT_INVALID, "invalid" },
	{ CT_STAT_INSERT, "insert" },
	{ CT_STAT_INSERT_FAILED, "insert_failed" },
	{ CT_STAT_DROP, "drop" },
	{ CT_STAT_EARLY_DROP, "early_drop" },
	{ CT_STAT_ERROR, "error" },
	{ CT_STAT_SEARCH_RESTART, "search_restart" },
	{ CT_STAT_CLASH_RESOLVE, "clash_resolve" },
	{ CT_STAT_CHAINTOOLONG, "chaintoolong" },
};

#define N_KNOWN (ARRAY_SIZE(known_stats))

const char *ct_stats_name(unsigned int attr)
{
	for (size_t i = 0; i < N_KNOWN; i++)
		if (known_stats[i].attr == attr)
			return known_stats[i].name;
	return NULL;
}

unsigned int ct_stats_known_count(void)
{
	return N_KNOWN;
}

unsigned int ct_stats_known_attr(unsigned int i)
{
	return i < N_KNOWN ? known_stats[i].attr : 0;
}

uint64_t ct_stats_total(const struct ct_stats *st, unsigned int attr)
{
	uint64_t sum = 0;

	if (attr >= CT_STATS_NATTR)
		return 0;
	for (unsigned int i = 0; i < st->ncpu; i++)
		sum += st->cpu[i].val[attr];
	return sum;
}

const struct ct_cpu_stats *ct_stats_cpu(const struct ct_stats *st, unsigned int cpu)
{
	for (unsigned int i = 0; i < st->ncpu; i++)
		if (st->cpu[i].cpu == cpu)
			return &st->cpu[i];
	return NULL;
}

uint32_t ct_stats_present(const struct ct_stats *st)
{
	uint32_t mask = 0;

	for (unsigned int i = 0; i < st->ncpu; i++)
		mask |= st->cpu[i].present;
	return mask;
}

void ct_stats_init(struct ct_stats *st)
{
	memset(st, 0, sizeof(*st));
}

void ct_stats_release(struct ct_stats *st)
{
	free(st->cpu);
	ct_stats_init(st);
}

int ct_stats_copy(struct ct_stats *dst, const struct ct_stats *src)
{
	*dst = *src;
	dst->cpu = NULL;
	if (src->ncpu) {
		dst->cpu = calloc(src->ncpu, sizeof(*dst->cpu));
		if (!dst->cpu)
			return -ENOMEM;
		memcpy(dst->cpu, src->cpu, src->ncpu * sizeof(*dst->cpu));
	}
	return 0;
}

static struct ct_cpu_stats *append_cpu(struct ct_stats *st, unsigned int cpu)
{
	struct ct_cpu_stats *arr;

	arr = realloc(st->cpu, (st->ncpu + 1) * sizeof(*arr));
	if (!arr)
		return NULL;
	st->cpu = arr;
	arr = &st->cpu[st->ncpu++];
	memset(arr, 0, sizeof(*arr));
	arr->cpu = cpu;
	return arr;
}

/* Counters are NLA_U32 today; accept a u64 too in case a kernel widens them. */
static int attr_counter(const struct nlattr *attr, uint64_t *out)
{
	switch (mnl_attr_get_payload_len(attr)) {
	case sizeof(uint32_t):
		*out = ntohl(mnl_attr_get_u32(attr));
		return 0;
	case sizeof(uint64_t):
		*out = be64toh(mnl_attr_get_u64(attr));
		return 0;
	default:
		return -EINVAL;
	}
}

int ct_stats_parse_cpu_msg(const struct nlmsghdr *nlh, struct ct_stats *st)
{
	const struct nfgenmsg *nfg;
	struct ct_cpu_stats *c;
	const struct nlattr *attr;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*nfg)))
		return -EBADMSG;
	nfg = mnl_nlmsg_get_payload(nlh);
	c = append_cpu(st, ntohs(nfg->res_id));
	if (!c)
		return -ENOMEM;

	nl_attr_for_each(attr, nlh, sizeof(*nfg))
	{
		unsigned int type = mnl_attr_get_type(attr);
		uint64_t v;

		/* Unknown or out-of-range attributes are skipped, never fatal. */
		if (type == 0 || type >= CT_STATS_NATTR)
			continue;
		if (attr_counter(attr, &v) < 0)
			return -EBADMSG;
		c->val[type] = v;
		c->present |= 1u << type;
	}
	st->source = CT_STATS_NETLINK;
	return 0;
}

int ct_stats_parse_global_msg(const struct nlmsghdr *nlh, struct ct_stats *st)
{
	const struct nlattr *attr;
	bool got_count = false;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(struct nfgenmsg)))
		return -EBADMSG;
	nl_attr_for_each(attr, nlh, sizeof(struct nfgenmsg))
	{
		uint64_t v;

		switch (mnl_attr_get_type(attr)) {
		case CTA_STATS_GLOBAL_ENTRIES:
			if (attr_counter(attr, &v) < 0)
				return -EBADMSG;
			st->count = (uint32_t)v;
			got_count = true;
			break;
		case CTA_STATS_GLOBAL_MAX_ENTRIES:
			if (attr_counter(attr, &v) < 0)
				return -EBADMSG;
			st->max = (uint32_t)v;
			break;
		default:
			break;
		}
	}
	st->have_global = got_count;
	return 0;
}

static int cpu_cb(const struct nlmsghdr *nlh, void *data)
{
	return ct_stats_parse_cpu_msg(nlh, data);
}

static int global_cb(const struct nlmsghdr *nlh, void *data)
{
	return ct_stats_parse_global_msg(nlh, data);
}

int ct_stats_read_netlink(struct nl_sock *nl, struct ct_stats *st)
{
	struct nlmsghdr *nlh;
	int ret;

	ct_stats_release(st);
	nlh = nl_nfmsg_start(nl, (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET_STATS_CPU,
			     NLM_F_REQUEST | NLM_F_DUMP, AF_UNSPEC, 0);
	ret = nl_request(nl, nlh, cpu_cb, st);
	if (ret < 0)
		goto err;

	nlh = nl_nfmsg_start(nl, (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET_STATS,
			     NLM_F_REQUEST, AF_UNSPEC, 0);
	ret = nl_request(nl, nlh, global_cb, st);
	if (ret < 0)
		goto err;
	st->source = CT_STATS_NETLINK;
	return 0;
err:
	ct_stats_release(st);
	return ret;
}
