/*
 * Conntrack statistics: the netlink replies (per-CPU and global) and the procfs text.
 * The first byte picks which; the rest is the message or the text.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netlink.h>

#include "netlink/ct_stats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void netlink(const uint8_t *data, size_t size, bool global)
{
	struct ct_stats st, copy;
	uint8_t *msg;

	if (size < sizeof(struct nlmsghdr))
		return;
	msg = malloc(size);
	if (!msg)
		return;
	memcpy(msg, data, size);
	((struct nlmsghdr *)msg)->nlmsg_len = (uint32_t)size;
	ct_stats_init(&st);
	if (global)
		ct_stats_parse_global_msg((struct nlmsghdr *)msg, &st);
	else
		ct_stats_parse_cpu_msg((struct nlmsghdr *)msg, &st);
	ct_stats_init(&copy);
	if (ct_stats_copy(&copy, &st) == 0)
		for (unsigned int i = 0; i < ct_stats_known_count(); i++)
			(void)ct_stats_total(&copy, ct_stats_known_attr(i));
	ct_stats_release(&copy);
	ct_stats_release(&st);
	free(msg);
}

static void procfs(const uint8_t *data, size_t size)
{
	FILE *f = fmemopen((void *)data, size, "r");
	struct ct_stats st;

	if (!f)
		return;
	ct_stats_init(&st);
	if (ct_stats_parse_procfs(f, &st) == 0)
		for (unsigned int i = 0; i < ct_stats_known_count(); i++)
			(void)ct_stats_total(&st, ct_stats_known_attr(i));
	ct_stats_release(&st);
	fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0:
		netlink(data + 1, size - 1, false);
		break;
	case 1:
		netlink(data + 1, size - 1, true);
		break;
	default:
		if (size > 1)
			procfs(data + 1, size - 1);
	}
	return 0;
}
