/*
 * What the command line and natscope's own table comment hand to a parser: numbers,
 * the --oif/--saddr scope, the ownership mark, and one-line escaping.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nftables/owner.h"
#include "nftables/scope.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), esc[64], mark[256];
	struct owner_mark m;
	struct scope sc;
	unsigned int u;
	double d;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (util_parse_double(s, 0, 86400, &d) == 0 && (d < 0 || d > 86400))
		abort();
	if (util_parse_uint(s, 1, 65535, &u) == 0 && (u < 1 || u > 65535))
		abort();
	util_escape(s, esc, sizeof(esc));
	if (strlen(esc) >= sizeof(esc))
		abort();
	if (owner_mark_parse(s, &m) == 0) {
		/* what parses formats back to itself (v2) */
		if (owner_mark_format(m.oif[0] ? m.oif : NULL, m.saddr[0] ? m.saddr : NULL, &m.rec,
				      mark, sizeof(mark)) != 0)
			abort();
		if (m.version == 2 && strcmp(mark, s) != 0)
			abort();
	}
	scope_parse(s, NULL, &sc);
	scope_parse(NULL, s, &sc);
	free(s);
	return 0;
}
