/* common.c: the option parser and the helpers every command shares (see common.h). */
#include "common.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int gk_cli_bad_input(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("groklab: error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 2;
}

/* The name of the option getopt_long just refused: the argument it stopped at, up to any '='. */
static void refused_name(char **argv, int code, char *buf, size_t len) {
    const char *a = optind > 0 ? argv[optind - 1] : "";
    if (code > 0 && code < 128 && a[0] == '-' && a[1] != '-') {
        snprintf(buf, len, "-%c", code);
        return;
    }
    const char *eq = strchr(a, '=');
    snprintf(buf, len, "%.*s", eq ? (int)(eq - a) : (int)strlen(a), a);
}

int gk_cli_parse(int argc, char **argv, const struct option *longopts, gk_cli_opt_fn on_opt, void *ud,
                 const char **pos, int *npos) {
    *npos = 0;
    opterr = 0; /* our own messages */
    optind = 0; /* glibc: start over (each command parses once, but tests may call twice) */
    /* "-": positionals come back in order as code 1; ":": a missing value comes back as ':'. */
    for (;;) {
        int c = getopt_long(argc, argv, "-:h", longopts, NULL);
        if (c == -1) break;
        if (c == 1) {
            pos[(*npos)++] = optarg;
            continue;
        }
        if (c == '?' || c == ':') {
            char name[128];
            refused_name(argv, optopt, name, sizeof name);
            if (c == ':') return gk_cli_bad_input("%s needs a value (see groklab %s --help)", name, argv[0]);
            return gk_cli_bad_input("unknown option '%s' (see groklab %s --help)", name, argv[0]);
        }
        int rc = on_opt(ud, c, optarg);
        if (rc >= 0) return rc;
    }
    for (int i = optind; i < argc; i++) pos[(*npos)++] = argv[i]; /* after "--" */
    return -1;
}

int gk_cli_parse_seconds(const char *opt, const char *text, double *out) {
    char *end = NULL;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end || errno == ERANGE || !isfinite(v) || v < 0)
        return gk_cli_bad_input("%s=%s is not allowed: a number of seconds >= 0 (0 = off)", opt, text);
    *out = v;
    return -1;
}

void gk_cli_print_params(const gk_preset *p) {
    gk_config cfg;
    gk_error err;
    if (gk_preset_config(p, NULL, 0, &cfg, &err)) {
        fprintf(stderr, "groklab: %s\n", err.msg);
        return;
    }
    printf("%s (%s, %s): %s\n\nkeys (key=value):\n", p->name, p->paper, p->figure, p->shows);
    for (int i = 0; i < cfg.count; i++) {
        char range[160];
        gk_param_range_str(&cfg.spec[i], range, sizeof range);
        printf("  %-12s = %-10s %s\n  %-12s   %-10s (%s)\n", cfg.spec[i].key, cfg.str[i], cfg.spec[i].help, "", "", range);
    }
}

const gk_preset *gk_cli_find_preset(const char *name) {
    const gk_preset *p = gk_preset_find(name);
    if (!p) gk_cli_bad_input("unknown preset '%s' (groklab list shows them all)", name);
    return p;
}

double gk_cli_jnum(const cJSON *o, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

double gk_cli_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

const char *gk_cli_duration(double seconds, char *buf, size_t len) {
    if (!(seconds >= 0) || !isfinite(seconds)) snprintf(buf, len, "?");
    else if (seconds < 100) snprintf(buf, len, "%.0fs", seconds);
    else if (seconds < 6000) snprintf(buf, len, "%.1f min", seconds / 60);
    else if (seconds < 2 * 86400) snprintf(buf, len, "%.1f h", seconds / 3600);
    else snprintf(buf, len, "%.0f days", seconds / 86400);
    return buf;
}
