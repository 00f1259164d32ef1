/* report_html.c: report.html for a run or a sweep (see report_html.h). */
#include "report/report_html.h"

#include "io/fsutil.h"
#include "io/run_lock.h"
#include "report/web_page.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *base_name(const char *dir) {
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/') n--;
    const char *s = dir + n;
    while (s > dir && s[-1] != '/') s--;
    return s;
}

/* dir/name parsed as JSON (NULL if absent or unreadable). */
static cJSON *read_json(const char *dir, const char *name) {
    char path[4096], *text;
    gk_error e;
    if (gk_path_join(path, sizeof path, dir, name, &e) || gk_web_slurp(path, &text, NULL, &e)) return NULL;
    cJSON *j = cJSON_Parse(text);
    free(text);
    return j;
}

/* dir/name as a JSON string ("" if absent). */
static cJSON *read_text(const char *dir, const char *name) {
    char path[4096], *text = NULL;
    gk_error e;
    if (gk_path_join(path, sizeof path, dir, name, &e) || gk_web_slurp(path, &text, NULL, &e)) return cJSON_CreateString("");
    cJSON *s = cJSON_CreateString(text);
    free(text);
    return s;
}

static gk_status write_page(const char *dir, cJSON *data, gk_error *err) {
    char path[4096], *html;
    size_t len;
    gk_status s = gk_path_join(path, sizeof path, dir, "report.html", err);
    if (!s) s = gk_web_page(data, &html, &len, err);
    cJSON_Delete(data);
    if (s) return s;
    s = gk_write_file_atomic(path, html, len, err);
    free(html);
    return s;
}

static cJSON *run_entry(const char *dir, const char *path, const char *name, cJSON *csv) {
    cJSON *r = cJSON_CreateObject();
    char state[64];
    cJSON_AddStringToObject(r, "path", path);
    cJSON_AddStringToObject(r, "name", name);
    cJSON_AddStringToObject(r, "status", gk_run_state(dir, state, sizeof state));
    cJSON_AddItemToObject(r, "labels", gk_web_column_labels_csv(cJSON_IsString(csv) ? csv->valuestring : NULL));
    cJSON_AddItemToObject(r, "csv", csv);
    return r;
}

gk_status gk_report_html_run(const char *dir, gk_error *err) {
    cJSON *data = cJSON_CreateObject(), *runs = cJSON_AddArrayToObject(data, "runs");
    cJSON_AddStringToObject(data, "mode", "run");
    cJSON_AddBoolToObject(data, "live", 0);
    cJSON *r = run_entry(dir, ".", base_name(dir), read_text(dir, "metrics.csv"));
    cJSON *sum = read_json(dir, "summary.json"), *conf = read_json(dir, "config.json");
    cJSON_AddItemToObject(r, "summary", sum ? sum : cJSON_CreateNull());
    cJSON_AddItemToObject(r, "config", conf ? conf : cJSON_CreateNull());
    cJSON_AddItemToObject(r, "figures", gk_web_figures(dir));
    cJSON_AddItemToArray(runs, r);
    return write_page(dir, data, err);
}

/* The columns a sweep page draws for each point: step, time and the accuracies and losses. */
static int keep_column(const char *name, size_t n) {
    if ((n == 4 && !strncmp(name, "step", 4)) || (n == 4 && !strncmp(name, "time", 4))) return 1;
    return (n > 4 && !strncmp(name + n - 4, "_acc", 4)) || (n > 5 && !strncmp(name + n - 5, "_loss", 5));
}

/* csv with only the kept columns (by the header), as a JSON string. */
static cJSON *point_columns(const char *pdir) {
    char path[4096], *text = NULL;
    gk_error e;
    if (gk_path_join(path, sizeof path, pdir, "metrics.csv", &e) || gk_web_slurp(path, &text, NULL, &e))
        return cJSON_CreateString("");
    unsigned char keep[1024] = {0};
    char *out = malloc(strlen(text) + 1), *o = out;
    int row = 0;
    for (char *line = text; out && *line; row++) {
        char *end = line + strcspn(line, "\n");
        int col = 0, first = 1;
        for (char *f = line; f <= end && col < 1024; col++) {
            size_t n = strcspn(f, ",\n");
            if (f + n > end) n = (size_t)(end - f);
            if (row == 0) keep[col] = (unsigned char)keep_column(f, n);
            if (keep[col]) {
                if (!first) *o++ = ',';
                memcpy(o, f, n);
                o += n;
                first = 0;
            }
            f += n + 1;
        }
        *o++ = '\n';
        line = *end ? end + 1 : end;
    }
    if (out) *o = 0;
    cJSON *s = cJSON_CreateString(out ? out : "");
    free(out);
    free(text);
    return s;
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The points of the sweep in dir: its subdirectories that hold a config.json, sorted. */
static cJSON *sweep_points(const char *dir) {
    cJSON *pts = cJSON_CreateArray();
    DIR *d = opendir(dir);
    if (!d) return pts;
    size_t n = 0, cap = 0;
    char **names = NULL;
    struct dirent *e;
    while ((e = readdir(d))) {
        char conf[4096];
        struct stat st;
        if (e->d_name[0] == '.') continue;
        int w = snprintf(conf, sizeof conf, "%s/%s/config.json", dir, e->d_name);
        if (w < 0 || (size_t)w >= sizeof conf || stat(conf, &st) != 0) continue;
        if (n == cap) {
            char **p = realloc(names, (cap = cap ? 2 * cap : 64) * sizeof *names);
            if (!p) break;
            names = p;
        }
        if ((names[n] = strdup(e->d_name))) n++;
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, by_name);
    for (size_t k = 0; k < n; k++) {
        char pdir[4096];
        snprintf(pdir, sizeof pdir, "%s/%s", dir, names[k]);
        cJSON_AddItemToArray(pts, run_entry(pdir, names[k], names[k], point_columns(pdir)));
        free(names[k]);
    }
    free(names);
    return pts;
}

gk_status gk_report_html_sweep(const char *dir, gk_error *err) {
    cJSON *data = cJSON_CreateObject(), *sw = cJSON_AddObjectToObject(data, "sweep");
    cJSON_AddStringToObject(data, "mode", "sweep");
    cJSON_AddBoolToObject(data, "live", 0);
    cJSON_AddStringToObject(sw, "path", ".");
    cJSON_AddStringToObject(sw, "name", base_name(dir));
    cJSON *table = read_text(dir, "sweep.csv");
    cJSON_AddItemToObject(sw, "labels", gk_web_sweep_labels_csv(cJSON_IsString(table) ? table->valuestring : NULL));
    cJSON_AddItemToObject(sw, "table", table);
    cJSON_AddItemToObject(sw, "figures", gk_web_figures(dir));
    cJSON_AddItemToObject(sw, "points", sweep_points(dir));
    return write_page(dir, data, err);
}
