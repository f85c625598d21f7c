#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "audit/audit.h"
#include "fixture.h"
#include "audit/render.h"

/*
 * Golden files live in tests/golden/.  After an intended output change, regenerate them
 * with:  NATSCOPE_UPDATE_GOLDEN=1 meson test -C build render
 * and review the diff before committing.
 */
static const char *golden_dir;

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

static void compare_golden(const char *name, const char *got, size_t len)
{
	char path[4096], *want;
	long wlen;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", golden_dir, name);
	if (getenv("NATSCOPE_UPDATE_GOLDEN")) {
		f = fopen(path, "w");
		assert_non_null(f);
		fwrite(got, 1, len, f);
		fclose(f);
		return;
	}
	f = fopen(path, "r");
	if (!f)
		fail_msg("missing golden file %s (see the comment in test_render.c)", path);
	fseek(f, 0, SEEK_END);
	wlen = ftell(f);
	rewind(f);
	want = malloc((size_t)wlen + 1);
	assert_int_equal(fread(want, 1, (size_t)wlen, f), (size_t)wlen);
	want[wlen] = '\0';
	fclose(f);
	if ((size_t)wlen != len || memcmp(want, got, len) != 0) {
		fprintf(stderr, "---- got ----\n%s---- want (%s) ----\n%s", got, path, want);
		free(want);
		fail_msg("%s differs from its golden file", name);
	}
	free(want);
}

static void json_matches_golden(void **state)
{
	size_t len;
	char *out = render(render_json, &len);

	compare_golden("audit.json", out, len);
	free(out);
}

static void json_is_valid_and_ordered(void **state)
{
	size_t len;
	char *out = render(render_json, &len);
	json_error_t err;
	json_t *root = json_loadb(out, len, 0, &err);
	const char *first_keys[] = { "schema", "schema_version", "natscope_version", "netns" };
	void *it;
	size_t i = 0;

	assert_non_null(root);
	for (it = json_object_iter(root); it && i < 4; it = json_object_iter_next(root, it), i++)
		assert_string_equal(json_object_iter_key(it), first_keys[i]);
	assert_int_equal(json_integer_value(json_object_get(root, "exit_code")), 2);
	assert_string_equal(json_string_value(json_object_get(root, "status")), "critical");
	/* The unnamed counter is carried by number. */
	json_t *cpu1 = json_array_get(json_object_get(json_object_get(root, "stats"), "cpus"), 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(cpu1, "other"), "20")),
			 9);
	json_decref(root);
	free(out);
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
	compare_golden("audit.prom", out, len);
	free(out);
}

static void text_matches_golden(void **state)
{
	size_t len;
	char *out = render(render_text, &len);

	assert_null(strchr(out, '\033')); /* no colour when not asked */
	compare_golden("audit.txt", out, len);
	free(out);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(json_matches_golden),
		cmocka_unit_test(json_is_valid_and_ordered),
		cmocka_unit_test(openmetrics_matches_golden),
		cmocka_unit_test(text_matches_golden),
	};

	if (argc < 2) {
		fprintf(stderr, "usage: %s GOLDEN_DIR\n", argv[0]);
		return 1;
	}
	golden_dir = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
