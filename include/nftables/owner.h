#ifndef NATSCOPE_NFTABLES_OWNER_H
#define NATSCOPE_NFTABLES_OWNER_H

#include <stddef.h>
#include <stdint.h>

/*
 * natscope's ownership mark: the comment on the tables it creates, which also records
 * the scope they were made for so that audit can plan again with it.  The whole comment
 * is matched, not a prefix, so a table of someone else's whose comment merely starts
 * like the mark stays someone else's:
 *
 *	natscope-managed v2[ oif=IFACE][ saddr=ADDR[/PREFIX]]
 *	natscope-managed v1 digest=<16 lower-case hex digits>[ oif=...][ saddr=...]  (read only)
 */
#define OWNER_MARK    "natscope-managed"
#define OWNER_VERSION 2

struct ruleset;

struct owner_mark {
	unsigned int version;
	char oif[16];	/* "" for none */
	char saddr[64]; /* "" for none */
};

/** 0 and @m if @comment is exactly a mark of a known version with a valid scope; -EINVAL. */
int owner_mark_parse(const char *comment, struct owner_mark *m);

/** The current version's mark for a scope (@oif and @saddr may be NULL); -ENOSPC, -EINVAL. */
int owner_mark_format(const char *oif, const char *saddr, char *buf, size_t len);

/**
 * Table @name of @family in @rs: 1 if it is natscope's (*@m filled when @m is not NULL),
 * 0 if there is no such table, -EEXIST if it exists without the mark (someone else's).
 */
int owner_of_table(const struct ruleset *rs, uint32_t family, const char *name,
		   struct owner_mark *m);

#endif
