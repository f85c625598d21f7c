#include "config.h"
#include "nftables/natfix.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "natfix_int.h"

#include "netlink/nl.h"
#include "nftables/natrules_render.h"

/* The batch being built, and which message each sequence number is. */
struct batch {
	char *buf;
	size_t len, cap;
	struct {
		uint32_t seq;
		char what[200];
	} * msgs;
	unsigned int nmsgs;
	int err;
	char err_what[200];
};

static char *batch_room(struct batch *b)
{
	if (b->cap - b->len < MSG_ROOM) {
		size_t cap = b->cap ? b->cap * 2 : 4 * MSG_ROOM;
		char *buf = realloc(b->buf, cap);

		if (!buf)
			return NULL;
		b->buf = buf;
		b->cap = cap;
	}
	return b->buf + b->len;
}

static int batch_add(struct batch *b, struct nlmsghdr *nlh, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int batch_add(struct batch *b, struct nlmsghdr *nlh, const char *fmt, ...)
{
	void *arr = realloc(b->msgs, (b->nmsgs + 1) * sizeof(*b->msgs));
	va_list ap;

	if (!arr)
		return -ENOMEM;
	b->msgs = arr;
	b->msgs[b->nmsgs].seq = nlh->nlmsg_seq;
	va_start(ap, fmt);
	vsnprintf(b->msgs[b->nmsgs].what, sizeof(b->msgs[b->nmsgs].what), fmt, ap);
	va_end(ap);
	b->nmsgs++;
	b->len += MNL_ALIGN(nlh->nlmsg_len);
	return 0;
}

static void on_ack(uint32_t seq, int err, const char *msg, void *data)
{
	struct batch *b = data;

	if (!err || b->err)
		return;
	b->err = err;
	snprintf(b->err_what, sizeof(b->err_what), "the batch");
	for (unsigned int i = 0; i < b->nmsgs; i++)
		if (b->msgs[i].seq == seq)
			snprintf(b->err_what, sizeof(b->err_what), "%s", b->msgs[i].what);
	/* the kernel's own words, when it sent an extended ACK */
	if (msg && *msg) {
		size_t n = strlen(b->err_what);

		snprintf(b->err_what + n, sizeof(b->err_what) - n, " (%s)", msg);
	}
}

static int table_msg(struct nl_sock *nl, struct batch *b, const struct overlay *ov, bool add)
{
	struct nftnl_table *t = nftnl_table_alloc();
	const char *fam = natfix_fam_name(ov->family);
	struct nlmsghdr *nlh;
	char *room = batch_room(b);

	if (!t || !room) {
		nftnl_table_free(t);
		return -ENOMEM;
	}
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, ov->family);
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, NATFIX_TABLE);
	if (add) {
		struct nftnl_udata_buf *ud = nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN);

		if (!ud) {
			nftnl_table_free(t);
			return -ENOMEM;
		}
		nftnl_udata_put_strz(ud, NFTNL_UDATA_TABLE_COMMENT, ov->comment);
		nftnl_table_set_data(t, NFTNL_TABLE_USERDATA, nftnl_udata_buf_data(ud),
				     nftnl_udata_buf_len(ud));
		nftnl_udata_buf_free(ud);
	}
	nlh = nftnl_nlmsg_build_hdr(room, add ? NFT_MSG_NEWTABLE : NFT_MSG_DELTABLE,
				    (uint16_t)ov->family, (add ? NLM_F_CREATE : 0) | NLM_F_ACK,
				    nl_next_seq(nl));
	nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
	return batch_add(b, nlh, "%s table %s %s", add ? "add" : "delete", fam, NATFIX_TABLE);
}

