#include "config.h"
#include "nftables/natfix.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "natfix_int.h"

#include "nftables/natrules_render.h"

/* A note as a comment line: control characters (a newline would end the comment) as '?'. */
static void comment_line(FILE *f, const char *note)
{
	fputs("# ", f);
	for (const char *c = note; *c; c++)
		fputc((unsigned char)*c < ' ' || *c == 0x7f ? '?' : *c, f);
	fputc('\n', f);
}

/* --in-place: each replaced rule by handle. */
static int replace_lines(const struct natfix_plan *p, FILE *f, char *why, size_t whylen)
{
	char text[4096];

	for (size_t i = 0; i < p->nreplace; i++) {
		const struct nftnl_rule *r = p->replace[i];
		uint8_t family = (uint8_t)nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY);
		const char *table = nftnl_rule_get_str(r, NFTNL_RULE_TABLE);
		const char *chain = nftnl_rule_get_str(r, NFTNL_RULE_CHAIN);
		int lossy;

		if (!natrules_nft_name_ok(table) || !natrules_nft_name_ok(chain)) {
			snprintf(why, whylen, "chain %.60s of table %.60s", chain, table);
			return -EILSEQ;
		}
		lossy = natrules_render(r, family, NATRULES_RENDER_SCRIPT, text, sizeof(text));
		if (lossy < 0)
			return lossy;
		/* never a commented line nft -f would skip: the whole script is refused */
		if (lossy) {
			snprintf(why, whylen, "%s %.60s %.60s handle %llu", natfix_fam_name(family),
				 table, chain,
				 (unsigned long long)nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE));
			return -EILSEQ;
		}
		fprintf(f, "replace rule %s %s %s handle %llu %s\n", natfix_fam_name(family), table,
			chain, (unsigned long long)nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE), text);
	}
	return 0;
}

/* Names nft syntax cannot write (it has no quoting for them): refused before anything. */
static int names_ok(const struct overlay *ov, char *why, size_t whylen)
{
	for (size_t c = 0; c < ov->nchains; c++) {
		const char *cname = nftnl_chain_get_str(ov->chains[c], NFTNL_CHAIN_NAME);

		if (!natrules_nft_name_ok(cname)) {
			snprintf(why, whylen, "chain %.120s", cname);
			return -EILSEQ;
		}
	}
	for (size_t i = 0; i < ov->nsets; i++) {
		const char *name = nftnl_set_get_str(ov->sets[i], NFTNL_SET_NAME);

		if (!(nftnl_set_get_u32(ov->sets[i], NFTNL_SET_FLAGS) & NFT_SET_ANONYMOUS) &&
		    !natrules_nft_name_ok(name)) {
			snprintf(why, whylen, "map %.120s", name);
			return -EILSEQ;
		}
	}
	return 0;
}

/*
 * Each family's table natscope replaces is deleted, then the new ones come as nft lists
 * them (natfix_render.c): one nft -f transaction, as --yes applies one batch.
 */
static int overlay_blocks(const struct natfix_plan *p, FILE *f, char *why, size_t whylen)
{
	bool adds = false;
	char *listing;
	int ret = 0;

	for (int i = 0; i < NFAM && ret == 0; i++) {
		const struct overlay *ov = &p->ov[i];

		if (!natfix_overlay_changes(ov))
			continue;
		if (ov->existing)
			fprintf(f, "delete table %s %s\n", natfix_fam_name(ov->family),
				NATFIX_TABLE);
		adds |= ov->wanted;
		if (ov->wanted)
			ret = names_ok(ov, why, whylen);
	}
	if (ret < 0 || !adds)
		return ret;
	ret = natfix_plan_listing(p, &listing, why, whylen);
	if (ret < 0)
		return ret;
	fputs(listing, f);
	free(listing);
	return 0;
}

int natfix_plan_script(const struct natfix_plan *p, FILE *out, char *why, size_t whylen)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int ret;

	if (!f)
		return -ENOMEM;
	fprintf(f, "#!/usr/sbin/nft -f\n# natscope fix: planned at ruleset generation %u\n",
		p->genid);
	for (unsigned int i = 0; i < p->nnotes; i++)
		comment_line(f, p->notes[i]);
	if (!natfix_plan_has_changes(p))
		fprintf(f, "# nothing to change\n");
	ret = replace_lines(p, f, why, whylen);
	if (ret == 0)
		ret = overlay_blocks(p, f, why, whylen);
	if (fclose(f) != 0 && ret == 0)
		ret = -ENOMEM;
	/* all or nothing: a script cut at a name it cannot write would still parse */
	if (ret == 0 && fwrite(buf, 1, len, out) != len)
		ret = -errno;
	free(buf);
	if (ret == 0 && (fflush(out) != 0 || ferror(out)))
		ret = errno ? -errno : -EIO;
	return ret;
}
