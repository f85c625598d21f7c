#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "fix_int.h"
#include "flows/snat_sample.h"
#include "host/ticker.h"
#include "nftables/natfix.h"
#include "nftables/natrules.h"
#include "nftables/ruleset.h"
#include "nftables/scope.h"
#include "host/netns.h"
#include "netlink/nl.h"
#include "util.h"

static const char cost_note[] =
	"note: fully-random gives up source-port preservation (STUN/P2P and some VPNs rely on\n"
	"      it) and does not cure the same-socket UDP race (DNS A/AAAA), which shows up as\n"
	"      clash_resolve instead.\n";

static void fix_usage(FILE *f)
{
	fprintf(f,
		"Usage: natscope [--netns NS] fix --random-fully [--dry-run] [--yes]\n"
		"                                 [--oif IFACE] [--saddr CIDR]\n"
		"       natscope [--netns NS] fix --random-fully --follow --yes "
		"[--revert-on-exit]\n"
		"                                 [--oif IFACE] [--saddr CIDR]\n"
		"       natscope [--netns NS] fix --random-fully --in-place [--dry-run] [--yes]\n"
		"       natscope [--netns NS] fix --revert [--dry-run] [--yes]\n"
		"       natscope [--netns NS] fix --tune [--revert] [--dry-run] [--yes]\n"
		"\n"
		"Mirror every nat postrouting chain whose masquerade/snat statements lack\n"
		"fully-random into natscope's own table of the same family, one priority earlier,\n"
		"with fully-random set. The first chain that binds NAT wins, so the mirror takes\n"
		"over; rules natscope does not own are never changed. One atomic batch, bound to\n"
		"the ruleset generation read while planning.\n"
		"\n"
		"Options:\n"
		"      --random-fully  install or refresh the fully-random overlay\n"
		"      --tune          set what audit's SIZING recommends (--revert: restore)\n"
		"      --revert        remove natscope's tables (only those)\n"
		"      --dry-run       print the change as an nft -f script; change nothing\n"
		"  -y, --yes           apply without asking\n"
		"      --oif IFACE     only traffic leaving IFACE\n"
		"      --saddr CIDR    only sources in CIDR\n"
		"      --follow        apply, then keep the overlay true as the ruleset changes,\n"
		"                      until SIGTERM/SIGINT/SIGHUP/SIGQUIT (the overlay stays)\n"
		"      --revert-on-exit  with --follow: remove natscope's tables on the way out\n"
		"      --sample SECONDS  before a first install, measure the insertion-failure\n"
		"                      rate this long, for audit's before/since (default 1;\n"
		"                      0: record only when)\n"
		"      --in-place      instead of an overlay, replace native nft rules by handle\n"
		"                      with the same rule plus fully-random (never iptables-nft\n"
		"                      rules, never reverted: they are your rules)\n"
		"      --netns NS      same as the global option\n"
		"  -h, --help          show this help\n"
		"\n%s",
		cost_note);
}

/* --oif and --saddr, each with its own line; 0 or the exit code. */
static int check_scope(struct app *app, const struct natfix_opts *o)
{
	struct scope sc;
	char shown[64];

	if (o->oif && scope_parse(o->oif, NULL, &sc) < 0)
		return app_error(app, APP_ERR_USAGE,
				 "--oif '%s' is not an interface name: 1 to 15 bytes, without '/', "
				 "':', '\"', spaces or control characters",
				 util_escape(o->oif, shown, sizeof(shown)));
	if (o->saddr && scope_parse(NULL, o->saddr, &sc) < 0)
		return app_error(app, APP_ERR_USAGE,
				 "--saddr '%s' is not an IPv4 or IPv6 address with an optional "
				 "decimal /prefix within it",
				 util_escape(o->saddr, shown, sizeof(shown)));
	return 0;
}

