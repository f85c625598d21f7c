#ifndef NATSCOPE_TOP_FLOW_FILTER_H
#define NATSCOPE_TOP_FLOW_FILTER_H

#include <stdbool.h>
#include <stdint.h>

#include "ct_flow.h"

/*
 * The flows filter: words separated by spaces, all of which must hold; "!" before a word
 * negates it.  A word is an address or CIDR prefix (any of the flow's four addresses), a
 * port (any of its ports), a protocol name, a TCP state or NAT kind (any case), or else
 * text the flow's line contains.
 */
#define FLOW_FILTER_WORDS 8

struct flow_filter {
	unsigned int n;
	struct flow_filter_word {
		enum { FW_PREFIX, FW_PORT, FW_PROTO, FW_STATE, FW_NAT, FW_TEXT } kind;
		bool negate;
		uint8_t family, plen; /* FW_PREFIX */
		union ct_addr addr;
		uint16_t num; /* port, protocol, state or NAT kind */
		char text[64];
	} w[FLOW_FILTER_WORDS];
};

/** Compile @s (NULL or "" match everything).  -EINVAL: more than FLOW_FILTER_WORDS words. */
int flow_filter_parse(const char *s, struct flow_filter *out);
bool flow_filter_match(const struct flow_filter *fl, const struct ct_flow *f);

#endif
