#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>

#include "app.h"
#include "nftables/natrules.h"
#include "top/topdata.h"
#include "top/tui.h"
#include "flows/engine.h"
#include "host/evrec.h"
#include "host/netns.h"
#include "flows/rates.h"
#include "host/sysctl.h"
#include "top/top.h"
#include "top/toplive.h"
#include "util.h"

struct top_args {
	bool batch;
	bool json;
	unsigned int iterations; /* 0: until interrupted */
	double interval;
	double resync;
	double rcvbuf_mib, rcvbuf_max_mib;
	const char *replay;
};

static void top_usage(FILE *f)
{
	fprintf(f,
		"Usage: natscope [--netns NS] top [--batch] [OPTIONS]\n"
		"       natscope top --batch --replay FILE [OPTIONS]\n"
		"\n"
		"Follow conntrack events and print a frame every interval: entries by protocol,\n"
		"TCP state and NAT kind, events received and lost, and the rates of\n"
		"insert_failed, drop, early_drop, clash_resolve, invalid and search_restart.\n"
		"\n"
		"Options:\n"
		"  -b, --batch           non-interactive frames (like top -b); without it, the\n"
		"                        interactive view (press h in it for the keys)\n"
		"  -n, --iterations N    stop after N frames (default: until interrupted)\n"
		"  -d, --interval S      seconds between frames (default 1)\n"
		"  -f, --format FORMAT   text (default) or json (one object per line)\n"
		"      --replay FILE     run on a capture from 'natscope record' (no root)\n"
		"      --rcvbuf MIB      event socket buffer (default 64)\n"
		"      --rcvbuf-max MIB  growth cap after overruns (default 512)\n"
		"      --resync S        reconcile with a full dump every S seconds (default 60)\n"
		"  -h, --help            show this help\n");
}

static int parse_args(struct app *app, int argc, char **argv, struct top_args *a)
{
	enum { OPT_REPLAY = 256, OPT_RCVBUF, OPT_RCVBUF_MAX, OPT_RESYNC, OPT_NETNS };
	static const struct option opts[] = {
		{ "batch", no_argument, NULL, 'b' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "interval", required_argument, NULL, 'd' },
		{ "format", required_argument, NULL, 'f' },
		{ "replay", required_argument, NULL, OPT_REPLAY },
		{ "rcvbuf", required_argument, NULL, OPT_RCVBUF },
		{ "rcvbuf-max", required_argument, NULL, OPT_RCVBUF_MAX },
		{ "resync", required_argument, NULL, OPT_RESYNC },
		{ "netns", required_argument, NULL, OPT_NETNS },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	*a = (struct top_args){
		.interval = 1, .resync = 60, .rcvbuf_mib = 64, .rcvbuf_max_mib = 512
	};
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":bn:d:f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			a->batch = true;
			break;
		case 'n':
			if (util_parse_uint(optarg, 1, 100000000, &a->iterations) < 0)
				return app_error(app, APP_ERR_USAGE,
						 "invalid --iterations '%s': give a count from 1",
						 optarg);
			break;
		case 'd':
			if (util_parse_double(optarg, 0.05, 3600, &a->interval) < 0)
				return app_error(
					app, APP_ERR_USAGE,
					"invalid --interval '%s': give seconds from 0.05 to 3600",
					optarg);
			break;
		case 'f':
			if (strcmp(optarg, "json") != 0 && strcmp(optarg, "text") != 0)
				return app_error(app, APP_ERR_USAGE,
						 "invalid --format '%s': use text or json", optarg);
			a->json = strcmp(optarg, "json") == 0;
			break;
		case OPT_REPLAY:
			a->replay = optarg;
			break;
		case OPT_RCVBUF:
		case OPT_RCVBUF_MAX:
			if (util_parse_double(optarg, 0.0625, 4096,
					      c == OPT_RCVBUF ? &a->rcvbuf_mib
							      : &a->rcvbuf_max_mib) < 0)
				return app_error(app, APP_ERR_USAGE,
						 "invalid %s '%s': give MiB from 0.0625 to 4096",
						 c == OPT_RCVBUF ? "--rcvbuf" : "--rcvbuf-max",
						 optarg);
			break;
		case OPT_RESYNC:
			if (util_parse_double(optarg, 1, 86400, &a->resync) < 0)
				return app_error(app, APP_ERR_USAGE,
						 "invalid --resync '%s': give seconds from 1",
						 optarg);
			break;
		case OPT_NETNS:
			app->netns = optarg;
			break;
		case 'h':
			top_usage(app->out);
			return -1;
		default: /* ':' or '?' */
			return app_bad_option(app, c, argv);
		}
	}
	if (optind < argc)
		return app_extra_operand(app, argv);
	if (!a->batch && (a->replay || !isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)))
		return app_error(app, APP_ERR_USAGE,
				 a->replay ? "--replay runs with --batch"
					   : "the interactive view needs a terminal: use --batch");
	if (a->replay && app->netns)
		return app_error(app, APP_ERR_USAGE,
				 "--replay reads a file: --netns does not apply");
	return 0;
}

