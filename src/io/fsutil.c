/* fsutil.c: atomic writes and directories. */
#include "io/fsutil.h"

#include "io/fault.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static gk_status too_large(const char *path, unsigned long long size, size_t max_bytes, gk_error *err) {
    return gk_fail(err, GK_EINVAL, "%s has %llu bytes, more than the %zu allowed", path, size, max_bytes);
}

/* Reads f to its end into a growing buffer, refusing more than max_bytes. */
static gk_status read_stream(FILE *f, const char *path, size_t max_bytes, char **out, size_t *len, gk_error *err) {
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n - 1, f);
        if (n > max_bytes || n < cap - 1) break;
        char *nb = realloc(buf, 2 * cap);
        if (!nb) free(buf);
        buf = nb, cap *= 2;
    }
    if (!buf) return gk_fail(err, GK_ENOMEM, "out of memory reading %s", path);
    if (ferror(f)) {
        free(buf);
        return gk_fail(err, GK_EIO, "cannot read %s: read error", path);
    }
    if (n > max_bytes) {
        free(buf);
        return gk_fail(err, GK_EINVAL, "%s has more than the %zu bytes allowed", path, max_bytes);
    }
    *out = buf, *len = n;
    return GK_OK;
}

gk_status gk_read_text_file(const char *path, size_t max_bytes, char **text, size_t *len, gk_error *err) {
    *text = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return gk_fail(err, GK_EIO, "cannot open %s: %s", path, strerror(errno));
    struct stat st;
    int known = fstat(fileno(f), &st) == 0;
    if (known && S_ISREG(st.st_mode) && (unsigned long long)st.st_size > max_bytes) {
        fclose(f);
        return too_large(path, (unsigned long long)st.st_size, max_bytes, err);
    }
    if (known && S_ISDIR(st.st_mode)) {
        fclose(f);
        return gk_fail(err, GK_EIO, "cannot read %s: not a regular file", path);
    }
    char *buf = NULL;
    size_t n = 0;
    gk_status s = read_stream(f, path, max_bytes, &buf, &n, err);
    fclose(f);
    if (s) return s;
    buf[n] = '\0';
    *text = buf;
    if (len) *len = n;
    return GK_OK;
}

gk_status gk_path_join(char *buf, size_t len, const char *dir, const char *name, gk_error *err) {
    int k = snprintf(buf, len, "%s/%s", dir, name);
    if (k < 0 || (size_t)k >= len) return gk_fail(err, GK_EINVAL, "path too long: %s/%s", dir, name);
    return GK_OK;
}

gk_status gk_atomic_open(gk_atomic_file *af, const char *path, gk_error *err) {
    memset(af, 0, sizeof *af);
    if (strlen(path) >= sizeof af->path) return gk_fail(err, GK_EINVAL, "path too long: %s", path);
    snprintf(af->path, sizeof af->path, "%s", path);
    const char *slash = strrchr(path, '/');
    if (slash)
        snprintf(af->tmp, sizeof af->tmp, "%.*s/.%s.tmp%ld", (int)(slash - path), path, slash + 1, (long)getpid());
    else
        snprintf(af->tmp, sizeof af->tmp, ".%s.tmp%ld", path, (long)getpid());
    af->f = fopen(af->tmp, "w");
    if (!af->f) return gk_fail(err, GK_EIO, "cannot write %s: %s", af->tmp, strerror(errno));
    return GK_OK;
}

gk_status gk_rename_into_place(const char *tmp, const char *path, gk_error *err) {
    char point[300];
    const char *base = strrchr(path, '/');
    snprintf(point, sizeof point, "rename:%s", base ? base + 1 : path);
    gk_fault_point(point);
    if (rename(tmp, path) != 0) {
        int e = errno;
        remove(tmp);
        return gk_fail(err, GK_EIO, "cannot rename %s to %s: %s", tmp, path, strerror(e));
    }
    return GK_OK;
}

