#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/time.h>

#include "app.h"
#include "audit_int.h"
#include "audit/audit.h"
#include "audit/collect.h"
#include "audit/exact.h"
#include "bpf/insfail.h"
#include "flows/engine.h"
#include "host/evrec.h"
#include "host/netns.h"
#include "host/outfile.h"
#include "audit/render.h"
#include "util.h"

const struct audit_format_entry audit_formats[] = {
	{ "text", FORMAT_TEXT, render_text },
	{ "json", FORMAT_JSON, render_json },
	{ "prometheus", FORMAT_PROMETHEUS, render_prom },
	{ "openmetrics", FORMAT_OPENMETRICS, render_openmetrics },
	{ "nagios", FORMAT_NAGIOS, render_plugin },
};
const size_t audit_nformats = ARRAY_SIZE(audit_formats);

static void audit_usage(FILE *f)
{
	fprintf(f,
		"Usage: natscope [--netns NS] audit [OPTIONS]\n"
		"\n"
		"Sample conntrack statistics twice, stream the table once, and report findings.\n"
		"Exit status: 0 ok, 1 warning, 2 critical, 3 unknown; errors 64-78 as natscope(8)\n"
		"lists them (with -f nagios every error is 3, UNKNOWN).\n"
		"\n"
		"Options:\n"
		"  -i, --interval SECONDS  time between the two samples (default 1; 0: one "
		"sample)\n"
		"  -f, --format FORMAT     text (default), json, prometheus (text 0.0.4, for\n"
		"                          node_exporter's textfile collector), openmetrics,\n"
		"                          nagios (a monitoring-plugin status line + perfdata)\n"
		"      --ignore CHECK[,..] accept these findings as they are (severity ok)\n"
		"      --timeout SECONDS   give up after SECONDS: UNKNOWN, exit 3\n"
		"      --no-bpf            do not name failed insertions with the BPF component\n"
		"  -o, --output FILE       write to FILE atomically (for node_exporter's textfile\n"
		"                          collector) instead of standard output\n"
		"      --color WHEN        auto (default), always, never; NO_COLOR is honoured\n"
		"      --netns NS          same as the global option\n"
		"      --all-netns         every network namespace of the host (named, Docker's,\n"
		"                          every process's), sampled over one interval\n"
		"      --replay FILE       audit the table recorded by 'natscope record' (no "
		"root;\n"
		"                          checks that need live counters, settings or rules are\n"
		"                          left out)\n"
		"  -h, --help              show this help\n"
		"\n"
		"Checks:\n");
	for (size_t i = 0; audit_check_at(i); i++)
		fprintf(f, "  %-26s %s\n", audit_check_id(audit_check_at(i)),
			audit_check_title(audit_check_at(i)));
}

/*
 * --timeout: a monitoring plugin must answer in time, UNKNOWN if it cannot.  The alarm
 * covers the collection; it is cancelled before any output is written, so a report is
 * never cut.  The handler needs its message ready: the one piece of process-wide state
 * here, set once before the alarm is armed.
 */
static char timeout_msg[96];
static size_t timeout_len;
static int timeout_fd;

static void on_timeout(int sig)
{
	(void)sig;
	if (write(timeout_fd, timeout_msg, timeout_len) < 0)
		_exit(3);
	_exit(3);
}

static void timeout_arm(const struct audit_args *a)
{
	struct itimerval it = { 0 };
	struct sigaction sa = { .sa_handler = on_timeout };

	if (a->timeout <= 0)
		return;
	timeout_fd = audit_formats[a->format].fmt == FORMAT_NAGIOS ? STDOUT_FILENO : STDERR_FILENO;
	snprintf(timeout_msg, sizeof(timeout_msg), "%s - timed out after %g s\n",
		 timeout_fd == STDOUT_FILENO ? "NATSCOPE UNKNOWN" : "natscope audit: UNKNOWN",
		 a->timeout);
	timeout_len = strlen(timeout_msg);
	sigaction(SIGALRM, &sa, NULL);
	it.it_value.tv_sec = (time_t)a->timeout;
	it.it_value.tv_usec = (suseconds_t)((a->timeout - (double)(time_t)a->timeout) * 1e6);
	setitimer(ITIMER_REAL, &it, NULL);
}

void audit_timeout_cancel(void)
{
	struct itimerval off = { 0 };

	setitimer(ITIMER_REAL, &off, NULL);
}

/*
 * The BPF component for exact insertion failures, unless --no-bpf or no interval; when
 * it cannot be loaded the snapshot says why (the report falls back to likely groups).
 */
