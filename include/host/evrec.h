#ifndef NATSCOPE_EVREC_H
#define NATSCOPE_EVREC_H

#include <stdint.h>

struct nlmsghdr;

/*
 * Conntrack messages in a pcap file with LINKTYPE_NETLINK (libpcap): each record is a
 * 16-byte cooked header (ARPHRD_NETLINK, protocol NETLINK_NETFILTER) and one netlink
 * message, so Wireshark decodes it.  Dump entries (NLM_F_MULTI) seed the state first.
 */
struct evrec;

int evrec_create(struct evrec **out, const char *path);
/** Append one message with timestamp @t (seconds since the epoch). */
int evrec_write(struct evrec *rec, const struct nlmsghdr *nlh, double t);
/** Flush and close; returns -EIO if anything failed to be written. */
int evrec_close(struct evrec *rec);

/* Called per recorded message; return 0 to go on or -errno to stop. */
typedef int (*evrec_fn)(const struct nlmsghdr *nlh, double t, void *data);

/**
 * Read @path, calling @fn for each message in order.  -ENOENT/-EACCES: cannot open;
 * -EBADMSG: not a natscope/netlink capture or a damaged record (@err, if given, says
 * which); else the number of messages.
 */
long evrec_replay(const char *path, evrec_fn fn, void *data, char *err, unsigned long errlen);

#endif
