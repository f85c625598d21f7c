#ifndef NATSCOPE_NFTABLES_SCOPE_H
#define NATSCOPE_NFTABLES_SCOPE_H

#include <stdbool.h>
#include <stdint.h>

/*
 * What a fix applies to: traffic leaving one interface (--oif) and/or coming from one
 * address range (--saddr).  Parsed strictly, so that the same text always means the same
 * scope: it is also what natscope's ownership mark records.
 */
struct scope {
	const char *oif; /* NULL: any interface */
	bool have_saddr;
	uint32_t saddr_family; /* NFPROTO_IPV4 or NFPROTO_IPV6 */
	uint8_t net[16], mask[16];
	unsigned int len; /* address bytes */
};

/*
 * Whether @name is an interface name the kernel would accept (1 to 15 bytes, not "." or
 * "..", no '/', ':' or white space) that nft syntax can also quote (no '"' and no
 * control characters).
 */
bool scope_ifname_ok(const char *name);

/**
 * Parse --oif @oif and --saddr @saddr (either may be NULL) into @sc, which keeps @oif.
 * -EINVAL for a bad interface name, an address that is not IPv4 or IPv6, or a prefix
 * that is not a decimal number within the address.
 */
int scope_parse(const char *oif, const char *saddr, struct scope *sc);

#endif
