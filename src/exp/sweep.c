/* sweep.c: grids of runs (see sweep.h). Everything here is deterministic and process-free: the command
 * line decides which process runs which point, and any process can assemble the results from the points'
 * summary.json files. */
#include "exp/sweep.h"

#include "io/fsutil.h"
#include "io/plot.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- grid parsing -------------------------------------------------------------------------------- */

static int parse_double(const char *s, double *v) {
    char *end = NULL;
    errno = 0;
    double x = strtod(s, &end);
    if (end == s || *end != '\0' || errno == ERANGE || !isfinite(x)) return 0;
    *v = x;
    return 1;
}

/* %.15g unless that does not read back exactly, then %.17g. */
static void fmt_exact(char *buf, size_t len, double v) {
    snprintf(buf, len, "%.15g", v);
    if (strtod(buf, NULL) != v) snprintf(buf, len, "%.17g", v);
}

static gk_status axis_push(gk_sweep_axis *a, const char *text, gk_error *err) {
    if (a->n >= GK_SWEEP_MAX_VALUES)
        return gk_fail(err, GK_EINVAL, "%s: more than %d values", a->key, GK_SWEEP_MAX_VALUES);
    char **t = realloc(a->text, (size_t)(a->n + 1) * sizeof *t);
    if (!t) return gk_fail(err, GK_ENOMEM, "out of memory");
    a->text = t;
    double *nv = realloc(a->num, (size_t)(a->n + 1) * sizeof *nv);
    if (!nv) return gk_fail(err, GK_ENOMEM, "out of memory");
    a->num = nv;
    double v = NAN;
    char norm[64];
    const char *use = text;
    if (parse_double(text, &v)) {
        fmt_exact(norm, sizeof norm, v);
        use = norm;
    }
    for (int i = 0; i < a->n; i++)
        if (!strcmp(a->text[i], use))
            return gk_fail(err, GK_EINVAL, "%s: the value %s is listed twice", a->key, text);
    a->text[a->n] = strdup(use);
    if (!a->text[a->n]) return gk_fail(err, GK_ENOMEM, "out of memory");
    a->num[a->n] = v;
    a->n++;
    return GK_OK;
}

/* start:stop:num or start:stop:numlog */
static gk_status parse_range(gk_sweep_axis *a, const char *vals, gk_error *err) {
    char buf[256];
    if (strlen(vals) >= sizeof buf) return gk_fail(err, GK_EINVAL, "%s: range '%s' is too long", a->key, vals);
    snprintf(buf, sizeof buf, "%s", vals);
    char *c1 = strchr(buf, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (!c1 || !c2 || strchr(c2 + 1, ':'))
        return gk_fail(err, GK_EINVAL, "%s=%s is a malformed range: use start:stop:num or start:stop:numlog", a->key, vals);
    *c1 = *c2 = '\0';
    char *ns = c2 + 1;
    size_t nl = strlen(ns);
    int logr = nl > 3 && !strcmp(ns + nl - 3, "log");
    if (logr) ns[nl - 3] = '\0';
    double start, stop, num;
    if (!parse_double(buf, &start) || !parse_double(c1 + 1, &stop) || !parse_double(ns, &num) || num != floor(num) ||
        num < 1 || strchr(ns, '.') || strchr(ns, 'e') || strchr(ns, 'E'))
        return gk_fail(err, GK_EINVAL,
                       "%s=%s is a malformed range: use start:stop:num or start:stop:numlog (numbers, num a whole "
                       "number >= 1)", a->key, vals);
    if (num > GK_SWEEP_MAX_VALUES)
        return gk_fail(err, GK_EINVAL, "%s=%s: at most %d values in a range", a->key, vals, GK_SWEEP_MAX_VALUES);
    if (logr && !(start > 0 && stop > 0))
        return gk_fail(err, GK_EINVAL, "%s=%s: a log range needs start > 0 and stop > 0", a->key, vals);
    if (num == 1 && start != stop)
        return gk_fail(err, GK_EINVAL, "%s=%s: a range of 1 value needs start = stop", a->key, vals);
    int n = (int)num;
    for (int i = 0; i < n; i++) {
        double f = n == 1 ? 0 : (double)i / (double)(n - 1), v;
        if (i == 0) v = start;
        else if (i == n - 1) v = stop;
        else v = logr ? exp(log(start) + f * (log(stop) - log(start))) : start + f * (stop - start);
        /* A computed value within 1e-12 of a whole number is that number (16:256:5log gives 32, not 31.999..). */
        if (i > 0 && i < n - 1 && fabs(v - round(v)) <= 1e-12 * fmax(1, fabs(v))) v = round(v);
        char t[64];
        fmt_exact(t, sizeof t, v);
        gk_status s = axis_push(a, t, err);
        if (s) return s;
    }
    return GK_OK;
}

static gk_status parse_list(gk_sweep_axis *a, const char *vals, gk_error *err) {
    const char *p = vals;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == 0) return gk_fail(err, GK_EINVAL, "%s=%s: an empty value in the list", a->key, vals);
        if (len >= 128) return gk_fail(err, GK_EINVAL, "%s: a value is too long", a->key);
        char v[128];
        memcpy(v, p, len);
        v[len] = '\0';
        gk_status s = axis_push(a, v, err);
        if (s) return s;
        if (!comma) return GK_OK;
        p = comma + 1;
    }
}

