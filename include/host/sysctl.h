#ifndef NATSCOPE_SYSCTL_H
#define NATSCOPE_SYSCTL_H

#include <stdint.h>

/* Conntrack settings of the current network namespace, read from /proc/sys. */
enum sysctl_key {
	SYSCTL_COUNT,
	SYSCTL_MAX,
	SYSCTL_BUCKETS,
	SYSCTL_ACCT,
	SYSCTL_TIMESTAMP,
	SYSCTL_EVENTS,
	SYSCTL_TCP_TIMEOUT_ESTABLISHED,
	SYSCTL_TCP_TIMEOUT_SYN_SENT,
	SYSCTL_TCP_TIMEOUT_TIME_WAIT,
	SYSCTL_TCP_TIMEOUT_CLOSE_WAIT,
	SYSCTL_TCP_TIMEOUT_FIN_WAIT,
	SYSCTL_TCP_TIMEOUT_CLOSE,
	SYSCTL_UDP_TIMEOUT,
	SYSCTL_UDP_TIMEOUT_STREAM,
	SYSCTL_ICMP_TIMEOUT,
	SYSCTL_GENERIC_TIMEOUT,
	SYSCTL_TCP_BE_LIBERAL,
	SYSCTL_TCP_LOOSE,
	SYSCTL_LOG_INVALID,
	SYSCTL_KEYS,
};

#define SYSCTL_ABSENT INT64_MIN

struct sysctl_info {
	int64_t val[SYSCTL_KEYS];	      /* SYSCTL_ABSENT where the file is missing */
	int64_t port_range_lo, port_range_hi; /* net.ipv4.ip_local_port_range */
	char kernel[128];		      /* uname release */
	int64_t ct_entry_bytes;		      /* a conntrack entry's slab object; ABSENT unknown */
	/* net.bridge.bridge-nf-call-iptables, -ip6tables: whether bridged frames pass the IP
	 * hooks (conntrack); ABSENT without br_netfilter */
	int64_t bridge_nf[2];
};

/** Short name ("nf_conntrack_max") of @key. */
const char *sysctl_name(enum sysctl_key key);

/**
 * Read every key from @root (normally "/proc/sys/net"; a test may pass a directory tree
 * of its own).  Missing files are left SYSCTL_ABSENT; only an unreadable root fails.
 */
int sysctl_read(const char *root, struct sysctl_info *info);

/**
 * The size of one conntrack entry in kernel memory: the nf_conntrack slab cache's object
 * size (@slab_root "/sys/kernel/slab": SLUB's nf_conntrack/object_size), else SYSCTL_ABSENT.
 */
int64_t sysctl_ct_entry_bytes(const char *slab_root);

#endif
