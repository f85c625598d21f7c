#include "config.h"
#include "host/sysctl.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

static const char *const sysctl_files[SYSCTL_KEYS] = {
	[SYSCTL_COUNT] = "nf_conntrack_count",
	[SYSCTL_MAX] = "nf_conntrack_max",
	[SYSCTL_BUCKETS] = "nf_conntrack_buckets",
	[SYSCTL_ACCT] = "nf_conntrack_acct",
	[SYSCTL_TIMESTAMP] = "nf_conntrack_timestamp",
	[SYSCTL_EVENTS] = "nf_conntrack_events",
	[SYSCTL_TCP_TIMEOUT_ESTABLISHED] = "nf_conntrack_tcp_timeout_established",
	[SYSCTL_TCP_TIMEOUT_SYN_SENT] = "nf_conntrack_tcp_timeout_syn_sent",
	[SYSCTL_TCP_TIMEOUT_TIME_WAIT] = "nf_conntrack_tcp_timeout_time_wait",
	[SYSCTL_TCP_TIMEOUT_CLOSE_WAIT] = "nf_conntrack_tcp_timeout_close_wait",
	[SYSCTL_TCP_TIMEOUT_FIN_WAIT] = "nf_conntrack_tcp_timeout_fin_wait",
	[SYSCTL_TCP_TIMEOUT_CLOSE] = "nf_conntrack_tcp_timeout_close",
	[SYSCTL_UDP_TIMEOUT] = "nf_conntrack_udp_timeout",
	[SYSCTL_UDP_TIMEOUT_STREAM] = "nf_conntrack_udp_timeout_stream",
	[SYSCTL_ICMP_TIMEOUT] = "nf_conntrack_icmp_timeout",
	[SYSCTL_GENERIC_TIMEOUT] = "nf_conntrack_generic_timeout",
	[SYSCTL_TCP_BE_LIBERAL] = "nf_conntrack_tcp_be_liberal",
	[SYSCTL_TCP_LOOSE] = "nf_conntrack_tcp_loose",
	[SYSCTL_LOG_INVALID] = "nf_conntrack_log_invalid",
};

const char *sysctl_name(enum sysctl_key key)
{
	return key < SYSCTL_KEYS ? sysctl_files[key] : NULL;
}

/* Read up to two integers from a one-line file. Returns how many were read, or -errno. */
static int read_ints(const char *path, int64_t *a, int64_t *b)
{
	char buf[128];
	FILE *f;
	int n;

	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	n = sscanf(buf, "%" SCNd64 " %" SCNd64, a, b);
	return n < 0 ? 0 : n;
}

int sysctl_read(const char *root, struct sysctl_info *info)
{
	char path[PATH_MAX];
	struct utsname uts;
	struct stat sb;
	int64_t dummy;

	for (int i = 0; i < SYSCTL_KEYS; i++)
		info->val[i] = SYSCTL_ABSENT;
	info->port_range_lo = info->port_range_hi = SYSCTL_ABSENT;
	info->kernel[0] = '\0';
	info->ct_entry_bytes = SYSCTL_ABSENT;
	info->bridge_nf[0] = info->bridge_nf[1] = SYSCTL_ABSENT;

	if (stat(root, &sb) < 0)
		return -errno;

	for (int i = 0; i < SYSCTL_KEYS; i++) {
		int64_t v;

		snprintf(path, sizeof(path), "%s/netfilter/%s", root, sysctl_files[i]);
		if (read_ints(path, &v, &dummy) >= 1)
			info->val[i] = v;
	}
	snprintf(path, sizeof(path), "%s/ipv4/ip_local_port_range", root);
	if (read_ints(path, &info->port_range_lo, &info->port_range_hi) < 2)
		info->port_range_lo = info->port_range_hi = SYSCTL_ABSENT;
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/bridge/bridge-nf-call-ip%stables", root,
			 i ? "6" : "");
		if (read_ints(path, &info->bridge_nf[i], &dummy) < 1)
			info->bridge_nf[i] = SYSCTL_ABSENT;
	}

	if (uname(&uts) == 0)
		snprintf(info->kernel, sizeof(info->kernel), "%s", uts.release);
	return 0;
}

int64_t sysctl_ct_entry_bytes(const char *slab_root)
{
	char path[PATH_MAX];
	int64_t v, dummy;

	snprintf(path, sizeof(path), "%s/nf_conntrack/object_size", slab_root);
	return read_ints(path, &v, &dummy) >= 1 && v > 0 ? v : SYSCTL_ABSENT;
}
