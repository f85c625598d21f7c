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
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "natfix_int.h"

#include "netlink/nl.h"
#include "nftables/natrules_render.h"

/*
 * The batch, in one growing buffer with MSG_ROOM free before each message (libnftnl's
 * builders write without a bound).  Not libnftnl's nftnl_batch: it has the same contract
 * (pages with an overrun area a message must fit in) and hands back an iovec per page;
 * one contiguous buffer is what the unit test parses back message by message, and what
 * maps each sequence number to the message it names in an error.
 */
struct natfix_batch {
	char *buf;
	size_t len, cap;
	struct {
		uint32_t seq;
		char what[200];
	} * msgs;
	unsigned int nmsgs;
	uint32_t (*next_seq)(void *ctx);
	void *seq_ctx;
};

static char *room(struct natfix_batch *b)
{
	if (b->cap - b->len < MSG_ROOM) {
		size_t cap = b->cap ? b->cap * 2 : 4 * MSG_ROOM;
		char *buf = realloc(b->buf, cap);

		if (!buf)
			return NULL;
		/* libnftnl's builders skip attribute padding: keep it defined */
		memset(buf + b->cap, 0, cap - b->cap);
		b->buf = buf;
		b->cap = cap;
	}
	return b->buf + b->len;
}

static int added(struct natfix_batch *b, struct nlmsghdr *nlh, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int added(struct natfix_batch *b, struct nlmsghdr *nlh, const char *fmt, ...)
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

/* The header of the next object message, in the batch's free room; NULL without memory. */
static struct nlmsghdr *object_hdr(struct natfix_batch *b, uint16_t type, uint32_t family,
				   uint16_t flags)
{
	char *r = room(b);

	if (!r)
		return NULL;
	return nftnl_nlmsg_build_hdr(r, type, (uint16_t)family, flags | NLM_F_ACK,
				     b->next_seq(b->seq_ctx));
}

static int table_msg(struct natfix_batch *b, const struct overlay *ov, bool add)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;

	if (!t)
		return -ENOMEM;
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
	nlh = object_hdr(b, add ? NFT_MSG_NEWTABLE : NFT_MSG_DELTABLE, ov->family,
			 add ? NLM_F_CREATE : 0);
	if (!nlh) {
		nftnl_table_free(t);
		return -ENOMEM;
	}
	nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
	return added(b, nlh, "%s table %s %s", add ? "add" : "delete", natfix_fam_name(ov->family),
		     NATFIX_TABLE);
}

/*
 * A set and its elements: as many element messages as it takes, each within the 64 KiB
 * an attribute can carry (nftnl_set_elems_nlmsg_build_payload_iter() stops there).
 */
static int set_msgs(struct natfix_batch *b, const struct overlay *ov, struct nftnl_set *st)
{
	const char *fam = natfix_fam_name(ov->family);
	uint32_t id = nftnl_set_get_u32(st, NFTNL_SET_ID);
	struct nftnl_set_elems_iter *it;
	struct nlmsghdr *nlh;
	int ret, more;

	nlh = object_hdr(b, NFT_MSG_NEWSET, ov->family, NLM_F_CREATE);
	if (!nlh)
		return -ENOMEM;
	nftnl_set_nlmsg_build_payload(nlh, st);
	ret = added(b, nlh, "add anonymous set %s %s (%u)", fam, NATFIX_TABLE, id);
	it = ret == 0 ? nftnl_set_elems_iter_create(st) : NULL;
	if (ret == 0 && !it)
		ret = -ENOMEM;
	for (more = 1; ret == 0 && more > 0;) {
		nlh = object_hdr(b, NFT_MSG_NEWSETELEM, ov->family, NLM_F_CREATE);
		if (!nlh) {
			ret = -ENOMEM;
			break;
		}
		more = nftnl_set_elems_nlmsg_build_payload_iter(nlh, it);
		ret = added(b, nlh, "add elements to anonymous set %s %s (%u)", fam, NATFIX_TABLE,
			    id);
	}
	if (it)
		nftnl_set_elems_iter_destroy(it);
	return ret;
}

static int chain_msg(struct natfix_batch *b, const struct overlay *ov, struct nftnl_chain *c)
{
	struct nlmsghdr *nlh = object_hdr(b, NFT_MSG_NEWCHAIN, ov->family, NLM_F_CREATE);

	if (!nlh)
		return -ENOMEM;
	nftnl_chain_nlmsg_build_payload(nlh, c);
	return added(b, nlh, "add chain %s %s %s", natfix_fam_name(ov->family), NATFIX_TABLE,
		     nftnl_chain_get_str(c, NFTNL_CHAIN_NAME));
}

static int rule_msg(struct natfix_batch *b, const struct overlay *ov, struct nftnl_rule *r)
{
	struct nlmsghdr *nlh =
		object_hdr(b, NFT_MSG_NEWRULE, ov->family, NLM_F_CREATE | NLM_F_APPEND);
	char text[256];

	if (!nlh)
		return -ENOMEM;
	nftnl_rule_nlmsg_build_payload(nlh, r);
	natrules_render(r, (uint8_t)ov->family, 0, text, sizeof(text));
	return added(b, nlh, "add rule %s %s %s %s", natfix_fam_name(ov->family), NATFIX_TABLE,
		     nftnl_rule_get_str(r, NFTNL_RULE_CHAIN), text);
}

/*
 * What changes in one family's table: delete the old, add the new with its contents.
 * @scratch: only the additions, for an empty namespace (natfix_render.c).
 */