static int parse_args(struct app *app, int argc, char **argv, struct fix_args *a)
{
	enum {
		OPT_RANDOM = 256,
		OPT_TUNE,
		OPT_REVERT,
		OPT_OIF,
		OPT_SADDR,
		OPT_NETNS,
		OPT_IN_PLACE,
		OPT_FOLLOW,
		OPT_REVERT_ON_EXIT,
		OPT_SAMPLE,
	};
	static const struct option opts[] = {
		{ "random-fully", no_argument, NULL, OPT_RANDOM },
		{ "tune", no_argument, NULL, OPT_TUNE },
		{ "revert", no_argument, NULL, OPT_REVERT },
		{ "in-place", no_argument, NULL, OPT_IN_PLACE },
		{ "follow", no_argument, NULL, OPT_FOLLOW },
		{ "revert-on-exit", no_argument, NULL, OPT_REVERT_ON_EXIT },
		{ "sample", required_argument, NULL, OPT_SAMPLE },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "yes", no_argument, NULL, 'y' },
		{ "oif", required_argument, NULL, OPT_OIF },
		{ "saddr", required_argument, NULL, OPT_SADDR },
		{ "netns", required_argument, NULL, OPT_NETNS },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	memset(a, 0, sizeof(*a));
	a->sample = 1.0;
	a->opts.record = &a->record;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":yh", opts, NULL)) != -1) {
		switch (c) {
		case OPT_TUNE:
			a->tune = true;
			break;
		case OPT_RANDOM:
			a->random_fully = true;
			break;
		case OPT_REVERT:
			a->revert = a->opts.revert = true;
			break;
		case 'n':
			a->dry_run = true;
			break;
		case 'y':
			a->yes = true;
			break;
		case OPT_IN_PLACE:
			a->opts.in_place = true;
			break;
		case OPT_FOLLOW:
			a->follow = true;
			break;
		case OPT_REVERT_ON_EXIT:
			a->revert_on_exit = true;
			break;
		case OPT_OIF:
			a->opts.oif = optarg;
			break;
		case OPT_SAMPLE:
			if (util_parse_double(optarg, 0, 60, &a->sample) < 0)
				return app_error(app, APP_ERR_USAGE,
						 "--sample takes seconds from 0 to 60, not '%s'",
						 optarg);
			break;
		case OPT_SADDR:
			a->opts.saddr = optarg;
			break;
		case OPT_NETNS:
			app->netns = optarg;
			break;
		case 'h':
			fix_usage(app->out);
			return -1;
		default: /* ':' or '?' */
			return app_bad_option(app, c, argv);
		}
	}
	if (optind < argc)
		return app_extra_operand(app, argv);
	if (a->tune && (a->random_fully || a->follow || a->opts.in_place || a->opts.oif ||
			a->opts.saddr || a->revert_on_exit))
		return app_error(app, APP_ERR_USAGE,
				 "--tune sets conntrack's settings: it takes only --revert, "
				 "--dry-run and --yes");
	if (a->tune)
		return 0;
	if (a->random_fully && a->revert)
		return app_error(app, APP_ERR_USAGE,
				 "--random-fully and --revert cannot be combined: give one");
	if (!a->random_fully && !a->revert)
		return app_error(app, APP_ERR_USAGE,
				 "say what to fix: --random-fully, --tune, or --revert to undo "
				 "the overlay");
	if (a->revert && (a->opts.oif || a->opts.saddr || a->opts.in_place))
		return app_error(app, APP_ERR_USAGE,
				 "--revert takes no --oif, --saddr or --in-place");
	if (a->opts.in_place && (a->opts.oif || a->opts.saddr))
		return app_error(app, APP_ERR_USAGE,
				 "--in-place rewrites whole rules: it takes no --oif or --saddr");
	if (a->revert_on_exit && !a->follow)
		return app_error(app, APP_ERR_USAGE, "--revert-on-exit goes with --follow");
	if (a->follow && (!a->random_fully || a->opts.in_place || a->dry_run))
		return app_error(app, APP_ERR_USAGE,
				 "--follow keeps the overlay of --random-fully: it takes no "
				 "--revert, --in-place or --dry-run");
	if (a->follow && !a->yes)
		return app_error(app, APP_ERR_USAGE,
				 "--follow applies changes unattended: give --yes (see the change "
				 "first with --dry-run)");
	return check_scope(app, &a->opts);
}

static bool confirm(const struct app *app)
{
	char line[16];

	fprintf(stderr, "Apply this change? [y/N] ");
	if (!fgets(line, sizeof(line), stdin))
		return false;
	return line[0] == 'y' || line[0] == 'Y';
}

/*
 * What is in force after applying is not what was planned: if the generation moved past
 * natscope's own batch, someone changed the ruleset since; else say what differs.
 */
