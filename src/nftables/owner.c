#include "config.h"
#include "nftables/owner.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "nftables/ruleset.h"
#include "nftables/scope.h"

/* "KEY=VALUE" at *@s, VALUE up to the next space, copied into @out; advances *@s. */
static bool take(const char **s, const char *key, char *out, size_t len)
{
	size_t klen = strlen(key), vlen;

	if (strncmp(*s, key, klen) != 0)
		return false;
	vlen = strcspn(*s + klen, " ");
	if (vlen == 0 || vlen >= len)
		return false;
	memcpy(out, *s + klen, vlen);
	out[vlen] = '\0';
	*s += klen + vlen;
	return true;
}

static bool hex16(const char *s)
{
	for (int i = 0; i < 16; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

int owner_mark_parse(const char *comment, struct owner_mark *m)
{
	static const char v1[] = OWNER_MARK " v1 digest=", v2[] = OWNER_MARK " v2";
	const char *s = comment;
	struct scope sc;

	memset(m, 0, sizeof(*m));
	if (strncmp(s, v2, sizeof(v2) - 1) == 0) {
		m->version = 2;
		s += sizeof(v2) - 1;
	} else if (strncmp(s, v1, sizeof(v1) - 1) == 0 && hex16(s + sizeof(v1) - 1)) {
		m->version = 1;
		s += sizeof(v1) - 1 + 16;
	} else {
		return -EINVAL;
	}
	if (*s == ' ' && s[1] == 'o') {
		s++;
		if (!take(&s, "oif=", m->oif, sizeof(m->oif)))
			return -EINVAL;
	}
	if (*s == ' ' && s[1] == 's') {
		s++;
		if (!take(&s, "saddr=", m->saddr, sizeof(m->saddr)))
			return -EINVAL;
	}
	if (*s)
		return -EINVAL;
	return scope_parse(m->oif[0] ? m->oif : NULL, m->saddr[0] ? m->saddr : NULL, &sc);
}

int owner_mark_format(const char *oif, const char *saddr, char *buf, size_t len)
{
	struct scope sc;
	int n;

	if (scope_parse(oif, saddr, &sc) < 0 || (saddr && strchr(saddr, ' ')))
		return -EINVAL;
	n = snprintf(buf, len, "%s v%d%s%s%s%s", OWNER_MARK, OWNER_VERSION, oif ? " oif=" : "",
		     oif ? oif : "", saddr ? " saddr=" : "", saddr ? saddr : "");
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

int owner_of_table(const struct ruleset *rs, uint32_t family, const char *name,
		   struct owner_mark *m)
{
	struct owner_mark tmp;
	const char *comment;

	if (!ruleset_table(rs, family, name))
		return 0;
	comment = ruleset_table_comment(rs, family, name);
	if (!comment || owner_mark_parse(comment, m ? m : &tmp) < 0)
		return -EEXIST;
	return 1;
}
