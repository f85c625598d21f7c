#include "config.h"
#include "top/toplive.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "netlink/ct_dump.h"
#include "netlink/ct_events.h"
#include "host/evrec.h"
#include "nftables/natfix.h"
#include "nftables/natrules.h"
#include "nftables/ruleset.h"
#include "netlink/nl.h"
#include "util.h"

struct toplive {
	struct ct_events *ev;
	struct nl_sock *nl;   /* requests: statistics, rules, lookups, deletes, the seed */
	struct nl_sock *dump; /* resynchronisations in the background; NULL: inline */
	struct evrec *rec;
	uint64_t drops; /* the kernel's drop count at the last resynchronisation */
	bool dumping;
	bool again;		   /* events were lost after the running dump started: one more */
	double dump_t0, dump_cost; /* when the running dump started; what the last one took */
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

/*
 * The engine's own steps (overruns, the start and end of a resynchronising dump) go into
 * the capture as markers, so that a replay does what the live engine did.
 */
static int mark(struct toplive *tl, enum evrec_mark m, uint64_t arg)
{
	return tl->rec ? evrec_mark(tl->rec, m, arg, now_real()) : 0;
}

static int resync_begin(struct toplive *tl, struct engine *e, enum engine_resync why)
{
	engine_resync_begin(e, why);
	return mark(tl, EVREC_RESYNC_BEGIN, why);
}

static int resync_end(struct toplive *tl, struct engine *e)
{
	engine_resync_end(e);
	return mark(tl, EVREC_RESYNC_END, 0);
}

/* On an error path: the error being returned matters more than the marker's. */
static void resync_cancel(struct toplive *tl, struct engine *e)
{
	engine_resync_cancel(e);
	mark(tl, EVREC_RESYNC_CANCEL, 0);
}

int toplive_open(struct toplive **out, size_t rcvbuf, size_t rcvbuf_max, struct evrec *rec,
		 bool background)
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
	if (ret == 0 && background)
		ret = nl_open(&tl->dump, 0);
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
	nl_close(tl->dump);
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
	if ((ret = mark(tl, EVREC_OVERRUN, drops - tl->drops)) < 0)
		return ret;
	tl->drops = drops;
	ct_events_grow(tl->ev);
	if (tl->dump)
		return toplive_resync_start(tl, e, ENGINE_OVERRUN);
	/* One resynchronisation per call: under sustained overload frames still come. */
	return toplive_resync(tl, e, ENGINE_OVERRUN);
}

/* Resynchronisations read their own socket in the background, else the request socket. */
static struct nl_sock *dump_sock(const struct toplive *tl)
{
	return tl->dump ? tl->dump : tl->nl;
}

int toplive_dump_fd(const struct toplive *tl)
{
	return tl->dumping ? nl_fd(dump_sock(tl)) : -1;
}

int toplive_resync_start(struct toplive *tl, struct engine *e, enum engine_resync why)
{
	int ret;

	if (tl->dumping) {
		/* buckets it has read already may hold flows whose events were just lost */
		if (why == ENGINE_OVERRUN)
			tl->again = true;
		return 0;
	}
	if ((ret = resync_begin(tl, e, why)) < 0)
		return ret;
	ret = ct_dump_raw_start(dump_sock(tl), AF_UNSPEC);
	if (ret < 0) {
		resync_cancel(tl, e);
		return ret;
	}
	tl->dumping = true;
	tl->dump_t0 = util_now_mono();
	return 0;
}

/* 64 buffers of up to 64 KiB: a few milliseconds, then back to the poll loop */
#define DUMP_STEP_BUFFERS 64

int toplive_resync_step(struct toplive *tl, struct engine *e)
{
	struct feed fd = { .e = e, .rec = tl->rec };
	int ret;

	if (!tl->dumping)
		return 1;
	ret = ct_dump_raw_step(dump_sock(tl), feed_cb, &fd, DUMP_STEP_BUFFERS);
	if (ret == 0)
		return 0;
	tl->dumping = false;
	if (ret < 0) {
		resync_cancel(tl, e);
		return ret;
	}
	if ((ret = resync_end(tl, e)) < 0)
		return ret;
	tl->dump_cost = util_now_mono() - tl->dump_t0;
	if (tl->again) {
		tl->again = false;
		ret = toplive_resync_start(tl, e, ENGINE_OVERRUN);
		return ret < 0 ? ret : 0;
	}
	return 1;
}

/*
 * The same path, waited for: the seed, and the resynchronisations of record.  A dump
 * that fails is cancelled (nothing is swept), never half applied.
 */
int toplive_resync(struct toplive *tl, struct engine *e, enum engine_resync why)
{
	int ret = toplive_resync_start(tl, e, why);

	while (ret == 0 && tl->dumping) {
		struct pollfd p = { .fd = toplive_dump_fd(tl), .events = POLLIN };

		if (poll(&p, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			nl_dump_abort(dump_sock(tl));
			tl->dumping = tl->again = false;
			resync_cancel(tl, e);
			break;
		}
		ret = toplive_resync_step(tl, e);
	}
	return ret < 0 ? ret : 0;
}

double toplive_dump_cost(const struct toplive *tl)
{
	return tl->dump_cost;
}

int toplive_rules(struct toplive *tl, struct natrules *out, unsigned int flags)
{
	struct ruleset *rs;
	int ret;

	natrules_release(out);
	ret = ruleset_dump(tl->nl, &rs, &out->genid);
	if (ret < 0)
		return ret;
	ret = natrules_analyze(rs, out);
	if (ret == 0)
		ret = natfix_judge_rules(rs, out->genid, out);
	if (ret == 0 && (flags & TOPLIVE_RULES_TEXT) && natrules_nft_text(out) == -ENOMEM)
		ret = -ENOMEM;
	ruleset_free(rs);
	if (!(flags & TOPLIVE_RULES_LEGACY) || ret < 0)
		return ret;
	/* iptables-legacy's, after the judgement: the overlay does not cover them */
	natrules_read_legacy("/proc/net", out);
	return natrules_add_legacy(out);
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
