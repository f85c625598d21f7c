#ifndef NATSCOPE_APP_H
#define NATSCOPE_APP_H

#include <stdbool.h>
#include <stdio.h>

/* What went wrong, for the message and the exit code (see exit_codes in main.c). */
enum app_err {
	APP_ERR_USAGE,	      /* bad flags or option values */
	APP_ERR_PERM,	      /* missing CAP_NET_ADMIN / CAP_SYS_ADMIN */
	APP_ERR_NO_CONNTRACK, /* nf_conntrack (or ctnetlink) absent */
	APP_ERR_NO_NFTABLES,  /* nf_tables absent */
	APP_ERR_NO_NETNS,     /* unknown network namespace */
	APP_ERR_DATA,	      /* corrupt input file */
	APP_ERR_NOINPUT,      /* an input file that cannot be opened */
	APP_ERR_CANTCREAT,    /* an output file that cannot be created */
	APP_ERR_IOERR,	      /* writing the output failed */
	APP_ERR_CHANGED,      /* the ruleset changed under us: nothing applied, try again */
	APP_ERR_UNVERIFIED,   /* applied, but what is in force is not what was planned */
	APP_ERR_UNSUPPORTED,  /* the host has what natscope cannot handle: nothing changed */
	APP_ERR_RUNTIME,      /* anything else */
};

/* One per command run; passed down, never global. */
struct app {
	const char *prog;  /* "natscope" */
	const char *cmd;   /* "audit", ... */
	const char *netns; /* --netns, or NULL */
	bool plugin_exit;  /* monitoring-plugin exit codes: every error is 3 */
	bool color;	   /* stdout is a terminal and NO_COLOR is unset */
	FILE *out;
	FILE *err;
};

/** The exit code for @kind. */
int app_exit_code(const struct app *app, enum app_err kind);
/** Print "natscope CMD: MESSAGE" on one line and return the exit code for @kind. */
int app_error(const struct app *app, enum app_err kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/**
 * The error for what getopt_long() returned as @c (':' a missing value, anything else an
 * unknown option), naming the option; the exit code.  Call with opterr = 0 and a
 * leading ':' in the option string.
 */
int app_bad_option(const struct app *app, int c, char **argv);
/** An operand where the command takes none (argv[optind]); the exit code. */
int app_extra_operand(const struct app *app, char **argv);

/**
 * Flush standard output; on a write error (now or earlier: ferror) print one line
 * naming it and return the exit code, else 0.  Every command ends with it.
 */
int app_flush(const struct app *app);
/** The exit code for a failed write to standard output with @err (errno, 0 unknown). */
int app_output_error(const struct app *app, int err);

struct netns_ctx;
/**
 * Check CAP_NET_ADMIN (and CAP_SYS_ADMIN with --netns) and enter app->netns.
 * Returns 0, or the exit code after printing why not.
 */
int app_enter(const struct app *app, struct netns_ctx *ns);
/** Return to the caller's namespace; @ret is kept unless it was 0 and leaving failed. */
int app_leave(const struct app *app, struct netns_ctx *ns, int ret);

struct evrec_status;
/** The error for replaying capture @path: @err from evrec_replay(); the exit code. */
int app_replay_error(const struct app *app, const char *path, int err,
		     const struct evrec_status *st);
/** A warning line when the capture was cut short (its prefix was replayed). */
void app_replay_warning(const struct app *app, const char *path, const struct evrec_status *st);

int cmd_audit(struct app *app, int argc, char **argv);
int cmd_fix(struct app *app, int argc, char **argv);
int cmd_top(struct app *app, int argc, char **argv);
int cmd_record(struct app *app, int argc, char **argv);
int cmd_exporter(struct app *app, int argc, char **argv);

#endif
