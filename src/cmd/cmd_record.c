#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "app.h"
#include "bpf/insfail.h"
#include "flows/engine.h"
#include "host/evrec.h"
#include "host/netns.h"
#include "host/ticker.h"
#include "netlink/ct_events.h"
#include "top/toplive.h"
#include "util.h"

static void record_usage(FILE *f)
{
	fprintf(f, "Usage: natscope [--netns NS] record FILE|- [--duration S] [--rcvbuf MIB]\n"
		   "\n"
		   "Save a dump of the conntrack table, then every conntrack event, as a pcap\n"
		   "file (LINKTYPE_NETLINK, readable by Wireshark; - for standard output, which\n"
		   "tshark -r - reads) until --duration seconds pass or SIGINT/SIGTERM.\n"
		   "'natscope top --batch --replay FILE' runs on it without root. Overruns are\n"
		   "counted and followed by a fresh dump in the file. Failed insertions named\n"
		   "by the BPF component go in too.\n"
		   "\n"
		   "Options:\n"
		   "  -d, --duration S    stop after S seconds (default: at SIGINT/SIGTERM)\n"
		   "      --rcvbuf MIB    event socket buffer (default 64)\n"
		   "      --no-bpf        leave failed insertions out (no BPF component)\n"
		   "      --netns NS      same as the global option\n"
		   "  -h, --help          show this help\n");
}

static int count_record(const struct nlmsghdr *nlh, double t, void *data)
{
	return 0;
}

/*
 * The capture could not be written (@err): say what the file holds now, counted by
 * reading it back where it is a file (a full disk keeps every record before the failure).
 */
static int write_failed(const struct app *app, const char *path, int err)
{
	struct evrec_status st;
	struct stat sb;

	if (strcmp(path, "-") == 0)
		return app_output_error(app, -err);
	if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    evrec_replay(path, count_record, NULL, &st) == 0)
		return app_error(app, APP_ERR_IOERR,
				 "writing '%s' failed: %s; it holds the first %llu records "
				 "(natscope top --replay reads them)",
				 path, strerror(-err), (unsigned long long)st.records);
	return app_error(app, APP_ERR_IOERR, "writing '%s' failed: %s", path, strerror(-err));
}

/* A recording stopped by @err on the kernel's side (the file's errors are the caller's). */
static int record_error(const struct app *app, int err)
{
	return app_error(app, APP_ERR_RUNTIME, "recording failed: %s", strerror(-err));
}

static bool write_error(int err)
{
	return err == -ENOSPC || err == -EIO || err == -EFBIG || err == -EDQUOT || err == -EPIPE ||
	       err == -EBADF;
}

/* Failed insertions named by the BPF component go into the file as they come. */
struct named {
	struct evrec *rec;
	uint64_t n;
	int err;
};

