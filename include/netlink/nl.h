#ifndef NATSCOPE_NL_H
#define NATSCOPE_NL_H

#include <stddef.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

/* A netlink socket with its own sequence counter and receive buffer. */
struct nl_sock;

/** Open a NETLINK_NETFILTER socket bound to @groups (a bit mask, 0 for none). */
int nl_open(struct nl_sock **out, unsigned int groups);
void nl_close(struct nl_sock *nl);
int nl_fd(const struct nl_sock *nl);

/** Next sequence number of this socket (never time-based). */
uint32_t nl_next_seq(struct nl_sock *nl);

/**
 * Build an nfnetlink request header in the socket's send buffer and return it.
 * @type is the full nlmsg_type ((subsys << 8) | msg).
 */
struct nlmsghdr *nl_nfmsg_start(struct nl_sock *nl, uint16_t type, uint16_t flags, uint8_t family,
				uint16_t res_id);

/** The same header at @buf, for callers that frame several requests themselves. */
struct nlmsghdr *nl_nfmsg_put(struct nl_sock *nl, void *buf, uint16_t type, uint16_t flags,
			      uint8_t family, uint16_t res_id);

/**
 * Send @nlh, then read every reply until NLMSG_DONE or the ACK/error that matches it,
 * calling @cb for each data message.  Returns 0 or -errno (the kernel's error for the
 * request, or the callback's).
 */
int nl_request(struct nl_sock *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data);

/*
 * A dump read in steps, for a poll() loop: nl_dump_start() sends the request; each
 * nl_dump_step() reads what is queued, at most @budget buffers, calling @cb for each data
 * message.  Returns 1 when the dump ended, 0 when more is to come (poll the socket's fd),
 * or -errno (the reply is then consumed).
 */
int nl_dump_start(struct nl_sock *nl, struct nlmsghdr *nlh);
int nl_dump_step(struct nl_sock *nl, mnl_cb_t cb, void *data, unsigned int budget);

/**
 * Ask for @bytes of receive buffer: SO_RCVBUFFORCE, falling back to SO_RCVBUF when the
 * caller lacks CAP_NET_ADMIN.  *effective gets what the kernel granted (it doubles the
 * request and caps SO_RCVBUF at net.core.rmem_max).
 */
int nl_set_rcvbuf(struct nl_sock *nl, size_t bytes, size_t *effective);

/* Called for every message of the answers, data or NLMSG_ERROR alike. */
typedef void (*nl_msg_fn)(const struct nlmsghdr *nlh, void *data);

/**
 * Send @nmsgs requests framed back to back in @buf with one sendmsg(), then read every
 * answer the kernel queued while processing them (netfilter answers inside sendmsg()),
 * passing each message to @fn.  Returns 0, or -errno of the transport.
 */
int nl_talk(struct nl_sock *nl, const void *buf, size_t len, unsigned int nmsgs, nl_msg_fn fn,
	    void *data);

/* Called for every NLMSG_ERROR in a batch's answer: @err 0 is an ACK. */
typedef void (*nl_ack_fn)(uint32_t seq, int err, void *data);

/** nl_talk() for a batch framed with batch begin/end, passing each ACK or error to @fn. */
int nl_batch_talk(struct nl_sock *nl, const void *buf, size_t len, unsigned int nmsgs, nl_ack_fn fn,
		  void *data);

#endif
