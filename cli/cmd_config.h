/* cmd_config.h: `groklab run --config FILE` and the checks of `groklab resume` (cmd_config.c). */
#ifndef GK_CLI_CMD_CONFIG_H
#define GK_CLI_CMD_CONFIG_H

/* Reads a config file (a run's config.json, a hand-written JSON {"preset": NAME, "params": {...}}, or the same
 * as TOML in a FILE.toml: preset = "NAME" and a [params] table) into the preset's name and key=value assignments
 * (free with gk_cli_config_free). Returns -1, or 2 after printing why. */
int gk_cli_config_read(const char *path, char **preset, char ***assign, int *nassign);
void gk_cli_config_free(char *preset, char **assign, int nassign);

/* Before `groklab resume DIR`: a directory a run left during its set-up (no config.json) is refused with what
 * to do (returns 2); otherwise says the step the run stopped at (summary.json) and returns -1. */
int gk_cli_resume_check(const char *dir, int quiet);

#endif
