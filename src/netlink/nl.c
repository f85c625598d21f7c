#include "config.h"
#include "netlink/nl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/netfilter/nfnetlink.h>

/*
 * 64 KiB: the kernel sizes dump datagrams from the reader's buffer (netlink_dump() tries
 * up to 32 KiB when the last recvmsg() offered that much), so a dump of a million
 * entries takes fewer recvmsg() calls.  Events come one per datagram (199,880 events in
 * 199,880 recvmsg() calls, at most 148 bytes each, in the clash race on kernel 6.18), so
 * the same buffer serves the event socket.
 */
#define NL_BUF_SIZE (64 * 1024)

struct nl_sock {
	struct mnl_socket *mnl;
	uint32_t portid;
	uint32_t seq;
	uint32_t dump_seq;    /* the dump nl_dump_step() reads */
	struct nl_reply dump; /* its state between steps */
	char ext[128];	      /* extended ACK of the last failed request */
	char sendbuf[8192];   /* requests are one small message */
	/* One NUL past the datagram: libnftnl copies string attributes with strdup(), so a
	 * string without its NUL still ends inside this buffer. */
	char recvbuf[NL_BUF_SIZE + 1];
};

int nl_open(struct nl_sock **out, unsigned int groups)
{
	return nl_open_proto(out, NETLINK_NETFILTER, groups);
}

int nl_open_proto(struct nl_sock **out, int protocol, unsigned int groups)
{
	struct nl_sock *nl;
	int one = 1;
	int ret;

	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return -ENOMEM;

	nl->mnl = mnl_socket_open(protocol);
	if (!nl->mnl) {
		ret = -errno;
		goto err_free;
	}
	if (mnl_socket_bind(nl->mnl, groups, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto err_close;
	}
	/* Extended ACKs name what the kernel rejected (nl_ext_ack()); harmless where
	 * unsupported. */
	mnl_socket_setsockopt(nl->mnl, NETLINK_EXT_ACK, &one, sizeof(one));

	nl->portid = mnl_socket_get_portid(nl->mnl);
	/* Replies come to this socket's port id only: numbers need to be unique on it, and
	 * nothing else (never time-based). */
	nl->seq = 0;
	*out = nl;
	return 0;

err_close:
	mnl_socket_close(nl->mnl);
err_free:
	free(nl);
	return ret;
}

void nl_close(struct nl_sock *nl)
{
	if (!nl)
		return;
	mnl_socket_close(nl->mnl);
	free(nl);
}

int nl_fd(const struct nl_sock *nl)
{
	return mnl_socket_get_fd(nl->mnl);
}

uint32_t nl_next_seq(struct nl_sock *nl)
{
	if (++nl->seq == 0)
		nl->seq = 1;
	return nl->seq;
}

const char *nl_ext_ack(const struct nl_sock *nl)
{
	return nl->ext;
}

struct nlmsghdr *nl_nfmsg_start(struct nl_sock *nl, uint16_t type, uint16_t flags, uint8_t family,
				uint16_t res_id)
{
	return nl_nfmsg_put(nl, nl->sendbuf, type, flags, family, res_id);
}

struct nlmsghdr *nl_nfmsg_put(struct nl_sock *nl, void *buf, uint16_t type, uint16_t flags,
			      uint8_t family, uint16_t res_id)
{
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = nl_next_seq(nl);

	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = family;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = htons(res_id);
	return nlh;
}

/*
 * The error of an NLMSG_ERROR message (0 for an ACK), and the kernel's extended-ACK text
 * into @ext: after struct nlmsgerr come the request (unless NLM_F_CAPPED) and then the
 * NLMSGERR_ATTR_* attributes (with NLM_F_ACK_TLVS).  -EBADMSG if it is cut short.
 */
static int error_of(const struct nlmsghdr *nlh, char *ext, size_t extlen)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t len = nlh->nlmsg_len - NLMSG_HDRLEN, off;
	const struct nlattr *a;

	if (extlen)
		ext[0] = '\0';
	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*e))
		return -EBADMSG;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || !extlen)
		return e->error < 0 ? e->error : -e->error;
	off = sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += NLMSG_ALIGN(e->msg.nlmsg_len) - sizeof(e->msg);
	if (off < len) {
		const char *end = (const char *)e + len;

		for (a = (const struct nlattr *)((const char *)e + off);
		     mnl_attr_ok(a, (int)(end - (const char *)a)); a = mnl_attr_next(a)) {
			uint16_t alen = mnl_attr_get_payload_len(a);

			if (mnl_attr_get_type(a) != NLMSGERR_ATTR_MSG || alen == 0)
				continue;
			snprintf(ext, extlen, "%.*s", (int)strnlen(mnl_attr_get_payload(a), alen),
				 (const char *)mnl_attr_get_payload(a));
		}
	}
	return e->error < 0 ? e->error : -e->error;
}