static double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int emit(const struct app *app, const struct top_args *a, struct top_frame *f)
{
	int ret = a->json ? top_render_json(app->out, f) : top_render_text(app->out, f);

	if (ret < 0 || fflush(app->out) == EOF)
		return app_error(app, APP_ERR_RUNTIME, "writing a frame failed");
	return 0;
}

/* Replay: frames every interval of recorded time, then one at the end. */
struct replay_ctx {
	const struct app *app;
	const struct top_args *a;
	struct engine *e;
	double next, last_t;
	uint64_t last_events;
	unsigned int iteration;
	int err;
};

static int replay_frame(struct replay_ctx *rc, double t)
{
	struct top_frame f = { .time = t, .iteration = ++rc->iteration, .ct_events = -1 };
	double dt = t - (rc->next - rc->a->interval);

	f.counts = engine_counts(rc->e);
	f.es = engine_stats(rc->e);
	f.events_per_s = dt > 0 ? (double)(engine_events(rc->e) - rc->last_events) / dt : 0;
	rc->last_events = engine_events(rc->e);
	return emit(rc->app, rc->a, &f);
}

static int replay_cb(const struct nlmsghdr *nlh, double t, void *data)
{
	struct replay_ctx *rc = data;
	int ret;

	if (rc->next == 0)
		rc->next = t + rc->a->interval;
	while (t >= rc->next && (!rc->a->iterations || rc->iteration < rc->a->iterations)) {
		if ((rc->err = replay_frame(rc, rc->next)) != 0)
			return -ECANCELED;
		rc->next += rc->a->interval;
	}
	rc->last_t = t;
	ret = engine_ingest(rc->e, nlh);
	return ret;
}

static int run_replay(struct app *app, const struct top_args *a)
{
	struct replay_ctx rc = { .app = app, .a = a };
	char err[256] = "";
	long n;
	int ret;

	ret = engine_new(&rc.e);
	if (ret < 0)
		return app_error(app, APP_ERR_RUNTIME, "%s", strerror(-ret));
	n = evrec_replay(a->replay, replay_cb, &rc, err, sizeof(err));
	if (n == -ECANCELED)
		ret = rc.err;
	else if (n == -EBADMSG)
		ret = app_error(app, APP_ERR_DATA, "cannot replay '%s': %s", a->replay,
				err[0] ? err : "a damaged conntrack message");
	else if (n < 0)
		ret = app_error(app, n == -ENOENT ? APP_ERR_USAGE : APP_ERR_RUNTIME,
				"cannot read '%s': %s", a->replay, strerror((int)-n));
	else if (!a->iterations || rc.iteration < a->iterations)
		ret = replay_frame(&rc, rc.last_t); /* the state at the end of the capture */
	engine_free(rc.e);
	return ret;
}

#define SPARK 60

