#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "exporter/http.h"
#include "exporter/scrape.h"
#include "host/caps.h"
#include "host/netns.h"
#include "netlink/ct_events.h"
#include "top/live.h"
#include "util.h"

#define EXPORTER_LISTEN	   "127.0.0.1:9662"
#define EXPORTER_MAX_NETNS 64

struct exporter_args {
	const char *listen;
	double interval;
	const char *netns[EXPORTER_MAX_NETNS];
	unsigned int nnetns;
};

struct exporter {
	struct exporter_ns ns[EXPORTER_MAX_NETNS];
	size_t n;
	struct http *http;
};

static void exporter_usage(FILE *f)
{
	fprintf(f,
		"Usage: natscope exporter [--listen ADDR:PORT] [--netns NS]... [--interval "
		"SECONDS]\n"
		"\n"
		"Serve Prometheus metrics at http://ADDR:PORT/metrics from a conntrack model\n"
		"kept by events (no table dump per scrape): everything audit writes, plus\n"
		"events received and lost, overruns, resynchronisations and drift. OpenMetrics\n"
		"when the scraper asks for it, else the text format 0.0.4.\n"
		"\n"
		"Options:\n"
		"  -l, --listen ADDR:PORT   where to listen (default " EXPORTER_LISTEN
		"; :PORT is\n"
		"                           every address, [ADDR6]:PORT an IPv6 one)\n"
		"      --netns NS           a namespace to watch (repeatable; default: this one)\n"
		"  -i, --interval SECONDS   statistics and rule reads, clash intervals (default "
		"1)\n"
		"  -h, --help               show this help\n");
}

static int parse_args(struct app *app, int argc, char **argv, struct exporter_args *a)
{
	enum { OPT_NETNS = 256 };
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "netns", required_argument, NULL, OPT_NETNS },
		{ "interval", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct sockaddr_storage sa;
	socklen_t len;
	int c, any;

	*a = (struct exporter_args){ .listen = EXPORTER_LISTEN, .interval = 1.0 };
	if (app->netns)
		a->netns[a->nnetns++] = app->netns;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":l:i:h", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			if (http_parse_listen(optarg, &sa, &len, &any) < 0)
				return app_error(app, APP_ERR_USAGE,
						 "--listen '%s' is not ADDR:PORT, [ADDR6]:PORT or "
						 ":PORT (a port from 1 to 65535)",
						 optarg);
			a->listen = optarg;
			break;
		case OPT_NETNS:
			if (a->nnetns == EXPORTER_MAX_NETNS)
				return app_error(app, APP_ERR_USAGE, "at most %d --netns",
						 EXPORTER_MAX_NETNS);
			a->netns[a->nnetns++] = optarg;
			break;
		case 'i':
			if (util_parse_double(optarg, 0.1, 3600, &a->interval) < 0)
				return app_error(
					app, APP_ERR_USAGE,
					"invalid --interval '%s': give seconds from 0.1 to "
					"3600",
					optarg);
			break;
		case 'h':
			exporter_usage(app->out);
			return -1;
		default:
			return app_bad_option(app, c, argv);
		}
	}
	if (optind < argc)
		return app_extra_operand(app, argv);
	return 0;
}

/* Start the engine of namespace @spec (NULL: this one) inside it; 0 or the exit code. */
static int watch(struct app *app, const struct exporter_args *a, const char *spec,
		 struct exporter_ns *ns)
{
	struct top_live_opts o = { .interval = a->interval,
				   .resync = 300,
				   .rcvbuf = CT_EVENTS_RCVBUF_DEFAULT,
				   .rcvbuf_max = CT_EVENTS_RCVBUF_MAX_DEFAULT };
	struct app sub = *app;
	enum top_live_stage stage;
	struct netns_ctx ctx;
	int ret;

	sub.netns = spec;
	ret = app_enter(&sub, &ctx);
	if (ret)
		return ret;
	netns_label(spec, ctx.ino, ns->label, sizeof(ns->label));
	ns->ino = ctx.ino;
	ns->own = !spec;
	o.netns = ns->label;
	if (sysctl_read("/proc/sys/net", &ns->sys) < 0)
		ret = -ENOENT;
	else
		ret = top_live_start(&ns->live, &o, &stage);
	if (ret < 0)
		ret = app_error(app, ret == -EPERM ? APP_ERR_PERM : APP_ERR_NO_CONNTRACK,
				"watching conntrack in %s failed: %s", ns->label,
				ret == -ENOENT ? "no nf_conntrack settings" : strerror(-ret));
	return app_leave(&sub, &ctx, ret);
}

