#include "config.h"
#include "netlink/nl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>

#include <linux/netfilter/nfnetlink.h>

/*
 * 64 KiB: the kernel sizes dump skbs from the reader's buffer (netlink_dump() tries up to
 * 32 KiB and more when the receive buffer allows it), so a larger buffer means fewer
 * recvmsg() calls on a million-entry dump.
 */
#define NL_BUF_SIZE (64 * 1024)

struct nl_sock {
	struct mnl_socket *mnl;
	uint32_t portid;
	uint32_t seq;
	uint32_t dump_seq;  /* the dump nl_dump_step() reads */
	char sendbuf[8192]; /* requests are one small message */
	char recvbuf[NL_BUF_SIZE];
};

int nl_open(struct nl_sock **out, unsigned int groups)
{
	struct nl_sock *nl;
	int one = 1;
	int ret;

	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return -ENOMEM;

	nl->mnl = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl->mnl) {
		ret = -errno;
		goto err_free;
	}
	if (mnl_socket_bind(nl->mnl, groups, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto err_close;
	}
	/* Extended ACKs name the attribute the kernel rejected; harmless where unsupported. */
	mnl_socket_setsockopt(nl->mnl, NETLINK_EXT_ACK, &one, sizeof(one));

	nl->portid = mnl_socket_get_portid(nl->mnl);
	/* Any start value works as long as it is per socket and increments; avoid 0. */
	nl->seq = (uint32_t)time(NULL) ^ (nl->portid << 8);
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

/* The reply's state, seen by the control callbacks as well as the data one. */
struct reply {
	mnl_cb_t cb;
	void *data;
	bool done; /* NLMSG_DONE or the final ACK/error arrived: nothing more is queued */
	int err;   /* first error: the kernel's for the request, or the callback's */
};

/*
 * A callback's error is recorded and the rest of the reply consumed without it, so the
 * end of the reply is always seen.
 */
static int reply_data(const struct nlmsghdr *nlh, void *data)
{
	struct reply *r = data;

	if (r->err || !r->cb)
		return MNL_CB_OK;
	errno = 0;
	if (r->cb(nlh, r->data) == MNL_CB_ERROR)
		r->err = errno ? -errno : -EPROTO;
	return MNL_CB_OK;
}

static int reply_error(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	struct reply *r = data;

	r->done = true;
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e))) {
		r->err = r->err ? r->err : -EBADMSG;
		return MNL_CB_STOP;
	}
	if (e->error && !r->err)
		r->err = e->error < 0 ? e->error : -e->error;
	return MNL_CB_STOP;
}

static int reply_done(const struct nlmsghdr *nlh, void *data)
{
	((struct reply *)data)->done = true;
	return MNL_CB_STOP;
}

/* After libmnl stopped early (NLM_F_DUMP_INTR), look for the reply's end ourselves. */
static bool buffer_ends_reply(const void *buf, size_t len)
{
	const struct nlmsghdr *nlh = buf;
	int left = (int)len;

	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left))
		if (nlh->nlmsg_type == NLMSG_DONE || nlh->nlmsg_type == NLMSG_ERROR)
			return true;
	return false;
}

/*
 * Read one buffer of the reply to @seq into @r.  Returns 0 or the -errno of recv()
 * (-EAGAIN with MSG_DONTWAIT when nothing is queued).
 */
