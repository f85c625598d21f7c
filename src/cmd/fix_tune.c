#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "audit/collect.h"
#include "audit/sizing.h"
#include "fix_int.h"
#include "host/netns.h"
#include "host/outfile.h"

/*
 * fix --tune: the settings audit's SIZING recommends, applied as fix applies the NAT
 * remedy: shown first, asked or --yes, --dry-run prints the commands, nothing is left
 * half-set (a write that fails puts back those made), and --revert restores the values
 * from before exactly.  Those are kept in a record, written before any setting changes:
 * STATE_DIR/tune-INODE (/run/natscope: sysctls do not outlive a reboot either).  Global
 * settings (nf_conntrack_max, _buckets) are set only from the initial namespace; in
 * another they are shown and skipped.
 */
#define TUNE_MAGIC "natscope-tune v1"

struct tune_item {
	char name[64];
	long long before, after;
};

struct tune_record {
	unsigned int n;
	struct tune_item v[SIZING_LINES];
};

static const char *state_dir(void)
{
	const char *d = getenv("NATSCOPE_STATE_DIR"); /* tests: a directory of their own */

	return d && *d ? d : "/run/natscope";
}

static void record_path(ino_t ino, char *buf, size_t len)
{
	snprintf(buf, len, "%s/tune-%llu", state_dir(), (unsigned long long)ino);
}

/* 0, -ENOENT (no record) or -EBADMSG (not one of natscope's). */
static int record_read(const char *path, struct tune_record *r)
{
	char line[160];
	FILE *f = fopen(path, "re");
	int ret = 0;

	memset(r, 0, sizeof(*r));
	if (!f)
		return -errno;
	if (!fgets(line, sizeof(line), f) || strncmp(line, TUNE_MAGIC, strlen(TUNE_MAGIC)) != 0)
		ret = -EBADMSG;
	while (ret == 0 && fgets(line, sizeof(line), f)) {
		struct tune_item *it = &r->v[r->n];

		if (r->n == SIZING_LINES ||
		    sscanf(line, "%63s %lld %lld", it->name, &it->before, &it->after) != 3)
			ret = -EBADMSG;
		else
			r->n++;
	}
	fclose(f);
	return ret;
}

static int record_write(const char *path, ino_t ino, const struct tune_record *r)
{
	struct outfile o;
	const char *what;
	int ret;

	if (mkdir(state_dir(), 0700) < 0 && errno != EEXIST)
		return -errno;
	ret = outfile_open(&o, path, stdout, &what);
	if (ret < 0)
		return ret;
	fprintf(o.f, "%s netns=%llu\n", TUNE_MAGIC, (unsigned long long)ino);
	for (unsigned int i = 0; i < r->n; i++)
		fprintf(o.f, "%s %lld %lld\n", r->v[i].name, r->v[i].before, r->v[i].after);
	return outfile_commit(&o, &what);
}

static int sysctl_path(const char *name, char *buf, size_t len)
{
	return snprintf(buf, len, "/proc/sys/net/netfilter/%s", name) < (int)len ? 0
										 : -ENAMETOOLONG;
}

static int sysctl_get(const char *name, long long *v)
{
	char path[128];
	FILE *f;
	int ok;

	if (sysctl_path(name, path, sizeof(path)) < 0 || !(f = fopen(path, "re")))
		return -errno;
	ok = fscanf(f, "%lld", v) == 1;
	fclose(f);
	return ok ? 0 : -EIO;
}

static int sysctl_set(const char *name, long long v)
{
	char path[128];
	FILE *f;
	int ret = 0;

	if (sysctl_path(name, path, sizeof(path)) < 0 || !(f = fopen(path, "we")))
		return -errno;
	if (fprintf(f, "%lld\n", v) < 0)
		ret = -EIO;
	if (fclose(f) == EOF && ret == 0)
		ret = -errno;
	return ret;
}

/* Set @n items to @after (or @before when @undo); on a failure put back what was set. */
static int set_all(const struct tune_item *v, unsigned int n, bool undo, char *err, size_t len)
{
	for (unsigned int i = 0; i < n; i++) {
		int ret = sysctl_set(v[i].name, undo ? v[i].before : v[i].after);

		if (ret == 0)
			continue;
		snprintf(err, len, "setting %s failed: %s", v[i].name, strerror(-ret));
		while (i-- > 0)
			sysctl_set(v[i].name, undo ? v[i].after : v[i].before);
		return ret;
	}
	return 0;
}

/* --yes, or a terminal's yes to @question: 0 to go on, 1 when declined, else the error. */
static int consent(struct app *app, const struct fix_args *a, const char *question,
		   const char *declined)
{
	char line[16];

	if (a->yes)
		return 0;
	if (!isatty(STDIN_FILENO))
		return app_error(app, APP_ERR_USAGE,
				 "refusing to change settings without --yes (no terminal to ask "
				 "on); see them first with --dry-run");
	fprintf(stderr, "%s? [y/N] ", question);
	if (fgets(line, sizeof(line), stdin) && (line[0] == 'y' || line[0] == 'Y'))
		return 0;
	fprintf(app->out, "%s; nothing changed\n", declined);
	return 1;
}