static int unverified(struct app *app, uint32_t planned, uint32_t now, const char *what)
{
	if (now != planned + 1)
		return app_error(app, APP_ERR_UNVERIFIED,
				 "applied in one batch, but the ruleset has changed since "
				 "(generation %u applied, %u now): check it with natscope audit",
				 planned + 1, now);
	return app_error(app, APP_ERR_UNVERIFIED,
			 "applied in one batch, but what is in force is not what was planned "
			 "(%s)",
			 what);
}

/* Test hook: a window between applying and reading back, for a concurrent change. */
static void test_delay(const char *name)
{
	double delay;

	if (getenv(name) && util_parse_double(getenv(name), 0, 60, &delay) == 0)
		usleep((useconds_t)(delay * 1e6));
}

/* Re-read what is in force and check natscope's tables are exactly what was planned. */
static int verify(struct app *app, struct nl_sock *nl, const struct natfix_plan *plan,
		  const struct natfix_opts *opts, uint32_t planned, bool quiet)
{
	struct natfix_plan *again = NULL;
	struct ruleset *rs;
	struct natrules nr;
	uint32_t genid, family;
	char what[96];
	int ret;

	test_delay("NATSCOPE_TEST_VERIFY_DELAY");
	ret = ruleset_dump(nl, &rs, &genid);
	if (ret < 0)
		return app_error(app, APP_ERR_UNVERIFIED,
				 "applied in one batch, but re-reading the ruleset failed: %s",
				 strerror(-ret));
	ret = natfix_plan_verify(plan, rs, &family);
	snprintf(what, sizeof(what), "table %s %s differs", natrules_family_name((uint8_t)family),
		 NATFIX_TABLE);
	/* Planning again against what is now in force must find nothing to do. */
	if (ret == 0 && (ret = natfix_plan_new(rs, genid, opts, &again)) == 0 &&
	    natfix_plan_has_changes(again)) {
		ret = -EPROTO;
		snprintf(what, sizeof(what), "planning again finds changes");
	} else if (ret < 0 && ret != -EPROTO) {
		snprintf(what, sizeof(what), "%s", strerror(-ret));
	}
	natfix_plan_free(again);
	if (ret < 0) {
		ruleset_free(rs);
		return unverified(app, planned, genid, what);
	}
	if (quiet) {
		ruleset_free(rs);
		return 0;
	}
	natrules_init(&nr);
	ret = natrules_analyze(rs, &nr);
	ruleset_free(rs);
	if (ret == 0 && natrules_nft_text(&nr) == -ENOMEM) /* nft's text where it can list */
		ret = -ENOMEM;
	if (ret < 0) {
		natrules_release(&nr);
		return app_error(app, APP_ERR_RUNTIME, "%s", strerror(-ret));
	}
	fprintf(app->out, "now in force (generation %u):\n", genid);
	for (unsigned int i = 0; i < nr.n; i++) {
		const struct natrule *r = &nr.v[i];

		fprintf(app->out, "  %-4s %s %s prio %d handle %llu%s\n      %s\n",
			natrules_family_name(r->family), r->table, r->chain, r->base_priority,
			(unsigned long long)r->handle,
			r->owner == NATRULE_OWNER_NATSCOPE ? " [natscope]" : "", r->text);
	}
	natrules_release(&nr);
	return 0;
}

/* Read the ruleset and plan against it; 0 or the exit code after saying why not. */
int fix_read_and_plan(struct app *app, const struct fix_args *a, struct nl_sock *nl,
		      struct ruleset **rs, uint32_t *genid, struct natfix_plan **plan)
{
	int ret = ruleset_dump(nl, rs, genid);

	if (ret == -EPERM)
		return app_error(app, APP_ERR_PERM, "reading the ruleset was refused: run as root");
	if (ret == -EAGAIN)
		return app_error(app, APP_ERR_CHANGED,
				 "the ruleset kept changing while it was read: try again");
	if (ret < 0)
		return app_error(
			app, APP_ERR_NO_NFTABLES,
			"reading the nf_tables ruleset failed (%s): is nf_tables available?",
			strerror(-ret));
	ret = natfix_plan_new(*rs, *genid, &a->opts, plan);
	if (ret == -EEXIST)
		return app_error(app, APP_ERR_DATA,
				 "a table named '%s' exists without natscope's mark: natscope "
				 "never touches tables it does not own; rename or remove it",
				 NATFIX_TABLE);
	if (ret == -EINVAL)
		return app_error(app, APP_ERR_USAGE,
				 "invalid scope: --oif takes an interface name (< 16 characters), "
				 "--saddr an IPv4 or IPv6 address with an optional /prefix");
	if (ret < 0)
		return app_error(app, APP_ERR_RUNTIME, "planning failed: %s", strerror(-ret));
	return 0;
}

