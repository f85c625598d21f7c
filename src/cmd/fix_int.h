#ifndef NATSCOPE_CMD_FIX_INT_H
#define NATSCOPE_CMD_FIX_INT_H

/* Shared by cmd_fix.c (one-shot fix) and fix_follow.c (--follow). */

#include <stdbool.h>
#include <stdint.h>

#include "nftables/natfix.h"
#include "nftables/owner.h"

struct app;
struct nl_sock;
struct ruleset;

struct fix_args {
	bool random_fully;
	bool tune; /* --tune: audit's SIZING (fix_tune.c) */
	bool revert;
	bool dry_run;
	bool yes;
	bool follow;
	bool revert_on_exit;
	double sample;		    /* --sample: seconds of the "before" sample */
	struct owner_record record; /* what a first install records; opts.record points here */
	struct natfix_opts opts;
};

/*
 * --follow acts once a burst of changes has been quiet for FOLLOW_QUIET seconds, and at
 * most FOLLOW_MAX_WAIT after its first change: a dockerd start or restart rewrites its
 * rules in a burst of batches, and the issue asks for the overlay within one second of
 * the last change.
 */
#define FOLLOW_QUIET	0.2
#define FOLLOW_MAX_WAIT 1.0

/* Read the ruleset and plan against it; 0 or the exit code after saying why not. */
int fix_read_and_plan(struct app *app, const struct fix_args *a, struct nl_sock *nl,
		      struct ruleset **rs, uint32_t *genid, struct natfix_plan **plan);
/* Apply @plan (planned at @genid) and read it back; 0 or the exit code. */
int fix_apply(struct app *app, const struct fix_args *a, struct nl_sock *nl,
	      const struct natfix_plan *plan, uint32_t genid, bool quiet);
/* Plan, show or apply once; 0 or the exit code. */
int fix_run_once(struct app *app, struct fix_args *a, struct nl_sock *nl);
/*
 * Before a first install (no record of natscope's in force or in @a): sample for
 * --sample seconds, keep the record in @a and plan again (*rs and *plan replaced), as
 * the one-shot fix does; 0 (also when nothing is to be recorded) or the exit code.
 */
int fix_record_first(struct app *app, struct fix_args *a, struct nl_sock *nl, struct ruleset **rs,
		     uint32_t genid, struct natfix_plan **plan);
/*
 * --follow on the notification socket @mon (subscribed before the first plan); @pending:
 * the first round is due at once.  Returns when a signal ends it: 0 or the exit code.
 */
int fix_follow(struct app *app, struct fix_args *a, struct nl_sock *nl, struct nl_sock *mon,
	       bool pending);

/* --tune (and --tune --revert): 0 or the exit code. */
int fix_tune(struct app *app, const struct fix_args *a);

#endif
