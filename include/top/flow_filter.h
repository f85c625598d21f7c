#ifndef NATSCOPE_TOP_FLOW_FILTER_H
#define NATSCOPE_TOP_FLOW_FILTER_H

#include <stdbool.h>
#include <stdint.h>

#include "ct_flow.h"
#include "host/addrmap.h"

/*
 * The flows filter: words separated by spaces, all of which must hold; "!" before a word
 * negates it.  A word is an address or CIDR prefix (any of the flow's four addresses), a
 * port (any of its ports), a protocol name, a TCP state or NAT kind (any case), or else
 * text the flow's line contains or the name of who owns one of its addresses (with
 * flow_filter_bind()).  "src=", "dst=" (address or prefix), "sport=", "dport=" (port) and
 * "proto=" hold for one side only, as iptstate's filters do; with nothing after "=" the
 * word holds for every flow (a filter being typed).
 */
#define FLOW_FILTER_WORDS 8
#define FLOW_FILTER_OWNED 32 /* addresses a text word finds among the owners' names */

struct flow_filter {
	unsigned int n;
	struct flow_filter_word {
		enum { FW_PREFIX, FW_PORT, FW_PROTO, FW_STATE, FW_NAT, FW_TEXT, FW_ANY } kind;
		enum { FW_EITHER, FW_SRC, FW_DST } side; /* "src=", "sport=" ...: one side */
		bool negate;
		uint8_t family, plen; /* FW_PREFIX */
		union ct_addr addr;
		uint16_t num; /* port, protocol, state or NAT kind */
		char text[64];
		unsigned int nowned; /* FW_TEXT: addresses whose owner's name holds it */
		struct {
			uint8_t family;
			union ct_addr addr;
		} owned[FLOW_FILTER_OWNED];
	} w[FLOW_FILTER_WORDS];
};

/** Compile @s (NULL or "" match everything).  -EINVAL: more than FLOW_FILTER_WORDS words. */
int flow_filter_parse(const char *s, struct flow_filter *out);
/** Let text words match owners: the addresses @names gives an owner holding the text. */
void flow_filter_bind(struct flow_filter *fl, const struct addrmap *names);
bool flow_filter_match(const struct flow_filter *fl, const struct ct_flow *f);

#endif
