#ifndef NATSCOPE_NFTABLES_IPTLEGACY_H
#define NATSCOPE_NFTABLES_IPTLEGACY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nftables/natexpr.h"

/*
 * The nat table of iptables-legacy (x_tables: invisible to nf_tables), read with libiptc
 * as iptables-legacy-save does, into plain data.  x_tables hooks it on postrouting at
 * NF_IP_PRI_NAT_SRC (100), the same priority as srcnat.
 */

#define IPTLEGACY_NAME 32 /* XT_EXTENSION_MAXNAMELEN (29) and a chain label (32) fit */

struct iptlegacy_rule {
	uint8_t family; /* NFPROTO_IPV4 or NFPROTO_IPV6 */
	char chain[IPTLEGACY_NAME];
	unsigned int num; /* 1-based position in its chain (iptables -L --line-numbers) */
	uint8_t src[16], smsk[16], dst[16], dmsk[16]; /* IPv4 in the first 4 bytes */
	char iniface[16], outiface[16];
	bool inv_src, inv_dst, inv_in, inv_out, inv_proto;
	uint16_t proto;
	char matches[96]; /* the names of its matches, in order, " "-separated */
	bool have_dport;  /* a tcp or udp match with a destination port range */
	uint16_t dport_min, dport_max;
	char target[IPTLEGACY_NAME]; /* a target's name, or the chain it jumps to */
	bool have_range;	     /* MASQUERADE or SNAT: their range */
	struct natexpr_range range;
};

struct iptlegacy_table {
	uint8_t family;
	struct iptlegacy_rule *v;
	size_t n;
	char **user_chains; /* the user-defined chains (jump targets) */
	size_t nuser;
};

/**
 * Read table nat of @family (NFPROTO_IPV4 or NFPROTO_IPV6) of the current namespace.
 * Reading does not create the table; call it only when /proc/net/ip{,6}_tables_names
 * lists nat (asking for it would instantiate an empty one).  0, or -errno
 * (-EPERM without CAP_NET_ADMIN).
 */
int iptlegacy_read(uint8_t family, struct iptlegacy_table *out);
void iptlegacy_release(struct iptlegacy_table *t);

/** Whether @t has a user-defined chain @name. */
bool iptlegacy_is_chain(const struct iptlegacy_table *t, const char *name);

/**
 * The rule as iptables-legacy-save writes its matches and target, without "-A CHAIN"
 * ("-s 10.0.0.0/16 ! -o docker0 -j MASQUERADE --random-fully"); a match natscope does not
 * decode is named ("-m addrtype").
 */
void iptlegacy_render(const struct iptlegacy_rule *r, char *buf, size_t len);

/** Whether the rule matches one address talking to itself (a hairpin rule). */
bool iptlegacy_hairpin(const struct iptlegacy_rule *r);

/* Used by iptlegacy.c: one family's reader (iptlegacy4.c, iptlegacy6.c). */
int iptlegacy_read4(struct iptlegacy_table *out);
int iptlegacy_read6(struct iptlegacy_table *out);
/* ... and what they share: append a rule, a user chain. */
int iptlegacy_push(struct iptlegacy_table *t, const struct iptlegacy_rule *r);
int iptlegacy_push_chain(struct iptlegacy_table *t, const char *name);
/** Decode a match (tcp/udp ports) or a target (MASQUERADE/SNAT range) into @r. */
void iptlegacy_match(struct iptlegacy_rule *r, const char *name, const void *data, size_t len);
void iptlegacy_target(struct iptlegacy_rule *r, const char *name, uint8_t rev, const void *data,
		      size_t len);

#endif
