#ifndef NATSCOPE_CT_EVENTS_H
#define NATSCOPE_CT_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ct_flow.h"

struct nlmsghdr;

enum ct_event_type {
	CT_EVENT_NEW,
	CT_EVENT_UPDATE,
	CT_EVENT_DESTROY,
	CT_EVENT_DUMP, /* an entry of a table dump (seeding or resynchronising) */
	CT_EVENT_TYPES,
};

/** The kind of a ctnetlink message: NEW with NLM_F_CREATE, NEW, DELETE, or a dump entry
 *  (NLM_F_MULTI).  -1 for anything else. */
int ct_events_classify(const struct nlmsghdr *nlh);

/* A socket subscribed to conntrack NEW, UPDATE and DESTROY events (or NEW alone). */
struct ct_events;

/* The event buffer top and record ask for, and the cap it may grow to after overruns:
 * 64 MiB lost nothing to two CPUs creating 155,000 flows/s (NOTES.md). */
#define CT_EVENTS_RCVBUF_DEFAULT     (64u << 20)
#define CT_EVENTS_RCVBUF_MAX_DEFAULT (512u << 20)

struct ct_events_opts {
	size_t rcvbuf;	   /* asked for at open (SO_RCVBUFFORCE, else SO_RCVBUF) */
	size_t rcvbuf_max; /* growth cap after overruns */
	bool new_only;	   /* NEW events alone (NFNLGRP_CONNTRACK_NEW) */
};

int ct_events_open(struct ct_events **out, const struct ct_events_opts *o);
void ct_events_free(struct ct_events *ev);
int ct_events_fd(const struct ct_events *ev);
/** The receive buffer the kernel granted, in bytes. */
size_t ct_events_rcvbuf(const struct ct_events *ev);

/* Called for each message read; return 0 or -errno to stop. */
typedef int (*ct_events_fn)(const struct nlmsghdr *nlh, void *data);

/**
 * Read everything queued without blocking, passing each message to @fn.  Returns the
 * number of messages, or -ENOBUFS when the kernel dropped events (the socket is still
 * usable; the caller must resynchronise), or -errno.
 */
int ct_events_read(struct ct_events *ev, ct_events_fn fn, void *data);

/** Event messages the kernel dropped for this socket so far (SK_MEMINFO_DROPS). */
int ct_events_drops(const struct ct_events *ev, uint64_t *drops);

/** Double the receive buffer up to the cap; 0 if grown, -ENOSPC at the cap. */
int ct_events_grow(struct ct_events *ev);

#endif
