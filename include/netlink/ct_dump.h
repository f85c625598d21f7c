#ifndef NATSCOPE_CT_DUMP_H
#define NATSCOPE_CT_DUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ct_flow.h"

struct nl_sock;

/* Called once per entry; return 0 to go on or -errno to abort the dump. */
typedef int (*ct_dump_fn)(const struct ct_flow *flow, void *data);

/**
 * Stream the conntrack table of the socket's namespace (@family AF_UNSPEC for all) to @fn
 * without storing entries.  *@nmsgs (may be NULL) gets the number of entries seen.
 */
int ct_dump_run(struct nl_sock *nl, uint8_t family, ct_dump_fn fn, void *data, uint64_t *nmsgs);

struct nlmsghdr;
/* Called once per raw dump message (an IPCTNL_MSG_CT_NEW with NLM_F_MULTI). */
typedef int (*ct_dump_raw_fn)(const struct nlmsghdr *nlh, void *data);

/** Stream the table as raw messages, for consumers that parse (and record) themselves. */
int ct_dump_raw(struct nl_sock *nl, uint8_t family, ct_dump_raw_fn fn, void *data);

/**
 * The same dump in steps, for a poll() loop (see nl_dump_step()): start, then step while
 * the socket is readable until it returns 1 (done) or -errno.
 */
int ct_dump_raw_start(struct nl_sock *nl, uint8_t family);
int ct_dump_raw_step(struct nl_sock *nl, ct_dump_raw_fn fn, void *data, unsigned int budget);

/**
 * The entry whose reply tuple is @reply (host-order ports), into @out: one CT_GET.
 * -ENOENT when none holds it, -EOPNOTSUPP for ICMP, -errno.
 */
int ct_dump_get_by_reply(struct nl_sock *nl, uint8_t family, uint8_t l4proto,
			 const struct ct_tuple *reply, struct ct_flow *out);

/** Append @flow's original tuple and id to a lookup or delete request (what names one entry). */
void ct_dump_put_flow(struct nlmsghdr *nlh, const struct ct_flow *flow);

/**
 * Delete the conntrack entry of @flow (IPv4 or IPv6, by original tuple and id), as
 * `conntrack -D` does.  -ENOENT: it is already gone.
 */
int ct_dump_delete(struct nl_sock *nl, const struct ct_flow *flow);

/**
 * Read the live details of @n flows (timeout, state, mark, counters when accounting is
 * on) with one lookup each, all sent at once; found[i] tells whether flow i still exists
 * (same tuple and id).  For the rows a view shows: no dump.  Returns 0 or -errno.
 */
int ct_dump_refresh(struct nl_sock *nl, struct ct_flow *flows, size_t n, bool *found);

#endif
