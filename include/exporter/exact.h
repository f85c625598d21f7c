#ifndef NATSCOPE_EXPORTER_EXACT_H
#define NATSCOPE_EXPORTER_EXACT_H

#include <stdbool.h>
#include <stddef.h>

#include "exporter/scrape.h"
#include "host/addrmap.h"

struct insfail;

/*
 * The exporter's BPF component (bpf/insfail.h): loaded once, each watched namespace
 * seeded with its engine's statistics when it is watched, attached once; its records
 * counted into the namespace's named_fails, the sources named after who holds them.
 */
struct exporter_bpf {
	struct insfail *h;
	struct exporter_exact state;
	struct addrmap names;
};

/** Load (unless @off); state says why not. */
void exporter_bpf_open(struct exporter_bpf *b, bool off);
/** The baseline of @ns: its engine's last statistics. */
void exporter_bpf_seed(struct exporter_bpf *b, const struct exporter_ns *ns);
/** Attach; state says why not. */
void exporter_bpf_attach(struct exporter_bpf *b);
/** Read every namespace's addresses again (needs CAP_SYS_ADMIN to enter them). */
void exporter_bpf_names(struct exporter_bpf *b);
/** The descriptor to poll, or -1. */
int exporter_bpf_fd(const struct exporter_bpf *b);
/** Count what is queued into @ns (records of namespaces not watched are dropped). */
void exporter_bpf_read(struct exporter_bpf *b, struct exporter_ns *ns, size_t n);
void exporter_bpf_close(struct exporter_bpf *b);

#endif
