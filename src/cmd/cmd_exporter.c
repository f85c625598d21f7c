#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "exporter/exact.h"
#include "exporter/http.h"
#include "exporter/nsread.h"
#include "exporter/scrape.h"
#include "host/caps.h"
#include "host/netns.h"
#include "host/netns_scan.h"
#include "netlink/ct_events.h"
#include "top/live.h"
#include "util.h"

#define EXPORTER_LISTEN	   "127.0.0.1:9662"
#define EXPORTER_MAX_NETNS 64

/* --all-netns looks for namespaces that came or went this often (seconds) */
#define EXPORTER_RESCAN 5.0

struct exporter_args {
	const char *listen;
	double interval;
	const char *netns[EXPORTER_MAX_NETNS];
	unsigned int nnetns;
	bool all_netns;
	bool no_bpf;
};

struct exporter {
	struct exporter_ns *ns;
	size_t n, cap;
	ino_t own_ino; /* the exporter's own namespace */
	struct http *http;
	double scanned; /* --all-netns: when the namespaces were last looked for */
	struct exporter_bpf bpf;
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
		"      --all-netns          every namespace of the host, as they come and go\n"
		"      --no-bpf             do not name failed insertions with the BPF component\n"
		"  -i, --interval SECONDS   statistics and rule reads, clash intervals (default "
		"1)\n"
		"  -h, --help               show this help\n");
}

static int parse_args(struct app *app, int argc, char **argv, struct exporter_args *a)
{
	enum { OPT_NETNS = 256, OPT_ALL_NETNS, OPT_NO_BPF };
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "netns", required_argument, NULL, OPT_NETNS },
		{ "all-netns", no_argument, NULL, OPT_ALL_NETNS },
		{ "no-bpf", no_argument, NULL, OPT_NO_BPF },
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
		case OPT_ALL_NETNS:
			a->all_netns = true;
			break;
		case OPT_NO_BPF:
			a->no_bpf = true;
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
	if (a->all_netns && a->nnetns)
		return app_error(app, APP_ERR_USAGE,
				 "--all-netns watches every namespace: it takes no --netns");
	return 0;
}

/* A slot for one more namespace; NULL without memory. */
static struct exporter_ns *slot(struct exporter *ex)
{
	if (ex->n == ex->cap) {
		size_t cap = ex->cap ? ex->cap * 2 : 8;
		struct exporter_ns *v = realloc(ex->ns, cap * sizeof(*v));

		if (!v)
			return NULL;
		ex->ns = v;
		ex->cap = cap;
	}
	memset(&ex->ns[ex->n], 0, sizeof(ex->ns[ex->n]));
	return &ex->ns[ex->n];
}

/*
 * Start the engine of namespace @spec (NULL: this one) inside it, labelled @label (NULL:
 * netns_label()); 0 or the exit code.
 */
static int watch(struct app *app, const struct exporter_args *a, struct exporter *ex,
		 const char *spec, const char *label)
{
	struct top_live_opts o = { .interval = a->interval,
				   .resync = 300,
				   .rcvbuf = CT_EVENTS_RCVBUF_DEFAULT,
				   .rcvbuf_max = CT_EVENTS_RCVBUF_MAX_DEFAULT };
	struct exporter_ns *ns = slot(ex);
	struct app sub = *app;
	enum top_live_stage stage;
	struct netns_ctx ctx;
	int ret;

	if (!ns)
		return app_error(app, APP_ERR_RUNTIME, "%s", strerror(ENOMEM));
	sub.netns = spec;
	ret = app_enter(&sub, &ctx);
	if (ret)
		return ret;
	if (label)
		snprintf(ns->label, sizeof(ns->label), "%s", label);
	else
		netns_label(spec, ctx.ino, ns->label, sizeof(ns->label));
	ns->ino = ctx.ino;
	ns->own = ctx.ino == ex->own_ino;
	o.netns = ns->label;
	ret = nsread_now(&ns->sys, &ns->nets);
	if (ret == 0)
		ret = top_live_start(&ns->live, &o, &stage);
	if (ret == 0)
		nsread_open(&ns->rd, util_now_mono(), !ns->own);
	if (ret < 0)
		ret = app_error(app, ret == -EPERM ? APP_ERR_PERM : APP_ERR_NO_CONNTRACK,
				"watching conntrack in %s failed: %s", ns->label,
				ret == -ENOENT ? "no nf_conntrack settings" : strerror(-ret));
	ret = app_leave(&sub, &ctx, ret);
	if (ret == 0) {
		exporter_bpf_seed(&ex->bpf, ns);
	} else {
		top_live_free(ns->live);
		nsread_close(&ns->rd);
		localnets_release(&ns->nets);
	}
	ex->n += ret == 0;
	return ret;
}