void gk_sweep_free(gk_sweep *sw) {
    for (int i = 0; i < sw->naxes; i++) {
        for (int k = 0; k < sw->axes[i].n; k++) free(sw->axes[i].text[k]);
        free(sw->axes[i].text);
        free(sw->axes[i].num);
    }
    memset(sw, 0, sizeof *sw);
}

static int axis_index(const gk_sweep *sw, const char *key) {
    for (int i = 0; i < sw->naxes; i++)
        if (!strcmp(sw->axes[i].key, key)) return i;
    return -1;
}

gk_status gk_sweep_parse(gk_sweep *sw, const gk_preset *p, const char *const *args, int nargs, int nseeds,
                         gk_error *err) {
    memset(sw, 0, sizeof *sw);
    sw->preset = p;
    gk_config probe;
    gk_status s = gk_config_init(&probe, p->type->params, err);
    if (s) return s;
    for (int i = 0; i < nargs && !s; i++) {
        const char *a = args[i], *eq = strchr(a, '=');
        if (!eq || eq == a) {
            s = gk_fail(err, GK_EINVAL, "'%s' is not of the form key=v1,v2,... or key=start:stop:num[log]", a);
            break;
        }
        size_t klen = (size_t)(eq - a);
        if (klen >= sizeof sw->axes[0].key) {
            s = gk_fail(err, GK_EINVAL, "unknown key '%.*s...'", 40, a);
            break;
        }
        char key[64];
        memcpy(key, a, klen);
        key[klen] = '\0';
        if (gk_config_index(&probe, key) < 0) {
            s = gk_fail(err, GK_EINVAL, "unknown key '%s' for preset %s (see groklab run %s --help)", key, p->name, p->name);
            break;
        }
        if (axis_index(sw, key) >= 0) {
            s = gk_fail(err, GK_EINVAL, "key '%s' is given twice", key);
            break;
        }
        if (!strcmp(key, "seed") && nseeds > 0) {
            s = gk_fail(err, GK_EINVAL, "key 'seed' is given twice (in the grid and as --seeds)");
            break;
        }
        if (sw->naxes >= GK_SWEEP_MAX_AXES - 1) {
            s = gk_fail(err, GK_EINVAL, "too many swept keys (at most %d)", GK_SWEEP_MAX_AXES - 1);
            break;
        }
        gk_sweep_axis *ax = &sw->axes[sw->naxes++];
        snprintf(ax->key, sizeof ax->key, "%s", key);
        const char *vals = eq + 1;
        if (!*vals) s = gk_fail(err, GK_EINVAL, "%s: empty list of values", key);
        else if (strchr(vals, ':')) s = parse_range(ax, vals, err);
        else s = parse_list(ax, vals, err);
    }
    if (!s && nseeds > 0) {
        gk_sweep_axis *ax = &sw->axes[sw->naxes++];
        snprintf(ax->key, sizeof ax->key, "seed");
        for (int k = 1; k <= nseeds && !s; k++) {
            char t[32];
            snprintf(t, sizeof t, "%d", k);
            s = axis_push(ax, t, err);
        }
    }
    if (!s) {
        double n = 1;
        for (int i = 0; i < sw->naxes; i++) n *= sw->axes[i].n;
        if (n > 1e6) s = gk_fail(err, GK_EINVAL, "the grid has %.0f points (at most 1000000)", n);
        sw->npoints = (size_t)n;
    }
    if (s) gk_sweep_free(sw);
    return s;
}

void gk_sweep_indices(const gk_sweep *sw, size_t k, int *idx) {
    for (int i = sw->naxes - 1; i >= 0; i--) {
        idx[i] = (int)(k % (size_t)sw->axes[i].n);
        k /= (size_t)sw->axes[i].n;
    }
}