struct insfail *open_bpf(const struct audit_args *a, struct snapshot *snap)
{
	struct insfail *h;

	if (a->no_bpf) {
		snprintf(snap->exact.why, sizeof(snap->exact.why), "--no-bpf");
		return NULL;
	}
	if (a->interval <= 0) {
		snprintf(snap->exact.why, sizeof(snap->exact.why),
			 "no interval (-i 0): nothing to watch");
		return NULL;
	}
	h = exact_open(snap->exact.why, sizeof(snap->exact.why));
	return h;
}

/* --ignore CHECK[,CHECK...]: 0, or -1 after one line naming the unknown check. */
static int parse_ignore(struct app *app, const char *list, struct audit_args *a)
{
	char buf[512], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", list);
	for (char *id = strtok_r(buf, ",", &save); id; id = strtok_r(NULL, ",", &save)) {
		const struct audit_check *c = audit_check_find(id);

		if (!c) {
			app_error(app, APP_ERR_USAGE,
				  "--ignore: no check '%s' (natscope audit --help lists them)", id);
			return -1;
		}
		if (a->nignore == ARRAY_SIZE(a->ignore)) {
			app_error(app, APP_ERR_USAGE, "--ignore: too many checks");
			return -1;
		}
		a->ignore[a->nignore++] = c;
	}
	return 0;
}

static int parse_args(struct app *app, int argc, char **argv, struct audit_args *a)
{
	static const struct option opts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "color", required_argument, NULL, 'C' },
		{ "netns", required_argument, NULL, 'n' },
		{ "replay", required_argument, NULL, 'R' },
		{ "all-netns", no_argument, NULL, 'A' },
		{ "ignore", required_argument, NULL, 'I' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "no-bpf", no_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	*a = (struct audit_args){ .interval = 1.0, .format = 0, .color = -1 };
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":i:f:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (util_parse_double(optarg, 0, 3600, &a->interval) < 0)
				return app_error(
					app, APP_ERR_USAGE,
					"invalid --interval '%s': give seconds from 0 to 3600",
					optarg);
			break;
		case 'f': {
			size_t i, n = audit_nformats;

			for (i = 0; i < n; i++)
				if (strcmp(optarg, audit_formats[i].name) == 0)
					break;
			if (i == n)
				return app_error(app, APP_ERR_USAGE,
						 "invalid --format '%s': use text, json, "
						 "prometheus, openmetrics or nagios",
						 optarg);
			a->format = (unsigned int)i;
			if (i == FORMAT_NAGIOS)
				app->plugin_exit = true; /* however it was spelled */
			break;
		}
		case 'o':
			if (!*optarg)
				return app_error(app, APP_ERR_USAGE,
						 "-o takes a file name (or - for standard output)");
			/* conntrack, kubectl and journalctl take -o FORMAT: never write a file
			 * named after one silently */
			for (size_t i = 0; i < audit_nformats; i++)
				if (strcmp(optarg, audit_formats[i].name) == 0)
					return app_error(app, APP_ERR_USAGE,
							 "-o names the output FILE, not a format: "
							 "for %s give "
							 "-f %s (a file named '%s': -o ./%s)",
							 optarg, optarg, optarg, optarg);
			a->output = optarg;
			break;
		case 'C':
			if (strcmp(optarg, "auto") == 0)
				a->color = -1;
			else if (strcmp(optarg, "always") == 0)
				a->color = 1;
			else if (strcmp(optarg, "never") == 0)
				a->color = 0;
			else
				return app_error(app, APP_ERR_USAGE,
						 "invalid --color '%s': use auto, always or never",
						 optarg);
			break;
		case 'n':
			app->netns = optarg;
			break;
		case 'R':
			a->replay = optarg;
			break;
		case 'A':
			a->all_netns = true;
			break;
		case 'I':
			if (parse_ignore(app, optarg, a) != 0)
				return app_exit_code(app, APP_ERR_USAGE);
			break;
		case 'B':
			a->no_bpf = true;
			break;
		case 'T':
			if (util_parse_double(optarg, 0.1, 86400, &a->timeout) < 0)
				return app_error(app, APP_ERR_USAGE,
						 "invalid --timeout '%s': give seconds from 0.1 to "
						 "86400",
						 optarg);
			break;
		case 'h':
			audit_usage(app->out);
			return -1;
		default: /* ':' or '?' */
			return app_bad_option(app, c, argv);
		}
	}
	if (optind < argc)
		return app_extra_operand(app, argv);
	if (a->all_netns && (app->netns || a->replay))
		return app_error(
			app, APP_ERR_USAGE,
			"--all-netns audits every namespace: it takes no --netns or --replay");
	return 0;
}

