#ifndef NATSCOPE_NETLINK_NL_H
#define NATSCOPE_NETLINK_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nlmsghdr;

/* A netlink socket with its own sequence counter and receive buffer. */
struct nl_sock;

/* Called for each message; return 0 to go on or -errno to stop (the error is returned). */
typedef int (*nl_data_fn)(const struct nlmsghdr *nlh, void *data);

/** Open a NETLINK_NETFILTER socket bound to @groups (a bit mask, 0 for none). */
int nl_open(struct nl_sock **out, unsigned int groups);
/** The same for another netlink protocol (NETLINK_ROUTE). */
int nl_open_proto(struct nl_sock **out, int protocol, unsigned int groups);
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
 * request, or the callback's); nl_ext_ack() then says what the kernel said about it.
 */
int nl_request(struct nl_sock *nl, struct nlmsghdr *nlh, nl_data_fn cb, void *data);

/** The kernel's extended-ACK message for the last failed request, or "". */
const char *nl_ext_ack(const struct nl_sock *nl);

/*
 * A dump read in steps, for a poll() loop: nl_dump_start() sends the request; each
 * nl_dump_step() reads what is queued, at most @budget buffers, calling @cb for each data
 * message.  Returns 1 when the dump ended, 0 when more is to come (poll the socket's fd),
 * or -errno (the reply is then consumed).  nl_dump_abort() reads and drops what is left
 * of a dump given up.
 */
int nl_dump_start(struct nl_sock *nl, struct nlmsghdr *nlh);
int nl_dump_step(struct nl_sock *nl, nl_data_fn cb, void *data, unsigned int budget);
void nl_dump_abort(struct nl_sock *nl);

/**
 * Ask for @bytes of receive buffer: SO_RCVBUFFORCE, falling back to SO_RCVBUF when the
 * caller lacks CAP_NET_ADMIN.  *effective gets what the kernel granted (it doubles the
 * request and caps SO_RCVBUF at net.core.rmem_max).
 */
int nl_set_rcvbuf(struct nl_sock *nl, size_t bytes, size_t *effective);

/**
 * Read every message queued on the socket without blocking, passing each to @fn.
 * Returns the number of messages, -ENOBUFS when the kernel dropped messages for this
 * socket (it stays usable), the callback's -errno, or another -errno.
 */
int nl_drain(struct nl_sock *nl, nl_data_fn fn, void *data);

/**
 * Send @nmsgs requests framed back to back in @buf with one sendmsg(), then read every
 * answer the kernel queued while processing them (netfilter answers inside sendmsg()),
 * passing each message, data or NLMSG_ERROR alike, to @fn.  Returns 0 or -errno.
 */
int nl_talk(struct nl_sock *nl, const void *buf, size_t len, unsigned int nmsgs, nl_data_fn fn,
	    void *data);

/* Called for every NLMSG_ERROR of a batch's answer: @err 0 is an ACK; @msg is the
 * kernel's extended-ACK text ("" when it gave none). */
typedef void (*nl_ack_fn)(uint32_t seq, int err, const char *msg, void *data);

/** nl_talk() for a batch framed with batch begin/end, passing each ACK or error to @fn. */
int nl_batch_talk(struct nl_sock *nl, const void *buf, size_t len, unsigned int nmsgs, nl_ack_fn fn,
		  void *data);

/*
 * The state of one request's reply, fed a datagram at a time.  Exposed so the state
 * machine is tested on buffers built in memory.
 */
struct nl_reply {
	nl_data_fn cb;
	void *data;
	uint32_t seq;  /* the request's sequence number */
	bool done;     /* NLMSG_DONE or the final ACK/error arrived: nothing more is queued */
	int err;       /* first error: the kernel's for the request, or the callback's */
	char ext[128]; /* the kernel's extended-ACK message for err, or "" */
	unsigned int skipped; /* messages of other requests (stale) passed over */
};

/**
 * Feed one received datagram of @len bytes.  Data messages go to the callback until an
 * error; a dump the kernel marks interrupted (NLM_F_DUMP_INTR) fails with -EINTR;
 * messages of other sequence numbers are skipped; a message cut short ends the reply
 * with -EBADMSG.
 */
void nl_reply_feed(struct nl_reply *r, const void *buf, size_t len);

#endif