/* The script, or if nft syntax cannot write it, the notes and why. */
static int show_change(const struct natfix_plan *plan, FILE *f)
{
	char why[160];
	int ret = natfix_plan_script(plan, f, why, sizeof(why));

	if (ret != -EILSEQ)
		return ret;
	for (unsigned int i = 0; i < natfix_plan_nnotes(plan); i++)
		fprintf(f, "%s\n", natfix_plan_note(plan, i));
	fprintf(f, "(no nft script: %s has no exact nft syntax; netlink applies it as planned)\n",
		why);
	return ferror(f) ? -EIO : 0;
}

/* --yes, or a terminal to ask on: 0 to go on, else the exit code. */
static int agreed(struct app *app, const struct fix_args *a, const struct natfix_plan *plan)
{
	if (a->yes)
		return 0;
	if (!isatty(STDIN_FILENO))
		return app_error(app, APP_ERR_USAGE,
				 "refusing to change the ruleset without --yes (no terminal to ask "
				 "on); see the change first with --dry-run");
	if (show_change(plan, stderr) < 0)
		return app_error(app, APP_ERR_IOERR, "showing the change failed: %s",
				 strerror(errno));
	if (!confirm(app)) {
		fprintf(app->out, "not applied; nothing changed\n");
		return 1;
	}
	return 0;
}

int fix_apply(struct app *app, const struct fix_args *a, struct nl_sock *nl,
	      const struct natfix_plan *plan, uint32_t genid, bool quiet)
{
	char what[256] = "";
	int ret;

	test_delay("NATSCOPE_TEST_APPLY_DELAY");
	ret = natfix_apply(nl, plan, what, sizeof(what));
	if (ret == -ERESTART)
		return app_error(app, APP_ERR_CHANGED,
				 "the ruleset changed since it was read (generation %u): nothing "
				 "was applied; run the command again",
				 genid);
	if (ret < 0)
		return app_error(app, ret == -EPERM ? APP_ERR_PERM : APP_ERR_RUNTIME,
				 "the kernel rejected %s: %s; nothing was applied",
				 what[0] ? what : "the batch", strerror(-ret));
	if (!quiet)
		fprintf(app->out, "applied in one batch.\n");
	return verify(app, nl, plan, &a->opts, genid, quiet);
}

/* The one line naming every table the change touches. */
static void describe(const struct natfix_plan *plan, FILE *f)
{
	char line[512];

	if (natfix_plan_describe(plan, line, sizeof(line)) == 0 && line[0])
		fprintf(f, "change: %s\n", line);
}

static int dry_run(struct app *app, const struct natfix_plan *plan)
{
	char why[160];
	int ret = natfix_plan_script(plan, app->out, why, sizeof(why));

	if (ret == -EILSEQ)
		return app_error(app, APP_ERR_DATA,
				 "the change cannot be written as an nft script that installs "
				 "exactly what --yes would: %s has no exact nft syntax; without "
				 "--dry-run it is applied through netlink as planned",
				 why);
	if (ret == -ENXIO)
		return app_error(app, APP_ERR_DATA,
				 "the change cannot be written as an nft script: outside this "
				 "namespace the kernel refuses %s, which refers to what only this "
				 "namespace has (an ipset set of an xt set match); without "
				 "--dry-run it is applied through netlink as planned",
				 why);
	if (ret == -EPROTO || ret == -ENOMEM)
		return app_error(app, APP_ERR_RUNTIME, "preparing the script failed: %s",
				 strerror(-ret));
	return ret < 0 ? app_output_error(app, -ret) : 0;
}

/*
 * iptables-legacy source-NAT rules lacking --random-fully: natscope cannot mirror them,
 * so --random-fully would leave them as they are; 0, or the exit code after one line.
 */