static int answer(const char *path, const char *accept, struct http_response *r, void *ctx)
{
	struct exporter *ex = ctx;
	bool om = strstr(accept, "application/openmetrics-text") != NULL;
	FILE *f;
	int ret;

	if (strcmp(path, "/") == 0) {
		r->content_type = "text/html; charset=utf-8";
		r->body = strdup("<html><head><title>natscope exporter</title></head><body>"
				 "<h1>natscope exporter</h1><p><a href=\"/metrics\">Metrics</a>"
				 "</p></body></html>\n");
		r->len = r->body ? strlen(r->body) : 0;
		return r->body ? 0 : -ENOMEM;
	}
	if (strcmp(path, "/metrics") != 0) {
		r->status = 404;
		return 0;
	}
	f = open_memstream(&r->body, &r->len);
	if (!f)
		return -ENOMEM;
	ret = scrape_write(f, om ? METRICS_OPENMETRICS : METRICS_PROMETHEUS, ex->ns, ex->n,
			   NATSCOPE_VERSION);
	if (fclose(f) != 0 && ret == 0)
		ret = -ENOMEM;
	r->content_type = om ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
			     : "text/plain; version=0.0.4; charset=utf-8";
	if (ret < 0)
		fprintf(stderr, "natscope exporter: a scrape failed: %s\n", strerror(-ret));
	return ret;
}

/* The poll loop: every engine's sources and ticks, and the HTTP server. */
static int serve(struct app *app, struct exporter *ex)
{
	size_t nfds = ex->n * TOP_LIVE_NFDS + 1;
	struct pollfd *pfd = calloc(nfds, sizeof(*pfd));
	int ret = pfd ? 0 : -ENOMEM;

	while (ret == 0) {
		for (size_t i = 0; i < ex->n; i++)
			top_live_pollfds(ex->ns[i].live, &pfd[i * TOP_LIVE_NFDS]);
		pfd[nfds - 1] = (struct pollfd){ .fd = http_fd(ex->http), .events = POLLIN };
		if (poll(pfd, nfds, http_timeout_ms(ex->http)) < 0) {
			ret = errno == EINTR ? 0 : -errno;
			continue;
		}
		for (size_t i = 0; i < ex->n && ret == 0; i++) {
			struct pollfd *p = &pfd[i * TOP_LIVE_NFDS];

			if (top_live_signalled(p))
				goto out;
			ret = top_live_input(ex->ns[i].live, p);
			if (ret == 0 && top_live_ticked(ex->ns[i].live, p))
				ret = top_live_tick(ex->ns[i].live);
		}
		http_run(ex->http);
	}
out:
	free(pfd);
	if (ret < 0)
		return app_error(app, APP_ERR_RUNTIME, "%s", strerror(-ret));
	return 0;
}

int cmd_exporter(struct app *app, int argc, char **argv)
{
	struct exporter_args a;
	struct exporter ex = { 0 };
	int ret;

	ret = parse_args(app, argc, argv, &a);
	if (ret)
		return ret < 0 ? 0 : ret;
	app->netns = NULL; /* each --netns is entered by watch() */
	for (unsigned int i = 0; i < (a.nnetns ? a.nnetns : 1) && ret == 0; i++) {
		ret = watch(app, &a, a.nnetns ? a.netns[i] : NULL, &ex.ns[ex.n]);
		ex.n += ret == 0;
	}
	if (ret == 0) {
		ret = http_open(&ex.http, a.listen, answer, &ex);
		if (ret < 0)
			ret = app_error(app, APP_ERR_CANTCREAT, "cannot listen on %s: %s", a.listen,
					strerror(-ret));
	}
	/* what is open stays usable; nothing later needs more than CAP_NET_ADMIN */
	if (ret == 0 && caps_keep_only_net_admin() < 0)
		ret = app_error(app, APP_ERR_PERM, "dropping capabilities failed");
	if (ret == 0) {
		fprintf(app->out, "natscope exporter: http://%s/metrics, %zu namespace%s\n",
			a.listen, ex.n, ex.n == 1 ? "" : "s");
		fflush(app->out);
		ret = serve(app, &ex);
	}
	http_close(ex.http);
	for (size_t i = 0; i < ex.n; i++)
		top_live_free(ex.ns[i].live);
	return ret;
}
