#include "config.h"
#include "audit/metrics.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>

void metrics_init(struct metrics *m, FILE *out, enum metrics_format fmt)
{
	*m = (struct metrics){ .out = out, .fmt = fmt, .netns = "" };
}

void metrics_set_netns(struct metrics *m, const char *netns)
{
	m->netns = netns;
}

static const char *suffix(enum metric_type t)
{
	return t == METRIC_COUNTER ? "_total" : t == METRIC_INFO ? "_info" : "";
}

void metrics_family(struct metrics *m, const char *name, enum metric_type type, const char *help)
{
	static const char *const om[] = { "gauge", "counter", "info" };
	static const char *const prom[] = { "gauge", "counter", "gauge" };
	/* 0.0.4 names the sample (with _total); OpenMetrics the family, without */
	const char *sfx = m->fmt == METRICS_PROMETHEUS ? suffix(type) : "";

	m->family = name;
	m->type = type;
	fprintf(m->out, "# HELP %s%s %s\n# TYPE %s%s %s\n", name, sfx, help, name, sfx,
		m->fmt == METRICS_PROMETHEUS ? prom[type] : om[type]);
}

static void escaped(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(out, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", out);
		else
			fputc(*s, out);
	}
}

static void value(FILE *out, double v)
{
	if (isnan(v))
		fputs("NaN", out);
	else if (isinf(v))
		fputs(v > 0 ? "+Inf" : "-Inf", out);
	else if (v == floor(v) && fabs(v) < 9007199254740992.0) /* 2^53: exact */
		fprintf(out, "%lld", (long long)v);
	else
		fprintf(out, "%.17g", v);
}

void metrics_sample(struct metrics *m, double v, ...)
{
	const char *k;
	va_list ap;

	fprintf(m->out, "%s%s{netns=\"", m->family, suffix(m->type));
	escaped(m->out, m->netns);
	fputc('"', m->out);
	va_start(ap, v);
	while ((k = va_arg(ap, const char *))) {
		fprintf(m->out, ",%s=\"", k);
		escaped(m->out, va_arg(ap, const char *));
		fputc('"', m->out);
	}
	va_end(ap);
	fputs("} ", m->out);
	value(m->out, m->type == METRIC_INFO ? 1 : v);
	fputc('\n', m->out);
}

int metrics_end(struct metrics *m)
{
	if (m->fmt == METRICS_OPENMETRICS)
		fputs("# EOF\n", m->out);
	return ferror(m->out) ? -EIO : 0;
}
