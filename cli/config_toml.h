/* config_toml.h: a hand-written TOML config for `groklab run --config FILE.toml`, read by cpptoml (Debian's
 * libcpptoml-dev) and handed on as the JSON text of a config.json, so that one reader checks both forms:
 *
 *     preset = "diag-sparse"
 *     [params]
 *     alpha = 64
 *     wd = 1e-2
 *     data = "sparse"
 */
#ifndef GK_CLI_CONFIG_TOML_H
#define GK_CLI_CONFIG_TOML_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The TOML text as {"preset": ..., "params": {...}} JSON text (malloc'd), or NULL with a message in msg naming
 * the line or key and what is allowed (a table or an array among the params, a date, a syntax error). */
char *gk_cli_toml_to_json(const char *text, size_t len, char *msg, size_t msglen);

#ifdef __cplusplus
}
#endif

#endif
