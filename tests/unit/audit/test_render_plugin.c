/*
 * The monitoring-plugin output: one status line "NATSCOPE STATE - words | perfdata"
 * (golden), perfdata in the plugin guidelines' grammar, --ignore's accepted findings.
 */
#include "config.h"

#include <regex.h>
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

/* 'label'=value[UOM];[warn];[crit];[min];[max], space separated */
static void perfdata_grammar(const char *line)
{
	const char *bar = strchr(line, '|');
	char *copy, *save = NULL;
	regex_t re;

	assert_non_null(bar);
	assert_null(strchr(bar + 1, '|'));
	assert_int_equal(
		regcomp(&re,
			"^[a-z_]+=-?[0-9.]+(c|s|%|B)?(;[0-9.]*(;[0-9.]*(;[0-9.]*(;[0-9.]*)?)?)?)?$",
			REG_EXTENDED | REG_NOSUB),
		0);
	copy = strdup(bar + 1);
	copy[strcspn(copy, "\n")] = '\0';
	for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save))
		if (regexec(&re, t, 0, NULL, 0) != 0)
			fail_msg("perfdata '%s' breaks the grammar", t);
	regfree(&re);
	free(copy);
}

static void matches_golden(void **state)
{
	size_t len;
	char *out = fixture_render(render_plugin, &len);

	assert_true(strncmp(out, "NATSCOPE CRITICAL - ", 20) == 0);
	perfdata_grammar(out);
	assert_non_null(strstr(out, " insert_failed=")); /* the clash counter, as perfdata */
	golden_compare("audit.nagios", out, len);
	free(out);
}

/* Accepting every finding that is not ok leaves OK, and says what was accepted. */
static void accepted(void **state)
{
	const struct audit_check *acc[AUDIT_MAX_FINDINGS];
	struct render_opts ro = { .version = "test" };
	struct audit_thresholds t;
	struct audit_report r;
	struct snapshot s;
	size_t n = 0, len;
	char *buf = NULL;
	FILE *f = open_memstream(&buf, &len);

	fixture_snapshot(&s);
	audit_thresholds_default(&t);
	audit_run(&s, &t, &r);
	for (unsigned int i = 0; i < r.n; i++)
		if (r.f[i].sev >= SEV_WARNING)
			acc[n++] = r.f[i].check;
	assert_true(n >= 2);
	audit_accept(&r, acc, n);
	assert_true(r.worst <= SEV_INFO);
	assert_int_equal(render_plugin(f, &s, &r, &ro), 0);
	assert_int_equal(fclose(f), 0);
	assert_true(strncmp(buf, "NATSCOPE OK - ", 14) == 0);
	assert_non_null(strstr(buf, "\naccepted snat_port_clash (critical): "));
	perfdata_grammar(buf);
	free(buf);
	snapshot_release(&s);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(matches_golden),
		cmocka_unit_test(accepted),
	};

	golden_init(argc, argv);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