static void unwatch(struct exporter *ex, size_t i)
{
	top_live_free(ex->ns[i].live);
	nsread_close(&ex->ns[i].rd);
	localnets_release(&ex->ns[i].nets);
	ex->ns[i] = ex->ns[--ex->n];
}

/*
 * --all-netns: watch the namespaces that appeared, drop those that are gone (our own
 * sockets keep a namespace alive; it is gone when nothing names it any more).  A
 * namespace that cannot be watched is said once a scan and skipped.
 */
static void rescan(struct app *app, const struct exporter_args *a, struct exporter *ex)
{
	struct netns_scan_roots roots;
	struct netns_entry *v;
	size_t n;

	ex->scanned = util_now_mono();
	netns_scan_roots_default(&roots);
	if (netns_scan(&roots, &v, &n) < 0)
		return;
	for (size_t i = ex->n; i-- > 0;) {
		bool found = false;

		for (size_t k = 0; k < n && !found; k++)
			found = v[k].ino == ex->ns[i].ino;
		if (!found) {
			fprintf(app->out, "natscope exporter: namespace %s is gone\n",
				ex->ns[i].label);
			unwatch(ex, i);
		}
	}
	for (size_t k = 0; k < n; k++) {
		bool known = false;

		for (size_t i = 0; i < ex->n && !known; i++)
			known = ex->ns[i].ino == v[k].ino;
		if (!known && watch(app, a, ex, v[k].path, v[k].label) == 0)
			fprintf(app->out, "natscope exporter: watching namespace %s\n",
				ex->ns[ex->n - 1].label);
	}
	fflush(app->out);
	free(v);
	exporter_bpf_names(&ex->bpf);
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
	exporter_bpf_read(&ex->bpf, ex->ns, ex->n); /* what is queued counts now */
	ret = scrape_write(f, om ? METRICS_OPENMETRICS : METRICS_PROMETHEUS, ex->ns, ex->n,
			   &ex->bpf.state, NATSCOPE_VERSION);
	if (fclose(f) != 0 && ret == 0)
		ret = -ENOMEM;
	r->content_type = om ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
			     : "text/plain; version=0.0.4; charset=utf-8";
	if (ret < 0)
		fprintf(stderr, "natscope exporter: a scrape failed: %s\n", strerror(-ret));
	return ret;
}

/*
 * Read each namespace's settings and networks again where due (an address changed in it,
 * or NSREAD_PERIOD passed).
 */
static void reread(struct exporter *ex)
{
	double now = util_now_mono();

	for (size_t i = 0; i < ex->n; i++) {
		struct exporter_ns *ns = &ex->ns[i];
		int ret;

		if (!nsread_due(&ns->rd, now))
			continue;
		ret = nsread_again(&ns->rd, now, &ns->sys, &ns->nets);
		if (ret < 0) { /* said once: its settings stay as last read */
			fprintf(stderr,
				"natscope exporter: cannot enter %s to read its settings and "
				"networks again (%s); they stay as read before\n",
				ns->label, strerror(-ret));
			nsread_close(&ns->rd);
		}
	}
}

