/*
 * rawflood: one UDP packet per new flow, from a range of source ports to a few
 * destination ports, through IP_HDRINCL raw sockets in sendmmsg() batches.  Bounded by
 * count (sports x dports) and by --max-seconds; pins itself to --cpu and starts at an
 * absolute CLOCK_REALTIME instant so two instances race for real.
 *
 * Test tool only: it sends exactly what it is told to, to the address it is given; the
 * tests give it addresses of namespaces they created.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 256

struct pkt {
	struct iphdr ip;
	struct udphdr udp;
	char payload[4];
} __attribute__((packed));

static double now_real(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(void)
{
	fprintf(stderr, "usage: rawflood --src IP --dst IP --sport LO-HI --dport FIRST[,COUNT]\n"
			"                [--cpu N] [--start-at EPOCH_SECONDS] [--max-seconds S]\n");
	exit(64);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "src", required_argument, NULL, 's' },
		{ "dst", required_argument, NULL, 'd' },
		{ "sport", required_argument, NULL, 'p' },
		{ "dport", required_argument, NULL, 'P' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "start-at", required_argument, NULL, 't' },
		{ "max-seconds", required_argument, NULL, 'm' },
		{ 0 },
	};
	struct in_addr src = { 0 }, dst = { 0 };
	unsigned int sport_lo = 0, sport_hi = 0, dport_first = 0, ndports = 1;
	double start_at = 0, max_seconds = 30, t0;
	int cpu = -1, c, fd, one = 1;
	static struct pkt pkts[BATCH];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in to = { .sin_family = AF_INET };
	unsigned long long sent = 0, total;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (inet_pton(AF_INET, optarg, &src) != 1)
				usage();
			break;
		case 'd':
			if (inet_pton(AF_INET, optarg, &dst) != 1)
				usage();
			break;
		case 'p':
			if (sscanf(optarg, "%u-%u", &sport_lo, &sport_hi) != 2 || !sport_lo ||
			    sport_hi < sport_lo || sport_hi > 65535)
				usage();
			break;
		case 'P':
			if (sscanf(optarg, "%u,%u", &dport_first, &ndports) < 1 || !dport_first ||
			    !ndports || dport_first + ndports - 1 > 65535)
				usage();
			break;
		case 'c':
			cpu = atoi(optarg);
			break;
		case 't':
			start_at = atof(optarg);
			break;
		case 'm':
			max_seconds = atof(optarg);
			break;
		default:
			usage();
		}
	}
	if (!src.s_addr || !dst.s_addr || !sport_lo || !dport_first || max_seconds <= 0 ||
	    max_seconds > 300)
		usage();

	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set) < 0) {
			perror("rawflood: sched_setaffinity");
			return 1;
		}
	}
	fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0 || setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one)) < 0) {
		perror("rawflood: raw socket");
		return 1;
	}
	to.sin_addr = dst;

	for (int i = 0; i < BATCH; i++) {
		struct pkt *p = &pkts[i];

		p->ip.version = 4;
		p->ip.ihl = 5;
		p->ip.ttl = 64;
		p->ip.protocol = IPPROTO_UDP;
		p->ip.saddr = src.s_addr;
		p->ip.daddr = dst.s_addr;
		p->ip.tot_len = htons(sizeof(*p)); /* the kernel fills id and checksum */
		p->udp.len = htons(sizeof(p->udp) + sizeof(p->payload));
		p->udp.check = 0; /* optional for IPv4 */
		memcpy(p->payload, "nsc", 4);
		iov[i].iov_base = p;
		iov[i].iov_len = sizeof(*p);
		memset(&msgs[i], 0, sizeof(msgs[i]));
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_name = &to;
		msgs[i].msg_hdr.msg_namelen = sizeof(to);
	}

	while (start_at > 0 && now_real() < start_at)
		;
	t0 = now_real();
	total = (unsigned long long)(sport_hi - sport_lo + 1) * ndports;

	/* Destination port varies fastest so every port sees the sources interleaved. */
	unsigned int sp = sport_lo, dp = 0;

	while (sent < total) {
		int n = 0, r;

		while (n < BATCH && sent + (unsigned long long)n < total) {
			pkts[n].udp.source = htons((uint16_t)sp);
			pkts[n].udp.dest = htons((uint16_t)(dport_first + dp));
			if (++dp == ndports) {
				dp = 0;
				sp++;
			}
			n++;
		}
		for (int off = 0; off < n; off += r) {
			r = sendmmsg(fd, msgs + off, (unsigned int)(n - off), 0);
			if (r < 0) {
				if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR) {
					r = 0;
					continue;
				}
				perror("rawflood: sendmmsg");
				return 1;
			}
		}
		sent += (unsigned long long)n;
		if (now_real() - t0 > max_seconds)
			break;
	}
	printf("sent %llu packets in %.3f s\n", sent, now_real() - t0);
	close(fd);
	return sent == total ? 0 : 2;
}