/* What sizing recommends here: the changes to make, and the global ones to skip. */
static int plan(struct app *app, bool host, struct tune_record *r)
{
	struct collect_opts co;
	struct audit_thresholds th;
	struct snapshot snap;
	enum collect_stage stage;
	struct sizing z;
	int ret;

	collect_opts_default(&co);
	co.interval = 0;
	co.nat_rules = false;
	snapshot_init(&snap);
	ret = collect_snapshot(&co, &snap, &stage);
	if (ret < 0) {
		snapshot_release(&snap);
		return app_error(app, ret == -EPERM ? APP_ERR_PERM : APP_ERR_NO_CONNTRACK,
				 "reading conntrack failed: %s", strerror(-ret));
	}
	audit_thresholds_default(&th);
	sizing_compute(&snap, &th, &z);
	snapshot_release(&snap);
	memset(r, 0, sizeof(*r));
	for (unsigned int i = 0; i < z.n; i++) {
		const struct sizing_line *l = &z.v[i];

		fprintf(app->out, "%-38s %lld -> %lld (%s)\n    why: %s\n    risk: %s\n",
			sysctl_name(l->key), (long long)l->current, (long long)l->recommended,
			l->global ? (host ? "global"
					  : "global: skipped, set it from the initial "
					    "namespace")
				  : "this namespace",
			l->why, l->risk);
		if (l->global && !host)
			continue;
		snprintf(r->v[r->n].name, sizeof(r->v[r->n].name), "%s", sysctl_name(l->key));
		r->v[r->n].before = l->current;
		r->v[r->n].after = l->recommended;
		r->n++;
	}
	return 0;
}

static int tune_apply(struct app *app, const struct fix_args *a, ino_t ino, bool host)
{
	struct tune_record r, old;
	char path[4200], err[200];
	int ret = plan(app, host, &r);

	if (ret)
		return ret;
	if (!r.n) {
		fprintf(app->out, "nothing to change: the table is not under pressure here\n");
		return 0;
	}
	if (a->dry_run) {
		for (unsigned int i = 0; i < r.n; i++)
			fprintf(app->out, "sysctl -w net.netfilter.%s=%lld\n", r.v[i].name,
				r.v[i].after);
		return 0;
	}
	ret = consent(app, a, "Apply these settings", "not applied");
	if (ret)
		return ret;
	/* the values from before natscope's first tune stay the ones --revert restores */
	record_path(ino, path, sizeof(path));
	if (record_read(path, &old) == 0)
		for (unsigned int i = 0; i < r.n; i++)
			for (unsigned int k = 0; k < old.n; k++)
				if (strcmp(old.v[k].name, r.v[i].name) == 0)
					r.v[i].before = old.v[k].before;
	ret = record_write(path, ino, &r);
	if (ret < 0)
		return app_error(app, APP_ERR_CANTCREAT,
				 "cannot write the record %s (--revert needs it): %s; nothing "
				 "changed",
				 path, strerror(-ret));
	ret = set_all(r.v, r.n, false, err, sizeof(err));
	if (ret < 0) {
		unlink(path);
		return app_error(app, APP_ERR_RUNTIME, "%s; nothing changed", err);
	}
	for (unsigned int i = 0; i < r.n; i++)
		fprintf(app->out, "set %s = %lld (was %lld)\n", r.v[i].name, r.v[i].after,
			r.v[i].before);
	fprintf(app->out, "recorded in %s: natscope fix --tune --revert restores them\n", path);
	return 0;
}

static int tune_revert(struct app *app, const struct fix_args *a, ino_t ino)
{
	struct tune_record r;
	char path[4200], err[200];
	int ret;

	record_path(ino, path, sizeof(path));
	ret = record_read(path, &r);
	if (ret == -ENOENT) {
		fprintf(app->out, "nothing to revert: no record at %s\n", path);
		return 0;
	}
	if (ret < 0)
		return app_error(app, APP_ERR_DATA, "%s is not natscope's tune record: %s", path,
				 strerror(-ret));
	for (unsigned int i = 0; i < r.n; i++) {
		long long now;

		if (a->dry_run) {
			fprintf(app->out, "sysctl -w net.netfilter.%s=%lld\n", r.v[i].name,
				r.v[i].before);
			continue;
		}
		if (sysctl_get(r.v[i].name, &now) == 0 && now != r.v[i].after)
			fprintf(app->err,
				"natscope fix: %s is %lld, not the %lld natscope set: restoring "
				"%lld "
				"anyway\n",
				r.v[i].name, now, r.v[i].after, r.v[i].before);
	}
	if (a->dry_run)
		return 0;
	ret = consent(app, a, "Restore these settings", "not restored");
	if (ret)
		return ret;
	ret = set_all(r.v, r.n, true, err, sizeof(err));
	if (ret < 0)
		return app_error(app, APP_ERR_RUNTIME, "%s; nothing changed", err);
	if (unlink(path) < 0)
		return app_error(app, APP_ERR_RUNTIME, "restored, but removing %s failed: %s", path,
				 strerror(errno));
	for (unsigned int i = 0; i < r.n; i++)
		fprintf(app->out, "restored %s = %lld\n", r.v[i].name, r.v[i].before);
	return 0;
}

int fix_tune(struct app *app, const struct fix_args *a)
{
	struct stat sb;

	if (stat("/proc/self/ns/net", &sb) < 0)
		return app_error(app, APP_ERR_RUNTIME, "reading the namespace failed: %s",
				 strerror(errno));
	return a->revert ? tune_revert(app, a, sb.st_ino)
			 : tune_apply(app, a, sb.st_ino, netns_is_host("/proc", sb.st_ino));
}