static void append_sanitized(char *buf, size_t len, const char *s) {
    size_t n = strlen(buf);
    for (; *s && n + 1 < len; s++) {
        char c = *s;
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '+' ||
                 c == '-';
        buf[n++] = ok ? c : '_';
    }
    buf[n] = '\0';
}

void gk_sweep_point_name(const gk_sweep *sw, size_t k, char *buf, size_t len) {
    int idx[GK_SWEEP_MAX_AXES];
    gk_sweep_indices(sw, k, idx);
    buf[0] = '\0';
    int has_seed = 0;
    for (int i = 0; i < sw->naxes; i++) {
        int is_seed = !strcmp(sw->axes[i].key, "seed");
        has_seed |= is_seed;
        if (sw->axes[i].n < 2 && !is_seed) continue;
        if (buf[0]) append_sanitized(buf, len, "_");
        append_sanitized(buf, len, sw->axes[i].key);
        size_t n = strlen(buf);
        if (n + 1 < len) buf[n] = '=', buf[n + 1] = '\0';
        append_sanitized(buf, len, sw->axes[i].text[idx[i]]);
    }
    if (!has_seed) {
        gk_config cfg;
        gk_error e;
        if (gk_preset_config(sw->preset, NULL, 0, &cfg, &e) == GK_OK && gk_config_index(&cfg, "seed") >= 0) {
            if (buf[0]) append_sanitized(buf, len, "_");
            size_t n = strlen(buf);
            snprintf(buf + n, len - n, "seed=");
            append_sanitized(buf, len, gk_config_str(&cfg, "seed"));
        }
    }
    if (!buf[0]) snprintf(buf, len, "point");
}

gk_status gk_sweep_point_config(const gk_sweep *sw, size_t k, gk_config *cfg, gk_error *err) {
    int idx[GK_SWEEP_MAX_AXES];
    gk_sweep_indices(sw, k, idx);
    char assign_buf[GK_SWEEP_MAX_AXES + 2][200];
    const char *assign[GK_SWEEP_MAX_AXES + 2];
    int na = 0;
    for (int i = 0; i < sw->naxes; i++) {
        snprintf(assign_buf[na], sizeof assign_buf[na], "%s=%s", sw->axes[i].key, sw->axes[i].text[idx[i]]);
        assign[na] = assign_buf[na];
        na++;
    }
    if (sw->threads > 0 && axis_index(sw, "threads") < 0) {
        snprintf(assign_buf[na], sizeof assign_buf[na], "threads=%d", sw->threads);
        assign[na] = assign_buf[na];
        na++;
    }
    char name[512];
    gk_sweep_point_name(sw, k, name, sizeof name);
    gk_error e = {{0}};
    gk_status s = gk_preset_config(sw->preset, assign, na, cfg, &e);
    if (s) return gk_fail(err, s, "point %s: %s", name, e.msg);
    if (sw->steps_per_tstar > 0) {
        if (axis_index(sw, "steps") >= 0)
            return gk_fail(err, GK_EINVAL, "key 'steps' is swept and --steps-per-tstar is given: use one of them");
        if (gk_config_index(cfg, "alpha") < 0 || gk_config_index(cfg, "wd") < 0 || gk_config_index(cfg, "lr") < 0)
            return gk_fail(err, GK_EINVAL, "--steps-per-tstar needs a preset with alpha, wd and lr keys (%s has not)",
                           sw->preset->name);
        double alpha = gk_config_real(cfg, "alpha"), wd = gk_config_real(cfg, "wd"), lr = gk_config_real(cfg, "lr");
        double pred = log(alpha) / (wd * lr), steps = ceil(sw->steps_per_tstar * pred);
        if (!(isfinite(pred) && pred > 0))
            return gk_fail(err, GK_EINVAL,
                           "point %s: --steps-per-tstar needs a predicted transition ln(alpha)/(wd*lr) > 0 (alpha > 1, "
                           "wd > 0)", name);
        char t[64];
        snprintf(t, sizeof t, "steps=%.0f", steps);
        s = gk_config_set(cfg, t, &e);
        if (!s && sw->preset->type->check) s = sw->preset->type->check(cfg, &e);
        if (s) return gk_fail(err, s, "point %s: %s (from --steps-per-tstar)", name, e.msg);
    }
    return GK_OK;
}

gk_status gk_sweep_validate(const gk_sweep *sw, gk_error *err) {
    for (size_t k = 0; k < sw->npoints; k++) {
        gk_config cfg;
        gk_status s = gk_sweep_point_config(sw, k, &cfg, err);
        if (s) return s;
    }
    return GK_OK;
}

