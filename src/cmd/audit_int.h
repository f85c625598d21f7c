#ifndef NATSCOPE_CMD_AUDIT_INT_H
#define NATSCOPE_CMD_AUDIT_INT_H

/* Shared by cmd_audit.c (one namespace) and audit_all.c (--all-netns). */

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "audit/collect.h"
#include "audit/render.h"

struct app;

enum audit_format {
	FORMAT_TEXT,
	FORMAT_JSON,
	FORMAT_PROMETHEUS,
	FORMAT_OPENMETRICS,
	FORMAT_NAGIOS,
};

struct audit_format_entry {
	const char *name;
	enum audit_format fmt;
	int (*render)(FILE *, const struct snapshot *, const struct audit_report *,
		      const struct render_opts *);
};

extern const struct audit_format_entry audit_formats[];
extern const size_t audit_nformats;

struct audit_args {
	const char *replay;
	double interval;
	unsigned int format; /* index into formats[] */
	const char *output;
	int color; /* -1 auto, 0 never, 1 always */
	bool all_netns;
	const struct audit_check *ignore[32]; /* --ignore: findings accepted as they are */
	size_t nignore;
	double timeout; /* --timeout: seconds, 0 none */
	bool no_bpf;	/* --no-bpf: likely attribution only */
};

struct insfail;
/* The BPF component for exact failures, or NULL with snap->exact.why saying why. */
struct insfail *open_bpf(const struct audit_args *a, struct snapshot *snap);

/* The exit code for a failed collection at @stage, after one line saying why. */
int audit_collect_error(const struct app *app, int err, enum collect_stage stage);

struct outfile;
/* Commit (@ret 0) or abort the report in @of; 0, or the exit code after one line. */
int audit_output_finish(const struct app *app, const struct audit_args *a, struct outfile *of,
			int ret);

/* Cancel --timeout's alarm: the output comes next, and is never cut. */
void audit_timeout_cancel(void);

/* --all-netns (audit_all.c): every namespace of the host; the exit code. */
int audit_all(struct app *app, const struct audit_args *a);

#endif
