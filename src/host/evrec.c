#include "config.h"
#include "host/evrec.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/if_arp.h>
#include <linux/netlink.h>
#include <pcap/pcap.h>

#ifndef DLT_NETLINK
#define DLT_NETLINK 253
#endif
#define COOKED_LEN 16
#define SNAPLEN	   65535

struct evrec {
	pcap_t *pcap;
	pcap_dumper_t *dump;
	int err;
};

int evrec_create(struct evrec **out, const char *path)
{
	struct evrec *rec = calloc(1, sizeof(*rec));

	if (!rec)
		return -ENOMEM;
	rec->pcap = pcap_open_dead(DLT_NETLINK, SNAPLEN);
	if (!rec->pcap) {
		free(rec);
		return -ENOMEM;
	}
	rec->dump = pcap_dump_open(rec->pcap, path);
	if (!rec->dump) {
		FILE *probe = fopen(path, "w"); /* recover an errno for the message */
		int err = probe ? EIO : errno;

		if (probe)
			fclose(probe);
		pcap_close(rec->pcap);
		free(rec);
		return -err;
	}
	*out = rec;
	return 0;
}

int evrec_write(struct evrec *rec, const struct nlmsghdr *nlh, double t)
{
	uint8_t buf[COOKED_LEN + SNAPLEN];
	struct pcap_pkthdr h;
	uint16_t v;

	if (nlh->nlmsg_len > SNAPLEN)
		return -EMSGSIZE;
	memset(buf, 0, COOKED_LEN);
	v = htons(4); /* packet type: "sent by us" is what nlmon marks kernel->user with */
	memcpy(buf + 0, &v, 2);
	v = htons(ARPHRD_NETLINK);
	memcpy(buf + 2, &v, 2);
	v = htons(NETLINK_NETFILTER);
	memcpy(buf + 14, &v, 2);
	memcpy(buf + COOKED_LEN, nlh, nlh->nlmsg_len);
	h.ts.tv_sec = (time_t)t;
	h.ts.tv_usec = (suseconds_t)((t - floor(t)) * 1e6);
	h.caplen = h.len = COOKED_LEN + nlh->nlmsg_len;
	pcap_dump((u_char *)rec->dump, &h, buf);
	return 0;
}

int evrec_close(struct evrec *rec)
{
	int ret = 0;

	if (!rec)
		return 0;
	if (pcap_dump_flush(rec->dump) < 0)
		ret = -EIO;
	pcap_dump_close(rec->dump);
	pcap_close(rec->pcap);
	free(rec);
	return ret;
}

long evrec_replay(const char *path, evrec_fn fn, void *data, char *err, unsigned long errlen)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *pkt;
	long n = 0;
	pcap_t *p;
	int ret;
	FILE *f;

	f = fopen(path, "rb");
	if (!f)
		return -errno;
	p = pcap_fopen_offline(f, errbuf);
	if (!p) {
		fclose(f);
		snprintf(err, errlen, "not a pcap file (%s)", errbuf);
		return -EBADMSG;
	}
	if (pcap_datalink(p) != DLT_NETLINK) {
		snprintf(err, errlen, "link type %d, not netlink (%d)", pcap_datalink(p),
			 DLT_NETLINK);
		pcap_close(p);
		return -EBADMSG;
	}
	while ((ret = pcap_next_ex(p, &h, &pkt)) == 1) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)(pkt + COOKED_LEN);
		uint16_t proto;

		n++;
		if (h->caplen < COOKED_LEN + sizeof(*nlh) || h->caplen != h->len) {
			snprintf(err, errlen, "record %ld is truncated", n);
			ret = -EBADMSG;
			break;
		}
		memcpy(&proto, pkt + 14, 2);
		if (ntohs(proto) != NETLINK_NETFILTER)
			continue; /* another netlink family in a general capture */
		if (nlh->nlmsg_len < sizeof(*nlh) || nlh->nlmsg_len > h->caplen - COOKED_LEN) {
			snprintf(err, errlen, "record %ld holds a damaged netlink message", n);
			ret = -EBADMSG;
			break;
		}
		ret = fn(nlh, (double)h->ts.tv_sec + (double)h->ts.tv_usec / 1e6, data);
		if (ret < 0)
			break;
	}
	if (ret == PCAP_ERROR) {
		snprintf(err, errlen, "%s", pcap_geterr(p));
		ret = -EBADMSG;
	}
	pcap_close(p);
	return ret < 0 && ret != PCAP_ERROR_BREAK ? ret : n;
}
