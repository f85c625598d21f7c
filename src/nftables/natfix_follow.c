#include "config.h"
#include "nftables/natfix.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "natfix_int.h"

#include "netlink/nl.h"

/*
 * What `fix --follow` needs besides the planner: which nf_tables notifications are
 * changes of someone else, when a burst of them has settled, and whether a plan that
 * differs from what is in force changes what the overlay does.
 *
 * The kernel sends the notifications of one batch (one transaction) to NFNLGRP_NFTABLES
 * and closes them with NFT_MSG_NEWGEN, which names the generation the batch made and the
 * process that sent it (nf_tables_gen_notify(): NFTA_GEN_ID, NFTA_GEN_PROC_PID,
 * NFTA_GEN_PROC_NAME).  natscope's own batches are recognised by that PID and are not
 * changes to follow.
 */

/*
 * A docker restart rewrites hundreds of rules in a burst; a lost notification costs only a
 * needless round (ENOBUFS counts as a change), but 4 MiB keeps even that rare.
 */
#define MONITOR_RCVBUF (4u << 20)

int natfix_monitor_open(struct nl_sock **out)
{
	size_t got;
	int ret = nl_open(out, 1U << (NFNLGRP_NFTABLES - 1));

	if (ret == 0)
		nl_set_rcvbuf(*out, MONITOR_RCVBUF, &got);
	return ret;
}

static void monitor_gen(struct natfix_monitor *m, const struct nlmsghdr *nlh)
{
	const struct nlattr *a;
	const char *name = NULL;
	size_t name_len = 0;
	uint32_t pid = 0;

	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
		switch (mnl_attr_get_type(a)) {
		case NFTA_GEN_ID:
			if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				m->genid = ntohl(mnl_attr_get_u32(a));
			break;
		case NFTA_GEN_PROC_PID:
			if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				pid = ntohl(mnl_attr_get_u32(a));
			break;
		case NFTA_GEN_PROC_NAME: /* a task's comm; not trusted to end in a NUL */
			name = mnl_attr_get_payload(a);
			name_len = strnlen(name, mnl_attr_get_payload_len(a));
			break;
		}
	}
	if (pid != 0 && pid == m->own_pid) {
		m->own += m->batch_msgs;
	} else {
		m->changes += m->batch_msgs ? m->batch_msgs : 1;
		m->batches++;
		if (name) {
			if (name_len >= sizeof(m->who))
				name_len = sizeof(m->who) - 1;
			memcpy(m->who, name, name_len);
			m->who[name_len] = '\0';
		}
	}
	m->batch_msgs = 0;
}

int natfix_monitor_feed(const struct nlmsghdr *nlh, void *data)
{
	struct natfix_monitor *m = data;

	if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES)
		return 0;
	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(struct nfgenmsg))
		return 0;
	if (NFNL_MSG_TYPE(nlh->nlmsg_type) == NFT_MSG_NEWGEN)
		monitor_gen(m, nlh);
	else
		m->batch_msgs++;
	return 0;
}

void natfix_monitor_clear(struct natfix_monitor *m)
{
	m->changes = m->batches = m->own = 0;
	m->lost = false;
	m->who[0] = '\0';
}

void natfix_debounce_note(struct natfix_debounce *d, double now)
{
	if (!d->pending)
		d->first = now;
	d->pending = true;
	d->last = now;
}

double natfix_debounce_wait(const struct natfix_debounce *d, double now)
{
	double quiet, cap;

	if (!d->pending)
		return -1;
	quiet = d->last + d->quiet - now;
	cap = d->first + d->max_wait - now;
	quiet = quiet < cap ? quiet : cap;
	return quiet > 0 ? quiet : 0;
}

void natfix_debounce_clear(struct natfix_debounce *d)
{
	d->pending = false;
}

/* Whether natscope's tables are added, removed or re-marked: that always applies. */
static bool tables_change(const struct natfix_plan *p)
{
	for (int f = 0; f < NFAM; f++) {
		const struct overlay *ov = &p->ov[f];

		if (ov->kept)
			continue;
		if (ov->wanted != ov->existing ||
		    (ov->wanted && strcmp(ov->comment, ov->existing_comment) != 0))
			return true;
	}
	return false;
}

int natfix_plan_needed(const struct natfix_plan *p, const struct ruleset *rs, struct natfix_need *n)
{
	struct natfix_coverage *c;
	int ret;

	memset(n, 0, sizeof(*n));
	if (!natfix_plan_has_changes(p))
		return 0;
	if (p->nreplace)
		return 1;
	n->tables = tables_change(p);
	ret = natfix_coverage_new(p, rs, &c);
	if (ret < 0)
		return ret;
	natfix_coverage_count(c, n->cover);
	natfix_coverage_free(c);
	return n->tables || n->cover[NATRULE_COVER_UNCOVERED] || n->cover[NATRULE_COVER_DANGEROUS];
}

int natfix_need_describe(const struct natfix_need *n, char *buf, size_t len)
{
	static const char *const what[NATRULE_COVERS] = {
		[NATRULE_COVER_UNCOVERED] = "uncovered",
		[NATRULE_COVER_DANGEROUS] = "dangerous",
		[NATRULE_COVER_HARMLESS] = "reordered harmlessly",
	};
	size_t used = 0;
	int k;

	buf[0] = '\0';
	for (int s = 0; s < NATRULE_COVERS; s++) {
		if (!what[s] || !n->cover[s])
			continue;
		k = snprintf(buf + used, len - used, "%s%u rule%s %s", used ? ", " : "",
			     n->cover[s], n->cover[s] == 1 ? "" : "s", what[s]);
		if (k < 0 || (size_t)k >= len - used)
			return -ENOSPC;
		used += (size_t)k;
	}
	if (n->tables && !used) {
		k = snprintf(buf + used, len - used, "natscope's tables differ from the plan");
		if (k < 0 || (size_t)k >= len - used)
			return -ENOSPC;
	}
	return 0;
}
