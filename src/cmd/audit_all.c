#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "app.h"
#include "audit/exact.h"
#include "bpf/insfail.h"
#include "audit_int.h"
#include "host/caps.h"
#include "host/netns.h"
#include "host/netns_scan.h"
#include "host/outfile.h"
#include "util.h"

/*
 * `audit --all-netns`: every namespace netns_scan() finds, sampled over one interval
 * (the first statistics of all, one wait, then the rest of each), audited one by one.
 * nf_conntrack_max is one limit for all namespaces while the counts are per namespace,
 * so the text and JSON also give the sum against the limit and who holds most of it.
 */

struct one {
	const struct netns_entry *e;
	struct snapshot snap;
	struct audit_report rep;
	bool begun, ok;
};

/* Run @part of the collection inside @o's namespace; false (and a line) if it failed. */
static bool in_ns(const struct app *app, struct one *o, struct collect_opts *co, bool finish)
{
	struct netns_ctx ctx;
	enum collect_stage stage;
	int ret = netns_enter(o->e->path, &ctx);

	if (ret == 0) {
		co->netns_ino = ctx.ino;
		ret = finish ? collect_finish(co, &o->snap, &stage)
			     : collect_begin(co, &o->snap, &stage);
		if (netns_leave(&ctx) < 0 && ret == 0)
			ret = -EIO;
	}
	if (ret < 0 && ret != -ENOENT)
		fprintf(app->err, "natscope audit: namespace %s: %s\n", o->e->label,
			strerror(-ret));
	/* ENOENT: it went away since the scan; said as a failed audit in the report */
	return ret == 0;
}

/*
 * Exact failures over all namespaces: one BPF component, seeded in each by
 * collect_begin(), attached once (@collect false), its records shared out once every
 * second sample is taken (@collect true).
 */
static void exact_step(const struct collect_opts *co, struct one *v, size_t n, bool collect)
{
	struct snapshot **snaps = co->bpf ? calloc(n, sizeof(*snaps)) : NULL;
	size_t k = 0;

	for (size_t i = 0; snaps && i < n; i++)
		if (v[i].snap.exact.on && (!collect || v[i].ok))
			snaps[k++] = &v[i].snap;
	if (k && !collect)
		exact_attach(co->bpf, snaps, k);
	else if (k)
		exact_collect(co->bpf, snaps, k);
	free(snaps);
}

/*
 * After the collection: the winners of each namespace's failures (looked up inside it,
 * while its table holds them), then the names of the sources shown, over all at once.
 */
static void name_all(struct one *v, size_t n)
{
	struct snapshot **snaps = calloc(n, sizeof(*snaps));
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		struct netns_ctx ctx;

		if (!v[i].ok)
			continue;
		if (snaps)
			snaps[k++] = &v[i].snap;
		if (!v[i].snap.exact.on || !v[i].snap.exact.f.reported ||
		    netns_enter(v[i].e->path, &ctx) < 0)
			continue;
		exact_winners(&v[i].snap);
		if (netns_leave(&ctx) < 0)
			break; /* not back home: look up nothing more */
	}
	if (k)
		exact_name(snaps, k);
	free(snaps);
}

/* Monitoring-plugin ranking: critical, then unknown, warning, ok. */
static int worse(int a, int b)
{
	static const int rank[] = { 0, 1, 3, 2 };

	return rank[b] > rank[a] ? b : a;
}

static int cmp_count(const void *a, const void *b)
{
	int64_t x = snapshot_count(&(*(const struct one *const *)a)->snap),
		y = snapshot_count(&(*(const struct one *const *)b)->snap);

	return x < y ? 1 : x > y ? -1 : 0;
}