static int reply_step(struct nl_sock *nl, uint32_t seq, struct reply *r, int flags)
{
	mnl_cb_t ctl[NLMSG_MIN_TYPE] = {
		[NLMSG_ERROR] = reply_error,
		[NLMSG_DONE] = reply_done,
	};
	ssize_t n;

	/* MSG_TRUNC: the real length, so a message too big for the buffer is an error (as
	 * mnl_socket_recvfrom() makes it), not silently cut */
	do
		n = recv(mnl_socket_get_fd(nl->mnl), nl->recvbuf, sizeof(nl->recvbuf),
			 flags | MSG_TRUNC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	if ((size_t)n > sizeof(nl->recvbuf))
		return -ENOSPC;
	errno = 0;
	if (mnl_cb_run2(nl->recvbuf, (size_t)n, seq, nl->portid, reply_data, r, ctl,
			NLMSG_MIN_TYPE) == MNL_CB_ERROR) {
		/* EINTR: the kernel marked the dump inconsistent (NLM_F_DUMP_INTR). */
		if (!r->err)
			r->err = errno ? -errno : -EPROTO;
		if (buffer_ends_reply(nl->recvbuf, (size_t)n))
			r->done = true;
	}
	return 0;
}

int nl_request(struct nl_sock *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	struct reply r = { .cb = cb, .data = data };
	uint32_t seq = nlh->nlmsg_seq;
	int ret;

	/* A non-dump reply carries no NLMSG_DONE: ask for the ACK that ends it. */
	if (!(nlh->nlmsg_flags & NLM_F_DUMP))
		nlh->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(nl->mnl, nlh, nlh->nlmsg_len) < 0)
		return -errno;

	/* Read the whole reply even after an error: the next request must not see it. */
	while (!r.done)
		if ((ret = reply_step(nl, seq, &r, 0)) < 0)
			return r.err ? r.err : ret;
	return r.err;
}

int nl_dump_start(struct nl_sock *nl, struct nlmsghdr *nlh)
{
	nl->dump_seq = nlh->nlmsg_seq;
	return mnl_socket_sendto(nl->mnl, nlh, nlh->nlmsg_len) < 0 ? -errno : 0;
}

int nl_dump_step(struct nl_sock *nl, mnl_cb_t cb, void *data, unsigned int budget)
{
	struct reply r = { .cb = cb, .data = data };
	int ret;

	while (budget-- > 0) {
		ret = reply_step(nl, nl->dump_seq, &r, MSG_DONTWAIT);
		if (ret == -EAGAIN)
			return 0;
		if (ret < 0)
			return ret;
		if (r.err) {
			/* consume the rest of this reply so the socket can serve the next one */
			while (!r.done && reply_step(nl, nl->dump_seq, &r, 0) == 0)
				;
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

int nl_talk(struct nl_sock *nl, const void *buf, size_t len, unsigned int nmsgs, nl_msg_fn fn,
	    void *data)
{
	int fd = mnl_socket_get_fd(nl->mnl);

	/*
	 * netlink refuses a message larger than the send buffer; each answer takes about a
	 * kilobyte of receive buffer (skb truesize), so size both for these messages.
	 */
	ensure_buf(fd, SO_SNDBUFFORCE, SO_SNDBUF, len + 4096);
	ensure_buf(fd, SO_RCVBUFFORCE, SO_RCVBUF, (size_t)nmsgs * 2048 + 65536);
	if (mnl_socket_sendto(nl->mnl, buf, len) < 0)
		return -errno;

	/* The kernel processed the messages inside sendmsg(): its answers are all queued. */
	for (;;) {
		ssize_t n = recv(fd, nl->recvbuf, sizeof(nl->recvbuf), MSG_DONTWAIT);
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)nl->recvbuf;
		int left;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
		}
		left = (int)n;
		for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left))
			fn(nlh, data);
	}
}

struct acks {
	nl_ack_fn fn;
	void *data;
};

static void ack_only(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	struct acks *a = data;

	if (nlh->nlmsg_type == NLMSG_ERROR && nlh->nlmsg_len >= mnl_nlmsg_size(sizeof(*e)))
		a->fn(e->msg.nlmsg_seq, e->error < 0 ? e->error : -e->error, a->data);
}

int nl_batch_talk(struct nl_sock *nl, const void *buf, size_t len, unsigned int nmsgs, nl_ack_fn fn,
		  void *data)
{
	struct acks a = { .fn = fn, .data = data };

	return nl_talk(nl, buf, len, nmsgs, ack_only, &a);
}
