/* The audit as OpenMetrics text: golden file and the format's structural rules. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "audit/audit.h"
#include "audit/render.h"

#include "fixture.h"
#include "golden.h"

static char *render(int (*fn)(FILE *, const struct snapshot *, const struct audit_report *,
			      const struct render_opts *),
		    size_t *len)
{
	struct render_opts ro = { .color = false, .version = "test" };
	struct audit_thresholds t;
	struct audit_report r;
	struct snapshot s;
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	fixture_snapshot(&s);
	audit_thresholds_default(&t);
	audit_run(&s, &t, &r);
	assert_int_equal(fn(f, &s, &r, &ro), 0);
	fclose(f);
	snapshot_release(&s);
	return buf;
}

static void openmetrics_matches_golden(void **state)
{
	size_t len;
	char *out = render(render_prom, &len);

	/* Structural rules of the format, beyond the golden comparison. */
	assert_true(len > 6 && strcmp(out + len - 6, "# EOF\n") == 0);
	assert_non_null(strstr(out, "# TYPE natscope_conntrack_stat_insert_failed counter\n"));
	assert_non_null(
		strstr(out, "natscope_conntrack_stat_insert_failed_total{cpu=\"0\"} 130\n"));
	assert_non_null(
		strstr(out, "natscope_conntrack_stat_other_total{cpu=\"1\",attr=\"20\"} 9\n"));
	golden_compare("audit.prom", out, len);
	free(out);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(openmetrics_matches_golden),
	};

	golden_init(argc, argv);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
