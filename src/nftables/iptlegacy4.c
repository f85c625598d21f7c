#include "config.h"
#include "nftables/iptlegacy.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <libiptc/libiptc.h>
#include <linux/netfilter.h>

/* iptables-legacy's IPv4 nat table (libip4tc); the reader is iptlegacy_tmpl.h. */
#define LEGACY_ENTRY  struct ipt_entry
#define LEGACY_IP     ip
#define LEGACY_ALEN   4
#define LEGACY_INV(x) IPT_INV_##x
#define LEGACY_TC(fn) iptc_##fn
#define LEGACY_FAMILY NFPROTO_IPV4
#define LEGACY_READ   iptlegacy_read4

#include "iptlegacy_tmpl.h"
