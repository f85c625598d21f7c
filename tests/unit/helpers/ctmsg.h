#ifndef NATSCOPE_TEST_CTMSG_H
#define NATSCOPE_TEST_CTMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netlink/ct_events.h"

/*
 * Conntrack messages as the kernel sends them, encoded by libnetfilter_conntrack (not by
 * natscope's own code, so the parser is checked against an independent encoder).
 */
struct ctmsg {
	enum ct_event_type type; /* NEW, UPDATE, DESTROY or DUMP (NLM_F_MULTI) */
	uint8_t family;		 /* AF_INET (default) or AF_INET6 */
	uint8_t proto;
	const char *osrc, *odst; /* original tuple */
	uint16_t osport, odport;
	const char *rsrc, *rdst; /* reply tuple */
	uint16_t rsport, rdport;
	int tcp_state; /* -1: none */
	uint32_t status, timeout, id;
	bool unknown_attr; /* add an attribute no kernel defines */
};

/** Encode @m into @buf (at least 4 KiB); the message. */
struct nlmsghdr *ctmsg_build(void *buf, size_t len, const struct ctmsg *m);

/**
 * A flow numbered @id (10.0.0.0 + id -> 203.0.113.9:443, masqueraded to 198.51.100.1 when
 * @snat) as message @type, into a static buffer (valid until the next call).
 */
struct nlmsghdr *ctmsg_event(enum ct_event_type type, uint32_t id, uint8_t proto, int tcp_state,
			     bool snat, uint32_t status);

#endif