/* ---- one point ----------------------------------------------------------------------------------- */

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
            char *nb = realloc(buf, cap * 2);
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

static cJSON *read_summary(const char *dir, const char *name) {
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
static int params_match(const gk_sweep *sw, size_t k, const cJSON *summary) {
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
    cJSON *o = read_summary(dir, name);
    if (!o) return 0;
    const char *st = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "status"));
    int done = st && !strcmp(st, "completed") && params_match(sw, k, o);
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

gk_status gk_sweep_run_point(const gk_sweep *sw, size_t k, const char *dir, const volatile int *stop,
                             gk_status *status, gk_error *err) {
    char name[512], pdir[1024], old[1200];
    gk_sweep_point_name(sw, k, name, sizeof name);
    gk_status s = gk_path_join(pdir, sizeof pdir, dir, name, err);
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
    gk_run_opts opts = {.out_dir = pdir, .stop = stop, .csv_interval = 10.0};
    gk_run_result res;
    s = gk_run(sw->preset, &cfg, &opts, &res, &e);
    if (res.summary) cJSON_Delete(res.summary);
    if (s) {
        *status = s;
        return write_failure(sw, &cfg, pdir, e.msg, err);
    }
    *status = res.status;
    return GK_OK;
}

/* ---- results ------------------------------------------------------------------------------------- */

int gk_sweep_is_time_key(const char *key) {
    return !strcmp(key, "wall_seconds") || !strcmp(key, "train_seconds") || !strcmp(key, "seconds_per_step");
}

void gk_sweep_table_free(gk_sweep_table *t) {
    for (int j = 0; j < t->nscalars; j++) free(t->scalar_names[j]);
    free(t->scalar_names);
    for (size_t k = 0; k < t->npoints; k++) {
        if (t->status) free(t->status[k]);
        if (t->error) free(t->error[k]);
    }
    free(t->status);
    free(t->error);
    free(t->val);
    memset(t, 0, sizeof *t);
}

int gk_sweep_table_col(const gk_sweep_table *t, const char *name) {
    for (int j = 0; j < t->nscalars; j++)
        if (!strcmp(t->scalar_names[j], name)) return j;
    return -1;
}

static int is_scalar(const cJSON *it) { return cJSON_IsNumber(it) || cJSON_IsNull(it) || cJSON_IsBool(it); }

gk_status gk_sweep_collect(const gk_sweep *sw, const char *dir, gk_sweep_table *t, gk_error *err) {
    memset(t, 0, sizeof *t);
    size_t n = sw->npoints;
    cJSON **sums = calloc(n ? n : 1, sizeof *sums);
    t->npoints = n;
    t->status = calloc(n ? n : 1, sizeof *t->status);
    t->error = calloc(n ? n : 1, sizeof *t->error);
    if (!sums || !t->status || !t->error) {
        free(sums);
        gk_sweep_table_free(t);
        return gk_fail(err, GK_ENOMEM, "out of memory");
    }
    gk_status s = GK_OK;
    /* Pass 1: read every summary and name the scalars in order of first appearance. */
    for (size_t k = 0; k < n && !s; k++) {
        char name[512];
        gk_sweep_point_name(sw, k, name, sizeof name);
        sums[k] = read_summary(dir, name);
        const char *st = sums[k] ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(sums[k], "status")) : NULL;
        /* A summary of other params (the grid changed around a kept directory) is not this point's. */
        if (sums[k] && cJSON_GetObjectItemCaseSensitive(sums[k], "params") && !params_match(sw, k, sums[k])) st = NULL;
        if (!st) {
            cJSON_Delete(sums[k]);
            sums[k] = NULL;
        }
        const char *e = sums[k] ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(sums[k], "error")) : NULL;
        t->status[k] = strdup(st ? st : "missing");
        t->error[k] = strdup(e ? e : "");
        if (!t->status[k] || !t->error[k]) s = gk_fail(err, GK_ENOMEM, "out of memory");
        if (!st) t->missing++;
        else if (!strcmp(st, "completed")) t->completed++;
        else if (strcmp(st, "interrupted")) t->failed++;
        const cJSON *it;
        cJSON_ArrayForEach(it, sums[k]) {
            if (s || !is_scalar(it) || gk_sweep_table_col(t, it->string) >= 0) continue;
            char **nn = realloc(t->scalar_names, (size_t)(t->nscalars + 1) * sizeof *nn);
            if (!nn || !(nn[t->nscalars] = strdup(it->string))) {
                if (nn) t->scalar_names = nn;
                s = gk_fail(err, GK_ENOMEM, "out of memory");
                break;
            }
            t->scalar_names = nn;
            t->nscalars++;
        }
    }
    /* Pass 2: the values. */
    if (!s) {
        t->val = malloc((n * (size_t)t->nscalars + 1) * sizeof *t->val);
        if (!t->val) s = gk_fail(err, GK_ENOMEM, "out of memory");
    }
    for (size_t k = 0; k < n && !s; k++)
        for (int j = 0; j < t->nscalars; j++) {
            const cJSON *it = sums[k] ? cJSON_GetObjectItemCaseSensitive(sums[k], t->scalar_names[j]) : NULL;
            double v = NAN;
            if (cJSON_IsNumber(it)) v = it->valuedouble;
            else if (cJSON_IsBool(it)) v = cJSON_IsTrue(it) ? 1 : 0;
            t->val[k * (size_t)t->nscalars + (size_t)j] = v;
        }
    for (size_t k = 0; k < n; k++) cJSON_Delete(sums[k]);
    free(sums);
    if (s) gk_sweep_table_free(t);
    return s;
}