/* The live state both front ends share: sources, engine, the last two statistics reads. */
struct live {
	struct toplive *tl;
	struct engine *e;
	struct ct_stats prev, cur; /* per-CPU statistics at the last two ticks */
	double prev_t, cur_t;	   /* monotonic times of those reads */
	struct rates rates;
	uint64_t last_events, last_failed;
	double last_resync, resync_every;
	int64_t apart, apart_ticks; /* model count - kernel count, and for how many ticks */
	double spark[SPARK];	    /* insert_failed per interval, oldest first */
	size_t nspark;
	struct top_frame frame;
	int tfd, sfd;
};

static int arm_timer(int tfd, double interval)
{
	struct itimerspec its = { 0 };

	its.it_value.tv_sec = its.it_interval.tv_sec = (time_t)interval;
	its.it_value.tv_nsec = its.it_interval.tv_nsec =
		(long)((interval - (double)(time_t)interval) * 1e9);
	return timerfd_settime(tfd, 0, &its, NULL) < 0 ? -errno : 0;
}

/* SIGINT/SIGTERM become readable on a signalfd; the tick is a timerfd. */
static int open_fds(struct live *lv, double interval)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return -errno;
	lv->sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (lv->sfd < 0)
		return -errno;
	lv->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (lv->tfd < 0)
		return -errno;
	return arm_timer(lv->tfd, interval);
}

static void live_fill_frame(struct live *lv)
{
	struct top_frame *f = &lv->frame;

	f->counts = engine_counts(lv->e);
	f->es = engine_stats(lv->e);
	f->clash = engine_clash(lv->e);
	f->rcvbuf = toplive_rcvbuf(lv->tl);
	f->have_kernel = lv->cur.have_global;
	f->kernel_count = lv->cur.count;
	f->kernel_max = lv->cur.max;
	top_frame_rates(f, &lv->rates);
}

static void live_stop(struct live *lv)
{
	if (lv->tfd >= 0)
		close(lv->tfd);
	if (lv->sfd >= 0)
		close(lv->sfd);
	lv->tfd = lv->sfd = -1;
	ct_stats_release(&lv->prev);
	ct_stats_release(&lv->cur);
	toplive_free(lv->tl);
	engine_free(lv->e);
	lv->tl = NULL;
	lv->e = NULL;
}

/* Subscribe, seed with one dump, read the statistics once, arm the tick.  0 or an exit code. */
static int live_start(struct live *lv, const struct app *app, const struct top_args *a)
{
	struct sysctl_info sc;
	int ret;

	*lv = (struct live){ .tfd = -1, .sfd = -1, .resync_every = a->resync };
	lv->frame.netns = app->netns;
	lv->frame.ct_events = -1;
	if (sysctl_read("/proc/sys/net", &sc) == 0 && sc.val[SYSCTL_EVENTS] != SYSCTL_ABSENT)
		lv->frame.ct_events = (int)sc.val[SYSCTL_EVENTS];
	ct_stats_init(&lv->prev);
	ct_stats_init(&lv->cur);
	rates_init(&lv->rates);
	ret = engine_new(&lv->e);
	if (ret == 0)
		ret = toplive_open(&lv->tl, (size_t)(a->rcvbuf_mib * 1048576),
				   (size_t)(a->rcvbuf_max_mib * 1048576), NULL, true);
	if (ret < 0)
		return app_error(app, ret == -EPERM ? APP_ERR_PERM : APP_ERR_NO_CONNTRACK,
				 "cannot follow conntrack events: %s", strerror(-ret));
	/* the seed is read at once: there is nothing to show before it */
	ret = toplive_resync(lv->tl, lv->e, ENGINE_SEED);
	if (ret == 0)
		ret = toplive_stats(lv->tl, &lv->cur);
	if (ret == 0)
		ret = open_fds(lv, a->interval);
	if (ret < 0)
		return app_error(app, APP_ERR_RUNTIME, "starting failed: %s", strerror(-ret));
	lv->cur_t = lv->last_resync = now_mono();
	rates_push(&lv->rates, lv->cur_t, &lv->cur);
	lv->last_failed = ct_stats_total(&lv->cur, CT_STAT_INSERT_FAILED);
	live_fill_frame(lv);
	return 0;
}

