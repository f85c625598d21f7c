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
#include "natrules.h"
#include "topdata.h"
#include "tui.h"
#include "engine.h"
#include "evrec.h"
#include "netns.h"
#include "rates.h"
#include "top.h"
#include "toplive.h"
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
		case ':':
			return app_error(app, APP_ERR_USAGE, "option '%s' needs a value",
					 argv[optind - 1]);
		default:
			return app_error(app, APP_ERR_USAGE,
					 "unknown option '%s': see 'natscope top --help'",
					 argv[optind - 1]);
		}
	}
	if (optind < argc)
		return app_error(app, APP_ERR_USAGE,
				 "unexpected argument '%s': see 'natscope top --help'",
				 argv[optind]);
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
	struct top_frame f = { .time = t, .iteration = ++rc->iteration };
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

static int open_fds(int *tfd, int *sfd, double interval)
{
	struct itimerspec its = { 0 };
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return -errno;
	*sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (*sfd < 0)
		return -errno;
	*tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (*tfd < 0)
		return -errno;
	its.it_value.tv_sec = its.it_interval.tv_sec = (time_t)interval;
	its.it_value.tv_nsec = its.it_interval.tv_nsec =
		(long)((interval - (double)(time_t)interval) * 1e9);
	return timerfd_settime(*tfd, 0, &its, NULL) < 0 ? -errno : 0;
}