int audit_collect_error(const struct app *app, int err, enum collect_stage stage)
{
	static const char *const what[] = {
		[COLLECT_SOCKET] = "opening a netfilter netlink socket",
		[COLLECT_STATS] = "reading conntrack statistics over netlink",
		[COLLECT_DUMP] = "dumping the conntrack table",
		[COLLECT_SYSCTL] = "reading /proc/sys/net",
		[COLLECT_RULES] = "reading the nf_tables ruleset",
		[COLLECT_PROC] = "scanning /proc for docker-proxy",
	};

	if (err == -EPERM || err == -EACCES)
		return app_error(app, APP_ERR_PERM,
				 "%s was refused: run as root or with CAP_NET_ADMIN", what[stage]);
	if (err == -EPROTONOSUPPORT || err == -EOPNOTSUPP || err == -EAFNOSUPPORT)
		return app_error(app, APP_ERR_NO_CONNTRACK,
				 "%s failed: ctnetlink (nf_conntrack_netlink) is not available",
				 what[stage]);
	return app_error(app, APP_ERR_RUNTIME, "%s failed: %s", what[stage], strerror(-err));
}

/* The report to standard output or --output (see host/outfile.h for how it is replaced). */
static int write_output(const struct app *app, const struct audit_args *a,
			const struct snapshot *snap, const struct audit_report *rep,
			const struct render_opts *ro)
{
	struct outfile of;
	const char *what;
	int ret;

	ret = outfile_open(&of, a->output, app->out, &what);
	if (ret == -EISDIR)
		return app_error(app, APP_ERR_CANTCREAT,
				 "cannot write the report to '%s': it is a directory; name a file",
				 what);
	if (ret < 0)
		return app_error(app, APP_ERR_CANTCREAT, "cannot write the report to '%s': %s",
				 what, strerror(-ret));
	errno = 0;
	ret = audit_formats[a->format].render(of.f, snap, rep, ro);
	return audit_output_finish(app, a, &of, ret < 0 && errno ? -errno : ret);
}

int audit_output_finish(const struct app *app, const struct audit_args *a, struct outfile *of,
			int ret)
{
	const char *what;

	if (ret < 0)
		outfile_abort(of);
	else
		ret = outfile_commit(of, &what);
	if (ret < 0 && !of->path)
		return app_output_error(app, -ret);
	if (ret < 0)
		return app_error(app, APP_ERR_IOERR, "writing '%s' failed: %s", a->output,
				 strerror(-ret));
	return 0;
}

/* The metrics of a failed audit: natscope_audit_success 0 (and when), nothing else. */
static void write_failure(const struct app *app, const struct audit_args *a, struct snapshot *snap,
			  const struct render_opts *ro)
{
	struct render_ns rn = { .netns = snap->netns, .snap = snap, .ok = false };
	enum metrics_format mf = audit_formats[a->format].fmt == FORMAT_PROMETHEUS
					 ? METRICS_PROMETHEUS
					 : METRICS_OPENMETRICS;
	struct outfile of;
	const char *what;

	snap->taken = time(NULL);
	if (outfile_open(&of, a->output, app->out, &what) < 0)
		return; /* the error that ended the audit was said; this one adds nothing */
	if (render_metrics(of.f, mf, &rn, 1, ro) < 0)
		outfile_abort(&of);
	else
		outfile_commit(&of, &what);
}

struct replay_ctx {
	struct engine *e;
	double last_t;
};

static int replay_msg(const struct nlmsghdr *nlh, double t, void *data)
{
	struct replay_ctx *rc = data;

	rc->last_t = t;
	return engine_replay(rc->e, nlh);
}

static int agg_flow(const struct ct_flow *f, void *data)
{
	return ct_agg_add(data, f);
}

