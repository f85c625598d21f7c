#ifndef NATSCOPE_AUDIT_H
#define NATSCOPE_AUDIT_H

#include <stddef.h>

#include "audit/snapshot.h"

enum severity {
	SEV_OK,
	SEV_INFO,
	SEV_WARNING,
	SEV_CRITICAL,
	SEV_UNKNOWN,
};

#define AUDIT_MAX_EVIDENCE 16
#define AUDIT_MAX_GROUPS   4
#define AUDIT_MAX_RULES	   8
#define AUDIT_MAX_FINDINGS 16

struct audit_evidence {
	char key[40];
	double value;
};

struct audit_check;

struct finding {
	const struct audit_check *check;
	enum severity sev;
	char summary[320];
	unsigned int nev;
	struct audit_evidence ev[AUDIT_MAX_EVIDENCE];
	unsigned int ngroups; /* indexes into snapshot.table.top named as evidence */
	unsigned int groups[AUDIT_MAX_GROUPS];
	unsigned int nrules; /* indexes into snapshot.nat.v named as evidence */
	unsigned int rules[AUDIT_MAX_RULES];
	unsigned int rules_omitted; /* rules that belonged here past AUDIT_MAX_RULES */
	enum severity accepted;	    /* --ignore: the severity it had (sev is then ok) */
	char remedy[800];	    /* this finding's own remedy; "" for the check's */
};

/* Thresholds; audit_thresholds_default() documents each one's origin. */
struct audit_thresholds {
	double fill_warning; /* count/max */
	double fill_critical;
	double time_wait_share;	    /* TIME_WAIT / TCP entries */
	unsigned int time_wait_min; /* TCP entries below which the share is not judged */
	double port_share_warning;  /* SNAT group port-space use */
	double port_share_critical;
	double max_per_bucket; /* nf_conntrack_max / buckets */
};

struct audit_report {
	unsigned int n;
	struct finding f[AUDIT_MAX_FINDINGS];
	enum severity worst;
};

void audit_thresholds_default(struct audit_thresholds *t);

/** Run every check on @snap. */
void audit_run(const struct snapshot *snap, const struct audit_thresholds *t,
	       struct audit_report *report);

/** The check named @id, or NULL. */
const struct audit_check *audit_check_find(const char *id);
/**
 * Accept the findings of @accepted (--ignore): each keeps its summary and evidence, its
 * severity becomes ok (the one it had in `accepted`), and the worst is recomputed.
 */
void audit_accept(struct audit_report *report, const struct audit_check *const *accepted, size_t n);

const char *audit_check_id(const struct audit_check *c);
const char *audit_check_title(const struct audit_check *c);
const char *audit_check_remedy(const struct audit_check *c);
/** The remedy to print for @f: its own when the check wrote one, else the check's. */
const char *audit_finding_remedy(const struct finding *f);
/** The check table, for docs and help: @i-th check or NULL past the end. */
const struct audit_check *audit_check_at(size_t i);

const char *audit_severity_name(enum severity sev);
/** Monitoring-plugin exit code: 0 ok/info, 1 warning, 2 critical, 3 unknown. */
int audit_exit_code(enum severity sev);

#endif