/*
 * Periodic reconciliation, and an early one when the model's count stays apart from the
 * kernel's: flows created before anyone listened carry no event extension
 * (nf_conntrack_events=2, the default) and never report their end, and with events off
 * nothing is reported at all.  Under churn the two counts differ by what is in flight, but
 * that difference moves; one that holds still for three ticks is missed events.  Early
 * reconciliations are spaced by 20 times what a dump costs (at most 5 % of a core).
 */
static bool reconcile_due(struct live *lv, double now)
{
	double since = now - lv->last_resync;

	if (toplive_dump_fd(lv->tl) >= 0)
		return false; /* one is running */
	if (since >= lv->resync_every)
		return true;
	if (!lv->cur.have_global)
		return false;
	{
		int64_t apart = (int64_t)engine_counts(lv->e)->total - (int64_t)lv->cur.count;

		lv->apart_ticks = apart && apart == lv->apart ? lv->apart_ticks + 1 : 0;
		lv->apart = apart;
	}
	return lv->apart_ticks >= 3 && since >= 5 && since >= 20 * toplive_dump_cost(lv->tl);
}

/*
 * One tick: apply what arrived up to now, reconcile with a dump when it is due, read the
 * statistics, close the interval for clash attribution and fill the frame.  0 or -errno.
 */
static int live_tick(struct live *lv)
{
	double now = now_mono(), dt;
	uint64_t failed;
	int ret;

	if ((ret = toplive_drain(lv->tl, lv->e)) < 0)
		return ret;
	ct_stats_release(&lv->prev);
	lv->prev = lv->cur;
	lv->prev_t = lv->cur_t;
	ct_stats_init(&lv->cur);
	if ((ret = toplive_stats(lv->tl, &lv->cur)) < 0)
		return ret;
	lv->cur_t = now;
	/* in the background: frames and keys go on while the table is read */
	if (reconcile_due(lv, now)) {
		if ((ret = toplive_resync_start(lv->tl, lv->e, ENGINE_RECONCILE)) < 0)
			return ret;
		lv->last_resync = now;
		lv->apart_ticks = 0;
	}
	rates_push(&lv->rates, now, &lv->cur);

	/* the interval's NEW flows by SNAT group meet its insert_failed rise */
	failed = ct_stats_total(&lv->cur, CT_STAT_INSERT_FAILED);
	lv->frame.time = (double)time(NULL);
	engine_close_interval(lv->e, lv->frame.time, failed - lv->last_failed);
	if (lv->nspark == SPARK)
		memmove(lv->spark, lv->spark + 1, (SPARK - 1) * sizeof(lv->spark[0]));
	else
		lv->nspark++;
	lv->spark[lv->nspark - 1] = (double)(failed - lv->last_failed);
	lv->last_failed = failed;

	dt = now - lv->prev_t;
	lv->frame.iteration++;
	lv->frame.events_per_s = dt > 0 ? (double)(engine_events(lv->e) - lv->last_events) / dt : 0;
	lv->last_events = engine_events(lv->e);
	live_fill_frame(lv);
	return 0;
}

enum { LIVE_EVENTS, LIVE_DUMP, LIVE_TIMER, LIVE_SIGNAL, LIVE_NFDS };

static void live_pollfds(const struct live *lv, struct pollfd *pfd)
{
	pfd[LIVE_EVENTS] = (struct pollfd){ .fd = toplive_event_fd(lv->tl), .events = POLLIN };
	/* -1 (ignored by poll) unless a resynchronisation is being read */
	pfd[LIVE_DUMP] = (struct pollfd){ .fd = toplive_dump_fd(lv->tl), .events = POLLIN };
	pfd[LIVE_TIMER] = (struct pollfd){ .fd = lv->tfd, .events = POLLIN };
	pfd[LIVE_SIGNAL] = (struct pollfd){ .fd = lv->sfd, .events = POLLIN };
}

/* Apply what the kernel has ready: events first, then a step of a running dump. */
static int live_input(struct live *lv, const struct pollfd *pfd)
{
	int ret = 0;

	if (pfd[LIVE_EVENTS].revents & POLLIN)
		ret = toplive_drain(lv->tl, lv->e);
	if (ret == 0 && pfd[LIVE_DUMP].revents & POLLIN)
		ret = toplive_resync_step(lv->tl, lv->e);
	return ret < 0 ? ret : 0;
}