static int write_failure(const struct insfail_rec *r, void *data)
{
	struct named *nd = data;
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	nd->err = evrec_failure(nd->rec, r, (double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
	nd->n += nd->err == 0;
	return nd->err;
}

static int drain_failures(struct insfail *bpf, struct named *nd)
{
	while (bpf && insfail_consume(bpf, write_failure, nd) > 0)
		;
	return nd->err;
}

static int wait_loop(const struct app *app, struct toplive *tl, struct engine *e, double duration,
		     struct insfail *bpf, struct named *nd)
{
	struct ticker tk;
	int ret;

	if ((ret = ticker_open(&tk, duration, false)) < 0) {
		ticker_close(&tk);
		return app_error(app, APP_ERR_RUNTIME, "signalfd/timerfd: %s", strerror(-ret));
	}
	for (;;) {
		struct pollfd pfd[4] = {
			{ .fd = toplive_event_fd(tl), .events = POLLIN },
			{ .fd = tk.tfd, .events = POLLIN },
			{ .fd = tk.sfd, .events = POLLIN },
			{ .fd = bpf ? insfail_fd(bpf) : -1, .events = POLLIN },
		};

		if (poll(pfd, 4, -1) < 0) {
			if (errno == EINTR)
				continue;
			ret = app_error(app, APP_ERR_RUNTIME, "poll: %s", strerror(errno));
			break;
		}
		if (pfd[3].revents & POLLIN && (ret = drain_failures(bpf, nd)) < 0)
			break; /* writing the file failed */
		if (pfd[0].revents & POLLIN && (ret = toplive_drain(tl, e)) < 0) {
			if (!write_error(ret))
				ret = record_error(app, ret);
			break;
		}
		if (pfd[1].revents & POLLIN || pfd[2].revents & POLLIN) {
			ret = toplive_drain(tl, e); /* what is queued still goes in */
			if (ret == 0)
				ret = drain_failures(bpf, nd);
			if (ret < 0 && !write_error(ret))
				ret = record_error(app, ret);
			break;
		}
	}
	ticker_close(&tk);
	return ret;
}

struct record_args {
	double duration, rcvbuf_mib;
	const char *path;
	bool no_bpf;
	unsigned long netns_ino;
};

static int parse_args(struct app *app, int argc, char **argv, struct record_args *a)
{
	static const struct option opts[] = {
		{ "duration", required_argument, NULL, 'd' },
		{ "rcvbuf", required_argument, NULL, 'r' },
		{ "netns", required_argument, NULL, 'N' },
		{ "no-bpf", no_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	*a = (struct record_args){ .rcvbuf_mib = CT_EVENTS_RCVBUF_DEFAULT >> 20 };
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (util_parse_double(optarg, 0.1, 86400, &a->duration) < 0)
				return app_error(app, APP_ERR_USAGE,
						 "invalid --duration '%s': give seconds from 0.1",
						 optarg);
			break;
		case 'r':
			if (util_parse_double(optarg, 1, 4096, &a->rcvbuf_mib) < 0)
				return app_error(app, APP_ERR_USAGE,
						 "invalid --rcvbuf '%s': give MiB from 1 to 4096",
						 optarg);
			break;
		case 'N':
			app->netns = optarg;
			break;
		case 'B':
			a->no_bpf = true;
			break;
		case 'h':
			record_usage(app->out);
			return -1;
		default: /* ':' or '?' */
			return app_bad_option(app, c, argv);
		}
	}
	if (optind != argc - 1)
		return app_error(app, APP_ERR_USAGE,
				 "give one output FILE: see 'natscope record --help'");
	a->path = argv[optind];
	return 0;
}

static void summary(const struct app *app, const char *path, const struct engine *e,
		    uint64_t records, uint64_t named)
{
	const struct engine_stats *es = engine_stats(e);

	fprintf(app->err,
		"natscope record: %s: %llu records written: %llu dump entries, %llu events (%llu "
		"new, %llu update, %llu destroy), %llu overruns, %llu failed insertions named\n",
		path, (unsigned long long)records, (unsigned long long)es->received[CT_EVENT_DUMP],
		(unsigned long long)engine_events(e),
		(unsigned long long)es->received[CT_EVENT_NEW],
		(unsigned long long)es->received[CT_EVENT_UPDATE],
		(unsigned long long)es->received[CT_EVENT_DESTROY],
		(unsigned long long)es->overruns, (unsigned long long)named);
}

/*
 * The BPF component, seeded with the statistics of now and attached; NULL (and a line
 * saying why) when it cannot be used: the capture then holds no failure records.
 */
static struct insfail *start_bpf(const struct app *app, struct toplive *tl, unsigned long ino)
{
	struct insfail *bpf = NULL;
	struct ct_stats st;
	char why[200] = "";

	ct_stats_init(&st);
	if (toplive_stats(tl, &st) < 0)
		snprintf(why, sizeof(why), "reading the statistics to start from failed");
	else
		insfail_start(&bpf, (uint32_t)ino, &st, why, sizeof(why));
	ct_stats_release(&st);
	if (!bpf)
		fprintf(app->err, "natscope record: failed insertions are not named: %s\n", why);
	return bpf;
}

/* Seed, then follow until the duration or a signal; 0 or the exit code. */
static int record(const struct app *app, const struct record_args *a, struct evrec *rec,
		  struct engine *e, struct named *nd)
{
	struct toplive *tl = NULL;
	struct insfail *bpf = NULL;
	int ret = toplive_open(&tl, (size_t)(a->rcvbuf_mib * 1048576), CT_EVENTS_RCVBUF_MAX_DEFAULT,
			       rec, false);

	if (ret == 0)
		ret = toplive_resync(tl, e, ENGINE_SEED);
	if (ret == 0 && !a->no_bpf)
		bpf = start_bpf(app, tl, a->netns_ino);
	if (ret < 0 && !write_error(ret))
		ret = app_error(app, ret == -EPERM ? APP_ERR_PERM : APP_ERR_NO_CONNTRACK,
				"cannot follow conntrack events: %s", strerror(-ret));
	else if (ret == 0) {
		/* as tcpdump's "listening on": from here on every event is in the file */
		fprintf(app->err,
			"natscope record: %s: recording: %llu entries seeded, events "
			"followed from now\n",
			a->path, (unsigned long long)engine_stats(e)->received[CT_EVENT_DUMP]);
		ret = wait_loop(app, tl, e, a->duration, bpf, nd);
	}
	insfail_close(bpf);
	toplive_free(tl);
	return ret;
}

int cmd_record(struct app *app, int argc, char **argv)
{
	struct record_args a;
	struct evrec *rec = NULL;
	struct engine *e = NULL;
	struct netns_ctx ns;
	struct named nd = { 0 };
	uint64_t records;
	int ret, wret;

	ret = parse_args(app, argc, argv, &a);
	if (ret)
		return ret < 0 ? 0 : ret;
	/* privileges and the namespace first: a file the user named is only touched once
	 * there is something to write into it */
	ret = app_enter(app, &ns);
	if (ret)
		return ret;
	a.netns_ino = ns.ino;
	ret = evrec_create(&rec, a.path);
	if (ret < 0)
		return app_leave(app, &ns,
				 app_error(app, APP_ERR_CANTCREAT, "cannot create '%s': %s", a.path,
					   strerror(-ret)));
	ret = engine_new(&e);
	if (ret < 0)
		ret = app_error(app, APP_ERR_RUNTIME, "%s", strerror(-ret));
	nd.rec = rec;
	if (ret == 0)
		ret = record(app, &a, rec, e, &nd);
	ret = app_leave(app, &ns, ret);
	records = evrec_records(rec);
	wret = evrec_close(rec);
	/* a write error found while recording (< 0) or at the final flush */
	if (ret < 0 || (ret == 0 && wret < 0))
		ret = write_failed(app, a.path, ret < 0 ? ret : wret);
	else if (ret == 0 && e)
		summary(app, a.path, e, records, nd.n);
	engine_free(e);
	return ret;
}
