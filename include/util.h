#ifndef NATSCOPE_UTIL_H
#define NATSCOPE_UTIL_H

/** Parse a decimal number in [lo, hi]; the whole string must be the number. 0 or -EINVAL. */
int util_parse_double(const char *s, double lo, double hi, double *out);
int util_parse_uint(const char *s, unsigned int lo, unsigned int hi, unsigned int *out);

#endif
