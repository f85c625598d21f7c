#include "config.h"
#include "toplive.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "ct_dump.h"
#include "ct_events.h"
#include "evrec.h"
#include "natrules.h"
#include "nl.h"

struct toplive {
	struct ct_events *ev;
	struct nl_sock *nl;
	struct evrec *rec;
	uint64_t drops; /* the kernel's drop count at the last resynchronisation */
};

struct feed {
	struct engine *e;
	struct evrec *rec;
};

static double now_real(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int feed_cb(const struct nlmsghdr *nlh, void *data)
{
	struct feed *fd = data;
	int ret;

	if (fd->rec && (ret = evrec_write(fd->rec, nlh, now_real())) < 0)
		return ret;
	return engine_ingest(fd->e, nlh);
}

int toplive_open(struct toplive **out, size_t rcvbuf, size_t rcvbuf_max, struct evrec *rec)
{
	struct ct_events_opts o = { .rcvbuf = rcvbuf, .rcvbuf_max = rcvbuf_max };
	struct toplive *tl = calloc(1, sizeof(*tl));
	int ret;

	if (!tl)
		return -ENOMEM;
	tl->rec = rec;
	/* Subscribe before the first dump, so nothing falls between the two. */
	ret = ct_events_open(&tl->ev, &o);
	if (ret == 0)
		ret = nl_open(&tl->nl, 0);
	if (ret < 0) {
		toplive_free(tl);
		return ret;
	}
	*out = tl;
	return 0;
}

void toplive_free(struct toplive *tl)
{
	if (!tl)
		return;
	ct_events_free(tl->ev);
	nl_close(tl->nl);
	free(tl);
}

int toplive_event_fd(const struct toplive *tl)
{
	return ct_events_fd(tl->ev);
}

size_t toplive_rcvbuf(const struct toplive *tl)
{
	return ct_events_rcvbuf(tl->ev);
}

int toplive_resync(struct toplive *tl, struct engine *e, enum engine_resync why)
{
	struct feed fd = { .e = e, .rec = tl->rec };
	int ret;

	engine_resync_begin(e, why);
	ret = ct_dump_raw(tl->nl, AF_UNSPEC, feed_cb, &fd);
	engine_resync_end(e);
	return ret;
}

int toplive_drain(struct toplive *tl, struct engine *e)
{
	struct feed fd = { .e = e, .rec = tl->rec };
	bool overrun = false;
	uint64_t drops = tl->drops;
	int ret;

	/*
	 * After an overrun the kernel marks the socket congested and reports no further
	 * drop until the queue has been read empty (netlink_overrun(), netlink_rcv_wake()).
	 * So read it empty first, then resynchronise; and trust the drop counter, not
	 * ENOBUFS alone.
	 */
	while ((ret = ct_events_read(tl->ev, feed_cb, &fd)) == -ENOBUFS)
		overrun = true;
	if (ret < 0)
		return ret;
	if (ct_events_drops(tl->ev, &drops) == 0 && drops != tl->drops)
		overrun = true;
	if (!overrun)
		return 0;
	engine_overrun(e, drops - tl->drops);
	tl->drops = drops;
	ct_events_grow(tl->ev);
	/* One resynchronisation per call: under sustained overload frames still come. */
	return toplive_resync(tl, e, ENGINE_OVERRUN);
}

int toplive_rules(struct toplive *tl, struct natrules *out)
{
	struct natrules_ruleset *rs;
	int ret;

	natrules_release(out);
	ret = natrules_dump(tl->nl, &rs, &out->genid);
	if (ret < 0)
		return ret;
	ret = natrules_analyze(rs, out);
	natrules_ruleset_free(rs);
	return ret;
}

int toplive_delete(struct toplive *tl, const struct ct_flow *flow)
{
	return ct_dump_delete(tl->nl, flow);
}

int toplive_refresh(struct toplive *tl, struct ct_flow *flows, size_t n, bool *found)
{
	return ct_dump_refresh(tl->nl, flows, n, found);
}

int toplive_stats(struct toplive *tl, struct ct_stats *st)
{
	return ct_stats_read_netlink(tl->nl, st);
}
