/* fsutil.h: atomic file output (temp file + fsync + rename) and directory helpers. */
#ifndef GK_FSUTIL_H
#define GK_FSUTIL_H

#include "groklab.h"

/* A file that appears at `path` only when committed; until then it is written to a hidden temp file
 * in the same directory. */
typedef struct gk_atomic_file {
    FILE *f;
    char path[1024];
    char tmp[1040];
} gk_atomic_file;

gk_status gk_atomic_open(gk_atomic_file *af, const char *path, gk_error *err);
gk_status gk_atomic_commit(gk_atomic_file *af, gk_error *err); /* flush, fsync, close, rename */
void gk_atomic_abort(gk_atomic_file *af);                      /* close and remove the temp file */
gk_status gk_write_file_atomic(const char *path, const char *data, size_t len, gk_error *err);
/* Renames a finished temp file into place (used by writers that need a file name, e.g. PLplot). */
gk_status gk_rename_into_place(const char *tmp, const char *path, gk_error *err);
/* Makes dir and its parents; fails with a clear message if it cannot be created or written. */
gk_status gk_mkdir_p(const char *dir, gk_error *err);
/* Removes the temp files a killed writer left in dir: hidden files named .NAME.tmpPID (what gk_atomic_open and
 * the figure writers create) whose PID is not a running process (or is this one). A directory that does not
 * exist holds none. *removed (if not NULL) gets the count. GK_EIO naming the file if one cannot be removed. */
gk_status gk_remove_stale_temps(const char *dir, int *removed, gk_error *err);
/* The one whole-file reader: the file at path as a NUL-terminated buffer (free() it) and its length (len may be
 * NULL). At most max_bytes: a larger regular file is refused from its size before reading, anything else
 * (a pipe, /dev/zero) once max_bytes have been read. GK_EIO "cannot read PATH: why" for a file that cannot be
 * opened or read, GK_EINVAL "PATH has N bytes, more than the M allowed" for one too large. */
gk_status gk_read_text_file(const char *path, size_t max_bytes, char **text, size_t *len, gk_error *err);
/* Joins dir and name into buf; GK_EINVAL if it does not fit. */
gk_status gk_path_join(char *buf, size_t len, const char *dir, const char *name, gk_error *err);

#endif
