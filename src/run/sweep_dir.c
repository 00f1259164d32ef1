/* sweep_dir.c: which sweep a directory holds. A sweep writes DIR/sweep.json, the text that names its points
 * (the preset, the grid as given, the seeds and steps_per_tstar); a second sweep of another grid into the same
 * directory is refused unless it is forced, and then the first one's tables and figures go (its points' runs
 * stay: a point whose config differs is never replaced, see sweep_point.c). The CLI and the C API both come
 * through here. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "io/fsutil.h"
#include "run/sweep.h"

/* The files a sweep writes into its directory beside its points. */
static const char *const sweep_files[] = {"sweep.csv",      "sweep_times.csv", "sweep_fit.json", "heatmap.png",
                                          "heatmap.svg",    "transition.png",  "transition.svg", "curve.png",
                                          "curve.svg",      "sweep_curve.json", "report.html",   NULL};

char *gk_sweep_identity(const char *preset, const char *const *args, int nargs, int seeds, double steps_per_tstar) {
    cJSON *o = cJSON_CreateObject(), *arr = o ? cJSON_AddArrayToObject(o, "grid") : NULL;
    if (!arr) {
        cJSON_Delete(o);
        return NULL;
    }
    cJSON_AddStringToObject(o, "preset", preset);
    for (int i = 0; i < nargs; i++) cJSON_AddItemToArray(arr, cJSON_CreateString(args[i]));
    cJSON_AddNumberToObject(o, "seeds", (double)seeds);
    cJSON_AddNumberToObject(o, "steps_per_tstar", steps_per_tstar);
    char *text = cJSON_Print(o);
    cJSON_Delete(o);
    return text;
}

static gk_status remove_sweep_files(const char *dir, gk_error *err) {
    for (int i = 0; sweep_files[i]; i++) {
        char f[1200];
        gk_status s = gk_path_join(f, sizeof f, dir, sweep_files[i], err);
        if (s) return s;
        if (unlink(f) != 0 && errno != ENOENT) return gk_fail(err, GK_EIO, "cannot remove %s: %s", f, strerror(errno));
    }
    return GK_OK;
}

gk_status gk_sweep_claim_dir(const char *dir, const char *identity, int force, int write, gk_error *err) {
    char path[1200], *have = NULL;
    gk_status s = gk_path_join(path, sizeof path, dir, "sweep.json", err);
    if (s) return s;
    gk_error ignored = {{0}};
    int other = gk_read_text_file(path, 1 << 20, &have, NULL, &ignored) == GK_OK && strcmp(have, identity) != 0;
    free(have);
    if (other && !force)
        return gk_fail(err, GK_EINVAL,
                       "%s holds another sweep (%s): choose another output directory, or replace its tables and "
                       "figures with --force (force=True in Python; its points' runs are kept)", dir, path);
    if (!write) return GK_OK;
    if (other && (s = remove_sweep_files(dir, err))) return s;
    return gk_write_file_atomic(path, identity, strlen(identity), err);
}
