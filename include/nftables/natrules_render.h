#ifndef NATSCOPE_NFTABLES_NATRULES_RENDER_H
#define NATSCOPE_NFTABLES_NATRULES_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nftnl_rule;

/* natrules_render() flags */
#define NATRULES_RENDER_SCRIPT 0x1 /* nft -f input: no "(xt)" marks, no counter values */

/*
 * What nft syntax (nft 1.0.6) can write.  A name is written bare and only in nft's
 * identifier form, [A-Za-z_.][A-Za-z0-9/_.-]* (there is no quoting of names); a string
 * is written in double quotes, which cannot hold '"' (there is no escape) and must not
 * hold control characters.
 */
bool natrules_nft_name_ok(const char *s);
bool natrules_nft_quotable(const char *s, size_t len);
bool natrules_nft_char_ok(unsigned char ch);

/* nft's names (natrules_words.c): a meta key ("meta mark", "oifname"), a layer-4
 * protocol ("tcp"), one bit of ct state or ct status ("new", "snat"); NULL if none. */
const char *natrules_meta_name(uint32_t key);
const char *natrules_l4_name(uint8_t proto);
const char *natrules_ct_bit_name(uint32_t key, uint32_t bit);

/**
 * Render @r as nft would list it, as far as natscope knows its expressions.
 * Returns 0, 1 when some expression has no nft syntax here (shown as [name] or
 * xt match) or a name or string nft syntax cannot write (shown with '?' for what it
 * cannot), or -errno.
 */
int natrules_render(const struct nftnl_rule *r, uint8_t family, unsigned int flags, char *buf,
		    size_t len);

#endif
