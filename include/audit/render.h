#ifndef NATSCOPE_RENDER_H
#define NATSCOPE_RENDER_H

#include <stdbool.h>
#include <stdio.h>

#include "audit/audit.h"
#include "audit/snapshot.h"

struct render_opts {
	bool color;	     /* ANSI colour (text only) */
	const char *version; /* natscope version written into JSON and metrics */
};

/* Renderers write to a FILE and return 0 or -errno (-EIO on a write error). */
int render_text(FILE *out, const struct snapshot *s, const struct audit_report *r,
		const struct render_opts *o);

/* JSON schema "natscope.audit" version RENDER_JSON_SCHEMA_VERSION; see man natscope-audit. */
#define RENDER_JSON_SCHEMA_VERSION 1
int render_json(FILE *out, const struct snapshot *s, const struct audit_report *r,
		const struct render_opts *o);

/* OpenMetrics text exposition, also readable by node_exporter's textfile collector. */
int render_prom(FILE *out, const struct snapshot *s, const struct audit_report *r,
		const struct render_opts *o);

#endif
