/* serve_paths.c: every path a request names, resolved under one of the served directories (serve.h): no "..",
 * no hidden component, no symlink out of the directory (realpath, then a prefix check). */
#include "serve.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Each component of rel: not empty, not ".", not ".." (403), not hidden (404). */
static unsigned check_components(const char *rel) {
    if (rel[0] == '/') return 400;
    for (const char *s = rel; *s;) {
        size_t n = strcspn(s, "/");
        if (n == 0 || (n == 1 && s[0] == '.')) return 400;
        if (n == 2 && s[0] == '.' && s[1] == '.') return 403;
        if (s[0] == '.') return 404;
        s += n;
        if (*s == '/') s++;
    }
    return 0;
}

unsigned gk_serve_resolve(const gk_serve *sv, const char *p, char *out, size_t len) {
    if (!p || !*p || strlen(p) > 2048 || strspn(p, "0123456789") == 0) return 400;
    int k = atoi(p);
    if (strspn(p, "0123456789") > 3 || k >= sv->nroots) return 404;
    const char *rel = p + strspn(p, "0123456789");
    if (*rel && *rel != '/') return 400;
    if (*rel == '/') rel++;
    unsigned code = check_components(rel);
    if (code) return code;
    char joined[PATH_MAX + 2100], real[PATH_MAX];
    snprintf(joined, sizeof joined, "%s/%s", sv->roots[k].real, rel);
    if (!realpath(joined, real)) return errno == ENOENT || errno == ENOTDIR ? 404 : 403;
    size_t rl = strlen(sv->roots[k].real);
    int inside = !strncmp(real, sv->roots[k].real, rl) && (real[rl] == 0 || real[rl] == '/' || rl == 1);
    if (!inside) return 403;
    if (strlen(real) >= len) return 400;
    memcpy(out, real, strlen(real) + 1);
    return 0;
}