/* ---- sweep.csv ----------------------------------------------------------------------------------- */

typedef struct sbuf {
    char *p;
    size_t n, cap;
    int oom;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t len) {
    if (b->oom) return;
    if (b->n + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->n + len + 1) cap *= 2;
        char *np = realloc(b->p, cap);
        if (!np) {
            b->oom = 1;
            return;
        }
        b->p = np, b->cap = cap;
    }
    memcpy(b->p + b->n, s, len);
    b->n += len;
    b->p[b->n] = '\0';
}

static void sb_str(sbuf *b, const char *s) { sb_put(b, s, strlen(s)); }

/* A CSV field, quoted when it holds a comma, a quote or a line break. */
static void sb_field(sbuf *b, const char *s) {
    if (!strpbrk(s, ",\"\r\n")) {
        sb_str(b, s);
        return;
    }
    sb_str(b, "\"");
    for (const char *c = s; *c; c++) sb_put(b, *c == '"' ? "\"\"" : c, *c == '"' ? 2 : 1);
    sb_str(b, "\"");
}

static void sb_num(sbuf *b, double v) {
    if (!isfinite(v)) return; /* null: an empty field */
    char t[64];
    fmt_exact(t, sizeof t, v);
    sb_str(b, t);
}

static gk_status sb_commit(sbuf *b, const char *dir, const char *name, gk_error *err) {
    if (b->oom) {
        free(b->p);
        return gk_fail(err, GK_ENOMEM, "out of memory");
    }
    char path[1200];
    gk_status s = gk_path_join(path, sizeof path, dir, name, err);
    if (!s) s = gk_write_file_atomic(path, b->p ? b->p : "", b->n, err);
    free(b->p);
    return s;
}

gk_status gk_sweep_write_csv(const gk_sweep *sw, const gk_sweep_table *t, const char *dir, gk_error *err) {
    int seed_axis = axis_index(sw, "seed");
    char default_seed[128] = "";
    gk_config cfg;
    gk_error e;
    if (seed_axis < 0 && gk_preset_config(sw->preset, NULL, 0, &cfg, &e) == GK_OK && gk_config_index(&cfg, "seed") >= 0)
        snprintf(default_seed, sizeof default_seed, "%s", gk_config_str(&cfg, "seed"));
    sbuf b = {0}, tb = {0};
    for (int i = 0; i < sw->naxes; i++) {
        sb_field(&b, sw->axes[i].key);
        sb_str(&b, ",");
    }
    if (seed_axis < 0) sb_str(&b, "seed,");
    sb_str(&b, "point,status,error");
    sb_str(&tb, "point");
    for (int j = 0; j < t->nscalars; j++) {
        sbuf *o = gk_sweep_is_time_key(t->scalar_names[j]) ? &tb : &b;
        sb_str(o, ",");
        sb_field(o, t->scalar_names[j]);
    }
    sb_str(&b, "\n");
    sb_str(&tb, "\n");
    int idx[GK_SWEEP_MAX_AXES];
    for (size_t k = 0; k < t->npoints; k++) {
        char name[512];
        gk_sweep_point_name(sw, k, name, sizeof name);
        gk_sweep_indices(sw, k, idx);
        for (int i = 0; i < sw->naxes; i++) {
            sb_field(&b, sw->axes[i].text[idx[i]]);
            sb_str(&b, ",");
        }
        if (seed_axis < 0) {
            sb_field(&b, default_seed);
            sb_str(&b, ",");
        }
        sb_field(&b, name);
        sb_str(&b, ",");
        sb_field(&b, t->status[k]);
        sb_str(&b, ",");
        sb_field(&b, t->error[k]);
        sb_field(&tb, name);
        for (int j = 0; j < t->nscalars; j++) {
            sbuf *o = gk_sweep_is_time_key(t->scalar_names[j]) ? &tb : &b;
            sb_str(o, ",");
            sb_num(o, t->val[k * (size_t)t->nscalars + (size_t)j]);
        }
        sb_str(&b, "\n");
        sb_str(&tb, "\n");
    }
    gk_status s = sb_commit(&b, dir, "sweep.csv", err);
    if (s) {
        free(tb.p);
        return s;
    }
    return sb_commit(&tb, dir, "sweep_times.csv", err);
}

