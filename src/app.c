#include "config.h"
#include "app.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <string.h>
#include <sysexits.h>

#include "host/caps.h"
#include "host/evrec.h"
#include "host/netns.h"

/* sysexits.h codes keep every error class distinct for scripts. */
static const int exit_codes[] = {
	[APP_ERR_USAGE] = EX_USAGE,
	[APP_ERR_PERM] = EX_NOPERM,
	[APP_ERR_NO_CONNTRACK] = EX_UNAVAILABLE,
	[APP_ERR_NO_NFTABLES] = EX_OSFILE,
	[APP_ERR_NO_NETNS] = EX_NOHOST,
	[APP_ERR_DATA] = EX_DATAERR,
	[APP_ERR_NOINPUT] = EX_NOINPUT,
	[APP_ERR_CANTCREAT] = EX_CANTCREAT,
	[APP_ERR_IOERR] = EX_IOERR,
	[APP_ERR_CHANGED] = EX_TEMPFAIL,
	[APP_ERR_UNVERIFIED] = EX_PROTOCOL,
	[APP_ERR_UNSUPPORTED] = EX_CONFIG,
	[APP_ERR_RUNTIME] = EX_SOFTWARE,
};

int app_exit_code(const struct app *app, enum app_err kind)
{
	return app->plugin_exit ? 3 : exit_codes[kind];
}

int app_error(const struct app *app, enum app_err kind, const char *fmt, ...)
{
	va_list ap;

	fprintf(app->err, "%s%s%s: ", app->prog, app->cmd ? " " : "", app->cmd ? app->cmd : "");
	va_start(ap, fmt);
	vfprintf(app->err, fmt, ap);
	va_end(ap);
	fputc('\n', app->err);
	return app_exit_code(app, kind);
}

int app_bad_option(const struct app *app, int c, char **argv)
{
	if (c == ':')
		return app_error(app, APP_ERR_USAGE, "option '%s' needs a value", argv[optind - 1]);
	return app_error(app, APP_ERR_USAGE, "unknown option '%s': see '%s %s --help'",
			 argv[optind - 1], app->prog, app->cmd);
}

int app_extra_operand(const struct app *app, char **argv)
{
	return app_error(app, APP_ERR_USAGE, "unexpected argument '%s': see '%s %s --help'",
			 argv[optind], app->prog, app->cmd);
}

int app_enter(const struct app *app, struct netns_ctx *ns)
{
	int ret;

	if (!caps_sufficient(app->netns != NULL))
		return app_error(app, APP_ERR_PERM,
				 "needs CAP_NET_ADMIN%s: run as root (e.g. with sudo)",
				 app->netns ? " and CAP_SYS_ADMIN (for --netns)" : "");
	if (app->netns && !*app->netns)
		return app_error(
			app, APP_ERR_USAGE,
			"--netns needs a namespace (it was given an empty one): a name from "
			"'ip netns list', a path to a namespace file, or a process id");
	ret = netns_enter(app->netns, ns);
	if (ret == -EINVAL)
		return app_error(
			app, APP_ERR_NO_NETNS,
			"'%s' is not a network namespace: give a name from 'ip netns list', "
			"a path to a namespace file (/proc/PID/ns/net), or a process id",
			app->netns);
	if (ret == -ENOENT)
		return app_error(app, APP_ERR_NO_NETNS,
				 "network namespace '%s' not found: give a name from 'ip netns "
				 "list', a path to a namespace file, or a process id",
				 app->netns);
	if (ret < 0)
		return app_error(app, ret == -EPERM ? APP_ERR_PERM : APP_ERR_RUNTIME,
				 "cannot enter network namespace '%s': %s", app->netns,
				 strerror(-ret));
	return 0;
}

int app_leave(const struct app *app, struct netns_ctx *ns, int ret)
{
	if (netns_leave(ns) < 0 && ret == 0)
		return app_error(app, APP_ERR_RUNTIME, "cannot return to the original namespace");
	return ret;
}

int app_replay_error(const struct app *app, const char *path, int err,
		     const struct evrec_status *st)
{
	if (err == -EBADMSG)
		return app_error(app, APP_ERR_DATA, "cannot replay '%s': %s", path,
				 st->why[0] ? st->why : "a damaged conntrack message");
	if (err == -EISDIR)
		return app_error(app, APP_ERR_NOINPUT,
				 "cannot replay '%s': not a pcap file (%s): give a capture from "
				 "'natscope record'",
				 path, strerror(EISDIR));
	if (err == -ENOENT || err == -EACCES || err == -EPERM || err == -ENOTDIR)
		return app_error(app, APP_ERR_NOINPUT, "cannot read capture '%s': %s", path,
				 strerror(-err));
	return app_error(app, APP_ERR_RUNTIME, "replaying '%s' failed: %s", path, strerror(-err));
}

void app_replay_warning(const struct app *app, const char *path, const struct evrec_status *st)
{
	if (!st->truncated)
		return;
	fprintf(app->err,
		"%s %s: warning: '%s' is cut short: %s; replayed the %llu complete records\n",
		app->prog, app->cmd, path, st->why, (unsigned long long)st->records);
}

int app_output_error(const struct app *app, int err)
{
	/* said once: what is still buffered cannot be written either */
	__fpurge(app->out);
	clearerr(app->out);
	return app_error(app, APP_ERR_IOERR, "writing to standard output failed: %s",
			 strerror(err ? err : EIO));
}

int app_flush(const struct app *app)
{
	errno = 0;
	if (fflush(app->out) == EOF || ferror(app->out))
		return app_output_error(app, errno);
	return 0;
}