/* Whether the tick fired (and consume it). */
static bool live_ticked(const struct live *lv, const struct pollfd *pfd)
{
	uint64_t expirations;

	return pfd[LIVE_TIMER].revents & POLLIN &&
	       read(lv->tfd, &expirations, sizeof(expirations)) > 0;
}

static int run_live(struct app *app, const struct top_args *a)
{
	struct live lv;
	int ret = live_start(&lv, app, a);

	while (ret == 0) {
		struct pollfd pfd[LIVE_NFDS];

		live_pollfds(&lv, pfd);
		if (poll(pfd, LIVE_NFDS, -1) < 0) {
			if (errno == EINTR)
				continue;
			ret = app_error(app, APP_ERR_RUNTIME, "poll: %s", strerror(errno));
			break;
		}
		if (pfd[LIVE_SIGNAL].revents & POLLIN)
			break; /* SIGINT/SIGTERM: a clean stop */
		if ((ret = live_input(&lv, pfd)) < 0) {
			ret = app_error(app, APP_ERR_RUNTIME, "reading conntrack failed: %s",
					strerror(-ret));
			break;
		}
		if (!live_ticked(&lv, pfd))
			continue;
		if ((ret = live_tick(&lv)) < 0) {
			ret = app_error(app, APP_ERR_RUNTIME, "top stopped: %s", strerror(-ret));
			break;
		}
		if ((ret = emit(app, a, &lv.frame)) != 0)
			break;
		if (a->iterations && lv.frame.iteration >= a->iterations)
			break;
	}
	live_stop(&lv);
	return ret;
}

/* Destroyed flows stay in the flows view, fading, for this many intervals. */
#define GONE_INTERVALS 3
#define GONE_KEPT      4096

/* What the interactive view shows besides the frame, kept between ticks. */
struct view_data {
	struct ct_summary groups;
	bool have_groups;
	struct natrules rules;
	bool have_rules;
	double rules_t;
	struct topdata_flows flows;
};

/* Prepare what the visible view needs, and only that (a million flows cost nothing unseen). */
static void prepare(struct live *lv, struct tui *tui, const struct tui_state *st,
		    struct view_data *vd, double now)
{
	switch (st->view) {
	case TUI_GROUPS:
		vd->have_groups = topdata_groups(lv->e, &vd->groups) == 0;
		break;
	case TUI_RULES:
		if (!vd->have_rules || now - vd->rules_t >= 10) {
			vd->have_rules = toplive_rules(lv->tl, &vd->rules) == 0;
			vd->rules_t = now;
		}
		break;
	case TUI_FLOWS:
		if (topdata_flows(lv->e, st->sort, st->reverse, st->filter, GONE_INTERVALS,
				  st->scroll + (size_t)tui_list_rows(tui), &vd->flows) < 0)
			break;
		/* timeouts and counters change without events: read them for the rows shown */
		if (vd->flows.n > st->scroll)
			toplive_refresh(lv->tl, vd->flows.v + st->scroll, vd->flows.n - st->scroll,
					vd->flows.detail + st->scroll);
		break;
	default:
		break;
	}
}

static void draw(struct tui *tui, const struct tui_state *st, const struct live *lv,
		 const struct view_data *vd)
{
	struct tui_data d = {
		.frame = lv->frame,
		.stats = &lv->cur,
		.prev_stats = lv->prev.ncpu ? &lv->prev : NULL,
		.dt = lv->cur_t - lv->prev_t,
		.spark = lv->spark,
		.nspark = lv->nspark,
		.groups = vd->have_groups ? &vd->groups : NULL,
		.rules = vd->have_rules ? &vd->rules : NULL,
		.flows = &vd->flows,
	};

	tui_draw(tui, &d, st);
}