/* The sum of the namespaces' entries against the one limit, and the three biggest. */
static void totals(struct one *v, size_t n, int64_t *sum, int64_t *max, struct one **top,
		   size_t *ntop)
{
	struct one **by = calloc(n, sizeof(*by));
	size_t k = 0;

	*sum = 0;
	*max = -1;
	for (size_t i = 0; i < n; i++) {
		if (!v[i].ok)
			continue;
		*sum += snapshot_count(&v[i].snap) > 0 ? snapshot_count(&v[i].snap) : 0;
		if (*max < 0)
			*max = snapshot_max(&v[i].snap);
		if (by)
			by[k++] = &v[i];
	}
	if (by)
		qsort(by, k, sizeof(*by), cmp_count);
	*ntop = k < 3 ? k : 3;
	for (size_t i = 0; i < *ntop; i++)
		top[i] = by[i];
	free(by);
}

static int write_text(FILE *f, struct one *v, size_t n, const struct render_opts *ro)
{
	struct one *top[3];
	int64_t sum, max;
	size_t ntop;
	int ret = 0;

	for (size_t i = 0; i < n && ret == 0; i++) {
		fprintf(f, "%s=== network namespace %s ===\n", i ? "\n" : "", v[i].e->label);
		if (v[i].ok)
			ret = render_text(f, &v[i].snap, &v[i].rep, ro);
		else
			fprintf(f, "UNKNOWN  the audit of this namespace failed\n");
	}
	totals(v, n, &sum, &max, top, &ntop);
	fprintf(f, "\n=== all %zu namespaces ===\nconntrack entries: %lld", n, (long long)sum);
	if (max > 0)
		fprintf(f, " of nf_conntrack_max %lld (%.1f %%; one limit for all namespaces)",
			(long long)max, 100.0 * (double)sum / (double)max);
	fprintf(f, "\nmost entries:");
	for (size_t i = 0; i < ntop; i++)
		fprintf(f, "%s %s %lld", i ? "," : "", top[i]->e->label,
			(long long)snapshot_count(&top[i]->snap));
	fprintf(f, "%s\n", ntop ? "" : " none");
	return ret < 0 || ferror(f) ? -EIO : 0;
}

static int write_json(FILE *f, struct one *v, size_t n, const struct render_opts *ro)
{
	json_t *root = json_object(), *list = json_array(), *top_list = json_array();
	struct one *top[3];
	int64_t sum, max;
	size_t ntop;
	int ret = root && list && top_list ? 0 : -ENOMEM;

	for (size_t i = 0; i < n && ret == 0; i++) {
		json_t *o = json_object(), *report = json_null();
		char *buf = NULL;
		size_t len = 0;
		FILE *m;

		if (v[i].ok && (m = open_memstream(&buf, &len))) {
			ret = render_json(m, &v[i].snap, &v[i].rep, ro);
			fclose(m);
			report = ret == 0 && buf ? json_loads(buf, 0, NULL) : NULL;
			free(buf);
		}
		json_object_set_new(o, "netns", json_string(v[i].e->label));
		json_object_set_new(o, "ok", json_boolean(v[i].ok));
		json_object_set_new(o, "report", report ? report : json_null());
		json_array_append_new(list, o);
	}
	totals(v, n, &sum, &max, top, &ntop);
	for (size_t i = 0; i < ntop; i++)
		json_array_append_new(top_list,
				      json_pack("{s:s,s:I}", "netns", top[i]->e->label, "entries",
						(json_int_t)snapshot_count(&top[i]->snap)));
	json_object_set_new(root, "schema", json_string("natscope.audit.all"));
	json_object_set_new(root, "schema_version", json_integer(2));
	json_object_set_new(root, "time_ms", json_integer((json_int_t)time(NULL) * 1000));
	json_object_set_new(root, "conntrack_entries_total", json_integer(sum));
	json_object_set_new(root, "conntrack_max", max > 0 ? json_integer(max) : json_null());
	json_object_set_new(root, "most_entries", top_list);
	json_object_set_new(root, "namespaces", list);
	if (ret == 0 && (json_dumpf(root, f, JSON_INDENT(2)) < 0 || fputc('\n', f) == EOF))
		ret = -EIO;
	json_decref(root);
	return ret;
}

