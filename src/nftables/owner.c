#include "config.h"
#include "nftables/owner.h"

#include <errno.h>
#include <inttypes.h>
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

/* Decimal digits at *@s (no sign, no leading zero but "0"), within 64 bits; advances. */
static bool number(const char **s, uint64_t *out)
{
	const char *p = *s;
	uint64_t v = 0;

	if (*p < '0' || *p > '9' || (*p == '0' && p[1] >= '0' && p[1] <= '9'))
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*out = v;
	*s = p;
	return true;
}

static bool key(const char **s, const char *k)
{
	size_t n = strlen(k);

	if (strncmp(*s, k, n) != 0)
		return false;
	*s += n;
	return true;
}

/* " since=EPOCH base=N[ before=FAILED/NEW/MS]", the whole rest of the comment. */
static bool record(const char *s, struct owner_record *r)
{
	if (!key(&s, " since=") || !number(&s, &r->since) || !key(&s, " base=") ||
	    !number(&s, &r->base))
		return false;
	r->have = true;
	if (!*s)
		return true;
	if (!key(&s, " before=") || !number(&s, &r->before_failed) || !key(&s, "/") ||
	    !number(&s, &r->before_new) || !key(&s, "/") || !number(&s, &r->before_ms) || *s)
		return false;
	r->have_before = true;
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
	if (strncmp(s, " oif=", 5) == 0) {
		s++;
		if (!take(&s, "oif=", m->oif, sizeof(m->oif)))
			return -EINVAL;
	}
	if (strncmp(s, " saddr=", 7) == 0) {
		s++;
		if (!take(&s, "saddr=", m->saddr, sizeof(m->saddr)))
			return -EINVAL;
	}
	if (*s && (m->version < 2 || !record(s, &m->rec)))
		return -EINVAL;
	return scope_parse(m->oif[0] ? m->oif : NULL, m->saddr[0] ? m->saddr : NULL, &sc);
}

int owner_mark_format(const char *oif, const char *saddr, const struct owner_record *rec, char *buf,
		      size_t len)
{
	char since[64] = "", before[80] = "";
	struct scope sc;
	int n;

	if (scope_parse(oif, saddr, &sc) < 0 || (saddr && strchr(saddr, ' ')))
		return -EINVAL;
	if (rec && rec->have)
		snprintf(since, sizeof(since), " since=%" PRIu64 " base=%" PRIu64, rec->since,
			 rec->base);
	if (rec && rec->have && rec->have_before)
		snprintf(before, sizeof(before), " before=%" PRIu64 "/%" PRIu64 "/%" PRIu64,
			 rec->before_failed, rec->before_new, rec->before_ms);
	n = snprintf(buf, len, "%s v%d%s%s%s%s%s%s", OWNER_MARK, OWNER_VERSION, oif ? " oif=" : "",
		     oif ? oif : "", saddr ? " saddr=" : "", saddr ? saddr : "", since, before);
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

static double per_100k(uint64_t failed, uint64_t tried)
{
	return tried ? (double)failed * 100000.0 / (double)tried : -1.0;
}

void owner_effect_compute(const struct owner_record *r, uint64_t failed_total, bool have_counted,
			  uint64_t counted, struct owner_effect *out)
{
	*out = (struct owner_effect){ .before_per_100k = -1, .since_per_100k = -1 };
	if (!r->have)
		return;
	if (r->have_before) {
		out->have_before = true;
		out->before_failed = r->before_failed;
		out->before_flows = r->before_new + r->before_failed;
		out->before_seconds = (double)r->before_ms / 1000.0;
		out->before_per_100k = per_100k(out->before_failed, out->before_flows);
	}
	/* a counter below the base: another boot or namespace; since is unknown */
	if (have_counted && failed_total >= r->base) {
		out->have_since = true;
		out->since_failed = failed_total - r->base;
		out->since_flows = counted;
		out->since_per_100k = per_100k(out->since_failed, counted);
	}
}