static void delete_selected(struct live *lv, struct tui_state *st, const struct view_data *vd)
{
	const struct ct_flow *f;
	int ret;

	if (st->cursor >= vd->flows.n)
		return;
	f = &vd->flows.v[st->cursor];
	ret = f->life == CT_LIFE_GONE ? -ENOENT : toplive_delete(lv->tl, f);
	/* gone either way: the event may never come (see reconcile_due()) */
	if (ret == 0 || ret == -ENOENT)
		engine_forget(lv->e, f);
	snprintf(st->status, sizeof(st->status), "%s",
		 ret == 0	  ? "flow deleted"
		 : ret == -ENOENT ? "already gone"
				  : strerror(-ret));
}

static int run_interactive(struct app *app, const struct top_args *a)
{
	struct tui_state st = { .interval = a->interval };
	struct view_data *vd = calloc(1, sizeof(*vd));
	struct tui *tui = NULL;
	const char *err = NULL;
	struct live lv;
	int ret;

	if (!vd)
		return app_error(app, APP_ERR_RUNTIME, "%s", strerror(ENOMEM));
	natrules_init(&vd->rules);
	ret = live_start(&lv, app, a);
	if (ret == 0 && (ret = engine_keep_gone(lv.e, GONE_KEPT)) < 0)
		ret = app_error(app, APP_ERR_RUNTIME, "%s", strerror(-ret));
	if (ret == 0 && (ret = tui_open(&tui, app->color)) < 0)
		ret = app_error(app, APP_ERR_RUNTIME, "starting failed: %s", strerror(-ret));
	if (ret == 0) {
		prepare(&lv, tui, &st, vd, lv.cur_t);
		draw(tui, &st, &lv, vd);
	}
	while (ret == 0) {
		struct pollfd pfd[LIVE_NFDS + 1];
		int r = 0;

		live_pollfds(&lv, pfd);
		pfd[LIVE_NFDS] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
		if (poll(pfd, LIVE_NFDS + 1, -1) < 0) {
			if (errno != EINTR) {
				err = strerror(errno);
				break;
			}
			r = tui_input(tui, &st); /* SIGWINCH: curses turns it into KEY_RESIZE */
		}
		if (pfd[LIVE_SIGNAL].revents & POLLIN)
			break; /* SIGINT/SIGTERM: the terminal is restored below */
		if ((ret = live_input(&lv, pfd)) < 0) {
			err = strerror(-ret);
			break;
		}
		if (pfd[LIVE_NFDS].revents & (POLLIN | POLLHUP))
			r |= tui_input(tui, &st);
		if (r & TUI_QUIT)
			break;
		if (r & TUI_DELETE) {
			delete_selected(&lv, &st, vd);
			r |= TUI_REFRESH;
		}
		if (r & TUI_INTERVAL && (ret = arm_timer(lv.tfd, st.interval)) < 0) {
			err = strerror(-ret);
			break;
		}
		if (live_ticked(&lv, pfd)) {
			if ((ret = live_tick(&lv)) < 0) {
				err = strerror(-ret);
				break;
			}
			if (!st.paused)
				r |= TUI_REFRESH | TUI_REDRAW;
		}
		if (r & TUI_REFRESH)
			prepare(&lv, tui, &st, vd, now_mono());
		if (r & TUI_REDRAW)
			draw(tui, &st, &lv, vd);
	}
	tui_close(tui); /* the terminal first, so the error line is readable */
	if (err)
		ret = app_error(app, APP_ERR_RUNTIME, "top stopped: %s", err);
	live_stop(&lv);
	natrules_release(&vd->rules);
	topdata_flows_release(&vd->flows);
	free(vd);
	return ret;
}

int cmd_top(struct app *app, int argc, char **argv)
{
	struct netns_ctx ns;
	struct top_args a;
	int ret;

	ret = parse_args(app, argc, argv, &a);
	if (ret)
		return ret < 0 ? 0 : ret;
	if (a.replay)
		return run_replay(app, &a);
	ret = app_enter(app, &ns);
	if (ret)
		return ret;
	return app_leave(app, &ns, a.batch ? run_live(app, &a) : run_interactive(app, &a));
}