/* ---- the log-log fit ----------------------------------------------------------------------------- */

gk_status gk_loglog_fit(const double *x, const double *y, size_t n, double *slope, double *intercept,
                        size_t *used, gk_error *err) {
    double sx = 0, sy = 0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i]) && isfinite(y[i]) && x[i] > 0 && y[i] > 0) sx += log(x[i]), sy += log(y[i]), m++;
    *used = m;
    *slope = *intercept = NAN;
    if (m < 2) return gk_fail(err, GK_EUNAVAILABLE, "log-log fit: %zu usable points (need 2 with x > 0, y > 0)", m);
    double mx = sx / (double)m, my = sy / (double)m, sxx = 0, sxy = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i]) && isfinite(y[i]) && x[i] > 0 && y[i] > 0) {
            double dx = log(x[i]) - mx, dy = log(y[i]) - my;
            sxx += dx * dx, sxy += dx * dy;
        }
    if (!(sxx > 1e-300)) return gk_fail(err, GK_EUNAVAILABLE, "log-log fit: all x are equal");
    *slope = sxy / sxx;
    *intercept = my - *slope * mx;
    return GK_OK;
}

/* ---- figures ------------------------------------------------------------------------------------- */

static int all_finite(const gk_sweep_axis *a) {
    for (int i = 0; i < a->n; i++)
        if (!isfinite(a->num[i])) return 0;
    return 1;
}

