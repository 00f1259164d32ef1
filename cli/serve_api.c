/* serve_api.c: what `groklab serve` answers (see serve.h): the index and view pages (the report page of
 * src/report/web_page.c in its live mode), the list of runs and sweeps, a run's state (serve_cols.c sends its
 * rows), and a sweep's table and points. Everything is read-only and bounded. */
#include "serve.h"

#include "io/run_lock.h"
#include "report/web_page.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_ITEMS 5000                 /* runs and sweeps listed */

static void reply_json(gk_reply *r, cJSON *j) {
    char *s = j ? cJSON_PrintUnformatted(j) : NULL;
    cJSON_Delete(j);
    if (!s) {
        gk_serve_error(r, 500, "out of memory");
        return;
    }
    r->code = 200;
    r->type = "application/json";
    r->body = s;
    r->len = strlen(s);
}

static void reply_page(gk_reply *r, cJSON *data) {
    gk_error err = {{0}};
    char *html;
    size_t len;
    gk_status s = gk_web_page(data, &html, &len, &err);
    cJSON_Delete(data);
    if (s) {
        gk_serve_error(r, 500, err.msg);
        return;
    }
    r->code = 200;
    r->type = "text/html; charset=utf-8";
    r->body = html;
    r->len = len;
}

static int has_file(const char *dir, const char *name) {
    char path[PATH_MAX + 600];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* A run directory has config.json; a sweep has sweep.csv, or points: subdirectories NAME with a config.json
 * and a lock file .NAME.lock beside them (a folder of runs has no such locks). */
static int is_run(const char *dir) { return has_file(dir, "config.json"); }

static int is_sweep(const char *dir) {
    if (is_run(dir)) return 0;
    if (has_file(dir, "sweep.csv")) return 1;
    DIR *d = opendir(dir);
    if (!d) return 0;
    struct dirent *e;
    int found = 0;
    while (!found && (e = readdir(d))) {
        char sub[PATH_MAX + 256];
        if (e->d_name[0] == '.') continue;
        snprintf(sub, sizeof sub, "%s/.%s.lock", dir, e->d_name);
        found = has_file(dir, sub + strlen(dir) + 1);
        snprintf(sub, sizeof sub, "%s/%s", dir, e->d_name);
        found = found && has_file(sub, "config.json");
    }
    closedir(d);
    return found;
}

/* dir/name parsed (NULL if absent). */
static cJSON *read_json(const char *dir, const char *name) {
    char path[PATH_MAX + 64], *text;
    gk_error err;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (gk_web_slurp(path, &text, NULL, &err)) return NULL;
    cJSON *j = cJSON_Parse(text);
    free(text);
    return j;
}

static void item_add(cJSON *items, const char *p, const char *dir, int run) {
    cJSON *it = cJSON_CreateObject();
    char state[64];
    struct stat st;
    cJSON_AddStringToObject(it, "p", p);
    cJSON_AddStringToObject(it, "kind", run ? "run" : "sweep");
    if (run) {
        cJSON *conf = read_json(dir, "config.json");
        const cJSON *pre = cJSON_GetObjectItemCaseSensitive(conf, "preset");
        const cJSON *steps = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(conf, "params"), "steps");
        if (cJSON_IsString(pre)) cJSON_AddStringToObject(it, "preset", pre->valuestring);
        if (cJSON_IsNumber(steps)) cJSON_AddNumberToObject(it, "steps", steps->valuedouble);
        cJSON_Delete(conf);
        cJSON_AddStringToObject(it, "status", gk_run_state(dir, state, sizeof state));
    } else {
        cJSON_AddStringToObject(it, "status", has_file(dir, "sweep.csv") ? "done" : "in progress");
    }
    cJSON_AddNumberToObject(it, "mtime", stat(dir, &st) == 0 ? (double)st.st_mtime : 0);
    cJSON_AddItemToArray(items, it);
}

/* Root k and its subdirectories (one level): each a run or a sweep. */
static void list_root(const gk_serve *sv, int k, cJSON *items) {
    const char *root = sv->roots[k].real;
    char p[PATH_MAX + 300];
    snprintf(p, sizeof p, "%d", k);
    if (is_run(root) || is_sweep(root)) item_add(items, p, root, is_run(root));
    DIR *d = opendir(root);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)) && cJSON_GetArraySize(items) < MAX_ITEMS) {
        char sub[PATH_MAX + 256];
        if (e->d_name[0] == '.') continue;
        snprintf(sub, sizeof sub, "%s/%s", root, e->d_name);
        snprintf(p, sizeof p, "%d/%s", k, e->d_name);
        if (is_run(sub)) item_add(items, p, sub, 1);
        else if (is_sweep(sub)) item_add(items, p, sub, 0);
    }
    closedir(d);
}

void gk_serve_list(const gk_serve *sv, gk_reply *r) {
    cJSON *j = cJSON_CreateObject(), *roots = cJSON_AddArrayToObject(j, "roots"),
          *items = cJSON_AddArrayToObject(j, "items");
    for (int k = 0; k < sv->nroots; k++) {
        cJSON_AddItemToArray(roots, cJSON_CreateString(sv->roots[k].given));
        list_root(sv, k, items);
    }
    reply_json(r, j);
}

void gk_serve_index(const gk_serve *sv, gk_reply *r) {
    cJSON *data = cJSON_CreateObject();
    cJSON_AddStringToObject(data, "mode", "index");
    cJSON_AddBoolToObject(data, "live", 1);
    reply_page(r, data);
}

