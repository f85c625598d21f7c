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

int natfix_plan_script(const struct natfix_plan *p, FILE *out)
{
	char text[4096];

	fprintf(out, "#!/usr/sbin/nft -f\n# natscope fix: planned at ruleset generation %u\n",
		p->genid);
	for (unsigned int i = 0; i < p->nnotes; i++)
		fprintf(out, "# %s\n", p->notes[i]);
	if (!natfix_plan_has_changes(p))
		fprintf(out, "# nothing to change\n");
	for (size_t i = 0; i < p->nreplace; i++) {
		const struct nftnl_rule *r = p->replace[i];
		uint8_t family = (uint8_t)nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY);
		int lossy = natrules_render(r, family, NATRULES_RENDER_SCRIPT, text, sizeof(text));

		fprintf(out, "%sreplace rule %s %s %s handle %llu %s\n",
			lossy ? "# (no nft syntax) " : "", natfix_fam_name(family),
			nftnl_rule_get_str(r, NFTNL_RULE_TABLE),
			nftnl_rule_get_str(r, NFTNL_RULE_CHAIN),
			(unsigned long long)nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE), text);
	}
	for (int f = 0; f < NFAM; f++) {
		const struct overlay *ov = &p->ov[f];
		const char *fam = natfix_fam_name(ov->family);

		if (!natfix_overlay_changes(ov))
			continue;
		if (ov->existing)
			fprintf(out, "delete table %s %s\n", fam, NATFIX_TABLE);
		if (!ov->wanted)
			continue;
		fprintf(out, "table %s %s {\n\tcomment \"%s\"\n", fam, NATFIX_TABLE, ov->comment);
		for (size_t c = 0; c < ov->nchains; c++) {
			const struct nftnl_chain *ch = ov->chains[c];
			const char *cname = nftnl_chain_get_str(ch, NFTNL_CHAIN_NAME);

			fprintf(out, "\tchain %s {\n", cname);
			if (nftnl_chain_is_set(ch, NFTNL_CHAIN_HOOKNUM))
				fprintf(out,
					"\t\ttype nat hook postrouting priority %d; policy "
					"accept;\n",
					(int32_t)nftnl_chain_get_u32(ch, NFTNL_CHAIN_PRIO));
			for (size_t r = 0; r < ov->nrules; r++) {
				const struct nftnl_rule *rule = ov->rules[r];
				int lossy;

				if (strcmp(nftnl_rule_get_str(rule, NFTNL_RULE_CHAIN), cname) != 0)
					continue;
				lossy = natrules_render(rule, (uint8_t)ov->family,
							NATRULES_RENDER_SCRIPT, text, sizeof(text));
				/* What nft cannot parse is applied through netlink as it is. */
				fprintf(out, lossy ? "\t\t# (no nft syntax) %s\n" : "\t\t%s\n",
					text);
			}
			fprintf(out, "\t}\n");
		}
		fprintf(out, "}\n");
	}
	return ferror(out) ? -EIO : 0;
}
