#ifndef NATSCOPE_AUDIT_INT_H
#define NATSCOPE_AUDIT_INT_H

/* Shared by the check files: audit.c (the table and the conntrack checks),
 * checks_nat.c (rules, overlay, fix), checks_tracking.c (what needs tracking, asymmetric
 * routes) and checks_docker.c (the userland proxy). */

#include "audit/audit.h"

void audit_summary(struct finding *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void audit_evidence(struct finding *f, const char *key, double value);
void audit_raise(struct finding *f, enum severity sev);

void audit_check_nat_random(const struct snapshot *s, const struct audit_thresholds *t,
			    struct finding *f);
void audit_check_overlay(const struct snapshot *s, const struct audit_thresholds *t,
			 struct finding *f);
void audit_check_fix_effect(const struct snapshot *s, const struct audit_thresholds *t,
			    struct finding *f);
void audit_check_legacy_nat(const struct snapshot *s, const struct audit_thresholds *t,
			    struct finding *f);
void audit_check_asymmetric(const struct snapshot *s, const struct audit_thresholds *t,
			    struct finding *f);
void audit_check_tracking(const struct snapshot *s, const struct audit_thresholds *t,
			  struct finding *f);
void audit_check_docker_proxy(const struct snapshot *s, const struct audit_thresholds *t,
			      struct finding *f);

#endif
