#include "config.h"
#include "flows/snat_sample.h"

#include <errno.h>
#include <poll.h>

#include <linux/netfilter/nf_conntrack_common.h>

#include "ct_flow.h"
#include "netlink/ct_events.h"
#include "netlink/ct_parse.h"
#include "netlink/ct_stats.h"
#include "util.h"

int snat_sample_feed(const struct nlmsghdr *nlh, void *data)
{
	struct snat_sample *s = data;
	struct ct_flow flow;

	if (ct_events_classify(nlh) != CT_EVENT_NEW || ct_parse_msg(nlh, &flow) < 0)
		return 0; /* not a new entry, or not one natscope reads: not counted */
	if (flow.status & IPS_SRC_NAT)
		s->new_snat++;
	return 0;
}

static int read_failed(struct nl_sock *nl, uint64_t *failed)
{
	struct ct_stats st;
	int ret;

	ct_stats_init(&st);
	ret = ct_stats_read_netlink(nl, &st);
	if (ret == 0)
		*failed = ct_stats_total(&st, CT_STAT_INSERT_FAILED);
	ct_stats_release(&st);
	return ret;
}

/* Read what is queued; an overrun makes the count a lower bound and reading goes on. */
static int drain(struct ct_events *ev, struct snat_sample *s)
{
	int ret = ct_events_read(ev, snat_sample_feed, s);

	if (ret == -ENOBUFS) {
		s->lost = true;
		ct_events_grow(ev);
		return 0;
	}
	return ret < 0 ? ret : 0;
}

int snat_sample_run(struct nl_sock *nl, double seconds, struct snat_sample *out)
{
	struct ct_events_opts o = { .rcvbuf = CT_EVENTS_RCVBUF_DEFAULT,
				    .rcvbuf_max = CT_EVENTS_RCVBUF_MAX_DEFAULT,
				    .new_only = true };
	struct ct_events *ev;
	uint64_t failed0;
	double t0, left;
	int ret;

	*out = (struct snat_sample){ 0 };
	/* subscribed before the first reading: no flow of the sample is missed */
	ret = ct_events_open(&ev, &o);
	if (ret < 0)
		return ret;
	ret = read_failed(nl, &failed0);
	t0 = util_now_mono();
	while (ret == 0 && (left = t0 + seconds - util_now_mono()) > 0) {
		struct pollfd pfd = { .fd = ct_events_fd(ev), .events = POLLIN };

		if (poll(&pfd, 1, (int)(left * 1000) + 1) < 0 && errno != EINTR)
			ret = -errno;
		else if (pfd.revents & POLLIN)
			ret = drain(ev, out);
	}
	if (ret == 0)
		ret = read_failed(nl, &out->failed_total);
	out->seconds = util_now_mono() - t0;
	/* the events of flows made before the second reading, still queued */
	if (ret == 0)
		ret = drain(ev, out);
	if (ret == 0)
		out->failed = out->failed_total >= failed0 ? out->failed_total - failed0 : 0;
	ct_events_free(ev);
	return ret;
}
