#ifndef NATSCOPE_AUDIT_METRICS_H
#define NATSCOPE_AUDIT_METRICS_H

#include <stdio.h>

/*
 * Writing Prometheus metrics in the two text formats real clients read:
 *
 *  - the Prometheus text format 0.0.4 (node_exporter's textfile collector, promtool
 *    check metrics): no info type (an info metric is a gauge named ..._info), and a
 *    counter's TYPE and HELP lines name the sample with its _total;
 *  - OpenMetrics 1.0: a counter or info family is named without its suffix, and the
 *    exposition ends with "# EOF".
 *
 * A family is declared once, then its samples follow (of every namespace, when there
 * are several): metrics_family(), metrics_sample()..., next family.  Every sample
 * carries the label netns="..." first (metrics_set_netns()).  Label values are escaped
 * as both formats require (backslash, double quote, newline).
 */
enum metrics_format {
	METRICS_PROMETHEUS,  /* text 0.0.4 */
	METRICS_OPENMETRICS, /* OpenMetrics 1.0 */
};

enum metric_type {
	METRIC_GAUGE,
	METRIC_COUNTER, /* samples get _total */
	METRIC_INFO,	/* samples get _info, value 1 */
};

struct metrics {
	FILE *out;
	enum metrics_format fmt;
	const char *netns; /* the netns label of the samples that follow */
	const char *family;
	enum metric_type type;
};

void metrics_init(struct metrics *m, FILE *out, enum metrics_format fmt);
void metrics_set_netns(struct metrics *m, const char *netns);

/* Declare family @name (without _total/_info) with its one HELP line. */
void metrics_family(struct metrics *m, const char *name, enum metric_type type, const char *help);

/*
 * One sample of the current family: @value and the labels given as name, value pairs
 * ending with NULL, after netns.  A value is written as an integer when it is one.
 */
void metrics_sample(struct metrics *m, double value, ...) __attribute__((sentinel));

/** Finish the exposition ("# EOF" for OpenMetrics); 0 or -EIO after any write error. */
int metrics_end(struct metrics *m);

#endif