/* "K/REL" shown as the directory given on the command line joined with REL. */
static void display_name(const gk_serve *sv, const char *p, char *out, size_t len) {
    int k = atoi(p);
    const char *rel = strchr(p, '/');
    snprintf(out, len, "%s%s%s", sv->roots[k].given, rel ? "/" : "", rel ? rel + 1 : "");
}

void gk_serve_view(const gk_serve *sv, const char *const *paths, int np, gk_reply *r) {
    char dir[PATH_MAX], name[PATH_MAX + 64];
    if (np < 1) return gk_serve_error(r, 400, "view: no p=K/PATH given");
    cJSON *data = cJSON_CreateObject(), *runs = NULL;
    cJSON_AddBoolToObject(data, "live", 1);
    for (int i = 0; i < np; i++) {
        unsigned code = gk_serve_resolve(sv, paths[i], dir, sizeof dir);
        if (!code && !is_run(dir) && !(np == 1 && is_sweep(dir))) code = 404;
        if (code) {
            cJSON_Delete(data);
            return gk_serve_error(r, code, "view: not a run or sweep directory under the served ones");
        }
        display_name(sv, paths[i], name, sizeof name);
        if (!is_run(dir)) {
            cJSON *sw = cJSON_AddObjectToObject(data, "sweep");
            cJSON_AddStringToObject(data, "mode", "sweep");
            cJSON_AddStringToObject(sw, "path", paths[i]);
            cJSON_AddStringToObject(sw, "name", name);
            break;
        }
        if (!runs) {
            cJSON_AddStringToObject(data, "mode", "run");
            runs = cJSON_AddArrayToObject(data, "runs");
        }
        cJSON *run = cJSON_CreateObject();
        cJSON_AddStringToObject(run, "path", paths[i]);
        cJSON_AddStringToObject(run, "name", name);
        cJSON_AddItemToArray(runs, run);
    }
    reply_page(r, data);
}

void gk_serve_run_meta(const gk_serve *sv, const char *p, gk_reply *r) {
    char dir[PATH_MAX], state[64], path[PATH_MAX + 32];
    unsigned code = p ? gk_serve_resolve(sv, p, dir, sizeof dir) : 400;
    if (!code && !is_run(dir)) code = 404;
    if (code) return gk_serve_error(r, code, "run: not a run directory under the served ones");
    cJSON *j = cJSON_CreateObject(), *sum = read_json(dir, "summary.json"), *conf = read_json(dir, "config.json");
    struct stat st;
    snprintf(path, sizeof path, "%s/metrics.csv", dir);
    cJSON_AddStringToObject(j, "status", gk_run_state(dir, state, sizeof state));
    cJSON_AddNumberToObject(j, "size", stat(path, &st) == 0 ? (double)st.st_size : 0);
    cJSON *cols = gk_serve_csv_columns(path);
    cJSON_AddItemToObject(j, "columns", cols);
    cJSON_AddItemToObject(j, "labels", gk_web_column_labels(cols)); /* the columns in the figures' words */
    /* A summary left by an earlier end of a run that now goes on again (resume) is not this run's. */
    if (sum && !strcmp(state, "running")) {
        cJSON_Delete(sum);
        sum = NULL;
    }
    cJSON_AddItemToObject(j, "summary", sum ? sum : cJSON_CreateNull());
    cJSON_AddItemToObject(j, "config", conf ? conf : cJSON_CreateNull());
    cJSON_AddItemToObject(j, "figures", gk_web_figures(dir));
    reply_json(r, j);
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The points of a sweep (subdirectories with a config.json) with their states, sorted by name. */
static cJSON *points_of(const char *dir) {
    cJSON *pts = cJSON_CreateArray();
    DIR *d = opendir(dir);
    if (!d) return pts;
    char *names[MAX_ITEMS];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < MAX_ITEMS) {
        char sub[PATH_MAX + 256];
        if (e->d_name[0] == '.') continue;
        snprintf(sub, sizeof sub, "%s/%s", dir, e->d_name);
        if (has_file(sub, "config.json") && (names[n] = strdup(e->d_name))) n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, by_name);
    for (size_t k = 0; k < n; k++) {
        char sub[PATH_MAX + 256], state[64];
        snprintf(sub, sizeof sub, "%s/%s", dir, names[k]);
        cJSON *pt = cJSON_CreateObject();
        cJSON_AddStringToObject(pt, "name", names[k]);
        cJSON_AddStringToObject(pt, "status", gk_run_state(sub, state, sizeof state));
        cJSON_AddItemToArray(pts, pt);
        free(names[k]);
    }
    return pts;
}

void gk_serve_sweep_meta(const gk_serve *sv, const char *p, gk_reply *r) {
    char dir[PATH_MAX], path[PATH_MAX + 32], *table = NULL;
    gk_error err;
    unsigned code = p ? gk_serve_resolve(sv, p, dir, sizeof dir) : 400;
    if (!code && !is_sweep(dir)) code = 404;
    if (code) return gk_serve_error(r, code, "sweep: not a sweep directory under the served ones");
    cJSON *j = cJSON_CreateObject();
    snprintf(path, sizeof path, "%s/sweep.csv", dir);
    if (gk_web_slurp(path, &table, NULL, &err) == GK_OK) {
        cJSON_AddStringToObject(j, "table", table);
        cJSON_AddItemToObject(j, "labels", gk_web_sweep_labels_csv(table)); /* its columns in the figures' words */
        free(table);
    } else {
        cJSON_AddNullToObject(j, "table");
    }
    cJSON_AddItemToObject(j, "points", points_of(dir));
    cJSON_AddItemToObject(j, "figures", gk_web_figures(dir));
    reply_json(r, j);
}
