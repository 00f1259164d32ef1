/* registry.c: every preset groklab knows, in the order `groklab list` prints them (one line per experiment file
 * of src/exp), and the resolution of a preset's config (groklab.h: gk_preset_find, gk_preset_at,
 * gk_preset_config). */
#include "run/run.h"

#include "core/machine.h"

#include <string.h>

extern const gk_preset gk_presets_diag[];
extern const gk_preset gk_presets_xor[];
extern const gk_preset gk_presets_mc[];
extern const gk_preset gk_presets_modular[];
extern const gk_preset gk_presets_kumar[];
extern const gk_preset gk_presets_images[];
extern const gk_preset gk_presets_teacher[];
extern const gk_preset gk_presets_parity[];
extern const gk_preset gk_presets_parity_progress[];
extern const gk_preset gk_presets_power[];
extern const gk_preset gk_presets_slingshot[];

static const gk_preset *const families[] = {
    gk_presets_diag,  gk_presets_xor,     gk_presets_mc,     gk_presets_modular,         gk_presets_kumar,
    gk_presets_images, gk_presets_teacher, gk_presets_parity, gk_presets_parity_progress, gk_presets_power,
    gk_presets_slingshot,
};

static size_t family_len(const gk_preset *f) {
    size_t n = 0;
    while (f[n].name) n++;
    return n;
}

const gk_preset *gk_preset_at(size_t i) {
    for (size_t f = 0; f < sizeof families / sizeof *families; f++) {
        size_t n = family_len(families[f]);
        if (i < n) return &families[f][i];
        i -= n;
    }
    return NULL;
}

const gk_preset *gk_preset_find(const char *name) {
    for (size_t i = 0; gk_preset_at(i); i++)
        if (strcmp(gk_preset_at(i)->name, name) == 0) return gk_preset_at(i);
    return NULL;
}

/* A run that would need more memory than the machine has is refused up front, with the estimate and the key
 * that sets most of it (rather than failing, or being killed, an hour in). */
static gk_status check_memory(const gk_preset *p, const gk_config *cfg, gk_error *err) {
    const char *key = NULL;
    double need = p->type->memory_bytes ? p->type->memory_bytes(cfg, &key) : 0;
    double mem = gk_machine_bytes();
    if (!(mem > 0) || !(need > mem) || !key) return GK_OK;
    int k = gk_config_index(cfg, key);
    return gk_fail(err, GK_EINVAL, "%s=%s: preset %s would need about %.1f GB with this config, more than this machine's "
                   "%.1f GB: lower %s (or the other sizes)", key, k >= 0 ? cfg->str[k] : "?", p->name, need / 1e9,
                   mem / 1e9, key);
}

gk_status gk_preset_config(const gk_preset *p, const char *const *assign, int nassign, gk_config *cfg, gk_error *err) {
    gk_status s = gk_config_init(cfg, p->type->params, err);
    if (s) return s;
    /* The preset's own overrides: a space-separated list of key=value. */
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", p->overrides ? p->overrides : "");
    for (char *save = NULL, *tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
        s = gk_config_set(cfg, tok, err);
        GK_ASSERT(s == GK_OK); /* a preset outside its own ranges is a bug in the table */
    }
    for (int i = 0; i < nassign; i++) {
        /* A key repeated on the command line is almost always a typo in a script. */
        const char *eq = strchr(assign[i], '=');
        for (int k = 0; eq && k < i; k++) {
            size_t len = (size_t)(eq - assign[i]);
            if (!strncmp(assign[k], assign[i], len) && assign[k][len] == '=')
                return gk_fail(err, GK_EINVAL, "key '%.*s' is given twice", (int)len, assign[i]);
        }
        s = gk_config_set(cfg, assign[i], err);
        if (s) return s;
    }
    s = p->type->check ? p->type->check(cfg, err) : GK_OK;
    return s ? s : check_memory(p, cfg, err);
}
