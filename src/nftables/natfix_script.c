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
		fprintf(f, "%sreplace rule %s %s %s handle %llu %s\n",
			lossy ? "# (no nft syntax) " : "", natfix_fam_name(family), table, chain,
			(unsigned long long)nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE), text);
	}
	return 0;
}

static int chain_block(const struct overlay *ov, const struct nftnl_chain *ch, FILE *f, char *why,
		       size_t whylen)
{
	const char *cname = nftnl_chain_get_str(ch, NFTNL_CHAIN_NAME);
	char text[4096];

	if (!natrules_nft_name_ok(cname)) {
		snprintf(why, whylen, "chain %.120s", cname);
		return -EILSEQ;
	}
	fprintf(f, "\tchain %s {\n", cname);
	if (nftnl_chain_is_set(ch, NFTNL_CHAIN_HOOKNUM))
		fprintf(f, "\t\ttype nat hook postrouting priority %d; policy accept;\n",
			(int32_t)nftnl_chain_get_u32(ch, NFTNL_CHAIN_PRIO));
	for (size_t r = 0; r < ov->nrules; r++) {
		const struct nftnl_rule *rule = ov->rules[r];
		int lossy;

		if (strcmp(nftnl_rule_get_str(rule, NFTNL_RULE_CHAIN), cname) != 0)
			continue;
		lossy = natrules_render(rule, (uint8_t)ov->family, NATRULES_RENDER_SCRIPT, text,
					sizeof(text));
		/* What nft cannot parse is applied through netlink as it is. */
		fprintf(f, lossy ? "\t\t# (no nft syntax) %s\n" : "\t\t%s\n", text);
	}
	fprintf(f, "\t}\n");
	return 0;
}

static int overlay_block(const struct overlay *ov, FILE *f, char *why, size_t whylen)
{
	const char *fam = natfix_fam_name(ov->family);
	int ret = 0;

	if (!natfix_overlay_changes(ov))
		return 0;
	if (ov->existing)
		fprintf(f, "delete table %s %s\n", fam, NATFIX_TABLE);
	if (!ov->wanted)
		return 0;
	/* the mark holds only a scope that passed scope_parse(): quotable */
	fprintf(f, "table %s %s {\n\tcomment \"%s\"\n", fam, NATFIX_TABLE, ov->comment);
	for (size_t c = 0; c < ov->nchains && ret == 0; c++)
		ret = chain_block(ov, ov->chains[c], f, why, whylen);
	fprintf(f, "}\n");
	return ret;
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
	for (int i = 0; i < NFAM && ret == 0; i++)
		ret = overlay_block(&p->ov[i], f, why, whylen);
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