static int run_live(struct app *app, const struct top_args *a)
{
	struct toplive *tl = NULL;
	struct engine *e = NULL;
	struct ct_stats st;
	struct rates rates;
	int tfd = -1, sfd = -1, ret;
	double last_tick, last_resync;
	uint64_t last_events = 0, last_failed;
	unsigned int iteration = 0;

	ct_stats_init(&st);
	rates_init(&rates);
	ret = engine_new(&e);
	if (ret == 0)
		ret = toplive_open(&tl, (size_t)(a->rcvbuf_mib * 1048576),
				   (size_t)(a->rcvbuf_max_mib * 1048576), NULL);
	if (ret < 0) {
		ret = app_error(app, ret == -EPERM ? APP_ERR_PERM : APP_ERR_NO_CONNTRACK,
				"cannot follow conntrack events: %s", strerror(-ret));
		goto out;
	}
	ret = toplive_resync(tl, e, ENGINE_SEED);
	if (ret == 0)
		ret = toplive_stats(tl, &st);
	if (ret == 0)
		ret = open_fds(&tfd, &sfd, a->interval);
	if (ret < 0) {
		ret = app_error(app, APP_ERR_RUNTIME, "starting failed: %s", strerror(-ret));
		goto out;
	}
	last_tick = last_resync = now_mono();
	rates_push(&rates, last_tick, &st);
	last_failed = ct_stats_total(&st, CT_STAT_INSERT_FAILED);

	for (;;) {
		struct pollfd pfd[3] = {
			{ .fd = toplive_event_fd(tl), .events = POLLIN },
			{ .fd = tfd, .events = POLLIN },
			{ .fd = sfd, .events = POLLIN },
		};
		uint64_t expirations;

		if (poll(pfd, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			ret = app_error(app, APP_ERR_RUNTIME, "poll: %s", strerror(errno));
			break;
		}
		if (pfd[2].revents & POLLIN) {
			ret = 0; /* SIGINT/SIGTERM: a clean stop */
			break;
		}
		if (pfd[0].revents & POLLIN && (ret = toplive_drain(tl, e)) < 0) {
			ret = app_error(app, APP_ERR_RUNTIME, "reading events failed: %s",
					strerror(-ret));
			break;
		}
		if (pfd[1].revents & POLLIN && read(tfd, &expirations, sizeof(expirations)) > 0) {
			struct top_frame f = { .netns = app->netns };
			double now = now_mono();

			/* everything that arrived up to the tick belongs in this frame */
			if ((ret = toplive_drain(tl, e)) < 0 ||
			    (ret = toplive_stats(tl, &st)) < 0) {
				ret = app_error(app, APP_ERR_RUNTIME, "%s", strerror(-ret));
				break;
			}
			rates_push(&rates, now, &st);
			f.time = (double)time(NULL);
			/* the interval's NEW flows by SNAT group meet its insert_failed rise */
			engine_close_interval(e, f.time,
					      ct_stats_total(&st, CT_STAT_INSERT_FAILED) -
						      last_failed);
			last_failed = ct_stats_total(&st, CT_STAT_INSERT_FAILED);
			f.clash = engine_clash(e);
			f.iteration = ++iteration;
			f.counts = engine_counts(e);
			f.es = engine_stats(e);
			f.events_per_s =
				(double)(engine_events(e) - last_events) / (now - last_tick);
			f.rcvbuf = toplive_rcvbuf(tl);
			f.have_kernel = st.have_global;
			f.kernel_count = st.count;
			f.kernel_max = st.max;
			top_frame_rates(&f, &rates);
			last_events = engine_events(e);
			last_tick = now;
			if ((ret = emit(app, a, &f)) != 0)
				break;
			if (a->iterations && iteration >= a->iterations)
				break;
			if (now - last_resync >= a->resync) {
				ret = toplive_resync(tl, e, ENGINE_RECONCILE);
				if (ret < 0) {
					ret = app_error(app, APP_ERR_RUNTIME,
							"reconciling failed: %s", strerror(-ret));
					break;
				}
				last_resync = now;
			}
		}
	}
out:
	if (tfd >= 0)
		close(tfd);
	if (sfd >= 0)
		close(sfd);
	ct_stats_release(&st);
	toplive_free(tl);
	engine_free(e);
	return ret;
}

#define SPARK 60

/* What the interactive view shows besides the frame, kept between ticks. */
struct view_data {
	struct ct_stats prev, cur;
	double prev_t, cur_t;
	double spark[SPARK];
	size_t nspark;
	struct ct_summary groups;
	bool have_groups;
	struct natrules rules;
	bool have_rules;
	double rules_t;
	struct topdata_flows flows;
};

/* Prepare what the visible view needs, and only that (a million flows cost nothing unseen). */
static void prepare(struct toplive *tl, struct engine *e, struct tui *tui,
		    const struct tui_state *st, struct view_data *vd, double now)
{
	switch (st->view) {
	case TUI_GROUPS:
		vd->have_groups = topdata_groups(e, &vd->groups) == 0;
		break;
	case TUI_RULES:
		if (!vd->have_rules || now - vd->rules_t >= 10) {
			vd->have_rules = toplive_rules(tl, &vd->rules) == 0;
			vd->rules_t = now;
		}
		break;
	case TUI_FLOWS:
		topdata_flows(e, st->sort, st->reverse, st->filter,
			      st->scroll + (size_t)tui_list_rows(tui), &vd->flows);
		break;
	default:
		break;
	}
}

static void draw(struct tui *tui, const struct tui_state *st, const struct top_frame *f,
		 struct view_data *vd)
{
	struct tui_data d = {
		.frame = *f,
		.stats = &vd->cur,
		.prev_stats = vd->prev.ncpu ? &vd->prev : NULL,
		.dt = vd->cur_t - vd->prev_t,
		.spark = vd->spark,
		.nspark = vd->nspark,
		.groups = vd->have_groups ? &vd->groups : NULL,
		.rules = vd->have_rules ? &vd->rules : NULL,
		.flows = &vd->flows,
	};

	tui_draw(tui, &d, st);
}

static int rearm(int tfd, double interval)
{
	struct itimerspec its = { 0 };

	its.it_value.tv_sec = its.it_interval.tv_sec = (time_t)interval;
	its.it_value.tv_nsec = its.it_interval.tv_nsec =
		(long)((interval - (double)(time_t)interval) * 1e9);
	return timerfd_settime(tfd, 0, &its, NULL) < 0 ? -errno : 0;
}

static int run_interactive(struct app *app, const struct top_args *a)
{
	struct tui_state st = { .interval = a->interval };
	struct view_data *vd = calloc(1, sizeof(*vd));
	struct top_frame frame = { .netns = app->netns };
	struct toplive *tl = NULL;
	struct engine *e = NULL;
	struct tui *tui = NULL;
	struct rates rates;
	int tfd = -1, sfd = -1, ret;
	uint64_t last_events = 0, last_failed;
	const char *err = NULL;
	double last_tick;

	rates_init(&rates);
	ret = vd ? engine_new(&e) : -ENOMEM;
	if (ret == 0)
		ret = toplive_open(&tl, (size_t)(a->rcvbuf_mib * 1048576),
				   (size_t)(a->rcvbuf_max_mib * 1048576), NULL);
	if (ret < 0) {
		ret = app_error(app, ret == -EPERM ? APP_ERR_PERM : APP_ERR_NO_CONNTRACK,
				"cannot follow conntrack events: %s", strerror(-ret));
		goto out;
	}
	natrules_init(&vd->rules);
	ct_stats_init(&vd->prev);
	ct_stats_init(&vd->cur);
	ret = toplive_resync(tl, e, ENGINE_SEED);
	if (ret == 0)
		ret = toplive_stats(tl, &vd->cur);
	if (ret == 0)
		ret = open_fds(&tfd, &sfd, a->interval);
	if (ret == 0)
		ret = tui_open(&tui, app->color);
	if (ret < 0) {
		ret = app_error(app, APP_ERR_RUNTIME, "starting failed: %s", strerror(-ret));
		goto out;
	}
	last_tick = vd->cur_t = now_mono();
	rates_push(&rates, last_tick, &vd->cur);
	last_failed = ct_stats_total(&vd->cur, CT_STAT_INSERT_FAILED);
	frame.counts = engine_counts(e);
	frame.es = engine_stats(e);
	frame.clash = engine_clash(e);
	frame.rcvbuf = toplive_rcvbuf(tl);
	frame.have_kernel = vd->cur.have_global;
	frame.kernel_count = vd->cur.count;
	frame.kernel_max = vd->cur.max;
	prepare(tl, e, tui, &st, vd, last_tick);
	draw(tui, &st, &frame, vd);

	for (;;) {
		struct pollfd pfd[4] = {
			{ .fd = toplive_event_fd(tl), .events = POLLIN },
			{ .fd = tfd, .events = POLLIN },
			{ .fd = sfd, .events = POLLIN },
			{ .fd = STDIN_FILENO, .events = POLLIN },
		};
		uint64_t expirations;
		int r = 0;

		if (poll(pfd, 4, -1) < 0) {
			if (errno != EINTR) {
				err = strerror(errno);
				break;
			}
			r = tui_input(tui, &st); /* SIGWINCH: curses turns it into KEY_RESIZE */
		}
		if (pfd[2].revents & POLLIN)
			break; /* SIGINT/SIGTERM: the terminal is restored below */
		if (pfd[0].revents & POLLIN && (ret = toplive_drain(tl, e)) < 0) {
			err = strerror(-ret);
			break;
		}
		if (pfd[3].revents & (POLLIN | POLLHUP))
			r |= tui_input(tui, &st);
		if (r & TUI_QUIT)
			break;
		if (r & TUI_DELETE) {
			if (st.cursor < vd->flows.n) {
				ret = toplive_delete(tl, &vd->flows.v[st.cursor]);
				snprintf(st.status, sizeof(st.status), "%s",
					 ret == 0	  ? "flow deleted"
					 : ret == -ENOENT ? "already gone"
							  : strerror(-ret));
				ret = 0;
			}
			r |= TUI_REFRESH;
		}
		if (r & TUI_INTERVAL && rearm(tfd, st.interval) < 0) {
			err = strerror(errno);
			break;
		}
		if (pfd[1].revents & POLLIN && read(tfd, &expirations, sizeof(expirations)) > 0) {
			double now = now_mono();

			if ((ret = toplive_drain(tl, e)) < 0) {
				err = strerror(-ret);
				break;
			}
			ct_stats_release(&vd->prev);
			vd->prev = vd->cur;
			vd->prev_t = vd->cur_t;
			ct_stats_init(&vd->cur);
			if ((ret = toplive_stats(tl, &vd->cur)) < 0) {
				err = strerror(-ret);
				break;
			}
			vd->cur_t = now;
			rates_push(&rates, now, &vd->cur);
			{
				uint64_t failed = ct_stats_total(&vd->cur, CT_STAT_INSERT_FAILED);

				engine_close_interval(e, (double)time(NULL), failed - last_failed);
				if (vd->nspark == SPARK)
					memmove(vd->spark, vd->spark + 1,
						(SPARK - 1) * sizeof(vd->spark[0]));
				else
					vd->nspark++;
				vd->spark[vd->nspark - 1] = (double)(failed - last_failed);
				last_failed = failed;
			}
			frame.time = (double)time(NULL);
			frame.iteration++;
			frame.events_per_s =
				(double)(engine_events(e) - last_events) / (now - last_tick);
			frame.rcvbuf = toplive_rcvbuf(tl);
			frame.have_kernel = vd->cur.have_global;
			frame.kernel_count = vd->cur.count;
			frame.kernel_max = vd->cur.max;
			top_frame_rates(&frame, &rates);
			last_events = engine_events(e);
			last_tick = now;
			if (!st.paused)
				r |= TUI_REFRESH | TUI_REDRAW;
		}
		if (r & TUI_REFRESH)
			prepare(tl, e, tui, &st, vd, now_mono());
		if (r & TUI_REDRAW)
			draw(tui, &st, &frame, vd);
	}
	tui_close(tui);
	tui = NULL;
	ret = err ? app_error(app, APP_ERR_RUNTIME, "top stopped: %s", err) : 0;
out:
	tui_close(tui);
	if (tfd >= 0)
		close(tfd);
	if (sfd >= 0)
		close(sfd);
	if (vd) {
		ct_stats_release(&vd->prev);
		ct_stats_release(&vd->cur);
		natrules_release(&vd->rules);
		topdata_flows_release(&vd->flows);
		free(vd);
	}
	toplive_free(tl);
	engine_free(e);
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