int natfix_apply(struct nl_sock *nl, const struct natfix_plan *p, char *err, size_t errlen)
{
	struct batch b = { 0 };
	struct nlmsghdr *nlh;
	char text[256], *room;
	int ret = -ENOMEM;

	room = batch_room(&b);
	if (!room)
		goto out;
	nlh = nftnl_batch_begin(room, nl_next_seq(nl));
	/* The kernel refuses the whole batch if the ruleset moved on since the plan. */
	mnl_attr_put_u32(nlh, NFNL_BATCH_GENID, htonl(p->genid));
	if ((ret = batch_add(&b, nlh, "batch begin")) < 0)
		goto out;

	for (int f = 0; f < NFAM; f++) {
		const struct overlay *ov = &p->ov[f];

		if (!natfix_overlay_changes(ov))
			continue;
		if (ov->existing && (ret = table_msg(nl, &b, ov, false)) < 0)
			goto out;
		if (!ov->wanted)
			continue;
		if ((ret = table_msg(nl, &b, ov, true)) < 0)
			goto out;
		for (size_t i = 0; i < ov->nchains; i++) {
			if (!(room = batch_room(&b))) {
				ret = -ENOMEM;
				goto out;
			}
			nlh = nftnl_nlmsg_build_hdr(room, NFT_MSG_NEWCHAIN, (uint16_t)ov->family,
						    NLM_F_CREATE | NLM_F_ACK, nl_next_seq(nl));
			nftnl_chain_nlmsg_build_payload(nlh, ov->chains[i]);
			ret = batch_add(&b, nlh, "add chain %s %s %s", natfix_fam_name(ov->family),
					NATFIX_TABLE,
					nftnl_chain_get_str(ov->chains[i], NFTNL_CHAIN_NAME));
			if (ret < 0)
				goto out;
		}
		for (size_t i = 0; i < ov->nsets; i++) {
			if (!(room = batch_room(&b))) {
				ret = -ENOMEM;
				goto out;
			}
			nlh = nftnl_nlmsg_build_hdr(room, NFT_MSG_NEWSET, (uint16_t)ov->family,
						    NLM_F_CREATE | NLM_F_ACK, nl_next_seq(nl));
			nftnl_set_nlmsg_build_payload(nlh, ov->sets[i]);
			ret = batch_add(&b, nlh, "add anonymous set %s %s (%u)",
					natfix_fam_name(ov->family), NATFIX_TABLE,
					nftnl_set_get_u32(ov->sets[i], NFTNL_SET_ID));
			if (ret < 0 || !(room = batch_room(&b))) {
				ret = ret < 0 ? ret : -ENOMEM;
				goto out;
			}
			nlh = nftnl_nlmsg_build_hdr(room, NFT_MSG_NEWSETELEM, (uint16_t)ov->family,
						    NLM_F_CREATE | NLM_F_ACK, nl_next_seq(nl));
			nftnl_set_elems_nlmsg_build_payload(nlh, ov->sets[i]);
			ret = batch_add(&b, nlh, "add elements to anonymous set %s %s (%u)",
					natfix_fam_name(ov->family), NATFIX_TABLE,
					nftnl_set_get_u32(ov->sets[i], NFTNL_SET_ID));
			if (ret < 0)
				goto out;
		}
		for (size_t i = 0; i < ov->nrules; i++) {
			if (!(room = batch_room(&b))) {
				ret = -ENOMEM;
				goto out;
			}
			nlh = nftnl_nlmsg_build_hdr(room, NFT_MSG_NEWRULE, (uint16_t)ov->family,
						    NLM_F_CREATE | NLM_F_APPEND | NLM_F_ACK,
						    nl_next_seq(nl));
			nftnl_rule_nlmsg_build_payload(nlh, ov->rules[i]);
			natrules_render(ov->rules[i], (uint8_t)ov->family, 0, text, sizeof(text));
			ret = batch_add(&b, nlh, "add rule %s %s %s %s",
					natfix_fam_name(ov->family), NATFIX_TABLE,
					nftnl_rule_get_str(ov->rules[i], NFTNL_RULE_CHAIN), text);
			if (ret < 0)
				goto out;
		}
	}
	for (size_t i = 0; i < p->nreplace; i++) {
		const struct nftnl_rule *r = p->replace[i];
		uint32_t family = nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY);

		if (!(room = batch_room(&b))) {
			ret = -ENOMEM;
			goto out;
		}
		nlh = nftnl_nlmsg_build_hdr(room, NFT_MSG_NEWRULE, (uint16_t)family,
					    NLM_F_REPLACE | NLM_F_ACK, nl_next_seq(nl));
		nftnl_rule_nlmsg_build_payload(nlh, (struct nftnl_rule *)r);
		ret = batch_add(&b, nlh, "replace rule %s %s %s handle %llu",
				natfix_fam_name(family), nftnl_rule_get_str(r, NFTNL_RULE_TABLE),
				nftnl_rule_get_str(r, NFTNL_RULE_CHAIN),
				(unsigned long long)nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE));
		if (ret < 0)
			goto out;
	}
	if (!(room = batch_room(&b))) {
		ret = -ENOMEM;
		goto out;
	}
	nlh = nftnl_batch_end(room, nl_next_seq(nl));
	if ((ret = batch_add(&b, nlh, "batch end")) < 0)
		goto out;

	ret = nl_batch_talk(nl, b.buf, b.len, b.nmsgs, on_ack, &b);
	if (ret == 0 && b.err) {
		ret = b.err;
		snprintf(err, errlen, "%s", b.err_what);
	}
out:
	free(b.buf);
	free(b.msgs);
	return ret;
}
