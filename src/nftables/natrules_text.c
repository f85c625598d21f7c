#include "config.h"
#include "nftables/natrules.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/netfilter.h>
#include <nftables/libnftables.h>

#include "util.h"

/*
 * Each nf_tables rule's text as nft itself writes it: libnftables (the library behind
 * nft) lists the ruleset with handles (in a child process, below), and every rule line "TEXT #
 * handle N" replaces the text natrules_render.c made for the rule with that handle in that table.
 * Handles are never reused within a table, so a rule changed or added between natscope's dump and
 * this listing only keeps natscope's own text.
 */

static uint8_t family_of(const char *name)
{
	static const struct {
		const char *name;
		uint8_t family;
	} fams[] = { { "ip", NFPROTO_IPV4 }, { "ip6", NFPROTO_IPV6 }, { "inet", NFPROTO_INET } };

	for (size_t i = 0; i < sizeof(fams) / sizeof(fams[0]); i++)
		if (strcmp(fams[i].name, name) == 0)
			return fams[i].family;
	return NFPROTO_UNSPEC;
}

/* A rule line "TEXT # handle N" of table @family/@table: hand TEXT and N to @fn. */
static void apply_line(uint8_t family, const char *table, char *line, nft_text_fn fn, void *ctx)
{
	char *mark = strstr(line, " # handle ");
	unsigned long long handle;
	char *end;

	if (!mark)
		return;
	handle = strtoull(mark + 10, &end, 10);
	if (end == mark + 10 || *end != '\0')
		return;
	*mark = '\0';
	while (*line == '\t')
		line++;
	fn(ctx, family, table, handle, line);
}

/* The lines of nft's listing: tables, their chains' rule lines; sets and maps skipped. */
static void apply_listing(char *text, nft_text_fn fn, void *ctx)
{
	char table[NATRULES_NAME] = "", fam[8] = "";
	uint8_t family = NFPROTO_UNSPEC;
	bool in_chain = false;
	char *save = NULL;

	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "table ", 6) == 0) {
			if (sscanf(line, "table %7s %255s", fam, table) != 2)
				table[0] = '\0';
			family = family_of(fam);
			in_chain = false;
		} else if (strncmp(line, "\tchain ", 7) == 0) {
			in_chain = true;
		} else if (strcmp(line, "\t}") == 0 || line[0] != '\t') {
			in_chain = false;
		} else if (in_chain && strncmp(line, "\t\t", 2) == 0 && family != NFPROTO_UNSPEC) {
			apply_line(family, table, line, fn, ctx);
		}
	}
}

/* The child: nft's listing with handles, written to @fd. */
static int list_ruleset(void *data, int fd)
{
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
	const char *text;
	size_t len;
	int ret = -1;

	(void)data;
	if (!nft)
		return -1;
	nft_ctx_output_set_flags(nft, NFT_CTX_OUTPUT_HANDLE);
	if (nft_ctx_buffer_output(nft) == 0 && nft_ctx_buffer_error(nft) == 0 &&
	    nft_run_cmd_from_buffer(nft, "list ruleset") == 0) {
		text = nft_ctx_get_output_buffer(nft);
		len = strlen(text);
		ret = write(fd, text, len) == (ssize_t)len ? 0 : -1;
	}
	nft_ctx_free(nft);
	return ret;
}

/*
 * libnftables runs in a child process: it trusts what the kernel hands it (nft 1.0.6
 * crashes on a table comment without its NUL, which any CAP_NET_ADMIN holder can
 * create), and a diagnostics tool must not die of the ruleset it diagnoses.  When the
 * child fails, natscope's own texts stay.
 */
int nft_rule_texts(nft_text_fn fn, void *ctx)
{
	char *text;
	size_t len;
	int ret = util_in_child(list_ruleset, NULL, &text, &len);

	if (ret == -ENOMEM)
		return ret;
	if (ret < 0)
		return -EIO;
	apply_listing(text, fn, ctx);
	free(text);
	return 0;
}

/*
 * Whether nft's text of a rule that holds a source-NAT statement lost it: libnftables
 * 1.0.6 lists an ip6 iptables-nft MASQUERADE as `oifname "wan" ip6 saddr fd00:1::/64
 * counter packets 0 bytes 0` ("XT target MASQUERADE not found" on stderr) whenever an
 * iptables-nft `ip nat` table is listed before it.
 */
static bool lost_statement(const char *text)
{
	return !strcasestr(text, "masquerade") && !strcasestr(text, "snat");
}

void natrules_take_text(void *ctx, uint8_t family, const char *table, uint64_t handle,
			const char *text)
{
	struct natrules *nr = ctx;

	for (unsigned int i = 0; i < nr->n; i++) {
		struct natrule *r = &nr->v[i];

		if (r->legacy || r->family != family || r->handle != handle ||
		    strcmp(r->table, table) != 0)
			continue;
		if (lost_statement(text)) {
			/* natscope's own rendering stays, and says why */
			size_t n = strlen(r->text);

			snprintf(r->text + n, sizeof(r->text) - n, "%s", NATRULES_TEXT_OWN);
			continue;
		}
		snprintf(r->text, sizeof(r->text), "%s", text);
	}
}

int natrules_nft_text(struct natrules *nr)
{
	return nr->n ? nft_rule_texts(natrules_take_text, nr) : 0;
}
