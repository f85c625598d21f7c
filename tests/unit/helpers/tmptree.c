#include "config.h"
#include "tmptree.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

char tmptree[64];

int tmptree_setup(void **state)
{
	snprintf(tmptree, sizeof(tmptree), "/tmp/natscope-test-XXXXXX");
	return mkdtemp(tmptree) ? 0 : -1;
}

int tmptree_teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmptree);
	return system(cmd) == 0 ? 0 : -1;
}

const char *tmptree_path(const char *rel)
{
	static char path[512];

	snprintf(path, sizeof(path), "%s/%s", tmptree, rel);
	return path;
}

void tmptree_put(const char *rel, const void *data, size_t len)
{
	char path[512], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmptree, rel);
	for (slash = strchr(path + strlen(tmptree) + 1, '/'); slash;
	     slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}
