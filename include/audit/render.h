#ifndef NATSCOPE_RENDER_H
#define NATSCOPE_RENDER_H

#include <stdbool.h>
#include <stdio.h>

#include "audit/audit.h"
#include "audit/metrics.h"
#include "audit/snapshot.h"

struct render_opts {
	bool color;	     /* ANSI colour (text only) */
	const char *version; /* natscope version written into JSON and metrics */
};

/* Renderers write to a FILE and return 0 or -errno (-EIO on a write error). */
int render_text(FILE *out, const struct snapshot *s, const struct audit_report *r,
		const struct render_opts *o);

/* The monitoring-plugin output (Nagios, Icinga): a status line with perfdata. */
int render_plugin(FILE *out, const struct snapshot *s, const struct audit_report *r,
		  const struct render_opts *o);

/* The interval's insertion failures named by the BPF component (render_failures.c). */
#include <jansson.h>
json_t *render_failures_json(const struct snapshot *s);
void render_failures_text(FILE *out, const struct snapshot *s);
/* The table by what needs tracking, notrack rules, candidates (render_tracking.c). */
json_t *render_tracking_json(const struct snapshot *s);
void render_tracking_text(FILE *out, const struct snapshot *s);
/* What to set when the table is under pressure (render_sizing.c, audit/sizing.h). */
json_t *render_sizing_json(const struct snapshot *s);
void render_sizing_text(FILE *out, const struct snapshot *s);

/* JSON schema "natscope.audit" version RENDER_JSON_SCHEMA_VERSION (doc/natscope.audit.schema.json).
 */
#define RENDER_JSON_SCHEMA_VERSION 2
int render_json(FILE *out, const struct snapshot *s, const struct audit_report *r,
		const struct render_opts *o);

/* Metrics (render_prom.c, audit/metrics.h): the Prometheus text format 0.0.4 that
 * node_exporter's textfile collector and promtool read, and OpenMetrics 1.0. */
int render_prom(FILE *out, const struct snapshot *s, const struct audit_report *r,
		const struct render_opts *o);
int render_openmetrics(FILE *out, const struct snapshot *s, const struct audit_report *r,
		       const struct render_opts *o);

/* One namespace's audit for render_metrics(); !ok: it failed (snap has what was read). */
struct render_ns {
	const char *netns; /* the netns label */
	const struct snapshot *snap;
	const struct audit_report *rep;
	bool ok;
	const void *ext; /* more of the namespace, for render_family()'s callers */
};

/** The metrics of @n namespaces in one exposition, each series labelled with its netns. */
int render_metrics(FILE *out, enum metrics_format fmt, const struct render_ns *ns, size_t n,
		   const struct render_opts *o);
/** The same families into @m, for an exposition that adds its own (then metrics_end()). */
void render_metrics_families(struct metrics *m, const struct render_ns *ns, size_t n,
			     const struct render_opts *o);

/* One family and the samples @emit writes for each namespace whose audit succeeded. */
typedef void (*render_emit_fn)(struct metrics *m, const struct render_ns *ns, const void *arg);
void render_family(struct metrics *m, const struct render_ns *ns, size_t n, const char *name,
		   enum metric_type type, const char *help, render_emit_fn emit, const void *arg);
/** The peak count, the sized settings and what sizing recommends for them. */
void render_sizing_metrics(struct metrics *m, const struct render_ns *ns, size_t n);

#endif
