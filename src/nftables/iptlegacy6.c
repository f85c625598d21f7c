#include "config.h"
#include "nftables/iptlegacy.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <libiptc/libip6tc.h>
#include <linux/netfilter.h>

/* iptables-legacy's IPv6 nat table (libip6tc); the reader is iptlegacy_tmpl.h. */
#define LEGACY_ENTRY  struct ip6t_entry
#define LEGACY_IP     ipv6
#define LEGACY_ALEN   16
#define LEGACY_INV(x) IP6T_INV_##x
#define LEGACY_TC(fn) ip6tc_##fn
#define LEGACY_FAMILY NFPROTO_IPV6
#define LEGACY_READ   iptlegacy_read6

#include "iptlegacy_tmpl.h"
