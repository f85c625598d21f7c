#include "config.h"
#include "nftables/natfix.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libnftnl/rule.h>
#include <nftables/libnftables.h>

#include "natfix_int.h"

#include "netlink/nl.h"
#include "nftables/ruleset.h"
#include "util.h"

/*
 * The overlay as nft writes it, for the dry-run: what --yes would apply is applied to an
 * empty network namespace of a child process, listed there by libnftables (the library
 * behind nft, so the text is nft's own), then read back by libnftables into a second
 * empty namespace and compared, by content, with the plan.  A script that does not read
 * back to exactly what --yes installs is refused, never printed.  The hand-written
 * rendering natrules_render.c does for audit cannot promise that: nft's grammar is
 * nft's.
 */

struct header {
	int status; /* 0, or -errno */
	char why[200];
	size_t len; /* bytes of listing that follow */
};

static int listing_of(struct nft_ctx *nft, const struct natfix_plan *p, FILE *out, char *why,
		      size_t whylen)
{
	for (int f = 0; f < NFAM; f++) {
		const struct overlay *ov = &p->ov[f];
		char cmd[64];

		if (!natfix_overlay_changes(ov) || !ov->wanted)
			continue;
		snprintf(cmd, sizeof(cmd), "list table %s %s", natfix_fam_name(ov->family),
			 NATFIX_TABLE);
		if (nft_run_cmd_from_buffer(nft, cmd) != 0) {
			snprintf(why, whylen, "nft cannot list table %s %s: %.120s",
				 natfix_fam_name(ov->family), NATFIX_TABLE,
				 nft_ctx_get_error_buffer(nft));
			return -EILSEQ;
		}
		fputs(nft_ctx_get_output_buffer(nft), out);
	}
	return ferror(out) ? -ENOMEM : 0;
}

static struct nft_ctx *nft_open(void)
{
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);

	if (nft && (nft_ctx_buffer_output(nft) < 0 || nft_ctx_buffer_error(nft) < 0)) {
		nft_ctx_free(nft);
		return NULL;
	}
	return nft;
}

/* Name the first rule nft's text does not carry as planned, by the rule it mirrors. */
static void differs(const struct overlay *ov, const struct ruleset *rs, char *why, size_t whylen)
{
	ssize_t i = natfix_overlay_first_difference(ov, rs);
	const struct nftnl_rule *src = i >= 0 ? ov->srcs[i] : NULL;

	if (src)
		snprintf(why, whylen, "the mirror of %s %.60s %.60s handle %llu",
			 natfix_fam_name(ov->family), nftnl_rule_get_str(src, NFTNL_RULE_TABLE),
			 nftnl_rule_get_str(src, NFTNL_RULE_CHAIN),
			 (unsigned long long)nftnl_rule_get_u64(src, NFTNL_RULE_HANDLE));
	else if (i >= 0)
		snprintf(why, whylen, "rule %zd of table %s %s", i, natfix_fam_name(ov->family),
			 NATFIX_TABLE);
	else
		snprintf(why, whylen, "table %s %s", natfix_fam_name(ov->family), NATFIX_TABLE);
}

/* In a fresh namespace: nft reads @text; the result must be exactly the plan. */
static int read_back(const struct natfix_plan *p, const char *text, char *why, size_t whylen)
{
	struct nft_ctx *nft;
	struct nl_sock *nl = NULL;
	struct ruleset *rs = NULL;
	uint32_t genid;
	int ret;

	if (unshare(CLONE_NEWNET) < 0)
		return -errno;
	nft = nft_open();
	if (!nft)
		return -ENOMEM;
	if (nft_run_cmd_from_buffer(nft, text) != 0) {
		const char *e = nft_ctx_get_error_buffer(nft);

		snprintf(why, whylen, "nft does not read it back: %.*s", (int)strcspn(e, "\n"), e);
		nft_ctx_free(nft);
		return -EILSEQ;
	}
	nft_ctx_free(nft);
	ret = nl_open(&nl, 0);
	if (ret == 0)
		ret = ruleset_dump(nl, &rs, &genid);
	for (int f = 0; f < NFAM && ret == 0; f++) {
		const struct overlay *ov = &p->ov[f];
		const char *have = ruleset_table_comment(rs, ov->family, NATFIX_TABLE);

		if (!natfix_overlay_changes(ov) || !ov->wanted)
			continue;
		ret = have && strcmp(have, ov->comment) == 0 ? natfix_overlay_matches(ov, rs) : 0;
		if (ret == 0) {
			differs(ov, rs, why, whylen);
			ret = -EILSEQ;
		} else if (ret == 1) {
			ret = 0;
		}
	}
	ruleset_free(rs);
	nl_close(nl);
	return ret;
}

/*
 * The plan applied to the empty namespace.  A rule the kernel refuses there but took in
 * the namespace planned from refers to what only that namespace has (an xt set match's
 * ipset set, Calico's pools): -ENXIO, @why naming the message and the kernel's error.
 */
static int scratch(struct nl_sock *nl, const struct natfix_plan *p, char *why, size_t whylen)
{
	char what[160] = "";
	int ret = natfix_apply_scratch(nl, p, what, sizeof(what));

	if (ret == -ENOENT || ret == -EINVAL || ret == -EOPNOTSUPP) {
		snprintf(why, whylen, "%s (%s)", what[0] ? what : "the change", strerror(-ret));
		return -ENXIO;
	}
	if (ret < 0)
		snprintf(why, whylen, "%s", what);
	return ret;
}

/* The child (of util_in_child()): apply plan @data, list, read back; the outcome and
 * the listing go to @fd. */
static int child(void *data, int fd)
{
	const struct natfix_plan *p = data;
	struct header h = { 0 };
	struct nl_sock *nl = NULL;
	struct nft_ctx *nft = NULL;
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	if (!out)
		h.status = -ENOMEM;
	else if (unshare(CLONE_NEWNET) < 0)
		h.status = -errno;
	else if ((h.status = nl_open(&nl, 0)) == 0 &&
		 (h.status = scratch(nl, p, h.why, sizeof(h.why))) == 0 && !(nft = nft_open()))
		h.status = -ENOMEM;
	if (h.status == 0)
		h.status = listing_of(nft, p, out, h.why, sizeof(h.why));
	if (out && fclose(out) != 0 && h.status == 0)
		h.status = -ENOMEM;
	if (h.status == 0)
		h.status = read_back(p, text ? text : "", h.why, sizeof(h.why));
	h.len = h.status == 0 ? len : 0;
	if (write(fd, &h, sizeof(h)) != (ssize_t)sizeof(h) ||
	    (h.len && write(fd, text, h.len) != (ssize_t)h.len))
		return 1;
	return 0;
}

int natfix_plan_listing(const struct natfix_plan *p, char **text, char *why, size_t whylen)
{
	struct header h;
	char *buf;
	size_t len;
	int ret;

	*text = NULL;
	ret = util_in_child(child, (void *)p, &buf, &len);
	if (ret == -ECHILD)
		ret = -EPROTO; /* the child died before it could say why */
	if (ret < 0)
		return ret;
	ret = len < sizeof(h) ? -EPROTO : 0;
	if (ret == 0) {
		memcpy(&h, buf, sizeof(h));
		ret = h.status;
		if (ret == 0 && h.len != len - sizeof(h))
			ret = -EPROTO;
		else if (ret < 0)
			snprintf(why, whylen, "%s", h.why);
	}
	if (ret == 0) {
		memmove(buf, buf + sizeof(h), h.len + 1);
		*text = buf;
		return 0;
	}
	free(buf);
	return ret;
}
