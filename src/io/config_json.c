/* config_json.c: reading a run's config.json back (see config_json.h). */
#include "io/config_json.h"

#include "io/fsutil.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_key(const char *k) {
    size_t n = strlen(k);
    if (n == 0 || n > 63) return 0;
    for (size_t i = 0; i < n; i++)
        if (!(k[i] == '_' || (k[i] >= 'a' && k[i] <= 'z') || (k[i] >= 'A' && k[i] <= 'Z') || (k[i] >= '0' && k[i] <= '9')))
            return 0;
    return 1;
}

/* One parameter as "key=value" into out (GK_ASSIGN_LEN bytes). */
static gk_status assignment(const cJSON *v, const char *path, char *out, gk_error *err) {
    if (!v->string || !is_key(v->string))
        return gk_fail(err, GK_EINVAL, "%s: param '%.60s' is not a parameter name (letters, digits, _)", path,
                       v->string ? v->string : "");
    int k;
    if (cJSON_IsString(v)) k = snprintf(out, GK_ASSIGN_LEN, "%s=%s", v->string, v->valuestring);
    else if (cJSON_IsBool(v)) k = snprintf(out, GK_ASSIGN_LEN, "%s=%d", v->string, cJSON_IsTrue(v) ? 1 : 0);
    else if (cJSON_IsNumber(v)) k = snprintf(out, GK_ASSIGN_LEN, "%s=%.17g", v->string, v->valuedouble);
    else return gk_fail(err, GK_EINVAL, "%s: param %s has no value (a string, number or bool)", path, v->string);
    if (k < 0 || k >= GK_ASSIGN_LEN)
        return gk_fail(err, GK_EINVAL, "%s: the value of param %s is longer than %d characters", path, v->string,
                       GK_ASSIGN_LEN - 1);
    return GK_OK;
}

static int has_key(const gk_saved_config *c, const char *key) {
    size_t n = strlen(key);
    for (int i = 0; i < c->n; i++)
        if (!strncmp(c->assign[i], key, n) && c->assign[i][n] == '=') return 1;
    return 0;
}

static gk_status parse_params(const cJSON *params, const char *path, gk_saved_config *out, gk_error *err) {
    if (!cJSON_IsObject(params)) return gk_fail(err, GK_EINVAL, "%s has no \"params\" object", path);
    const cJSON *v;
    cJSON_ArrayForEach(v, params) {
        if (out->n >= GK_MAX_PARAMS) return gk_fail(err, GK_EINVAL, "%s has more than %d params", path, GK_MAX_PARAMS);
        gk_status s = assignment(v, path, out->assign[out->n], err);
        if (s) return s;
        if (has_key(out, v->string)) /* a key twice: which one counts would be a guess */
            return gk_fail(err, GK_EINVAL, "%s: param %s is given twice", path, v->string);
        if (!strcmp(v->string, "steps") && cJSON_IsNumber(v)) out->steps = v->valuedouble;
        out->n++;
    }
    return GK_OK;
}

gk_status gk_config_json_parse(const char *text, const char *path, gk_saved_config *out, gk_error *err) {
    memset(out, 0, sizeof *out);
    out->steps = NAN;
    cJSON *root = cJSON_Parse(text);
    gk_status s = GK_OK;
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(root, "preset");
    if (!cJSON_IsObject(root)) s = gk_fail(err, GK_EINVAL, "%s is not a groklab config.json (not a JSON object)", path);
    else if (!cJSON_IsString(name) || !name->valuestring[0] || strlen(name->valuestring) >= sizeof out->preset)
        s = gk_fail(err, GK_EINVAL, "%s names no preset (\"preset\": a name of at most %zu characters)", path,
                    sizeof out->preset - 1);
    else {
        snprintf(out->preset, sizeof out->preset, "%s", name->valuestring);
        s = parse_params(cJSON_GetObjectItemCaseSensitive(root, "params"), path, out, err);
    }
    cJSON_Delete(root);
    return s;
}

gk_status gk_config_json_read(const char *path, gk_saved_config *out, gk_error *err) {
    char *text = NULL;
    gk_error e;
    if (gk_read_text_file(path, GK_CONFIG_JSON_MAX_BYTES, &text, NULL, &e)) {
        memset(out, 0, sizeof *out);
        return gk_fail(err, GK_EINVAL, "%s", e.msg);
    }
    gk_status s = gk_config_json_parse(text, path, out, err);
    free(text);
    return s;
}