/* The poll loop: every engine's sources and ticks, and the HTTP server. */
static int serve(struct app *app, const struct exporter_args *a, struct exporter *ex)
{
	struct pollfd *pfd = NULL;
	size_t nfds;
	int ret = 0;

	while (ret == 0) {
		if (a->all_netns && util_now_mono() - ex->scanned >= EXPORTER_RESCAN)
			rescan(app, a, ex);
		nfds = ex->n * (TOP_LIVE_NFDS + 1) + 2;
		free(pfd);
		pfd = calloc(nfds, sizeof(*pfd));
		if (!pfd) {
			ret = -ENOMEM;
			break;
		}
		for (size_t i = 0; i < ex->n; i++) {
			top_live_pollfds(ex->ns[i].live, &pfd[i * TOP_LIVE_NFDS]);
			pfd[ex->n * TOP_LIVE_NFDS + i] =
				(struct pollfd){ .fd = nsread_fd(&ex->ns[i].rd), .events = POLLIN };
		}
		pfd[nfds - 2] = (struct pollfd){ .fd = http_fd(ex->http), .events = POLLIN };
		pfd[nfds - 1] =
			(struct pollfd){ .fd = exporter_bpf_fd(&ex->bpf), .events = POLLIN };
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
			if (pfd[ex->n * TOP_LIVE_NFDS + i].revents & POLLIN)
				nsread_input(&ex->ns[i].rd);
		}
		reread(ex);
		if (pfd[nfds - 1].revents & POLLIN)
			exporter_bpf_read(&ex->bpf, ex->ns, ex->n);
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
	struct netns_ctx self;
	int ret;

	ret = parse_args(app, argc, argv, &a);
	if (ret)
		return ret < 0 ? 0 : ret;
	app->netns = NULL; /* each --netns is entered by watch() */
	if (netns_enter(NULL, &self) == 0)
		ex.own_ino = self.ino;
	/* loaded before the namespaces are watched: each is seeded as it is */
	exporter_bpf_open(&ex.bpf, a.no_bpf);
	if (a.all_netns) {
		if (!caps_sufficient(true))
			return app_error(app, APP_ERR_PERM,
					 "--all-netns needs CAP_NET_ADMIN and CAP_SYS_ADMIN: run "
					 "as root");
		rescan(app, &a, &ex);
	}
	for (unsigned int i = 0; !a.all_netns && i < (a.nnetns ? a.nnetns : 1) && ret == 0; i++)
		ret = watch(app, &a, &ex, a.nnetns ? a.netns[i] : NULL, NULL);
	if (ret == 0) {
		exporter_bpf_attach(&ex.bpf);
		exporter_bpf_names(&ex.bpf); /* while it may still enter namespaces */
		ret = http_open(&ex.http, a.listen, answer, &ex);
		if (ret < 0)
			ret = app_error(app, APP_ERR_CANTCREAT, "cannot listen on %s: %s", a.listen,
					strerror(-ret));
	}
	/* what is open stays usable; nothing later needs more than CAP_NET_ADMIN, but
	 * --all-netns goes on entering namespaces (and reading whose they are), and another
	 * namespace's settings and networks are read inside it again (nsread) */
	if (ret == 0 && caps_keep_only(a.all_netns || a.nnetns > 0) < 0)
		ret = app_error(app, APP_ERR_PERM, "dropping capabilities failed");
	if (ret == 0) {
		fprintf(app->out, "natscope exporter: http://%s/metrics, %s%zu namespace%s\n",
			a.listen, a.all_netns ? "--all-netns, " : "", ex.n, ex.n == 1 ? "" : "s");
		if (!ex.bpf.state.on)
			fprintf(app->out,
				"natscope exporter: failed insertions are not named: %s\n",
				ex.bpf.state.why);
		fflush(app->out);
		ret = serve(app, &a, &ex);
	}
	http_close(ex.http);
	exporter_bpf_close(&ex.bpf);
	while (ex.n)
		unwatch(&ex, ex.n - 1);
	free(ex.ns);
	return ret;
}
