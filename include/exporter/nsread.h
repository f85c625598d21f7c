#ifndef NATSCOPE_EXPORTER_NSREAD_H
#define NATSCOPE_EXPORTER_NSREAD_H

#include <stdbool.h>

#include "host/localnet.h"
#include "host/sysctl.h"

struct nl_sock;

/*
 * What the exporter reads inside a namespace it watches, kept current while it runs: the
 * conntrack settings (nf_conntrack_max, the buckets, timeouts and accounting, which a
 * user may tune meanwhile, with `natscope fix --tune` or sysctl) and the attached
 * networks (bridge-local traffic).  A descriptor of the namespace, opened inside it, lets
 * the exporter step back in to read them again; an rtnetlink socket opened inside it
 * hears its address changes, so a bridge that comes later is known at once.  The
 * settings are read again every NSREAD_PERIOD seconds (no event tells of a sysctl write).
 */
#define NSREAD_PERIOD 10.0

struct nsread {
	bool on;	       /* reads again (false: it could not keep the namespace) */
	int fd;		       /* the namespace, when it is entered to read; else -1 */
	struct nl_sock *addrs; /* its address notifications; NULL without */
	double read_at;	       /* monotonic time of the last read */
	bool nets_stale;       /* an address changed since */
};

/** Read both in the namespace the caller is in (0, or -ENOENT without conntrack's
 *  settings); the networks are best effort, as audit's. */
int nsread_now(struct sysctl_info *sys, struct localnets *nets);
/** Keep the current namespace for later reads, entering it for them when @enter (not
 *  the caller's own); best effort: without it, no re-reads. */
void nsread_open(struct nsread *r, double now, bool enter);
/** The descriptor to poll for address changes, or -1. */
int nsread_fd(const struct nsread *r);
/** Take the queued notifications: the networks are to be read again. */
void nsread_input(struct nsread *r);
/** Whether a read is due at @now (an address changed, or the period passed). */
bool nsread_due(const struct nsread *r, double now);
/** Enter the namespace (if it is not the caller's), read what nsread_now() reads, come
 *  back; what cannot be read stays as it was.  0 or -errno (the caller's namespace is
 *  always restored). */
int nsread_again(struct nsread *r, double now, struct sysctl_info *sys, struct localnets *nets);
void nsread_close(struct nsread *r);

#endif
