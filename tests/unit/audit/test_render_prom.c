/*
 * The audit as metrics: the Prometheus text format 0.0.4 and OpenMetrics 1.0, golden
 * files and the formats' structural rules (the real parsers check them in
 * integration/cases/metrics).
 */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "audit/audit.h"
#include "audit/metrics.h"
#include "audit/render.h"

#include "fixture.h"
#include "golden.h"

/* Every sample line starts with natscope_ and carries netns first; one HELP a family. */
static void well_formed(const char *out)
{
	char *copy = strdup(out), *save = NULL, *names[256];
	unsigned int nhelp = 0, ntype = 0;

	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (strncmp(l, "# HELP ", 7) == 0) {
			for (unsigned int i = 0; i < nhelp; i++)
				if (strncmp(names[i], l + 7, strcspn(l + 7, " ") + 1) == 0)
					fail_msg("two HELP lines for %s", l + 7);
			assert_true(nhelp < 256);
			names[nhelp++] = l + 7;
		} else if (strncmp(l, "# TYPE ", 7) == 0) {
			ntype++;
		} else if (strcmp(l, "# EOF") != 0) {
			assert_true(strncmp(l, "natscope_", 9) == 0);
			assert_non_null(strstr(l, "{netns=\""));
		}
	}
	assert_int_equal(nhelp, ntype);
	free(copy);
}

static void prometheus_matches_golden(void **state)
{
	size_t len;
	char *out = fixture_render(render_prom, &len);

	well_formed(out);
	/* 0.0.4: a counter's TYPE and HELP name the sample, _total included; no info type */
	assert_null(strstr(out, "# EOF"));
	assert_null(strstr(out, " info\n"));
	assert_non_null(strstr(out, "# TYPE natscope_conntrack_insert_failed_total counter\n"));
	assert_non_null(strstr(out, "# TYPE natscope_build_info gauge\n"));
	assert_non_null(strstr(out,
			       "natscope_conntrack_insert_failed_total{netns=\"lab-r\",cpu=\"0\"} "
			       "130\n"));
	assert_non_null(strstr(out, "natscope_conntrack_other_total{netns=\"lab-r\",cpu=\"1\",attr="
				    "\"20\"} 9\n"));
	/* the precomputed rate is gone: rate() is the client's */
	assert_null(strstr(out, "_rate"));
	golden_compare("audit.prom", out, len);
	free(out);
}

static void openmetrics_matches_golden(void **state)
{
	size_t len;
	char *out = fixture_render(render_openmetrics, &len);

	well_formed(out);
	assert_true(len > 6 && strcmp(out + len - 6, "# EOF\n") == 0);
	assert_non_null(strstr(out, "# TYPE natscope_conntrack_insert_failed counter\n"));
	assert_non_null(strstr(out, "# TYPE natscope_build info\n"));
	assert_non_null(strstr(out,
			       "natscope_conntrack_insert_failed_total{netns=\"lab-r\",cpu=\"0\"} "
			       "130\n"));
	golden_compare("audit.om", out, len);
	free(out);
}

/* Label values escaped; NaN and integers as the formats spell them. */
static void samples(void **state)
{
	struct metrics m;
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	metrics_init(&m, f, METRICS_OPENMETRICS);
	metrics_set_netns(&m, "a\"b\\c\nd");
	metrics_family(&m, "natscope_x", METRIC_GAUGE, "x");
	metrics_sample(&m, NAN, NULL);
	metrics_sample(&m, 12345678901.0, "k", "v", NULL);
	metrics_sample(&m, 0.25, NULL);
	assert_int_equal(metrics_end(&m), 0);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(buf, "# HELP natscope_x x\n# TYPE natscope_x gauge\n"
				 "natscope_x{netns=\"a\\\"b\\\\c\\nd\"} NaN\n"
				 "natscope_x{netns=\"a\\\"b\\\\c\\nd\",k=\"v\"} 12345678901\n"
				 "natscope_x{netns=\"a\\\"b\\\\c\\nd\"} 0.25\n# EOF\n");
	free(buf);
}

/* A failed audit says so (and when), and nothing else. */
static void failed_audit(void **state)
{
	struct render_opts ro = { .version = "test" };
	struct snapshot s;
	struct render_ns ns = { .netns = "lab", .snap = &s, .ok = false };
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	snapshot_init(&s);
	s.taken = 1796000000;
	assert_int_equal(render_metrics(f, METRICS_PROMETHEUS, &ns, 1, &ro), 0);
	assert_int_equal(fclose(f), 0);
	well_formed(buf);
	assert_non_null(strstr(buf, "natscope_audit_success{netns=\"lab\"} 0\n"));
	assert_non_null(
		strstr(buf, "natscope_audit_timestamp_seconds{netns=\"lab\"} 1796000000\n"));
	assert_non_null(strstr(buf, "natscope_build_info{netns=\"lab\",version=\"test\""));
	/* three samples */
	len = 0;
	for (const char *p = buf; (p = strstr(p, "\nnatscope_")); p++)
		len++;
	assert_int_equal(len, 3);
	snapshot_release(&s);
	free(buf);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(prometheus_matches_golden),
		cmocka_unit_test(openmetrics_matches_golden),
		cmocka_unit_test(samples),
		cmocka_unit_test(failed_audit),
	};

	golden_init(argc, argv);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
