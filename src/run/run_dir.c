/* run_dir.c: the run directory: claiming it (an existing one only with --force, and only a groklab run's),
 * config.json and the JSON and CSV files written into it. */
#include "run/run_internal.h"

#include "io/checkpoint.h"
#include "io/fsutil.h"
#include "io/run_lock.h"


#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

cJSON *gk_config_to_json(const gk_preset *p, const gk_config *cfg) {
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "preset", p->name);
    cJSON_AddStringToObject(root, "experiment", p->type->name);
    cJSON_AddStringToObject(root, "version", GK_VERSION);
    cJSON *params = cJSON_AddObjectToObject(root, "params");
    for (int i = 0; i < cfg->count; i++) {
        const gk_param_spec *s = &cfg->spec[i];
        if (s->kind == GK_P_ENUM || s->kind == GK_P_STRING) cJSON_AddStringToObject(params, s->key, cfg->str[i]);
        else if (s->kind == GK_P_BOOL) cJSON_AddBoolToObject(params, s->key, cfg->num[i] != 0);
        else cJSON_AddNumberToObject(params, s->key, cfg->num[i]);
    }
    cJSON_AddNumberToObject(root, "seed", gk_config_real(cfg, "seed"));
    return root;
}

gk_status gk_run_write_json(const char *dir, const char *name, const cJSON *obj, gk_error *err) {
    char path[1024];
    gk_status s = gk_path_join(path, sizeof path, dir, name, err);
    if (s) return s;
    char *text = cJSON_Print(obj);
    if (!text) return gk_fail(err, GK_ENOMEM, "cannot format %s", name);
    size_t len = strlen(text);
    char *withnl = realloc(text, len + 2);
    if (!withnl) {
        free(text);
        return gk_fail(err, GK_ENOMEM, "out of memory");
    }
    withnl[len] = '\n';
    withnl[len + 1] = '\0';
    s = gk_write_file_atomic(path, withnl, len + 1, err);
    free(withnl);
    return s;
}

gk_status gk_run_write_metrics(const char *dir, const gk_metrics *m, gk_error *err) {
    char path[1024];
    gk_status s = gk_path_join(path, sizeof path, dir, "metrics.csv", err);
    return s ? s : gk_metrics_write_csv(m, path, err);
}

/* An existing run directory is replaced only when asked, and only if it is a groklab run (or empty). */
gk_status gk_run_claim_dir(const gk_run_opts *o, gk_error *err) {
    if (!gk_dir_nonempty(o->out_dir)) return GK_OK;
    if (gk_run_is_running(o->out_dir))
        return gk_fail(err, GK_EINVAL, "a run is going on in %s: choose another --out (even with --force)", o->out_dir);
    if (!o->force)
        return gk_fail(err, GK_EINVAL, "the run directory %s exists and is not empty: choose another --out, continue it "
                                       "with `groklab resume %s`, or replace it with --force", o->out_dir, o->out_dir);
    char cfg[1100];
    snprintf(cfg, sizeof cfg, "%s/config.json", o->out_dir);
    if (access(cfg, F_OK) != 0)
        return gk_fail(err, GK_EINVAL, "--force replaces only a groklab run directory: %s has no config.json", o->out_dir);
    return gk_remove_tree(o->out_dir, err);
}

/* Bytes of address space this process has mapped (VmSize), or 0 if unknown. */
static double mapped_bytes(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long pages = 0;
    int ok = f && fscanf(f, "%lu", &pages) == 1;
    if (f) fclose(f);
    return ok ? (double)pages * (double)sysconf(_SC_PAGESIZE) : 0;
}

/* The address space a small run maps at its peak, at 2 threads (glibc 2.36, OpenBLAS 0.3.21, Pango 1.50; measured
 * with diag-sparse): the program and its libraries, a malloc arena (64 MB of address space) per thread that
 * allocates, OpenBLAS's 128 MB buffer at its first product, and the threads Pango starts to draw the figures. It
 * completed under ulimit -v 480000 and 520000 (KB) each time; under 440000 Pango aborted once in two (the arenas
 * made depend on how the threads meet), under 420000 always, and OpenBLAS spun forever under 250000. With a
 * margin: 500 MB. Each thread beyond two adds its arena and its 8 MB stack. */
#define RUN_PEAK_BYTES (500 * 1048576.0)
#define THREAD_MAPPED_BYTES (72 * 1048576.0)

gk_status gk_run_check_address_space(const gk_preset *p, const gk_config *cfg, gk_error *err) {
    struct rlimit rl;
    if (getrlimit(RLIMIT_AS, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return GK_OK;
    const char *key = NULL;
    double data = p->type->memory_bytes ? p->type->memory_bytes(cfg, &key) : 0;
    long threads = gk_config_int(cfg, "threads");
    if (threads <= 0) threads = omp_get_max_threads();
    double now = mapped_bytes(), limit = (double)rl.rlim_cur;
    double base = RUN_PEAK_BYTES + (double)(threads > 2 ? threads - 2 : 0) * THREAD_MAPPED_BYTES;
    if (now + 192 * 1048576.0 > base) base = now + 192 * 1048576.0; /* already large: the buffer and the figures on top */
    double need = base + (isfinite(data) ? data : 0);
    if (need <= limit) return GK_OK;
    return gk_fail(err, GK_EINVAL, "the address-space limit (ulimit -v) of %.0f MB is below what this run of %s needs, "
                   "about %.0f MB (%.0f MB mapped already; OpenBLAS's buffer, %ld threads and drawing the figures "
                   "need about %.0f MB; %.0f MB of data): raise it (ulimit -v %.0f) or use fewer threads%s%s",
                   limit / 1048576.0, p->name, need / 1048576.0, now / 1048576.0, threads, base / 1048576.0,
                   data / 1048576.0, ceil(need / 1024.0), key ? " or a lower " : "", key ? key : "");
}
