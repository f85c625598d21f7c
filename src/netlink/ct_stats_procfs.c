#include "config.h"
#include "netlink/ct_stats.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/*
 * /proc/net/stat/nf_conntrack (CONFIG_NF_CONNTRACK_PROCFS): a header of column names and
 * one line of hex numbers per possible CPU.  Column names differ from ctnetlink's;
 * columns are found by name, never by position, because kernels have added and retired
 * them over time.
 */
static const struct {
	const char *column;
	unsigned int attr;
} procfs_columns[] = {
	{ "found", CT_STAT_FOUND },
	{ "invalid", CT_STAT_INVALID },
	{ "insert", CT_STAT_INSERT },
	{ "insert_failed", CT_STAT_INSERT_FAILED },
	{ "drop", CT_STAT_DROP },
	{ "early_drop", CT_STAT_EARLY_DROP },
	{ "icmp_error", CT_STAT_ERROR },
	{ "search_restart", CT_STAT_SEARCH_RESTART },
	{ "clashres", CT_STAT_CLASH_RESOLVE },
	{ "chainlength", CT_STAT_CHAINTOOLONG },
};

#define MAX_COLUMNS 64

static int column_attr(const char *name)
{
	if (strcmp(name, "entries") == 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(procfs_columns); i++)
		if (strcmp(procfs_columns[i].column, name) == 0)
			return (int)procfs_columns[i].attr;
	return 0; /* a column we do not know: skip it */
}

/* The header line: each column's attribute (see column_attr()); how many, or -EBADMSG. */
static int parse_header(char *line, int *map)
{
	unsigned int ncol = 0;
	char *save, *tok;

	for (tok = strtok_r(line, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save)) {
		if (ncol == MAX_COLUMNS)
			return -EBADMSG;
		map[ncol++] = column_attr(tok);
	}
	return ncol ? (int)ncol : -EBADMSG;
}

/* One CPU's line into @c; the number of columns (0 for a blank line) or -EBADMSG. */
static int parse_cpu_line(char *line, const int *map, unsigned int ncol, struct ct_stats *st,
			  struct ct_cpu_stats *c)
{
	unsigned int col = 0;
	char *save, *tok;

	for (tok = strtok_r(line, " \t\n", &save); tok;
	     tok = strtok_r(NULL, " \t\n", &save), col++) {
		unsigned long long v;
		char *end;

		if (col >= ncol)
			return -EBADMSG;
		errno = 0;
		v = strtoull(tok, &end, 16);
		if (errno || *end)
			return -EBADMSG;
		if (map[col] == -1) {
			st->count = (uint32_t)v;
			st->have_global = true;
		} else if (map[col] > 0) {
			c->val[map[col]] = v;
			c->present |= 1u << map[col];
		}
	}
	return col == 0 || col == ncol ? (int)col : -EBADMSG;
}

int ct_stats_parse_procfs(FILE *f, struct ct_stats *st)
{
	int map[MAX_COLUMNS], ncol;
	unsigned int cpu = 0;
	char *line = NULL;
	size_t cap = 0;
	int ret = 0;

	ct_stats_release(st);
	if (getline(&line, &cap, f) < 0 || (ncol = parse_header(line, map)) < 0) {
		ret = -EBADMSG;
		goto out;
	}
	while (getline(&line, &cap, f) >= 0) {
		struct ct_cpu_stats *arr = realloc(st->cpu, (st->ncpu + 1) * sizeof(*arr));

		if (!arr) {
			ret = -ENOMEM;
			goto out;
		}
		st->cpu = arr;
		memset(&arr[st->ncpu], 0, sizeof(arr[0]));
		arr[st->ncpu].cpu = cpu;
		ret = parse_cpu_line(line, map, (unsigned int)ncol, st, &arr[st->ncpu]);
		if (ret < 0)
			goto out;
		if (ret == 0)
			continue; /* blank line */
		st->ncpu++;
		cpu++;
	}
	ret = 0;
	if (st->ncpu == 0)
		ret = -EBADMSG;
	else
		st->source = CT_STATS_PROCFS;
out:
	free(line);
	if (ret < 0)
		ct_stats_release(st);
	return ret;
}

int ct_stats_read_procfs(const char *path, struct ct_stats *st)
{
	FILE *f = fopen(path, "re");
	int ret;

	if (!f)
		return -errno;
	ret = ct_stats_parse_procfs(f, st);
	fclose(f);
	return ret;
}