/* The table at the end of a capture, through the same aggregation as a live dump. */
static int audit_replay(struct app *app, const struct audit_args *a)
{
	struct render_opts ro = { .version = NATSCOPE_VERSION };
	struct replay_ctx rc = { 0 };
	struct audit_thresholds th;
	struct audit_report rep;
	struct ct_agg *agg = NULL;
	struct snapshot snap;
	struct evrec_status st;
	int ret;

	if (app->netns)
		return app_error(app, APP_ERR_USAGE,
				 "--replay reads a file: --netns does not apply");
	snapshot_init(&snap);
	ret = engine_new(&rc.e);
	if (ret == 0)
		ret = ct_agg_new(&agg);
	if (ret < 0) {
		ret = app_error(app, APP_ERR_RUNTIME, "%s", strerror(-ret));
		goto out;
	}
	ret = evrec_replay(a->replay, replay_msg, &rc, &st);
	if (ret < 0) {
		ret = app_replay_error(app, a->replay, ret, &st);
		goto out;
	}
	app_replay_warning(app, a->replay, &st);
	ret = engine_foreach(rc.e, agg_flow, agg);
	if (ret < 0) {
		ret = app_error(app, APP_ERR_RUNTIME, "%s", strerror(-ret));
		goto out;
	}
	ct_agg_summarize(agg, &snap.table);
	snap.have_table = true;
	snap.replay = true;
	snap.taken = (time_t)rc.last_t;
	snprintf(snap.netns, sizeof(snap.netns), "replay:%s", a->replay);
	audit_thresholds_default(&th);
	audit_run(&snap, &th, &rep);
	audit_accept(&rep, a->ignore, a->nignore);
	audit_timeout_cancel();
	ro.color = a->color < 0 ? app->color && !a->output : a->color == 1;
	ret = write_output(app, a, &snap, &rep, &ro);
	if (ret == 0)
		ret = audit_exit_code(rep.worst);
out:
	ct_agg_free(agg);
	engine_free(rc.e);
	snapshot_release(&snap);
	return ret;
}

int cmd_audit(struct app *app, int argc, char **argv)
{
	struct collect_opts co;
	struct audit_thresholds th;
	struct audit_report rep;
	struct render_opts ro = { .version = NATSCOPE_VERSION };
	struct audit_args a;
	struct snapshot snap;
	struct netns_ctx ns;
	enum collect_stage stage;
	char path[PATH_MAX];
	struct stat sb;
	int ret;

	ret = parse_args(app, argc, argv, &a);
	if (ret)
		return ret < 0 ? 0 : ret;
	timeout_arm(&a);
	if (a.replay)
		return audit_replay(app, &a);
	if (a.all_netns)
		return audit_all(app, &a);

	ret = app_enter(app, &ns);
	if (ret)
		return ret;

	collect_opts_default(&co);
	co.interval = a.interval;
	co.netns_ino = app->netns ? ns.ino : 0;
	/* Test hook: a sysctl tree without nf_conntrack, to exercise that error path. */
	if (getenv("NATSCOPE_TEST_SYSCTL_ROOT"))
		co.sys_root = getenv("NATSCOPE_TEST_SYSCTL_ROOT");
	snprintf(path, sizeof(path), "%s/netfilter/nf_conntrack_max", co.sys_root);
	snapshot_init(&snap);
	netns_label(app->netns, ns.ino, snap.netns, sizeof(snap.netns));
	snap.netns_ino = ns.ino;
	co.bpf = open_bpf(&a, &snap);
	if (stat(path, &sb) < 0)
		ret = app_leave(app, &ns,
				app_error(app, APP_ERR_NO_CONNTRACK,
					  "nf_conntrack is not available (no %s): load the "
					  "nf_conntrack module or use a kernel with connection "
					  "tracking",
					  path));
	else
		ret = collect_snapshot(&co, &snap, &stage);
	insfail_close(co.bpf);
	if (ret < 0)
		ret = app_leave(app, &ns, audit_collect_error(app, ret, stage));
	else if (ret == 0)
		ret = app_leave(app, &ns, 0);
	if (ret) {
		/* metrics say the audit failed, rather than leave an old file standing; a
		 * plugin's status line says UNKNOWN (the reason is on standard error) */
		audit_timeout_cancel();
		if (audit_formats[a.format].fmt == FORMAT_PROMETHEUS ||
		    audit_formats[a.format].fmt == FORMAT_OPENMETRICS)
			write_failure(app, &a, &snap, &ro);
		else if (audit_formats[a.format].fmt == FORMAT_NAGIOS)
			fprintf(app->out, "NATSCOPE UNKNOWN - the audit failed (the reason is on "
					  "standard error)\n");
		snapshot_release(&snap);
		return ret;
	}

	audit_thresholds_default(&th);
	audit_run(&snap, &th, &rep);
	audit_accept(&rep, a.ignore, a.nignore);
	audit_timeout_cancel();
	ro.color = a.color < 0 ? app->color && !a.output : a.color == 1;
	ret = write_output(app, &a, &snap, &rep, &ro);
	if (ret == 0)
		ret = audit_exit_code(rep.worst);
	snapshot_release(&snap);
	return ret;
}
