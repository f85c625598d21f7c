#include "config.h"
#include "golden.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static const char *golden_dir = "tests/golden";

void golden_init(int argc, char **argv)
{
	if (argc > 1)
		golden_dir = argv[1];
}

static char *slurp(const char *path, long *len)
{
	FILE *f = fopen(path, "r");
	char *buf;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	*len = ftell(f);
	rewind(f);
	buf = malloc((size_t)*len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)*len, f), (size_t)*len);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

void golden_compare(const char *name, const char *got, size_t len)
{
	char path[4096], *want;
	long wlen = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", golden_dir, name);
	if (getenv("NATSCOPE_UPDATE_GOLDEN")) {
		f = fopen(path, "w");
		assert_non_null(f);
		assert_int_equal(fwrite(got, 1, len, f), len);
		assert_int_equal(fclose(f), 0);
		return;
	}
	want = slurp(path, &wlen);
	if (!want)
		fail_msg("missing golden file %s (see tests/unit/helpers/golden.h)", path);
	if ((size_t)wlen != len || memcmp(want, got, len) != 0) {
		fprintf(stderr, "---- got ----\n%.*s---- want (%s) ----\n%s", (int)len, got, path,
			want);
		free(want);
		fail_msg("%s differs from its golden file", name);
	}
	free(want);
}
