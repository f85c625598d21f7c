#ifndef NATSCOPE_EXPORTER_HTTP_H
#define NATSCOPE_EXPORTER_HTTP_H

#include <stddef.h>
#include <sys/socket.h>

/*
 * The exporter's HTTP server: libmicrohttpd without a thread of its own, driven from the
 * exporter's one poll loop (its epoll descriptor, http_run()), so a scrape reads the
 * model between two event batches and nothing needs a lock.
 */
struct http;

/* A response: the handler fills it; @body is malloc'd and freed by the server. */
struct http_response {
	unsigned int status;
	const char *content_type;
	char *body;
	size_t len;
};

/*
 * Answer a GET of @path; @accept is the request's Accept header ("" if none).  0, or
 * -errno (then 500 is sent).
 */
typedef int (*http_handler)(const char *path, const char *accept, struct http_response *r,
			    void *ctx);

/**
 * Parse "ADDR:PORT", "[ADDR6]:PORT" or ":PORT" (every address, IPv4 and IPv6) into @sa.
 * -EINVAL.
 */
int http_parse_listen(const char *s, struct sockaddr_storage *sa, socklen_t *len, int *any);

/** Listen on @listen; -EADDRINUSE, -EACCES, -EINVAL, -errno. */
int http_open(struct http **out, const char *listen, http_handler fn, void *ctx);
void http_close(struct http *h);
/** The descriptor to poll for reading. */
int http_fd(const struct http *h);
/** Milliseconds until http_run() is due anyway, -1 for none. */
int http_timeout_ms(const struct http *h);
/** Serve what is ready. */
void http_run(struct http *h);

#endif