gk_status gk_atomic_commit(gk_atomic_file *af, gk_error *err) {
    GK_ASSERT(af->f);
    int bad = ferror(af->f) || fflush(af->f) != 0 || fsync(fileno(af->f)) != 0;
    int e = errno;
    bad |= fclose(af->f) != 0;
    af->f = NULL;
    if (bad) {
        remove(af->tmp);
        return gk_fail(err, GK_EIO, "cannot write %s: %s", af->path, strerror(e));
    }
    return gk_rename_into_place(af->tmp, af->path, err);
}

void gk_atomic_abort(gk_atomic_file *af) {
    if (af->f) fclose(af->f);
    af->f = NULL;
    if (af->tmp[0]) remove(af->tmp);
}

gk_status gk_write_file_atomic(const char *path, const char *data, size_t len, gk_error *err) {
    gk_atomic_file af;
    gk_status s = gk_atomic_open(&af, path, err);
    if (s) return s;
    if (fwrite(data, 1, len, af.f) != len) {
        gk_atomic_abort(&af);
        return gk_fail(err, GK_EIO, "cannot write %s", path);
    }
    return gk_atomic_commit(&af, err);
}

gk_status gk_mkdir_p(const char *dir, gk_error *err) {
    char buf[1024];
    if (strlen(dir) >= sizeof buf) return gk_fail(err, GK_EINVAL, "path too long: %s", dir);
    snprintf(buf, sizeof buf, "%s", dir);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return gk_fail(err, GK_EIO, "cannot create directory %s: %s", buf, strerror(errno));
        *p = '/';
    }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST)
        return gk_fail(err, GK_EIO, "cannot create directory %s: %s", buf, strerror(errno));
    struct stat st;
    if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode))
        return gk_fail(err, GK_EIO, "output path %s is not a directory", buf);
    if (access(buf, W_OK | X_OK) != 0)
        return gk_fail(err, GK_EIO, "output directory %s is not writable: %s", buf, strerror(errno));
    return GK_OK;
}

/* .NAME.tmpPID: *pid gets PID. */
static int is_temp_name(const char *name, long *pid) {
    if (name[0] != '.') return 0;
    const char *t = strstr(name + 1, ".tmp");
    if (!t) return 0;
    for (const char *next; (next = strstr(t + 1, ".tmp")); t = next) {} /* the last ".tmp" */
    if (t == name + 1 || !t[4]) return 0;
    char *end = NULL;
    long v = strtol(t + 4, &end, 10);
    if (*end || v <= 0 || v > 2147483647L || t[4] < '0' || t[4] > '9') return 0;
    *pid = v;
    return 1;
}

/* Whether process pid runs: kill(pid, 0) fails with ESRCH once it is gone; a zombie (killed, not yet reaped by
 * its parent, e.g. a sweep worker whose sweep was killed too) writes nothing more either. */
static int process_alive(long pid) {
    if (kill((pid_t)pid, 0) != 0 && errno != EPERM) return 0;
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f) return 1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *close = strrchr(buf, ')'); /* "pid (comm) S ...": the state follows the last ')' */
    return !(close && close[1] == ' ' && close[2] == 'Z');
}

gk_status gk_remove_stale_temps(const char *dir, int *removed, gk_error *err) {
    if (removed) *removed = 0;
    DIR *d = opendir(dir);
    if (!d) return errno == ENOENT ? GK_OK : gk_fail(err, GK_EIO, "cannot read directory %s: %s", dir, strerror(errno));
    gk_status s = GK_OK;
    struct dirent *e;
    while (!s && (e = readdir(d))) {
        long pid;
        if (!is_temp_name(e->d_name, &pid)) continue;
        if (pid != (long)getpid() && process_alive(pid)) continue; /* a live writer other than us keeps its file */
        char path[1400];
        s = gk_path_join(path, sizeof path, dir, e->d_name, err);
        if (!s && unlink(path) != 0 && errno != ENOENT)
            s = gk_fail(err, GK_EIO, "cannot remove the stale temp file %s: %s", path, strerror(errno));
        else if (!s && removed) (*removed)++;
    }
    closedir(d);
    return s;
}