/* One message of the reply to r->seq. */
static void reply_msg(struct nl_reply *r, const struct nlmsghdr *nlh)
{
	int ret;

	if (nlh->nlmsg_seq != r->seq) {
		r->skipped++; /* a leftover of an earlier request: never confused with ours */
		return;
	}
	switch (nlh->nlmsg_type) {
	case NLMSG_ERROR:
		ret = error_of(nlh, r->ext, r->err ? 0 : sizeof(r->ext));
		if (ret && !r->err)
			r->err = ret;
		r->done = true;
		return;
	case NLMSG_DONE:
		/* a dump that failed in the kernel says so in NLMSG_DONE's payload */
		if (nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(int) && !r->err) {
			int err;

			memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
			if (err < 0)
				r->err = err;
		}
		r->done = true;
		return;
	case NLMSG_NOOP:
	case NLMSG_OVERRUN:
		return;
	default:
		break;
	}
	/* NLM_F_DUMP_INTR: the table changed during the dump; it is inconsistent */
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR && !r->err)
		r->err = -EINTR;
	if (r->err || !r->cb)
		return; /* the rest of the reply is consumed without the callback */
	ret = r->cb(nlh, r->data);
	if (ret < 0)
		r->err = ret;
}

void nl_reply_feed(struct nl_reply *r, const void *buf, size_t len)
{
	const struct nlmsghdr *nlh = buf;
	int left = len > (size_t)INT32_MAX ? INT32_MAX : (int)len;

	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left))
		reply_msg(r, nlh);
	if (left > 0) {
		/* a message cut short: where the reply ends is unknowable, so it ends here */
		if (!r->err)
			r->err = -EBADMSG;
		r->done = true;
	}
}

/*
 * Receive one datagram into the socket's buffer.  Returns its length, -EAGAIN with
 * MSG_DONTWAIT when nothing is queued, -ENOSPC when it was larger than the buffer (never
 * silently cut: MSG_TRUNC returns the real length), or the -errno of recv().
 */
static ssize_t recv_one(struct nl_sock *nl, int flags)
{
	ssize_t n;

	do
		n = recv(mnl_socket_get_fd(nl->mnl), nl->recvbuf, NL_BUF_SIZE, flags | MSG_TRUNC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	if ((size_t)n > NL_BUF_SIZE)
		return -ENOSPC;
	nl->recvbuf[n] = '\0';
	return n;
}

/* Read one datagram of the reply @r.  0 or the -errno of recv_one(). */
static int reply_step(struct nl_sock *nl, struct nl_reply *r, int flags)
{
	ssize_t n = recv_one(nl, flags);

	if (n < 0)
		return (int)n;
	nl_reply_feed(r, nl->recvbuf, (size_t)n);
	return 0;
}

int nl_request(struct nl_sock *nl, struct nlmsghdr *nlh, nl_data_fn cb, void *data)
{
	struct nl_reply r = { .cb = cb, .data = data, .seq = nlh->nlmsg_seq };
	int ret;

	nl->ext[0] = '\0';
	/* A non-dump reply carries no NLMSG_DONE: ask for the ACK that ends it. */
	if (!(nlh->nlmsg_flags & NLM_F_DUMP))
		nlh->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(nl->mnl, nlh, nlh->nlmsg_len) < 0)
		return -errno;

	/* Read the whole reply even after an error: the next request must not see it. */
	while (!r.done)
		if ((ret = reply_step(nl, &r, 0)) < 0)
			return r.err ? r.err : ret;
	memcpy(nl->ext, r.ext, sizeof(nl->ext));
	return r.err;
}

int nl_dump_start(struct nl_sock *nl, struct nlmsghdr *nlh)
{
	nl->dump_seq = nlh->nlmsg_seq;
	return mnl_socket_sendto(nl->mnl, nlh, nlh->nlmsg_len) < 0 ? -errno : 0;
}

