#ifndef NATSCOPE_HOST_OUTFILE_H
#define NATSCOPE_HOST_OUTFILE_H

#include <stdbool.h>
#include <stdio.h>

/*
 * Where a report goes.  Standard output ("-" or no path); a new path or a regular file,
 * replaced atomically (written beside it, then renamed over it, so a reader such as
 * node_exporter's textfile collector never sees half a file); a symlink to a regular file
 * replaces its target, never the link; anything else (a device, a FIFO, /dev/stdout) is
 * written in place, never replaced; a directory is refused.
 */
struct outfile {
	FILE *f;
	const char *path; /* as the user named it; NULL for standard output */
	char *target;	  /* the regular file to replace, or NULL when written in place */
	char *tmp;	  /* the file written beside it, renamed over it at commit */
};

/** Open @path (NULL or "-": @std).  -errno (-EISDIR for a directory); what failed in @what. */
int outfile_open(struct outfile *o, const char *path, FILE *std, const char **what);
/** Flush and close; replace the target.  -errno; what failed in @what (the file named). */
int outfile_commit(struct outfile *o, const char **what);
/** Give up: remove the temporary file, leave the target as it was. */
void outfile_abort(struct outfile *o);

#endif
