#ifndef NATSCOPE_NFTABLES_NATRULES_RENDER_H
#define NATSCOPE_NFTABLES_NATRULES_RENDER_H

#include <stddef.h>
#include <stdint.h>

struct nftnl_rule;

/* natrules_render() flags */
#define NATRULES_RENDER_SCRIPT 0x1 /* nft -f input: no "(xt)" marks, no counter values */

/**
 * Render @r as nft would list it, as far as natscope knows its expressions.
 * Returns 0, 1 when some expression has no nft syntax here (shown as [name] or
 * xt match), or -errno.
 */
int natrules_render(const struct nftnl_rule *r, uint8_t family, unsigned int flags, char *buf,
		    size_t len);

#endif
