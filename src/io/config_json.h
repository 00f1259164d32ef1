/* config_json.h: a run's config.json read back (what `groklab resume` rebuilds the run's config from): the
 * preset's name and one key=value assignment per parameter, checked before anything is built from them. */
#ifndef GK_CONFIG_JSON_H
#define GK_CONFIG_JSON_H

#include "groklab.h"

#define GK_CONFIG_JSON_MAX_BYTES ((size_t)1 << 20) /* a config.json is a few kilobytes */
#define GK_ASSIGN_LEN 256                          /* one "key=value", its NUL included */

typedef struct gk_saved_config {
    char preset[64];
    int n;                                  /* parameters */
    char assign[GK_MAX_PARAMS][GK_ASSIGN_LEN]; /* "key=value" in the file's order (a bool as 0 or 1) */
    double steps;                           /* params.steps, or NAN when absent */
} gk_saved_config;

/* Parses the text of path's config.json: an object with a string "preset" and an object "params" whose keys are
 * names ([A-Za-z0-9_], at most 63 characters) and whose values are strings, numbers or bools, at most
 * GK_MAX_PARAMS of them, each assignment shorter than GK_ASSIGN_LEN. Anything else: GK_EINVAL naming path and
 * what is wrong (nothing is cut short or guessed). */
gk_status gk_config_json_parse(const char *text, const char *path, gk_saved_config *out, gk_error *err);
/* Reads and parses path (at most GK_CONFIG_JSON_MAX_BYTES); a file that cannot be read is GK_EINVAL too. */
gk_status gk_config_json_read(const char *path, gk_saved_config *out, gk_error *err);

#endif
