#ifndef NATSCOPE_EXPORTER_SCRAPE_H
#define NATSCOPE_EXPORTER_SCRAPE_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "audit/metrics.h"
#include "exporter/named.h"
#include "exporter/nsread.h"
#include "host/localnet.h"
#include "host/sysctl.h"

struct top_live;

/* One namespace the exporter watches: its live engine, started inside it. */
struct exporter_ns {
	char label[128];	/* the netns label */
	ino_t ino;		/* its inode (docker-proxy processes are matched by it) */
	bool own;		/* the exporter's own namespace (iptables-legacy readable) */
	struct sysctl_info sys; /* read inside it (nsread) */
	struct localnets nets;	/* its attached networks (bridge-local), the same */
	struct nsread rd;	/* how both are read again */
	struct top_live *live;
	struct named_fails named; /* insertion failures the BPF component named */
};

/* What the exporter knows about exact attribution, for every namespace. */
struct exporter_exact {
	bool on;
	char why[200];
};

/*
 * Write the metrics of @n namespaces: what `audit` writes, from the live model instead of
 * a dump (the statistics of the last tick and the one before, the table as the events
 * keep it, the rules read now), then what only a running engine knows: events received
 * and lost, overruns, resynchronisations, drift.  0 or -errno.
 */
int scrape_write(FILE *out, enum metrics_format fmt, struct exporter_ns *ns, size_t n,
		 const struct exporter_exact *exact, const char *version);

#endif