static int write_report(const struct app *app, const struct audit_args *a, struct one *v, size_t n)
{
	enum audit_format fmt = audit_formats[a->format].fmt;
	struct render_opts ro = { .version = NATSCOPE_VERSION,
				  .color =
					  a->color < 0 ? app->color && !a->output : a->color == 1 };
	struct render_ns *rn = calloc(n ? n : 1, sizeof(*rn));
	struct outfile of;
	const char *what;
	int ret;

	if (!rn)
		return app_error(app, APP_ERR_RUNTIME, "%s", strerror(ENOMEM));
	ret = outfile_open(&of, a->output, app->out, &what);
	if (ret < 0) {
		free(rn);
		return app_error(app, APP_ERR_CANTCREAT, "cannot write the report to '%s': %s",
				 what, strerror(-ret));
	}
	for (size_t i = 0; i < n; i++)
		rn[i] = (struct render_ns){
			.netns = v[i].e->label, .snap = &v[i].snap, .rep = &v[i].rep, .ok = v[i].ok
		};
	if (fmt == FORMAT_TEXT)
		ret = write_text(of.f, v, n, &ro);
	else if (fmt == FORMAT_JSON)
		ret = write_json(of.f, v, n, &ro);
	else
		ret = render_metrics(
			of.f, fmt == FORMAT_PROMETHEUS ? METRICS_PROMETHEUS : METRICS_OPENMETRICS,
			rn, n, &ro);
	free(rn);
	return audit_output_finish(app, a, &of, ret);
}

int audit_all(struct app *app, const struct audit_args *a)
{
	struct netns_scan_roots roots;
	struct netns_entry *ents = NULL;
	struct collect_opts co;
	struct audit_thresholds th;
	struct one *v = NULL;
	double first = -1;
	size_t n = 0;
	int ret, code = 0;

	if (!caps_sufficient(true))
		return app_error(app, APP_ERR_PERM,
				 "--all-netns needs CAP_NET_ADMIN and CAP_SYS_ADMIN: run as root");
	netns_scan_roots_default(&roots);
	ret = netns_scan(&roots, &ents, &n);
	v = ret == 0 ? calloc(n ? n : 1, sizeof(*v)) : NULL;
	if (!v) {
		free(ents);
		return app_error(app, APP_ERR_RUNTIME, "%s", strerror(ENOMEM));
	}
	collect_opts_default(&co);
	co.interval = a->interval;
	for (size_t i = 0; i < n; i++) {
		v[i].e = &ents[i];
		snapshot_init(&v[i].snap);
		snprintf(v[i].snap.netns, sizeof(v[i].snap.netns), "%s", ents[i].label);
		v[i].snap.netns_ino = ents[i].ino;
	}
	co.bpf = n ? open_bpf(a, &v[0].snap) : NULL;
	for (size_t i = 0; i < n; i++) {
		if (i)
			memcpy(v[i].snap.exact.why, v[0].snap.exact.why,
			       sizeof(v[i].snap.exact.why));
		v[i].begun = in_ns(app, &v[i], &co, false);
		if (v[i].begun && first < 0)
			first = v[i].snap.mono0;
	}
	exact_step(&co, v, n, false);
	if (a->interval > 0 && first >= 0)
		collect_wait(first + a->interval);
	audit_thresholds_default(&th);
	for (size_t i = 0; i < n; i++)
		v[i].ok = v[i].begun && in_ns(app, &v[i], &co, true);
	exact_step(&co, v, n, true);
	insfail_close(co.bpf);
	name_all(v, n);
	for (size_t i = 0; i < n; i++) {
		if (v[i].ok) {
			audit_run(&v[i].snap, &th, &v[i].rep);
			audit_accept(&v[i].rep, a->ignore, a->nignore);
			code = worse(code, audit_exit_code(v[i].rep.worst));
		} else {
			v[i].snap.taken = time(NULL);
			code = worse(code, 3);
		}
	}
	audit_timeout_cancel();
	ret = write_report(app, a, v, n);
	for (size_t i = 0; i < n; i++)
		snapshot_release(&v[i].snap);
	free(v);
	free(ents);
	return ret ? ret : code;
}
