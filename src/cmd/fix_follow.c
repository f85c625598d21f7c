#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "fix_int.h"
#include "host/ticker.h"
#include "netlink/nl.h"
#include "nftables/natfix.h"
#include "nftables/ruleset.h"
#include "util.h"

/* `natscope fix --random-fully --follow`: keep the overlay true as the ruleset changes. */

/* What one round of --follow found, for its log line. */
struct round {
	bool retry;	/* the ruleset changed under the round: try again soon */
	uint32_t genid; /* the generation planned against */
};

/*
 * One round of --follow: plan against what is in force and apply when that changes what
 * the overlay does.  One line for the journal per change; 0, or the exit code of an
 * error that ends --follow (no permission, no nf_tables); other errors are said and the
 * next change is waited for.
 */
static int follow_round(struct app *app, struct fix_args *a, struct nl_sock *nl,
			const struct natfix_monitor *m, struct round *r)
{
	struct ruleset *rs = NULL;
	struct natfix_plan *plan = NULL;
	struct natfix_need need;
	char why[256], change[512];
	int ret;

	r->retry = false;
	ret = fix_read_and_plan(app, a, nl, &rs, &r->genid, &plan);
	if (ret) {
		r->retry = ret == app_exit_code(app, APP_ERR_CHANGED);
		if (ret == app_exit_code(app, APP_ERR_PERM) ||
		    ret == app_exit_code(app, APP_ERR_NO_NFTABLES))
			return ret;
		return 0;
	}
	ret = natfix_plan_needed(plan, rs, &need);
	if (ret < 0) {
		ret = app_error(app, APP_ERR_RUNTIME, "judging the overlay failed: %s",
				strerror(-ret));
		goto out;
	}
	if (natfix_need_describe(&need, why, sizeof(why)) < 0 || !why[0])
		snprintf(why, sizeof(why), "natscope's tables differ from the plan");
	if (natfix_plan_describe(plan, change, sizeof(change)) < 0)
		snprintf(change, sizeof(change), "natscope's tables");
	if (ret == 0) {
		if (natfix_plan_has_changes(plan))
			fprintf(app->out,
				"generation %u%s%s: %s: the overlay's effect is the same, "
				"nothing applied\n",
				r->genid, m->who[0] ? ", changed by " : "", m->who, why);
		goto out;
	}
	/* an overlay first installed here records its "before" as the one-shot fix does */
	ret = fix_record_first(app, a, nl, &rs, r->genid, &plan);
	if (ret == 0)
		ret = fix_apply(app, a, nl, plan, r->genid, true);
	if (ret == app_exit_code(app, APP_ERR_CHANGED)) {
		r->retry = true;
		ret = 0;
		goto out;
	}
	if (ret == 0)
		fprintf(app->out, "generation %u%s%s: %s: %s: applied as generation %u\n", r->genid,
			m->who[0] ? ", changed by " : "", m->who, why, change, r->genid + 1);
	/* an unverified or rejected apply was said; the next change is another chance */
	ret = ret == app_exit_code(app, APP_ERR_PERM) ? ret : 0;
out:
	natfix_plan_free(plan);
	ruleset_free(rs);
	fflush(app->out);
	return ret;
}

/* --revert-on-exit: remove natscope's tables; 0 or the exit code. */
static int revert_on_exit(struct app *app, struct nl_sock *nl)
{
	struct fix_args r = { .revert = true, .yes = true, .opts = { .revert = true } };
	int ret;

	for (int tries = 0; tries < 5; tries++) {
		ret = fix_run_once(app, &r, nl);
		if (ret != app_exit_code(app, APP_ERR_CHANGED))
			break;
	}
	return ret;
}

/* Whether the monitor saw a change of someone else, or lost notifications. */
static int read_changes(struct app *app, struct nl_sock *mon, struct natfix_monitor *m,
			bool *changed)
{
	unsigned int before = m->changes;
	int ret = nl_drain(mon, natfix_monitor_feed, m);

	if (ret == -ENOBUFS)
		m->lost = true;
	else if (ret < 0)
		return app_error(app, APP_ERR_RUNTIME, "reading nf_tables notifications failed: %s",
				 strerror(-ret));
	*changed = m->changes != before || m->lost;
	return 0;
}

/*
 * --follow: the change notifications were subscribed before the first plan, so nothing
 * made after it is missed; each burst of changes by others, once settled, is a round.
 */
int fix_follow(struct app *app, struct fix_args *a, struct nl_sock *nl, struct nl_sock *mon,
	       bool pending)
{
	struct natfix_monitor m = { .own_pid = (uint32_t)getpid() };
	struct natfix_debounce d = { .quiet = FOLLOW_QUIET, .max_wait = FOLLOW_MAX_WAIT };
	struct ticker tk;
	int ret = ticker_open(&tk, 0, false);

	if (ret < 0) {
		ticker_close(&tk);
		return app_error(app, APP_ERR_RUNTIME, "signalfd: %s", strerror(-ret));
	}
	if (pending)
		natfix_debounce_note(&d, util_now_mono());
	fprintf(app->out, "following nf_tables changes; SIGTERM ends it and leaves %s\n",
		a->revert_on_exit ? "no overlay (--revert-on-exit)" : "the overlay in force");
	fflush(app->out);
	for (ret = 0; ret == 0;) {
		struct pollfd pfd[2] = { { .fd = nl_fd(mon), .events = POLLIN },
					 { .fd = tk.sfd, .events = POLLIN } };
		double wait = natfix_debounce_wait(&d, util_now_mono());
		bool changed = false;
		struct round r;

		if (poll(pfd, 2, wait < 0 ? -1 : (int)(wait * 1000) + 1) < 0) {
			if (errno == EINTR)
				continue;
			ret = app_error(app, APP_ERR_RUNTIME, "poll: %s", strerror(errno));
			break;
		}
		if (pfd[1].revents & POLLIN)
			break;
		if (pfd[0].revents & POLLIN && (ret = read_changes(app, mon, &m, &changed)) != 0)
			break;
		if (changed)
			natfix_debounce_note(&d, util_now_mono());
		if (natfix_debounce_wait(&d, util_now_mono()) != 0)
			continue;
		natfix_debounce_clear(&d);
		ret = follow_round(app, a, nl, &m, &r);
		natfix_monitor_clear(&m);
		if (r.retry)
			natfix_debounce_note(&d, util_now_mono());
	}
	ticker_close(&tk);
	if (ret == 0 && a->revert_on_exit)
		ret = revert_on_exit(app, nl);
	else if (ret == 0)
		fprintf(app->out, "stopped; the overlay stays in force\n");
	return ret;
}