static int overlay_msgs(struct natfix_batch *b, const struct overlay *ov, bool scratch)
{
	int ret = 0;

	if (!natfix_overlay_changes(ov))
		return 0;
	if (ov->existing && !scratch && (ret = table_msg(b, ov, false)) < 0)
		return ret;
	if (!ov->wanted)
		return 0;
	if ((ret = table_msg(b, ov, true)) < 0)
		return ret;
	for (size_t i = 0; i < ov->nchains && ret == 0; i++)
		ret = chain_msg(b, ov, ov->chains[i]);
	for (size_t i = 0; i < ov->nsets && ret == 0; i++)
		ret = set_msgs(b, ov, ov->sets[i]);
	for (size_t i = 0; i < ov->nrules && ret == 0; i++)
		ret = rule_msg(b, ov, ov->rules[i]);
	return ret;
}

static int replace_msg(struct natfix_batch *b, struct nftnl_rule *r)
{
	uint32_t family = nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY);
	struct nlmsghdr *nlh = object_hdr(b, NFT_MSG_NEWRULE, family, NLM_F_REPLACE);

	if (!nlh)
		return -ENOMEM;
	nftnl_rule_nlmsg_build_payload(nlh, r);
	return added(b, nlh, "replace rule %s %s %s handle %llu", natfix_fam_name(family),
		     nftnl_rule_get_str(r, NFTNL_RULE_TABLE),
		     nftnl_rule_get_str(r, NFTNL_RULE_CHAIN),
		     (unsigned long long)nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE));
}

static int batch_build(const struct natfix_plan *p, uint32_t (*next_seq)(void *ctx), void *ctx,
		       bool scratch, struct natfix_batch **out)
{
	struct natfix_batch *b = calloc(1, sizeof(*b));
	struct nlmsghdr *nlh;
	char *r;
	int ret;

	if (!b)
		return -ENOMEM;
	b->next_seq = next_seq;
	b->seq_ctx = ctx;
	ret = -ENOMEM;
	if (!(r = room(b)))
		goto err;
	nlh = nftnl_batch_begin(r, next_seq(ctx));
	/* The kernel refuses the whole batch if the ruleset moved on since the plan. */
	if (!scratch)
		mnl_attr_put_u32(nlh, NFNL_BATCH_GENID, htonl(p->genid));
	ret = added(b, nlh, "batch begin");
	for (int f = 0; f < NFAM && ret == 0; f++)
		ret = overlay_msgs(b, &p->ov[f], scratch);
	for (size_t i = 0; i < p->nreplace && ret == 0 && !scratch; i++)
		ret = replace_msg(b, p->replace[i]);
	if (ret == 0 && !(r = room(b)))
		ret = -ENOMEM;
	if (ret == 0)
		ret = added(b, nftnl_batch_end(r, next_seq(ctx)), "batch end");
	if (ret < 0)
		goto err;
	*out = b;
	return 0;
err:
	natfix_batch_free(b);
	return ret;
}

int natfix_batch_new(const struct natfix_plan *p, uint32_t (*next_seq)(void *ctx), void *ctx,
		     struct natfix_batch **out)
{
	return batch_build(p, next_seq, ctx, false, out);
}

void natfix_batch_free(struct natfix_batch *b)
{
	if (!b)
		return;
	free(b->buf);
	free(b->msgs);
	free(b);
}

const void *natfix_batch_data(const struct natfix_batch *b, size_t *len)
{
	*len = b->len;
	return b->buf;
}

unsigned int natfix_batch_nmsgs(const struct natfix_batch *b)
{
	return b->nmsgs;
}

const char *natfix_batch_what(const struct natfix_batch *b, uint32_t seq)
{
	for (unsigned int i = 0; i < b->nmsgs; i++)
		if (b->msgs[i].seq == seq)
			return b->msgs[i].what;
	return NULL;
}

/* The first error of the batch's answers, and what it was about. */
struct outcome {
	const struct natfix_batch *b;
	int err;
	char what[200];
};

static void on_ack(uint32_t seq, int err, const char *msg, void *data)
{
	struct outcome *o = data;
	const char *what;
	size_t n;

	if (!err || o->err)
		return;
	o->err = err;
	what = natfix_batch_what(o->b, seq);
	snprintf(o->what, sizeof(o->what), "%s", what ? what : "the batch");
	/* the kernel's own words, when it sent an extended ACK */
	if (msg && *msg) {
		n = strlen(o->what);
		snprintf(o->what + n, sizeof(o->what) - n, " (%s)", msg);
	}
}

static uint32_t sock_seq(void *ctx)
{
	return nl_next_seq(ctx);
}

static int apply(struct nl_sock *nl, const struct natfix_plan *p, bool scratch, char *err,
		 size_t errlen)
{
	struct natfix_batch *b;
	struct outcome o = { 0 };
	const void *buf;
	size_t len;
	int ret;

	ret = batch_build(p, sock_seq, nl, scratch, &b);
	if (ret < 0)
		return ret;
	o.b = b;
	buf = natfix_batch_data(b, &len);
	ret = nl_batch_talk(nl, buf, len, b->nmsgs, on_ack, &o);
	if (ret == 0 && o.err) {
		ret = o.err;
		snprintf(err, errlen, "%s", o.what);
	}
	natfix_batch_free(b);
	return ret;
}

int natfix_apply(struct nl_sock *nl, const struct natfix_plan *p, char *err, size_t errlen)
{
	return apply(nl, p, false, err, errlen);
}

int natfix_apply_scratch(struct nl_sock *nl, const struct natfix_plan *p, char *err, size_t errlen)
{
	return apply(nl, p, true, err, errlen);
}