void nl_dump_abort(struct nl_sock *nl)
{
	struct nl_reply r = { .seq = nl->dump_seq };

	/* blocking reads: the kernel finishes a dump it started */
	while (!r.done && reply_step(nl, &r, 0) == 0)
		;
}

int nl_dump_step(struct nl_sock *nl, nl_data_fn cb, void *data, unsigned int budget)
{
	struct nl_reply r = { .cb = cb, .data = data, .seq = nl->dump_seq };
	int ret;

	while (budget-- > 0) {
		ret = reply_step(nl, &r, MSG_DONTWAIT);
		if (ret == -EAGAIN)
			return 0;
		if (ret < 0)
			return ret;
		if (r.err) {
			/* consume the rest of this reply so the socket can serve the next one */
			if (!r.done)
				nl_dump_abort(nl);
			return r.err;
		}
		if (r.done)
			return 1;
	}
	return 0;
}

int nl_set_rcvbuf(struct nl_sock *nl, size_t bytes, size_t *effective)
{
	int fd = mnl_socket_get_fd(nl->mnl);
	int val = bytes > (size_t)INT32_MAX ? INT32_MAX : (int)bytes;
	socklen_t len = sizeof(val);

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &val, sizeof(val)) < 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &val, sizeof(val)) < 0)
		return -errno;
	if (effective) {
		if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &val, &len) < 0)
			return -errno;
		*effective = (size_t)val;
	}
	return 0;
}

/* Ask for at least @bytes of send or receive buffer; never shrink it. */
static void ensure_buf(int fd, int opt_force, int opt, size_t bytes)
{
	int cur = 0, want = bytes > (size_t)INT32_MAX / 2 ? INT32_MAX / 2 : (int)bytes;
	socklen_t len = sizeof(cur);

	if (getsockopt(fd, SOL_SOCKET, opt, &cur, &len) == 0 && cur >= want)
		return;
	if (setsockopt(fd, SOL_SOCKET, opt_force, &want, sizeof(want)) < 0)
		setsockopt(fd, SOL_SOCKET, opt, &want, sizeof(want));
}

int nl_drain(struct nl_sock *nl, nl_data_fn fn, void *data)
{
	int n = 0;

	for (;;) {
		ssize_t len = recv_one(nl, MSG_DONTWAIT);
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)nl->recvbuf;
		int left;

		if (len == -EAGAIN)
			return n;
		if (len < 0)
			return (int)len; /* -ENOBUFS: the kernel dropped messages */
		left = (int)len;
		for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
			int ret = fn(nlh, data);

			if (ret < 0)
				return ret;
			n++;
		}
	}
}

/*
 * Each answer to a lookup holds 832 bytes of receive buffer (SO_MEMINFO's rmem_alloc
 * over 100 queued CT_GET answers, kernel 6.18): 2 KiB each leaves room.
 */
#define ANSWER_BUDGET 2048

int nl_talk(struct nl_sock *nl, const void *buf, size_t len, unsigned int nmsgs, nl_data_fn fn,
	    void *data)
{
	int fd = mnl_socket_get_fd(nl->mnl), ret;

	/* netlink refuses a message larger than the send buffer */
	ensure_buf(fd, SO_SNDBUFFORCE, SO_SNDBUF, len + 4096);
	ensure_buf(fd, SO_RCVBUFFORCE, SO_RCVBUF, (size_t)nmsgs * ANSWER_BUDGET + 65536);
	if (mnl_socket_sendto(nl->mnl, buf, len) < 0)
		return -errno;
	/* The kernel processed the messages inside sendmsg(): its answers are all queued. */
	ret = nl_drain(nl, fn, data);
	return ret < 0 ? ret : 0;
}

struct acks {
	nl_ack_fn fn;
	void *data;
};

static int ack_only(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	struct acks *a = data;
	char ext[128];
	int err;

	if (nlh->nlmsg_type != NLMSG_ERROR || nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*e))
		return 0;
	err = error_of(nlh, ext, sizeof(ext));
	a->fn(e->msg.nlmsg_seq, err, ext, a->data);
	return 0;
}

int nl_batch_talk(struct nl_sock *nl, const void *buf, size_t len, unsigned int nmsgs, nl_ack_fn fn,
		  void *data)
{
	struct acks a = { .fn = fn, .data = data };

	return nl_talk(nl, buf, len, nmsgs, ack_only, &a);
}