/* A log axis when the values are positive and closer to a geometric than to an arithmetic progression. */
static int wants_log(const double *v, int n) {
    for (int i = 0; i < n; i++)
        if (!(v[i] > 0)) return 0;
    if (n < 2) return 0;
    if (n == 2) return v[1] / v[0] >= 4 || v[0] / v[1] >= 4;
    double dmin = INFINITY, dmax = 0, lmin = INFINITY, lmax = 0;
    for (int i = 1; i < n; i++) {
        double d = fabs(v[i] - v[i - 1]), l = fabs(log(v[i] / v[i - 1]));
        dmin = fmin(dmin, d), dmax = fmax(dmax, d), lmin = fmin(lmin, l), lmax = fmax(lmax, l);
    }
    return lmax / lmin < dmax / dmin;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Position of v in the sorted values s[n]. */
static int find_sorted(const double *s, int n, double v) {
    for (int i = 0; i < n; i++)
        if (s[i] == v) return i;
    return -1;
}

static gk_status heatmap(const gk_sweep *sw, const gk_sweep_table *t, const char *dir, const char *zkey, char *notes,
                         size_t nlen, gk_error *err) {
    int ax[2], na = 0;
    for (int i = 0; i < sw->naxes && na < 2; i++)
        if (sw->axes[i].n > 1 && strcmp(sw->axes[i].key, "seed") && all_finite(&sw->axes[i])) ax[na++] = i;
    int zc = gk_sweep_table_col(t, zkey);
    size_t used = strlen(notes);
    if (na < 2) {
        snprintf(notes + used, nlen - used, "heat map skipped: fewer than two swept numeric keys. ");
        return GK_OK;
    }
    if (zc < 0) {
        snprintf(notes + used, nlen - used, "heat map skipped: no scalar '%s' in the summaries. ", zkey);
        return GK_OK;
    }
    const gk_sweep_axis *X = &sw->axes[ax[0]], *Y = &sw->axes[ax[1]];
    int nx = X->n, ny = Y->n;
    double *xs = malloc((size_t)nx * sizeof *xs), *ys = malloc((size_t)ny * sizeof *ys);
    double *z = calloc((size_t)nx * (size_t)ny, sizeof *z), *cnt = calloc((size_t)nx * (size_t)ny, sizeof *cnt);
    double *zp = calloc((size_t)nx * (size_t)ny, sizeof *zp); /* the predicted t* per cell (step keys) */
    int pc = strstr(zkey, "_step") ? gk_sweep_table_col(t, "predicted_transition_step") : -1;
    gk_status s = GK_OK;
    if (!xs || !ys || !z || !cnt || !zp) s = gk_fail(err, GK_ENOMEM, "out of memory");
    if (!s) {
        memcpy(xs, X->num, (size_t)nx * sizeof *xs);
        memcpy(ys, Y->num, (size_t)ny * sizeof *ys);
        qsort(xs, (size_t)nx, sizeof *xs, cmp_double);
        qsort(ys, (size_t)ny, sizeof *ys, cmp_double);
        int idx[GK_SWEEP_MAX_AXES];
        for (size_t k = 0; k < t->npoints; k++) {
            gk_sweep_indices(sw, k, idx);
            double v = t->val[k * (size_t)t->nscalars + (size_t)zc];
            int ix = find_sorted(xs, nx, X->num[idx[ax[0]]]), iy = find_sorted(ys, ny, Y->num[idx[ax[1]]]);
            if (pc >= 0) zp[(size_t)iy * (size_t)nx + (size_t)ix] = t->val[k * (size_t)t->nscalars + (size_t)pc];
            if (!isfinite(v)) continue;
            z[(size_t)iy * (size_t)nx + (size_t)ix] += v;
            cnt[(size_t)iy * (size_t)nx + (size_t)ix] += 1;
        }
        for (size_t c = 0; c < (size_t)nx * (size_t)ny; c++) z[c] = cnt[c] > 0 ? z[c] / cnt[c] : NAN;
        char base[1200], title[256];
        s = gk_path_join(base, sizeof base, dir, "heatmap", err);
        int others = (int)sw->npoints / (nx * ny);
        snprintf(title, sizeof title, "%s: %s%s (grey: none)", sw->preset->name, zkey,
                 others > 1 ? ", mean over the other keys and seeds" : "");
        gk_heatmap hm = {.title = title, .xlabel = X->key, .ylabel = Y->key, .zlabel = zkey, .x = xs, .y = ys, .z = z,
                         .nx = (size_t)nx, .ny = (size_t)ny, .categorical = 1, .cell_values = 1,
                         .zpred = pc >= 0 ? zp : NULL, .zpred_label = "t*"};
        if (!s) s = gk_plot_heatmap_ex(base, &hm, err);
    }
    free(zp);
    free(xs);
    free(ys);
    free(z);
    free(cnt);
    return s;
}

static gk_status write_fit(const char *dir, double slope, double intercept, size_t used, gk_error *err) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "model", "ln(test_grok_step) = intercept + slope * ln(predicted_transition_step)");
    if (isfinite(slope)) {
        cJSON_AddNumberToObject(o, "slope", slope);
        cJSON_AddNumberToObject(o, "intercept", intercept);
    } else {
        cJSON_AddNullToObject(o, "slope");
        cJSON_AddNullToObject(o, "intercept");
    }
    cJSON_AddNumberToObject(o, "points_used", (double)used);
    char *text = cJSON_Print(o);
    cJSON_Delete(o);
    if (!text) return gk_fail(err, GK_ENOMEM, "out of memory");
    char path[1200];
    gk_status s = gk_path_join(path, sizeof path, dir, "sweep_fit.json", err);
    if (!s) s = gk_write_file_atomic(path, text, strlen(text), err);
    free(text);
    return s;
}