static int refuse_legacy(struct app *app)
{
	const struct natrule *first = NULL;
	unsigned int lacking = 0;
	struct natrules nr;
	int ret;

	natrules_init(&nr);
	natrules_read_legacy("/proc/net", &nr);
	ret = natrules_add_legacy(&nr);
	for (unsigned int i = 0; ret == 0 && i < nr.n; i++) {
		if (!nr.v[i].legacy || natrule_fully_random(&nr.v[i]))
			continue;
		if (!lacking++)
			first = &nr.v[i];
	}
	if (ret < 0)
		ret = app_error(app, APP_ERR_RUNTIME, "reading iptables-legacy rules: %s",
				strerror(-ret));
	else if (nr.legacy_error)
		ret = app_error(app, APP_ERR_UNSUPPORTED,
				"the iptables-legacy nat table cannot be read (%s), and its rules "
				"cannot be vouched for; nothing was changed",
				strerror(-nr.legacy_error));
	else if (lacking)
		ret = app_error(
			app, APP_ERR_UNSUPPORTED,
			"%u iptables-legacy source-NAT rule%s lack%s --random-fully (%s nat "
			"%s rule %llu: %s) and natscope cannot mirror iptables-legacy "
			"rules: add --random-fully to %s, or move the rules to iptables-nft; "
			"nothing was changed",
			lacking, lacking == 1 ? "" : "s", lacking == 1 ? "s" : "",
			natrules_family_name(first->family), first->chain,
			(unsigned long long)first->handle, first->text,
			lacking == 1 ? "it" : "them");
	natrules_release(&nr);
	return ret;
}

/* A first install of the overlay: natscope has no record in force, nor one in memory. */
static bool wants_record(const struct fix_args *a, const struct natfix_plan *plan)
{
	return a->random_fully && !a->record.have && natfix_plan_adds_table(plan) &&
	       !natfix_plan_record(plan)->have;
}

/*
 * What the first install records (owner.h): the insertion-failure rate over --sample
 * seconds just before, and insert_failed at that moment; then the plan again with the
 * record, which must find the generation the user agreed to.  0 or the exit code.
 */
static int record_and_replan(struct app *app, struct fix_args *a, struct nl_sock *nl,
			     struct ruleset **rs, uint32_t genid, struct natfix_plan **plan)
{
	struct snat_sample s = { 0 };
	struct owner_record *r = &a->record;
	uint32_t now;
	int ret;

	if (a->sample > 0)
		fprintf(app->out, "measuring insertion failures for %.1f s before applying\n",
			a->sample);
	fflush(app->out);
	ret = snat_sample_run(nl, a->sample, &s);
	if (ret < 0)
		return app_error(app, ret == -EPERM ? APP_ERR_PERM : APP_ERR_RUNTIME,
				 "sampling conntrack before applying failed: %s; nothing was "
				 "applied (--sample 0 skips the sample)",
				 strerror(-ret));
	*r = (struct owner_record){ .have = true,
				    .since = (uint64_t)time(NULL),
				    .base = s.failed_total };
	if (a->sample > 0 && !s.lost) {
		r->have_before = true;
		r->before_failed = s.failed;
		r->before_new = s.new_snat;
		r->before_ms = (uint64_t)llround(s.seconds * 1000);
		fprintf(app->out,
			"before: %" PRIu64 " insertion failures, %" PRIu64
			" new source-NAT flows in %.1f s\n",
			s.failed, s.new_snat, s.seconds);
	} else if (a->sample > 0) {
		fprintf(app->out, "before: not recorded: conntrack events were lost in the "
				  "sample\n");
	}
	fflush(app->out); /* the sample is over: said now, not when the command ends */
	natfix_plan_free(*plan);
	ruleset_free(*rs);
	*plan = NULL;
	*rs = NULL;
	ret = fix_read_and_plan(app, a, nl, rs, &now, plan);
	if (ret == 0 && now != genid)
		ret = app_error(app, APP_ERR_CHANGED,
				"the ruleset changed during the sample (generation %u, now %u): "
				"nothing was applied; run the command again",
				genid, now);
	return ret;
}

/*
 * Base chains the plan had to leave whole while they reach statements without
 * fully-random: never "done" then.  One line naming the first, exit 78 (what could be
 * mirrored is applied, each base chain whole); under --follow the line only, as the
 * rules may change.
 */
