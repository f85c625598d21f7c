/* The audit as JSON (schema natscope.audit): golden file, order, values. */
#include "config.h"

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
#include "audit/render.h"

#include "fixture.h"
#include "golden.h"

static void json_matches_golden(void **state)
{
	size_t len;
	char *out = fixture_render(render_json, &len);

	golden_compare("audit.json", out, len);
	free(out);
}

static void json_is_valid_and_ordered(void **state)
{
	size_t len;
	char *out = fixture_render(render_json, &len);
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

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(json_matches_golden),
		cmocka_unit_test(json_is_valid_and_ordered),
	};

	golden_init(argc, argv);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
