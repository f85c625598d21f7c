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

static void openmetrics_matches_golden(void **state)
{
	size_t len;
	char *out = fixture_render(render_prom, &len);

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
