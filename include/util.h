#ifndef NATSCOPE_UTIL_H
#define NATSCOPE_UTIL_H

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/** Parse a decimal number in [lo, hi]; the whole string must be the number. 0 or -EINVAL. */
int util_parse_double(const char *s, double lo, double hi, double *out);
int util_parse_uint(const char *s, unsigned int lo, unsigned int hi, unsigned int *out);

#include <stdbool.h>
#include <stddef.h>

/** Seconds on CLOCK_MONOTONIC. */
double util_now_mono(void);
/** Whether @s is one or more decimal digits (a PID, a /proc entry). */
bool util_all_digits(const char *s);

/**
 * @s for a one-line message: control characters as \xNN, cut with "..." to fit @len
 * bytes.  Returns @buf.
 */
const char *util_escape(const char *s, char *buf, size_t len);

/** Append @obj to the growable pointer array *@arr of *@n entries. 0 or -ENOMEM. */
int util_push(void ***arr, size_t *n, void *obj);

/**
 * Run @fn(@data, fd) in a forked child that writes its result to fd, and read all of it
 * into a new NUL-terminated string (*len bytes before the NUL).  0 when the child ended
 * with status 0; -ECHILD when it failed or died (a crash in a library it called stays
 * there); -errno.  Flushes stdio first, so the child repeats no buffered output.
 */
int util_in_child(int (*fn)(void *data, int fd), void *data, char **out, size_t *len);

#endif
