/* The audit as text: golden file, no colour unless asked. */
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

static void text_matches_golden(void **state)
{
	size_t len;
	char *out = fixture_render(render_text, &len);

	assert_null(strchr(out, '\033')); /* no colour when not asked */
	golden_compare("audit.txt", out, len);
	free(out);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(text_matches_golden),
	};

	golden_init(argc, argv);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
