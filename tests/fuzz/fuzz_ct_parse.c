/*
 * Conntrack messages, as the event socket, a dump or a capture hands them to the parser:
 * ct_parse_msg() and the event classifier, then the engine (model, clash, counts).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netlink.h>

#include "flows/engine.h"
#include "netlink/ct_events.h"
#include "netlink/ct_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The input's first message again as 700 flows of consecutive ids (its CTA_ID rewritten),
 * half of them destroyed during a resync: a model and an index that must grow, which no
 * input of a few kilobytes reaches otherwise.
 */
static void bulk(struct engine *e, const uint8_t *data, size_t size)
{
	struct nlmsghdr *nlh;
	struct nlattr *a, *id = NULL;
	uint8_t *copy;
	size_t len;

	if (size < sizeof(*nlh))
		return;
	len = ((const struct nlmsghdr *)data)->nlmsg_len;
	if (len < NLMSG_HDRLEN + 4 || len > size)
		return;
	/* mnl_attr_for_each() walks to MNL_ALIGN(nlmsg_len): give it the padding */
	copy = calloc(1, MNL_ALIGN(len));
	if (!copy)
		return;
	memcpy(copy, data, len);
	nlh = (struct nlmsghdr *)copy;
	mnl_attr_for_each(a, nlh, 4) /* after struct nfgenmsg */
		if (mnl_attr_get_type(a) == CTA_ID && mnl_attr_get_payload_len(a) == 4)
			id = a;
	if (id) {
		engine_resync_begin(e, ENGINE_RECONCILE);
		for (uint32_t i = 0; i < 700; i++) {
			uint32_t v = htonl(0x10000 + i);

			memcpy(mnl_attr_get_payload(id), &v, 4);
			nlh->nlmsg_type =
				(uint16_t)(NFNL_SUBSYS_CTNETLINK << 8 |
					   (i & 1 ? IPCTNL_MSG_CT_DELETE : IPCTNL_MSG_CT_NEW));
			engine_ingest(e, nlh);
		}
		engine_resync_end(e);
	}
	free(copy);
}

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
	if (size && data[0] & 0x80)
		bulk(e, data, size);
	engine_close_interval(e, 1.0, 0);
	engine_free(e);
	return 0;
}
