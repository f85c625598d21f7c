/*
 * flowgen: real TCP and UDP flows for the integration tests, bounded in count and time.
 *
 *   flowgen server PORT SECONDS
 *       TCP: accept, read until EOF, close.  UDP: echo each datagram.  Exits after SECONDS.
 *   flowgen client IP PORT CLOSED HELD UDP SECONDS
 *       CLOSED TCP connections that send a byte and close (-> TIME_WAIT),
 *       HELD TCP connections kept open (ESTABLISHED), UDP sockets that each send one
 *       datagram and read the echo.  Prints "ready" once all are set up, then holds the
 *       open connections until SECONDS have passed and exits.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_FDS 4096

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int server(int port, double seconds)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	static struct pollfd pfd[MAX_FDS];
	int lfd, ufd, one = 1, n = 2;
	double end = now() + seconds;

	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ufd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(lfd, 1024) < 0 ||
	    bind(ufd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror("flowgen server");
		return 1;
	}
	pfd[0] = (struct pollfd){ .fd = lfd, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = ufd, .events = POLLIN };
	printf("ready\n");
	fflush(stdout);
	while (now() < end) {
		if (poll(pfd, (nfds_t)n, 200) <= 0)
			continue;
		if (pfd[0].revents & POLLIN) {
			int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

			if (c >= 0 && n < MAX_FDS)
				pfd[n++] = (struct pollfd){ .fd = c, .events = POLLIN };
			else if (c >= 0)
				close(c);
		}
		if (pfd[1].revents & POLLIN) {
			struct sockaddr_in from;
			socklen_t fl = sizeof(from);
			char buf[512];
			ssize_t r =
				recvfrom(ufd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);

			if (r > 0)
				sendto(ufd, buf, (size_t)r, 0, (struct sockaddr *)&from, fl);
		}
		for (int i = 2; i < n; i++) {
			char buf[512];

			if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (read(pfd[i].fd, buf, sizeof(buf)) > 0)
				continue;
			close(pfd[i].fd);
			pfd[i--] = pfd[--n];
		}
	}
	return 0;
}

static int tcp_connect(const struct sockaddr_in *a)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || connect(fd, (const struct sockaddr *)a, sizeof(*a)) < 0 ||
	    write(fd, "x", 1) != 1) {
		perror("flowgen client: tcp");
		exit(1);
	}
	return fd;
}

static int client(const char *ip, int port, int closed, int held, int udp, double seconds)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	static int fds[MAX_FDS];
	double end = now() + seconds;
	int nfds = 0;

	if (inet_pton(AF_INET, ip, &a.sin_addr) != 1 || closed + held + udp > MAX_FDS) {
		fprintf(stderr, "flowgen client: bad address or too many flows\n");
		return 64;
	}
	for (int i = 0; i < closed; i++) {
		int fd = tcp_connect(&a);
		char c;

		/* We close first, then wait for the server's FIN: the full close sequence. */
		shutdown(fd, SHUT_WR);
		while (read(fd, &c, 1) > 0)
			;
		close(fd);
	}
	for (int i = 0; i < held; i++)
		fds[nfds++] = tcp_connect(&a);
	for (int i = 0; i < udp; i++) {
		int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		struct pollfd p = { .fd = fd, .events = POLLIN };
		char buf[16];

		if (fd < 0 || sendto(fd, "u", 1, 0, (struct sockaddr *)&a, sizeof(a)) != 1) {
			perror("flowgen client: udp");
			return 1;
		}
		if (poll(&p, 1, 2000) == 1)
			(void)!recv(fd, buf, sizeof(buf), 0);
		fds[nfds++] = fd; /* keep the port bound so flows stay distinct */
	}
	printf("ready\n");
	fflush(stdout);
	while (now() < end)
		usleep(100000);
	for (int i = 0; i < nfds; i++)
		close(fds[i]);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "server") == 0)
		return server(atoi(argv[2]), atof(argv[3]));
	if (argc == 8 && strcmp(argv[1], "client") == 0)
		return client(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]), atoi(argv[6]),
			      atof(argv[7]));
	fprintf(stderr, "usage: flowgen server PORT SECONDS\n"
			"       flowgen client IP PORT CLOSED HELD UDP SECONDS\n");
	return 64;
}
