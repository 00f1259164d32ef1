/* serve_paths.c: every path a request names, resolved under one of the served directories (serve.h): no "..",
 * no hidden component, no symlink out of the directory (realpath, then a prefix check); and the Host check of a
 * server bound to a loopback address. */
#include "serve.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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


int gk_serve_host_ok(const gk_serve *sv, const char *host) {
    if (!sv->loopback) return 1;
    if (!host) return 0;
    /* The name, then an optional ":port": "[v6]:port" or "name:port". */
    size_t n = host[0] == '[' ? strcspn(host, "]") + 1 : strcspn(host, ":");
    if (n > strlen(host)) return 0;
    const char *port = host + n;
    if (*port == ':') port++;
    else if (*port) return 0;
    if (strspn(port, "0123456789") != strlen(port)) return 0;
    static const char *names[] = {"localhost", "127.0.0.1", "[::1]"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strlen(names[i]) == n && !strncasecmp(host, names[i], n)) return 1;
    return strlen(sv->bound) == n && !strncasecmp(host, sv->bound, n);
}
