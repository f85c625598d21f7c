#ifndef NATSCOPE_NFTABLES_OWNER_H
#define NATSCOPE_NFTABLES_OWNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * natscope's ownership mark: the comment on the tables it creates, which also records
 * the scope they were made for so that audit can plan again with it.  The whole comment
 * is matched, not a prefix, so a table of someone else's whose comment merely starts
 * like the mark stays someone else's:
 *
 *	natscope-managed v2[ oif=IFACE][ saddr=ADDR[/PREFIX]][ RECORD]
 *	natscope-managed v1 digest=<16 lower-case hex digits>[ oif=...][ saddr=...]  (read only)
 */
#define OWNER_MARK    "natscope-managed"
#define OWNER_VERSION 2

struct ruleset;

/*
 * What `fix` records when it first installs the overlay, so that audit, top and the
 * exporter can show whether it helped (RECORD above):
 *
 *	since=EPOCH base=N[ before=FAILED/NEW/MS]
 *
 * since: when (wall clock, seconds); base: the namespace's insert_failed summed over CPUs
 * at that moment; before: over a sample of MS milliseconds just before, FAILED insertion
 * failures and NEW new source-NAT flows.  Decimal digits only.
 */
struct owner_record {
	bool have;
	uint64_t since;
	uint64_t base;
	bool have_before;
	uint64_t before_failed;
	uint64_t before_new;
	uint64_t before_ms;
};

/*
 * What a record says with the namespace's insert_failed now (@failed_total, summed over
 * CPUs) and the new source-NAT flows natscope's tables counted since (@counted, when
 * @have_counted): failures per 100,000 flows tried before and since (< 0: unknown or no
 * flows).  Tried is new + failed before (failed flows send no event); since, the count
 * itself (it sees failed flows too).
 */
struct owner_effect {
	bool have_before, have_since;
	uint64_t before_failed, before_flows, since_failed, since_flows;
	double before_seconds;
	double before_per_100k, since_per_100k;
};

void owner_effect_compute(const struct owner_record *r, uint64_t failed_total, bool have_counted,
			  uint64_t counted, struct owner_effect *out);

struct owner_mark {
	unsigned int version;
	char oif[16];	/* "" for none */
	char saddr[64]; /* "" for none */
	struct owner_record rec;
};

/** 0 and @m if @comment is exactly a mark of a known version with a valid scope; -EINVAL. */
int owner_mark_parse(const char *comment, struct owner_mark *m);

/**
 * The current version's mark for a scope (@oif and @saddr may be NULL) and a record (NULL
 * or one without `have`: none); -ENOSPC, -EINVAL.
 */
int owner_mark_format(const char *oif, const char *saddr, const struct owner_record *rec, char *buf,
		      size_t len);

/**
 * Table @name of @family in @rs: 1 if it is natscope's (*@m filled when @m is not NULL),
 * 0 if there is no such table, -EEXIST if it exists without the mark (someone else's).
 */
int owner_of_table(const struct ruleset *rs, uint32_t family, const char *name,
		   struct owner_mark *m);

#endif