static gk_status transition(const gk_sweep *sw, const gk_sweep_table *t, const char *dir, char *notes, size_t nlen,
                            gk_error *err) {
    int pc = gk_sweep_table_col(t, "predicted_transition_step"), oc = gk_sweep_table_col(t, "test_grok_step");
    size_t n = t->npoints, used = 0;
    double slope = NAN, intercept = NAN;
    size_t nl = strlen(notes);
    if (pc < 0 || oc < 0) {
        snprintf(notes + nl, nlen - nl, "transition figure skipped: no predicted_transition_step/test_grok_step. ");
        return write_fit(dir, slope, intercept, used, err);
    }
    double *buf = malloc((8 * n + 8) * sizeof *buf);
    if (!buf) return gk_fail(err, GK_ENOMEM, "out of memory");
    double *px = buf, *oy = buf + n, *alpha = buf + 2 * n, *ratio = buf + 3 * n, *line = buf + 4 * n;
    int ai = axis_index(sw, "alpha");
    int idx[GK_SWEEP_MAX_AXES];
    double lo = INFINITY, hi = 0, alo = INFINITY, ahi = 0;
    size_t npairs = 0;
    for (size_t k = 0; k < n; k++) {
        px[k] = t->val[k * (size_t)t->nscalars + (size_t)pc];
        oy[k] = t->val[k * (size_t)t->nscalars + (size_t)oc];
        ratio[k] = px[k] > 0 ? oy[k] / px[k] : NAN;
        gk_sweep_indices(sw, k, idx);
        alpha[k] = ai >= 0 ? sw->axes[ai].num[idx[ai]] : NAN;
        if (px[k] > 0 && oy[k] > 0 && isfinite(px[k]) && isfinite(oy[k])) {
            lo = fmin(lo, fmin(px[k], oy[k])), hi = fmax(hi, fmax(px[k], oy[k]));
            npairs++;
        }
        if (isfinite(ratio[k]) && alpha[k] > 0) alo = fmin(alo, alpha[k]), ahi = fmax(ahi, alpha[k]);
    }
    gk_error fe;
    gk_loglog_fit(px, oy, n, &slope, &intercept, &used, &fe);
    gk_status s = write_fit(dir, slope, intercept, used, err);
    if (!s && npairs == 0) {
        snprintf(notes + nl, nlen - nl, "transition figure skipped: no point has both an observed grok step and a predicted transition. ");
    } else if (!s) {
        /* y = x and the fitted line over the observed range, widened a little. */
        double a = lo / 1.5, b = hi * 1.5;
        double *lx = line, *ly = line + 2, *fx = line + 4, *fy = line + 6;
        lx[0] = fx[0] = a, lx[1] = fx[1] = b, ly[0] = a, ly[1] = b;
        fy[0] = isfinite(slope) ? exp(intercept + slope * log(a)) : NAN;
        fy[1] = isfinite(slope) ? exp(intercept + slope * log(b)) : NAN;
        gk_panel panels[2];
        memset(panels, 0, sizeof panels);
        char t1[256], flabel[128];
        if (isfinite(slope)) {
            snprintf(t1, sizeof t1, "observed vs predicted: log-log slope %.3f, intercept %.3f (n=%zu)", slope, intercept, used);
            snprintf(flabel, sizeof flabel, "fit ln y = %.3f + %.3f ln x", intercept, slope);
        } else {
            snprintf(t1, sizeof t1, "observed vs predicted (no fit: %zu usable point)", used);
            snprintf(flabel, sizeof flabel, "no fit");
        }
        gk_panel *p0 = &panels[0];
        *p0 = (gk_panel){.title = t1, .xlabel = "predicted transition step", .ylabel = "observed grok step",
                         .logx = 1, .logy = 1};
        p0->series[p0->nseries++] = (gk_series){"runs", px, oy, n, 1};
        p0->series[p0->nseries++] = (gk_series){"y = x", lx, ly, 2, 2};
        if (isfinite(slope)) p0->series[p0->nseries++] = (gk_series){flabel, fx, fy, 2, 0};
        int np = 1;
        double ax[2] = {alo / 1.2, ahi * 1.2}, one[2] = {1, 1};
        if (ai >= 0 && ahi > 0) {
            gk_panel *p1 = &panels[np++];
            *p1 = (gk_panel){.title = "observed / predicted against alpha", .xlabel = "alpha",
                             .ylabel = "observed / predicted", .logx = wants_log(sw->axes[ai].num, sw->axes[ai].n) || ahi / alo >= 4};
            p1->series[p1->nseries++] = (gk_series){"runs", alpha, ratio, n, 1};
            p1->series[p1->nseries++] = (gk_series){"1", ax, one, 2, 2};
        }
        char base[1200], title[256];
        snprintf(title, sizeof title, "%s sweep: grok step against the predicted transition", sw->preset->name);
        s = gk_path_join(base, sizeof base, dir, "transition", err);
        if (!s) s = gk_plot_panels(base, title, panels, np, err);
    }
    free(buf);
    return s;
}

gk_status gk_sweep_figures(const gk_sweep *sw, const gk_sweep_table *t, const char *dir, const char *zkey,
                           char *notes, size_t notes_len, gk_error *err) {
    if (notes_len) notes[0] = '\0';
    gk_status s = heatmap(sw, t, dir, zkey ? zkey : "test_grok_step", notes, notes_len, err);
    return s ? s : transition(sw, t, dir, notes, notes_len, err);
}
