/*
 * Conntrack messages, as the event socket, a dump or a capture hands them to the parser:
 * ct_parse_msg() and the event classifier, then the engine (model, clash, counts).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netlink.h>

#include "flows/engine.h"
#include "netlink/ct_events.h"
#include "netlink/ct_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct engine *e;
	size_t off = 0;

	if (engine_new(&e) < 0)
		return 0;
	/* a sequence of messages, each as long as its header says (clamped to the input) */
	while (size - off >= sizeof(struct nlmsghdr)) {
		struct nlmsghdr hdr;
		uint8_t *copy;
		struct ct_flow f;
		size_t len;

		memcpy(&hdr, data + off, sizeof(hdr));
		len = hdr.nlmsg_len;
		if (len < sizeof(hdr) || len > size - off)
			len = size - off;
		/* a copy of exactly the message: ASan sees any read past its end */
		copy = malloc(len);
		if (!copy)
			break;
		memcpy(copy, data + off, len);
		((struct nlmsghdr *)copy)->nlmsg_len = (uint32_t)len;
		ct_events_classify((struct nlmsghdr *)copy);
		ct_parse_msg((struct nlmsghdr *)copy, &f);
		engine_ingest(e, (struct nlmsghdr *)copy);
		free(copy);
		off += NLMSG_ALIGN(len);
		if (off > size)
			break;
	}
	engine_close_interval(e, 1.0, 0);
	engine_free(e);
	return 0;
}
