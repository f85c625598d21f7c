#include "config.h"
#include "nftables/scope.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

bool scope_ifname_ok(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len >= IFNAMSIZ || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return false;
	for (const unsigned char *c = (const unsigned char *)name; *c; c++)
		if (*c <= ' ' || *c == 0x7f || *c == '/' || *c == ':' || *c == '"')
			return false;
	return true;
}

/* "ADDR[/PREFIX]" into the network and mask of @sc. */
static int parse_saddr(const char *saddr, struct scope *sc)
{
	char addr[INET6_ADDRSTRLEN + 1], *slash;
	unsigned long prefix;

	if (strlen(saddr) >= sizeof(addr))
		return -EINVAL;
	strcpy(addr, saddr);
	slash = strchr(addr, '/');
	if (slash)
		*slash++ = '\0';
	if (inet_pton(AF_INET, addr, sc->net) == 1) {
		sc->saddr_family = NFPROTO_IPV4;
		sc->len = 4;
	} else if (inet_pton(AF_INET6, addr, sc->net) == 1) {
		sc->saddr_family = NFPROTO_IPV6;
		sc->len = 16;
	} else {
		return -EINVAL;
	}
	prefix = sc->len * 8;
	if (slash && (!util_all_digits(slash) || strlen(slash) > 3 ||
		      (prefix = strtoul(slash, NULL, 10)) > sc->len * 8))
		return -EINVAL;
	for (unsigned int i = 0; i < sc->len; i++) {
		unsigned int bits = prefix > i * 8 ? (unsigned int)prefix - i * 8 : 0;

		sc->mask[i] = bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits));
		sc->net[i] &= sc->mask[i];
	}
	sc->have_saddr = true;
	return 0;
}

int scope_parse(const char *oif, const char *saddr, struct scope *sc)
{
	memset(sc, 0, sizeof(*sc));
	if (oif && !scope_ifname_ok(oif))
		return -EINVAL;
	sc->oif = oif;
	return saddr ? parse_saddr(saddr, sc) : 0;
}
