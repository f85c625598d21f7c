#include "config.h"
#include "exporter/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "util.h"

struct http {
	struct MHD_Daemon *d;
	int fd;
	http_handler fn;
	void *ctx;
};

int http_parse_listen(const char *s, struct sockaddr_storage *sa, socklen_t *len, int *any)
{
	char host[64];
	const char *port;
	unsigned int p;
	size_t hl;

	memset(sa, 0, sizeof(*sa));
	*any = 0;
	if (s[0] == '[') {
		const char *end = strchr(s, ']');

		if (!end || end[1] != ':')
			return -EINVAL;
		hl = (size_t)(end - s - 1);
		if (hl >= sizeof(host))
			return -EINVAL;
		memcpy(host, s + 1, hl);
		port = end + 2;
	} else {
		const char *colon = strrchr(s, ':');

		if (!colon || memchr(s, ':', (size_t)(colon - s)))
			return -EINVAL; /* no port, or an IPv6 address without brackets */
		hl = (size_t)(colon - s);
		if (hl >= sizeof(host))
			return -EINVAL;
		memcpy(host, s, hl);
		port = colon + 1;
	}
	host[hl] = '\0';
	if (util_parse_uint(port, 1, 65535, &p) < 0)
		return -EINVAL;
	if (!host[0]) {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)sa;

		a6->sin6_family = AF_INET6;
		a6->sin6_addr = in6addr_any;
		a6->sin6_port = htons((uint16_t)p);
		*len = sizeof(*a6);
		*any = 1;
		return 0;
	}
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)sa)->sin_addr) == 1) {
		struct sockaddr_in *a4 = (struct sockaddr_in *)sa;

		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)p);
		*len = sizeof(*a4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &((struct sockaddr_in6 *)sa)->sin6_addr) == 1) {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)sa;

		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)p);
		*len = sizeof(*a6);
		return 0;
	}
	return -EINVAL;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_size, void **con_cls)
{
	struct http *h = cls;
	struct http_response r = { .status = 200, .content_type = "text/plain; charset=utf-8" };
	struct MHD_Response *resp;
	const char *accept;
	enum MHD_Result ret;

	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		r.status = MHD_HTTP_METHOD_NOT_ALLOWED;
	} else {
		accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
		if (h->fn(url, accept ? accept : "", &r, h->ctx) < 0) {
			free(r.body);
			r = (struct http_response){ .status = 500,
						    .content_type = "text/plain; charset=utf-8" };
		}
	}
	if (!r.body && r.status != 200) {
		const char *msg = r.status == 404   ? "not found: the metrics are at /metrics\n"
				  : r.status == 405 ? "only GET and HEAD\n"
						    : "the scrape failed; see the exporter's log\n";

		r.body = strdup(msg);
		r.len = r.body ? strlen(r.body) : 0;
	}
	resp = MHD_create_response_from_buffer(r.len, r.body, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(r.body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r.content_type);
	ret = MHD_queue_response(c, r.status, resp);
	MHD_destroy_response(resp);
	return ret;
}

int http_open(struct http **out, const char *listen, http_handler fn, void *ctx)
{
	struct sockaddr_storage sa;
	const union MHD_DaemonInfo *info;
	struct http *h;
	socklen_t len;
	int any, ret;

	ret = http_parse_listen(listen, &sa, &len, &any);
	if (ret < 0)
		return ret;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->fn = fn;
	h->ctx = ctx;
	errno = 0;
	/* no thread of its own: the exporter's poll loop runs it; 10 s per connection, at
	 * most 64 at once (a scraper needs one) */
	h->d = MHD_start_daemon(MHD_USE_EPOLL | (sa.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0) |
					(any ? MHD_USE_DUAL_STACK : 0),
				0, NULL, NULL, answer, h, MHD_OPTION_SOCK_ADDR,
				(struct sockaddr *)&sa, MHD_OPTION_CONNECTION_TIMEOUT,
				(unsigned int)10, MHD_OPTION_CONNECTION_LIMIT, (unsigned int)64,
				MHD_OPTION_END);
	if (!h->d) {
		ret = errno ? -errno : -EADDRINUSE;
		free(h);
		return ret;
	}
	info = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_EPOLL_FD);
	if (!info) {
		MHD_stop_daemon(h->d);
		free(h);
		return -EOPNOTSUPP;
	}
	h->fd = info->epoll_fd;
	*out = h;
	return 0;
}

void http_close(struct http *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->d);
	free(h);
}

int http_fd(const struct http *h)
{
	return h->fd;
}

int http_timeout_ms(const struct http *h)
{
	MHD_UNSIGNED_LONG_LONG ms;

	if (MHD_get_timeout(h->d, &ms) != MHD_YES)
		return -1;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

void http_run(struct http *h)
{
	MHD_run(h->d);
}
