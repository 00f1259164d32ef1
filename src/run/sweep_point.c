/* sweep_point.c: one point of a sweep (see sweep.h): whether it is done already, and running it under a lock. */
#include "run/sweep.h"

#include "io/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

/* A summary.json is a few kilobytes; anything past this is not one. */
#define SUMMARY_MAX_BYTES (16u << 20)

/* The whole file as a string, or NULL (absent, unreadable, or larger than SUMMARY_MAX_BYTES). */
static char *read_text(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0) break;
        if (n + 1 >= cap) {
            char *nb = cap < SUMMARY_MAX_BYTES ? realloc(buf, cap * 2) : NULL;
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb, cap *= 2;
        }
    }
    fclose(f);
    if (buf) buf[n] = '\0';
    return buf;
}

cJSON *gk_sweep_read_summary(const char *dir, const char *name) {
    char path[1200];
    snprintf(path, sizeof path, "%s/%s/summary.json", dir, name);
    char *text = read_text(path);
    if (!text) return NULL;
    cJSON *o = cJSON_Parse(text);
    free(text);
    if (o && !cJSON_IsObject(o)) {
        cJSON_Delete(o);
        o = NULL;
    }
    return o;
}

/* 1 if the summary's params are those of the point (threads aside: results do not depend on it). */
int gk_sweep_params_match(const gk_sweep *sw, size_t k, const cJSON *summary) {
    const cJSON *have = cJSON_GetObjectItemCaseSensitive(summary, "params");
    if (!cJSON_IsObject(have)) return 0;
    gk_config cfg;
    gk_error e;
    if (gk_sweep_point_config(sw, k, &cfg, &e)) return 0;
    cJSON *want_root = gk_config_to_json(sw->preset, &cfg);
    cJSON *want = cJSON_GetObjectItemCaseSensitive(want_root, "params");
    cJSON *h = cJSON_Duplicate(have, 1);
    cJSON_DeleteItemFromObjectCaseSensitive(h, "threads");
    cJSON_DeleteItemFromObjectCaseSensitive(want, "threads");
    int same = cJSON_Compare(h, want, 1);
    cJSON_Delete(h);
    cJSON_Delete(want_root);
    return same;
}

int gk_sweep_point_done(const gk_sweep *sw, size_t k, const char *dir) {
    char name[512];
    gk_sweep_point_name(sw, k, name, sizeof name);
    cJSON *o = gk_sweep_read_summary(dir, name);
    if (!o) return 0;
    const char *st = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "status"));
    int done = st && !strcmp(st, "completed") && gk_sweep_params_match(sw, k, o);
    cJSON_Delete(o);
    return done;
}

/* A summary.json for a point whose run could not even start. */
static gk_status write_failure(const gk_sweep *sw, const gk_config *cfg, const char *pdir, const char *msg, gk_error *err) {
    gk_status s = gk_mkdir_p(pdir, err);
    if (s) return s;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "preset", sw->preset->name);
    cJSON_AddStringToObject(o, "experiment", sw->preset->type->name);
    cJSON_AddStringToObject(o, "version", GK_VERSION);
    cJSON_AddStringToObject(o, "status", "failed");
    cJSON_AddStringToObject(o, "error", msg);
    if (cfg) {
        cJSON *c = gk_config_to_json(sw->preset, cfg);
        cJSON_AddItemToObject(o, "params", cJSON_DetachItemFromObject(c, "params"));
        cJSON_Delete(c);
    }
    char *text = cJSON_Print(o);
    cJSON_Delete(o);
    if (!text) return gk_fail(err, GK_ENOMEM, "out of memory");
    char path[1200];
    s = gk_path_join(path, sizeof path, pdir, "summary.json", err);
    if (!s) s = gk_write_file_atomic(path, text, strlen(text), err);
    free(text);
    return s;
}

/* Locks point `name` of the sweep in dir: flock on dir/.name.lock, kept in the sweep directory (not the point's
 * own, which a run may replace). The kernel releases it when the process ends, however it ends. */
static gk_status lock_point(const char *dir, const char *name, int *fd, gk_error *err) {
    char path[1200];
    int w = snprintf(path, sizeof path, "%s/.%s.lock", dir, name);
    if (w < 0 || (size_t)w >= sizeof path) return gk_fail(err, GK_EINVAL, "path too long: %s/.%s.lock", dir, name);
    *fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (*fd < 0) return gk_fail(err, GK_EIO, "cannot create the lock file %s: %s", path, strerror(errno));
    if (flock(*fd, LOCK_EX | LOCK_NB) == 0) return GK_OK;
    int e = errno;
    close(*fd);
    *fd = -1;
    if (e == EWOULDBLOCK)
        return gk_fail(err, GK_EUNAVAILABLE, "point %s is being run by another process (it holds %s)", name, path);
    return gk_fail(err, GK_EIO, "cannot lock %s: %s", path, strerror(e));
}

