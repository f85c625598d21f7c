#include "config.h"
#include "host/evrec.h"
#include "bpf/insfail_rec.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <linux/if_arp.h>
#include <linux/netlink.h>
#include <pcap/pcap.h>

#ifndef DLT_NETLINK
#define DLT_NETLINK 253
#endif
#define COOKED_LEN 16
#define SNAPLEN	   65535

/* A marker's payload, after the netlink header of an NLMSG_NOOP message. */
struct marker {
	char magic[4]; /* "NSCP" */
	uint8_t version;
	uint8_t mark;
	uint8_t pad[2];
	uint64_t arg;
};

#define MARKER_MAGIC "NSCP"

struct evrec {
	pcap_t *pcap;
	pcap_dumper_t *dump;
	FILE *f;
	uint64_t records;
	int err; /* the first write error */
};

int evrec_create(struct evrec **out, const char *path)
{
	struct evrec *rec = calloc(1, sizeof(*rec));
	int ret;

	if (!rec)
		return -ENOMEM;
	rec->f = strcmp(path, "-") == 0 ? stdout : fopen(path, "we");
	if (!rec->f) {
		ret = -errno;
		free(rec);
		return ret;
	}
	rec->pcap = pcap_open_dead(DLT_NETLINK, SNAPLEN);
	rec->dump = rec->pcap ? pcap_dump_fopen(rec->pcap, rec->f) : NULL;
	if (!rec->dump) {
		if (rec->pcap)
			pcap_close(rec->pcap);
		if (rec->f != stdout)
			fclose(rec->f);
		free(rec);
		return -ENOMEM;
	}
	/* the file header went through stdio: a full disk shows at the first flush */
	*out = rec;
	return 0;
}

/* The first write error of the stream, kept: libpcap's pcap_dump() returns nothing. */
static int check(struct evrec *rec, int saved_errno)
{
	if (!rec->err && ferror(rec->f))
		rec->err = saved_errno ? -saved_errno : -EIO;
	return rec->err;
}

static int put(struct evrec *rec, const void *msg, uint32_t len, double t)
{
	uint8_t buf[COOKED_LEN + SNAPLEN];
	struct pcap_pkthdr h;
	uint16_t v;

	if (rec->err)
		return rec->err;
	if (len > SNAPLEN)
		return -EMSGSIZE;
	memset(buf, 0, COOKED_LEN);
	v = htons(4); /* packet type: "sent by us" is what nlmon marks kernel->user with */
	memcpy(buf + 0, &v, 2);
	v = htons(ARPHRD_NETLINK);
	memcpy(buf + 2, &v, 2);
	v = htons(NETLINK_NETFILTER);
	memcpy(buf + 14, &v, 2);
	memcpy(buf + COOKED_LEN, msg, len);
	h.ts.tv_sec = (time_t)t;
	h.ts.tv_usec = (suseconds_t)((t - floor(t)) * 1e6);
	h.caplen = h.len = COOKED_LEN + len;
	errno = 0;
	pcap_dump((u_char *)rec->dump, &h, buf);
	if (check(rec, errno) < 0)
		return rec->err;
	rec->records++;
	return 0;
}

int evrec_write(struct evrec *rec, const struct nlmsghdr *nlh, double t)
{
	return put(rec, nlh, nlh->nlmsg_len, t);
}

int evrec_mark(struct evrec *rec, enum evrec_mark mark, uint64_t arg, double t)
{
	struct {
		struct nlmsghdr nlh;
		struct marker m;
	} msg = {
		.nlh = { .nlmsg_len = sizeof(msg), .nlmsg_type = NLMSG_NOOP },
		.m = { .magic = MARKER_MAGIC, .version = 1, .mark = (uint8_t)mark, .arg = arg },
	};

	return put(rec, &msg, sizeof(msg), t);
}

int evrec_failure(struct evrec *rec, const struct insfail_rec *r, double t)
{
	struct {
		struct nlmsghdr nlh;
		struct marker m;
		struct insfail_rec r;
	} msg = {
		.nlh = { .nlmsg_len = sizeof(msg), .nlmsg_type = NLMSG_NOOP },
		.m = { .magic = MARKER_MAGIC,
		       .version = 1,
		       .mark = EVREC_FAILURE,
		       .arg = sizeof(*r) },
		.r = *r,
	};

	return put(rec, &msg, sizeof(msg), t);
}

bool evrec_failure_of(const struct nlmsghdr *nlh, struct insfail_rec *r)
{
	enum evrec_mark mark;
	uint64_t arg;
	size_t off = NLMSG_HDRLEN + sizeof(struct marker);

	if (!evrec_marker(nlh, &mark, &arg) || mark != EVREC_FAILURE || arg != sizeof(*r) ||
	    nlh->nlmsg_len < off + sizeof(*r))
		return false;
	memcpy(r, (const char *)nlh + off, sizeof(*r));
	return true;
}

