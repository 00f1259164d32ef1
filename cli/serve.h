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
} gk_serve;

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
void gk_serve_rows(const gk_serve *sv, const char *p, const char *offset, gk_reply *r);
void gk_serve_sweep_meta(const gk_serve *sv, const char *p, gk_reply *r);
/* A plain-text error reply. */
void gk_serve_error(gk_reply *r, unsigned code, const char *msg);

#endif