static int left_whole(struct app *app, const struct fix_args *a, const struct natfix_plan *plan)
{
	unsigned int statements;
	const char *first;
	unsigned int n = natfix_plan_left(plan, &statements, &first);

	if (!n || !a->random_fully)
		return 0;
	if (a->follow) {
		fprintf(app->out,
			"left as it is: %u source-NAT statement%s without fully-random in %u "
			"base chain%s (%s)\n",
			statements, statements == 1 ? "" : "s", n, n == 1 ? "" : "s", first);
		return 0;
	}
	return app_error(app, APP_ERR_UNSUPPORTED,
			 "%u source-NAT statement%s without fully-random: %u base chain%s "
			 "cannot be mirrored exactly and %s left as %s (%s)",
			 statements, statements == 1 ? " stays" : "s stay", n, n == 1 ? "" : "s",
			 n == 1 ? "is" : "are", n == 1 ? "it is" : "they are", first);
}

int fix_record_first(struct app *app, struct fix_args *a, struct nl_sock *nl, struct ruleset **rs,
		     uint32_t genid, struct natfix_plan **plan)
{
	return wants_record(a, *plan) ? record_and_replan(app, a, nl, rs, genid, plan) : 0;
}

/* Plan, show or apply once; 0 or the exit code. */
int fix_run_once(struct app *app, struct fix_args *a, struct nl_sock *nl)
{
	struct ruleset *rs = NULL;
	struct natfix_plan *plan = NULL;
	uint32_t genid;
	int ret;

	ret = fix_read_and_plan(app, a, nl, &rs, &genid, &plan);
	if (ret == 0 && a->random_fully)
		ret = refuse_legacy(app);
	if (ret)
		goto out;
	if (a->dry_run) {
		/* stdout is the script alone (the notes are in it as comments) */
		describe(plan, stderr);
		if (wants_record(a, plan))
			fputs("note: --yes first samples insertion failures for --sample seconds "
			      "and "
			      "records them with the time in the tables' comments (since=, base=, "
			      "before=); this script leaves the record out\n",
			      stderr);
		ret = dry_run(app, plan);
		if (a->random_fully && natfix_plan_has_changes(plan))
			fputs(cost_note, stderr);
		if (ret == 0)
			ret = left_whole(app, a, plan);
		goto out;
	}
	for (unsigned int i = 0; i < natfix_plan_nnotes(plan); i++)
		fprintf(app->out, "%s\n", natfix_plan_note(plan, i));
	if (!natfix_plan_has_changes(plan)) {
		fprintf(app->out, "nothing to change (generation %u)\n", genid);
		ret = left_whole(app, a, plan);
		goto out;
	}
	describe(plan, app->out);
	if (a->random_fully)
		fputs(cost_note, stderr);
	ret = agreed(app, a, plan);
	if (ret == 0 && wants_record(a, plan))
		ret = record_and_replan(app, a, nl, &rs, genid, &plan);
	if (ret == 0)
		ret = fix_apply(app, a, nl, plan, genid, false);
	if (ret == 0)
		ret = left_whole(app, a, plan);
out:
	natfix_plan_free(plan);
	ruleset_free(rs);
	return ret;
}

static int run(struct app *app, struct fix_args *a)
{
	struct nl_sock *nl, *mon = NULL;
	bool pending = false;
	int ret;

	ret = nl_open(&nl, 0);
	if (ret == 0 && a->follow)
		ret = natfix_monitor_open(&mon);
	if (ret < 0) {
		nl_close(nl);
		return app_error(app, APP_ERR_RUNTIME, "opening a netlink socket failed: %s",
				 strerror(-ret));
	}
	ret = fix_run_once(app, a, nl);
	if (a->follow && ret == app_exit_code(app, APP_ERR_CHANGED)) {
		pending = true; /* the first round tries again */
		ret = 0;
	}
	if (ret == 0 && a->follow)
		ret = fix_follow(app, a, nl, mon, pending);
	nl_close(mon);
	nl_close(nl);
	return ret;
}

int cmd_fix(struct app *app, int argc, char **argv)
{
	struct netns_ctx ns;
	struct fix_args a;
	int ret;

	ret = parse_args(app, argc, argv, &a);
	if (ret)
		return ret < 0 ? 0 : ret;
	ret = app_enter(app, &ns);
	if (ret)
		return ret;
	return app_leave(app, &ns, a.tune ? fix_tune(app, &a) : run(app, &a));
}
