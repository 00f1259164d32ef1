/* common.h: what every command of the command line shares: the one option parser (getopt_long), the bad-input
 * message, the key table of a preset and small readers of summary.json. cli/ is the only layer that prints. */
#ifndef GK_CLI_COMMON_H
#define GK_CLI_COMMON_H

#include "run/run.h"

#include <getopt.h>

/* Prints "groklab: error: <message>" and returns exit code 2 (bad input). */
int gk_cli_bad_input(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* Called for each option: code is the option's `val`, arg its argument (or NULL). Returns -1 to go on, or an
 * exit code to stop parsing with it (e.g. 0 after printing the help, 2 for a bad value). */
typedef int (*gk_cli_opt_fn)(void *ud, int code, const char *arg);

/* Parses the arguments of one command (argv[0] is the command's name) with getopt_long: options may come
 * before, between or after the positional arguments, as --opt VALUE or --opt=VALUE; "--" ends the options.
 * The positionals are stored in order into pos (room for argc entries), their count into *npos. An unknown
 * option or a missing value prints one line naming it (and `groklab CMD --help`). Returns -1 when every
 * argument was taken, otherwise the exit code to return (from on_opt, or 2). */
int gk_cli_parse(int argc, char **argv, const struct option *longopts, gk_cli_opt_fn on_opt, void *ud,
                 const char **pos, int *npos);

/* Parses a number of seconds >= 0 (fractions allowed, finite) for the option `opt`; 2 (message printed) if not. */
int gk_cli_parse_seconds(const char *opt, const char *text, double *out);

/* Prints every key of a preset with its default, range and meaning. */
void gk_cli_print_params(const gk_preset *p);

/* The preset named `name`, or NULL after printing "unknown preset" (then return 2). */
const gk_preset *gk_cli_find_preset(const char *name);

/* A number of a JSON object (NAN if absent or not a number). */
double gk_cli_jnum(const cJSON *o, const char *key);

/* Seconds on a monotonic clock. */
double gk_cli_now(void);
/* A duration in human units into buf: "42s", "12.5 min", "3.4 h", "72 days". Returns buf. */
const char *gk_cli_duration(double seconds, char *buf, size_t len);

#endif