bool evrec_marker(const struct nlmsghdr *nlh, enum evrec_mark *mark, uint64_t *arg)
{
	struct marker m;

	if (nlh->nlmsg_type != NLMSG_NOOP || nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(m))
		return false;
	memcpy(&m, (const char *)nlh + NLMSG_HDRLEN, sizeof(m));
	if (memcmp(m.magic, MARKER_MAGIC, 4) != 0 || m.version != 1 ||
	    m.mark < EVREC_RESYNC_BEGIN || m.mark > EVREC_FAILURE)
		return false;
	*mark = (enum evrec_mark)m.mark;
	*arg = m.arg;
	return true;
}

uint64_t evrec_records(const struct evrec *rec)
{
	return rec->records;
}

int evrec_close(struct evrec *rec)
{
	int ret;

	if (!rec)
		return 0;
	errno = 0;
	if (pcap_dump_flush(rec->dump) < 0)
		check(rec, errno ? errno : EIO);
	ret = rec->err;
	/* pcap_dump_close() is fclose() without its result: close it ourselves (standard
	 * output too: nothing else writes there once the capture went to it) */
	errno = 0;
	if (fclose(pcap_dump_file(rec->dump)) == EOF && !ret)
		ret = errno ? -errno : -EIO;
	pcap_close(rec->pcap);
	free(rec);
	return ret;
}

/* The record at hand, checked: its message, or an error in @st->why. */
static int record_msg(const struct pcap_pkthdr *h, const u_char *pkt, uint64_t n,
		      struct evrec_status *st, const struct nlmsghdr **out)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)(pkt + COOKED_LEN);
	uint16_t proto;

	if (h->caplen < COOKED_LEN + sizeof(*nlh) || h->caplen != h->len) {
		snprintf(st->why, sizeof(st->why), "record %llu is truncated",
			 (unsigned long long)n);
		return -EBADMSG;
	}
	memcpy(&proto, pkt + 14, 2);
	if (ntohs(proto) != NETLINK_NETFILTER) {
		*out = NULL; /* another netlink family in a general capture */
		return 0;
	}
	if (nlh->nlmsg_len < sizeof(*nlh) || nlh->nlmsg_len > h->caplen - COOKED_LEN) {
		snprintf(st->why, sizeof(st->why), "record %llu holds a damaged netlink message",
			 (unsigned long long)n);
		return -EBADMSG;
	}
	*out = nlh;
	return 0;
}

/* Open @path as a netlink capture; -errno, or -EBADMSG with the reason in @st->why. */
static int open_capture(const char *path, struct evrec_status *st, pcap_t **out)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct stat sb;
	pcap_t *p;
	FILE *f;

	f = fopen(path, "rbe");
	if (!f)
		return -errno;
	if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
		fclose(f);
		return -EISDIR;
	}
	p = pcap_fopen_offline(f, errbuf);
	if (!p) {
		fclose(f);
		snprintf(st->why, sizeof(st->why), "not a pcap file (%.200s)", errbuf);
		return -EBADMSG;
	}
	if (pcap_datalink(p) != DLT_NETLINK) {
		snprintf(st->why, sizeof(st->why), "link type %d, not netlink (%d)",
			 pcap_datalink(p), DLT_NETLINK);
		pcap_close(p);
		return -EBADMSG;
	}
	*out = p;
	return 0;
}

int evrec_replay(const char *path, evrec_fn fn, void *data, struct evrec_status *st)
{
	struct pcap_pkthdr *h;
	const u_char *pkt;
	int ret, next = 1;
	pcap_t *p;

	memset(st, 0, sizeof(*st));
	ret = open_capture(path, st, &p);
	if (ret < 0)
		return ret;
	/* pcap_next_ex(): 1 a record, PCAP_ERROR_BREAK the end of the file, PCAP_ERROR */
	while (ret == 0 && (next = pcap_next_ex(p, &h, &pkt)) == 1) {
		const struct nlmsghdr *nlh;

		ret = record_msg(h, pkt, st->records + 1, st, &nlh);
		if (ret < 0)
			break;
		st->records++;
		if (nlh)
			ret = fn(nlh, (double)h->ts.tv_sec + (double)h->ts.tv_usec / 1e6, data);
	}
	if (ret == 0 && next == PCAP_ERROR) {
		/* libpcap: "truncated dump file; tried to read N ... bytes, only got M" */
		if (strstr(pcap_geterr(p), "truncated")) {
			st->truncated = true;
			snprintf(st->why, sizeof(st->why),
				 "the file ends inside record %llu (%.200s)",
				 (unsigned long long)st->records + 1, pcap_geterr(p));
		} else {
			snprintf(st->why, sizeof(st->why), "%.200s", pcap_geterr(p));
			ret = -EBADMSG;
		}
	}
	pcap_close(p);
	return ret;
}