/* A point that stopped with a checkpoint of this very config (interrupted, killed, sweep stopped) is continued
 * from it rather than started again. 1 if pdir holds such a checkpoint. */
static int resumable(const gk_sweep *sw, size_t k, const char *pdir) {
    char path[1200];
    snprintf(path, sizeof path, "%s/checkpoint", pdir);
    if (access(path, R_OK) != 0) return 0;
    snprintf(path, sizeof path, "%s/config.json", pdir);
    char *text = read_text(path);
    cJSON *conf = text ? cJSON_Parse(text) : NULL;
    free(text);
    int ok = conf && gk_sweep_params_match(sw, k, conf);
    cJSON_Delete(conf);
    return ok;
}

/* 1 if pdir holds a run of another config (its config.json does not match point k): another sweep's point with
 * the same name, or a run placed there by hand. Such a directory is left as it is, never replaced. */
static int foreign_run(const gk_sweep *sw, size_t k, const char *pdir) {
    char path[1200];
    snprintf(path, sizeof path, "%s/config.json", pdir);
    if (access(path, F_OK) != 0) return 0;
    char *text = read_text(path);
    cJSON *conf = text ? cJSON_Parse(text) : NULL;
    free(text);
    int foreign = !conf || !gk_sweep_params_match(sw, k, conf);
    cJSON_Delete(conf);
    return foreign;
}

/* Runs point k into pdir (locked, not done): from its checkpoint when it has one of this config (a corrupt one
 * is set aside by starting over), else from the start. */
static gk_status run_locked(const gk_sweep *sw, size_t k, const char *pdir, const volatile int *stop,
                            gk_status *status, gk_error *err) {
    char old[1200];
    if (foreign_run(sw, k, pdir))
        return gk_fail(err, GK_EINVAL, "%s holds a run of another config; it is left as it is (give the sweep another "
                       "--out, or remove that directory)", pdir);
    gk_status s = gk_remove_stale_temps(pdir, NULL, err);
    if (s) return s;
    /* What the directory holds must be this attempt's outcome: drop an older summary first. */
    snprintf(old, sizeof old, "%s/summary.json", pdir);
    if (unlink(old) != 0 && errno != ENOENT) return gk_fail(err, GK_EIO, "cannot remove %s: %s", old, strerror(errno));
    gk_config cfg;
    gk_error e = {{0}};
    s = gk_sweep_point_config(sw, k, &cfg, &e);
    if (s) {
        *status = s;
        return write_failure(sw, NULL, pdir, e.msg, err);
    }
    double every = sw->checkpoint_every == 0 ? GK_SWEEP_CHECKPOINT_EVERY : sw->checkpoint_every > 0 ? sw->checkpoint_every : 0;
    gk_run_opts opts = {.out_dir = pdir, .stop = stop, .csv_interval = 10.0, .force = 1, .checkpoint_every = every};
    gk_run_result res;
    memset(&res, 0, sizeof res);
    s = resumable(sw, k, pdir) ? gk_resume(pdir, NULL, 0, &opts, &res, &e) : GK_EINVAL;
    if (s == GK_EINVAL) {
        if (res.summary) cJSON_Delete(res.summary);
        memset(&res, 0, sizeof res);
        s = gk_run(sw->preset, &cfg, &opts, &res, &e);
    }
    if (res.summary) cJSON_Delete(res.summary);
    if (s) {
        *status = s;
        return write_failure(sw, &cfg, pdir, e.msg, err);
    }
    *status = res.status;
    return GK_OK;
}

gk_status gk_sweep_run_point(const gk_sweep *sw, size_t k, const char *dir, const volatile int *stop,
                             gk_status *status, gk_error *err) {
    char name[512], pdir[1024];
    gk_sweep_point_name(sw, k, name, sizeof name);
    gk_status s = gk_path_join(pdir, sizeof pdir, dir, name, err);
    int fd = -1;
    if (!s) s = lock_point(dir, name, &fd, err);
    if (s) return s;
    if (gk_sweep_point_done(sw, k, dir)) *status = GK_OK; /* another process finished it meanwhile */
    else s = run_locked(sw, k, pdir, stop, status, err);
    close(fd);
    return s;
}
