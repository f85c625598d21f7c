#ifndef NATSCOPE_HOST_EVREC_H
#define NATSCOPE_HOST_EVREC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nlmsghdr;

/*
 * Conntrack messages in a pcap file with LINKTYPE_NETLINK (libpcap): each record is a
 * 16-byte cooked header (ARPHRD_NETLINK, protocol NETLINK_NETFILTER) and one netlink
 * message, so Wireshark decodes it.  Dump entries (NLM_F_MULTI) seed the state first.
 *
 * What the live engine did besides reading messages (overruns, the start and end of a
 * resynchronising dump) goes into the file as markers: NLMSG_NOOP messages whose payload
 * starts with "NSCP", which Wireshark shows as netlink no-ops and replay applies.
 */
struct evrec;

/** Create @path ("-": standard output).  -errno of opening it. */
int evrec_create(struct evrec **out, const char *path);
/** Append one message with timestamp @t (seconds since the epoch).  -errno of writing. */
int evrec_write(struct evrec *rec, const struct nlmsghdr *nlh, double t);

enum evrec_mark {
	EVREC_RESYNC_BEGIN = 1, /* @arg: enum engine_resync */
	EVREC_RESYNC_END,
	EVREC_RESYNC_CANCEL,
	EVREC_OVERRUN, /* @arg: event messages the kernel dropped */
	EVREC_FAILURE, /* a failed insertion the BPF component named (evrec_failure()) */
};
/** Append a marker. */
int evrec_mark(struct evrec *rec, enum evrec_mark mark, uint64_t arg, double t);
/** Whether @nlh is a marker; if so its kind and argument. */
bool evrec_marker(const struct nlmsghdr *nlh, enum evrec_mark *mark, uint64_t *arg);

struct insfail_rec;
/** Append a failed insertion: a marker whose payload carries @r. */
int evrec_failure(struct evrec *rec, const struct insfail_rec *r, double t);
/** Whether @nlh is such a marker; if so the record. */
bool evrec_failure_of(const struct nlmsghdr *nlh, struct insfail_rec *r);

/** Records (messages and markers) written so far. */
uint64_t evrec_records(const struct evrec *rec);
/** Flush and close; the first write error (-errno), or 0. */
int evrec_close(struct evrec *rec);

/* Called per recorded message; return 0 to go on or -errno to stop. */
typedef int (*evrec_fn)(const struct nlmsghdr *nlh, double t, void *data);

/* How a replay went, beyond its return value. */
struct evrec_status {
	uint64_t records; /* complete records passed to the callback */
	bool truncated;	  /* the file ends inside a record (disk full, a killed writer) */
	char why[256];	  /* for -EBADMSG and for truncated: what and where */
};

/**
 * Read @path, calling @fn for each message in order.  A file that ends inside a record
 * is replayed up to its last complete one and flagged truncated.  Returns 0, -errno of
 * opening it (-EISDIR for a directory), -EBADMSG when it is not a netlink capture or
 * holds a damaged record (@st->why says which), or the callback's -errno.
 */
int evrec_replay(const char *path, evrec_fn fn, void *data, struct evrec_status *st);

#endif
