/* serve.h: `groklab serve` (cmd_serve.c: options, the libmicrohttpd daemon, routing, files; serve_api.c: the
 * index, the pages and the JSON and rows the pages poll). Paths in requests are "K/REL": root K (the K-th
 * directory given) and a path under it; every one is checked by gk_serve_resolve before it is opened. */
#ifndef GK_CLI_SERVE_H
#define GK_CLI_SERVE_H

#include <limits.h>
#include <stddef.h>

#define GK_SERVE_MAX_ROOTS 32

typedef struct gk_serve_root {
    const char *given;     /* as on the command line */
    char real[PATH_MAX];   /* realpath: everything served lies under it */
} gk_serve_root;

typedef struct gk_serve {
    gk_serve_root roots[GK_SERVE_MAX_ROOTS];
    int nroots;
    /* Bound to a loopback address: requests must name this machine in their Host header (localhost, 127.0.0.1,
     * [::1] or the address bound), so that no web page from elsewhere can reach the server by a name of its own
     * that resolves to 127.0.0.1 (DNS rebinding). */
    int loopback;
    char bound[64]; /* the address bound, as a Host header would name it (IPv6 in brackets) */
} gk_serve;

/* Whether a request's Host header (NULL: none) names the server, when it is bound to a loopback address. */
int gk_serve_host_ok(const gk_serve *sv, const char *host);

/* A reply: a body in memory (malloc'd, freed by the sender) or an open file (fd, size). */
typedef struct gk_reply {
    unsigned code;
    const char *type;
    char *body;
    size_t len;
    int fd;
    size_t size;
} gk_reply;

/* "K/REL" -> the real path under root K, into out. Returns 0, or the HTTP status that refuses it: 400 (not of
 * that form: no root number, an empty component, a component "."), 403 (".." or a path whose real path leaves
 * the root: a symlink out), 404 (does not exist, or a hidden component). */
unsigned gk_serve_resolve(const gk_serve *sv, const char *p, char *out, size_t len);

/* The handlers (serve_api.c). q is the decoded "p" argument (paths: up to np of them), offset the rows' start. */
void gk_serve_index(const gk_serve *sv, gk_reply *r);
void gk_serve_view(const gk_serve *sv, const char *const *paths, int np, gk_reply *r);
void gk_serve_list(const gk_serve *sv, gk_reply *r);
void gk_serve_run_meta(const gk_serve *sv, const char *p, gk_reply *r);
void gk_serve_sweep_meta(const gk_serve *sv, const char *p, gk_reply *r);
/* serve_cols.c: the columns named in cols (NAME,NAME,...) of the complete lines of metrics.csv from byte offset
 * on (up to byte end when given) as little-endian float64: [rows, next offset, then each column's rows] (a
 * field that is empty or not a number is NaN). The page keeps the next offset and asks again from it. */
void gk_serve_cols(const gk_serve *sv, const char *p, const char *offset, const char *end, const char *cols,
                   gk_reply *r);
/* The names in the header line of the csv file at path (an empty array while it has none). */
struct cJSON *gk_serve_csv_columns(const char *path);
/* A plain-text error reply. */
void gk_serve_error(gk_reply *r, unsigned code, const char *msg);

#endif
