#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "host/netns.h"
#include "netlink/ct_events.h"
#include "top/live.h"
#include "top/replay.h"
#include "top/top.h"
#include "top/tui.h"
#include "top/viewdata.h"
#include "util.h"

struct top_args {
	bool batch;
	bool json;
	unsigned int iterations; /* 0: until interrupted */
	double interval;
	double resync;
	double rcvbuf_mib, rcvbuf_max_mib;
	const char *replay;
	bool no_bpf;
	int view;		 /* the interactive view to start in; -1: not given */
	unsigned long netns_ino; /* the namespace followed */
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
		"      --rcvbuf MIB      event socket buffer (default %u)\n"
		"      --rcvbuf-max MIB  growth cap after overruns (default %u)\n"
		"      --resync S        reconcile with a full dump every S seconds (default 60)\n"
		"      --no-bpf          do not name failed insertions with the BPF component\n"
		"      --view VIEW       start the interactive view in VIEW: overview, groups,\n"
		"                        rules, flows or networks (or its key, 1-5)\n"
		"      --netns NS        same as the global option\n"
		"  -h, --help            show this help\n",
		CT_EVENTS_RCVBUF_DEFAULT >> 20, CT_EVENTS_RCVBUF_MAX_DEFAULT >> 20);
}

static int parse_args(struct app *app, int argc, char **argv, struct top_args *a)
{
	enum {
		OPT_REPLAY = 256,
		OPT_RCVBUF,
		OPT_RCVBUF_MAX,
		OPT_RESYNC,
		OPT_NETNS,
		OPT_NO_BPF,
		OPT_VIEW,
	};
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
		{ "no-bpf", no_argument, NULL, OPT_NO_BPF },
		{ "view", required_argument, NULL, OPT_VIEW },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	*a = (struct top_args){
		.interval = 1,
		.resync = 60,
		.rcvbuf_mib = CT_EVENTS_RCVBUF_DEFAULT >> 20,
		.rcvbuf_max_mib = CT_EVENTS_RCVBUF_MAX_DEFAULT >> 20,
		.view = -1,
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
		case OPT_NO_BPF:
			a->no_bpf = true;
			break;
		case OPT_VIEW:
			if ((a->view = tui_view_by_name(optarg)) < 0)
				return app_error(
					app, APP_ERR_USAGE,
					"invalid --view '%s': use overview, groups, rules, "
					"flows, networks or 1-5",
					optarg);
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
	if (a->batch && a->view >= 0)
		return app_error(
			app, APP_ERR_USAGE,
			"--view chooses the interactive view's first view: not with --batch");
	return 0;
}

static int emit(const struct app *app, const struct top_args *a, const struct top_frame *f)
{
	int ret;

	errno = 0;
	ret = a->json ? top_render_json(app->out, f) : top_render_text(app->out, f);
	/* a frame is written whole, now: a pipe reader sees it at once */
	return ret < 0 ? app_output_error(app, errno) : app_flush(app);
}

struct replay_out {
	const struct app *app;
	const struct top_args *a;
	int exit_code; /* set when a frame could not be written */
};

static int replay_emit(const struct top_frame *f, void *data)
{
	struct replay_out *ro = data;

	ro->exit_code = emit(ro->app, ro->a, f);
	return ro->exit_code ? -ECANCELED : 0;
}

static int run_replay(struct app *app, const struct top_args *a)
{
	struct top_replay_opts o = { .interval = a->interval, .iterations = a->iterations };
	struct replay_out ro = { .app = app, .a = a };
	struct evrec_status st;
	int ret;

	ret = top_replay_run(a->replay, &o, replay_emit, &ro, &st);
	if (ret == -ECANCELED && ro.exit_code)
		return ro.exit_code;
	if (ret < 0)
		return app_replay_error(app, a->replay, ret, &st);
	app_replay_warning(app, a->replay, &st);
	return 0;
}

static int start(const struct app *app, const struct top_args *a, struct top_live **lv,
		 unsigned int keep_gone)
{
	struct top_live_opts o = {
		.interval = a->interval,
		.resync = a->resync,
		.rcvbuf = (size_t)(a->rcvbuf_mib * 1048576),
		.rcvbuf_max = (size_t)(a->rcvbuf_max_mib * 1048576),
		.netns = app->netns,
		.keep_gone = keep_gone,
		.bpf = !a->no_bpf,
		.names = keep_gone > 0, /* the interactive views show them */
		.netns_ino = a->netns_ino,
	};
	enum top_live_stage stage;
	int ret = top_live_start(lv, &o, &stage);

	if (ret == 0)
		return 0;
	if (stage == TOP_LIVE_OPEN)
		return app_error(app, ret == -EPERM ? APP_ERR_PERM : APP_ERR_NO_CONNTRACK,
				 "cannot follow conntrack events: %s", strerror(-ret));
	return app_error(app, APP_ERR_RUNTIME, "starting failed: %s", strerror(-ret));
}

static int run_live(struct app *app, const struct top_args *a)
{
	struct top_live *lv = NULL;
	int ret = start(app, a, &lv, 0);

	while (ret == 0) {
		struct pollfd pfd[TOP_LIVE_NFDS];

		top_live_pollfds(lv, pfd);
		if (poll(pfd, TOP_LIVE_NFDS, -1) < 0) {
			if (errno == EINTR)
				continue;
			ret = app_error(app, APP_ERR_RUNTIME, "poll: %s", strerror(errno));
			break;
		}
		if (top_live_signalled(pfd))
			break; /* SIGINT/SIGTERM: a clean stop */
		if ((ret = top_live_input(lv, pfd)) < 0) {
			ret = app_error(app, APP_ERR_RUNTIME, "reading conntrack failed: %s",
					strerror(-ret));
			break;
		}
		if (!top_live_ticked(lv, pfd))
			continue;
		if ((ret = top_live_tick(lv)) < 0) {
			ret = app_error(app, APP_ERR_RUNTIME, "top stopped: %s", strerror(-ret));
			break;
		}
		if ((ret = emit(app, a, top_live_frame(lv))) != 0)
			break;
		if (a->iterations && top_live_frame(lv)->iteration >= a->iterations)
			break;
	}
	top_live_free(lv);
	return ret;
}

static void draw(struct tui *tui, const struct tui_state *st, const struct top_live *lv,
		 const struct top_viewdata *vd)
{
	struct tui_data d;

	top_viewdata_frame(vd, lv, &d);
	tui_draw(tui, &d, st);
}

/* One pass of the interactive loop: 0 to go on, 1 to stop, or -errno. */
static int interactive_step(struct top_live *lv, struct tui *tui, struct tui_state *st,
			    struct top_viewdata *vd)
{
	struct pollfd pfd[TOP_LIVE_NFDS + 1];
	int r = 0, ret;

	top_live_pollfds(lv, pfd);
	pfd[TOP_LIVE_NFDS] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
	if (poll(pfd, TOP_LIVE_NFDS + 1, -1) < 0) {
		if (errno != EINTR)
			return -errno;
		r = tui_input(tui, st); /* SIGWINCH: curses turns it into KEY_RESIZE */
	}
	if (top_live_signalled(pfd))
		return 1; /* SIGINT/SIGTERM: the terminal is restored by the caller */
	if ((ret = top_live_input(lv, pfd)) < 0)
		return ret;
	if (pfd[TOP_LIVE_NFDS].revents & (POLLIN | POLLHUP))
		r |= tui_input(tui, st);
	if (r & TUI_QUIT)
		return 1;
	if (r & TUI_DELETE) {
		top_viewdata_delete(vd, lv, st);
		r |= TUI_REFRESH;
	}
	if (r & TUI_INTERVAL && (ret = top_live_set_interval(lv, st->interval)) < 0)
		return ret;
	tui_keys_follow(st, (size_t)tui_list_rows(tui), top_viewdata_rows(vd, st));
	if (top_live_ticked(lv, pfd) || r & TUI_NOW) {
		if ((ret = top_live_tick(lv)) < 0)
			return ret;
		if (!st->paused)
			r |= TUI_REFRESH | TUI_REDRAW;
	}
	if (r & TUI_REFRESH)
		top_viewdata_prepare(vd, lv, st, tui_list_rows(tui), top_live_now(lv));
	if (r & TUI_REDRAW)
		draw(tui, st, lv, vd);
	return 0;
}

static int run_interactive(struct app *app, const struct top_args *a)
{
	struct tui_state st = { .interval = a->interval,
				.view = a->view >= 0 ? (enum tui_view)a->view : TUI_OVERVIEW };
	struct top_viewdata *vd = calloc(1, sizeof(*vd));
	struct top_live *lv = NULL;
	struct tui *tui = NULL;
	int ret;

	if (!vd)
		return app_error(app, APP_ERR_RUNTIME, "%s", strerror(ENOMEM));
	top_viewdata_init(vd);
	ret = start(app, a, &lv, TOP_GONE_KEPT);
	if (ret == 0 && (ret = tui_open(&tui, app->color)) < 0)
		ret = app_error(app, APP_ERR_RUNTIME, "starting failed: %s", strerror(-ret));
	if (ret == 0) {
		top_viewdata_prepare(vd, lv, &st, tui_list_rows(tui), top_live_now(lv));
		draw(tui, &st, lv, vd);
		while ((ret = interactive_step(lv, tui, &st, vd)) == 0)
			;
	}
	tui_close(tui); /* the terminal first, so the error line is readable */
	if (ret < 0 && lv)
		ret = app_error(app, APP_ERR_RUNTIME, "top stopped: %s", strerror(-ret));
	else if (ret == 1)
		ret = 0;
	top_live_free(lv);
	top_viewdata_release(vd);
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
	a.netns_ino = ns.ino;
	return app_leave(app, &ns, a.batch ? run_live(app, &a) : run_interactive(app, &a));
}
