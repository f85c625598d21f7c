#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "flows/engine.h"
#include "host/evrec.h"
#include "host/netns.h"
#include "host/ticker.h"
#include "netlink/ct_events.h"
#include "top/toplive.h"
#include "util.h"

static void record_usage(FILE *f)
{
	fprintf(f, "Usage: natscope [--netns NS] record FILE [--duration S] [--rcvbuf MIB]\n"
		   "\n"
		   "Save a dump of the conntrack table, then every conntrack event, as a pcap\n"
		   "file (LINKTYPE_NETLINK, readable by Wireshark) until --duration seconds pass\n"
		   "or SIGINT/SIGTERM. 'natscope top --batch --replay FILE' runs on it without\n"
		   "root. Overruns are counted and followed by a fresh dump in the file.\n");
}

static int wait_loop(const struct app *app, struct toplive *tl, struct engine *e, double duration)
{
	struct ticker tk;
	int ret;

	if ((ret = ticker_open(&tk, duration, false)) < 0) {
		ticker_close(&tk);
		return app_error(app, APP_ERR_RUNTIME, "signalfd/timerfd: %s", strerror(-ret));
	}
	for (;;) {
		struct pollfd pfd[3] = {
			{ .fd = toplive_event_fd(tl), .events = POLLIN },
			{ .fd = tk.tfd, .events = POLLIN },
			{ .fd = tk.sfd, .events = POLLIN },
		};

		if (poll(pfd, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			ret = app_error(app, APP_ERR_RUNTIME, "poll: %s", strerror(errno));
			break;
		}
		if (pfd[0].revents & POLLIN && (ret = toplive_drain(tl, e)) < 0) {
			ret = app_error(app, APP_ERR_RUNTIME, "recording failed: %s",
					strerror(-ret));
			break;
		}
		if (pfd[1].revents & POLLIN || pfd[2].revents & POLLIN) {
			ret = toplive_drain(tl, e); /* what is queued still goes in */
			if (ret < 0)
				ret = app_error(app, APP_ERR_RUNTIME, "recording failed: %s",
						strerror(-ret));
			break;
		}
	}
	ticker_close(&tk);
	return ret;
}

int cmd_record(struct app *app, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "duration", required_argument, NULL, 'd' },
		{ "rcvbuf", required_argument, NULL, 'r' },
		{ "netns", required_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	double duration = 0, rcvbuf = CT_EVENTS_RCVBUF_DEFAULT >> 20;
	struct toplive *tl = NULL;
	struct evrec *rec = NULL;
	struct engine *e = NULL;
	const struct engine_stats *es;
	struct netns_ctx ns;
	const char *path;
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (util_parse_double(optarg, 0.1, 86400, &duration) < 0)
				return app_error(app, APP_ERR_USAGE,
						 "invalid --duration '%s': give seconds from 0.1",
						 optarg);
			break;
		case 'r':
			if (util_parse_double(optarg, 1, 4096, &rcvbuf) < 0)
				return app_error(app, APP_ERR_USAGE,
						 "invalid --rcvbuf '%s': give MiB from 1 to 4096",
						 optarg);
			break;
		case 'N':
			app->netns = optarg;
			break;
		case 'h':
			record_usage(app->out);
			return 0;
		default: /* ':' or '?' */
			return app_bad_option(app, c, argv);
		}
	}
	if (optind != argc - 1)
		return app_error(app, APP_ERR_USAGE,
				 "give one output FILE: see 'natscope record --help'");
	path = argv[optind];

	ret = evrec_create(&rec, path);
	if (ret < 0)
		return app_error(app, APP_ERR_USAGE, "cannot create '%s': %s", path,
				 strerror(-ret));
	ret = app_enter(app, &ns);
	if (ret) {
		evrec_close(rec);
		unlink(path);
		return ret;
	}
	ret = engine_new(&e);
	if (ret == 0)
		ret = toplive_open(&tl, (size_t)(rcvbuf * 1048576), CT_EVENTS_RCVBUF_MAX_DEFAULT,
				   rec, false);
	if (ret == 0)
		ret = toplive_resync(tl, e, ENGINE_SEED);
	if (ret < 0)
		ret = app_error(app, ret == -EPERM ? APP_ERR_PERM : APP_ERR_NO_CONNTRACK,
				"cannot follow conntrack events: %s", strerror(-ret));
	else
		ret = wait_loop(app, tl, e, duration);
	ret = app_leave(app, &ns, ret);
	toplive_free(tl);
	if (evrec_close(rec) < 0 && ret == 0)
		ret = app_error(app, APP_ERR_RUNTIME, "writing '%s' failed", path);
	if (e) {
		es = engine_stats(e);
		fprintf(app->err,
			"natscope record: %s: %llu dump entries, %llu events (%llu new, %llu "
			"update, "
			"%llu destroy), %llu overruns\n",
			path, (unsigned long long)es->received[CT_EVENT_DUMP],
			(unsigned long long)engine_events(e),
			(unsigned long long)es->received[CT_EVENT_NEW],
			(unsigned long long)es->received[CT_EVENT_UPDATE],
			(unsigned long long)es->received[CT_EVENT_DESTROY],
			(unsigned long long)es->overruns);
	}
	engine_free(e);
	return ret;
}
