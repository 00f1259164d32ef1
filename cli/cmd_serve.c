/* cmd_serve.c: `groklab serve [DIR ...] [--port N] [--host ADDR]`: the runs and sweeps under DIRs (default runs/
 * and sweeps/) as live pages, served by GNU libmicrohttpd. Safe by default: 127.0.0.1 unless --host says
 * otherwise; bound to a loopback address, the Host header must name this machine (against DNS rebinding); GET
 * and HEAD only; every path is resolved under a given directory (no "..", no symlink out, no hidden files, no
 * directory listings); requests are bounded in size, connections in number and time; a bad request gets a 4xx
 * and the server goes on; SIGINT or SIGTERM stop it cleanly. */
#include "cmd_serve.h"
#include "common.h"
#include "serve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_CONNECTIONS 512          /* more are accepted and closed at once */
#define CONNECTION_TIMEOUT 30        /* seconds a connection may stay idle */
#define REQUEST_MEMORY (32u << 10)   /* per connection: the request line and headers must fit in it */
#define POOL_THREADS 4
#define MAX_VIEW_PATHS 16            /* runs overlaid on one page */

static void usage(FILE *f) {
    fprintf(f, "usage: groklab serve [DIR ...] [--port N] [--host ADDR]\n\n"
               "Serves the runs and sweeps under each DIR (default: runs/ and sweeps/, those that exist) as web pages\n"
               "that update while they train: curves of any columns on log or linear axes against step, t or t/t*,\n"
               "the phenomena (fit, jump, predicted t*) marked, status, speed and ETA, config, summary, figures;\n"
               "several runs overlaid; a sweep's table, heat map and points' curves. Open the printed address.\n\n"
               "  --port N      TCP port (default 8080; 0 = any free port, printed)\n"
               "  --host ADDR   address to listen on (default 127.0.0.1, this machine only; 0.0.0.0 = every\n"
               "                interface: anyone who reaches it can read the served directories)\n\n"
               "Read-only; only files under the DIRs are served; bound to a loopback address, it answers only\n"
               "requests whose Host header is localhost, 127.0.0.1 or [::1] (421 otherwise). Ctrl-C stops it.\n"
               "Every run and sweep directory also gets report.html, the same page frozen at its end, which opens\n"
               "offline.\n");
}

typedef struct serve_args {
    long port;
    const char *host;
} serve_args;

static int on_opt(void *ud, int code, const char *arg) {
    serve_args *a = ud;
    char *end;
    if (code == 'h') {
        usage(stdout);
        return 0;
    }
    if (code == 'p') {
        errno = 0;
        a->port = strtol(arg, &end, 10);
        if (errno || *end || end == arg || a->port < 0 || a->port > 65535)
            return gk_cli_bad_input("--port '%s': a TCP port is an integer in [0, 65535] (0: any free port)", arg);
    } else if (code == 'H') {
        a->host = arg;
    }
    return -1;
}

static const char *content_type(const char *path) {
    static const char *types[][2] = {{".png", "image/png"},
                                     {".svg", "image/svg+xml"},
                                     {".csv", "text/csv; charset=utf-8"},
                                     {".json", "application/json"},
                                     {".html", "text/html; charset=utf-8"},
                                     {".pdf", "application/pdf"},
                                     {".txt", "text/plain; charset=utf-8"}};
    size_t n = strlen(path);
    for (size_t i = 0; i < sizeof types / sizeof *types; i++) {
        size_t m = strlen(types[i][0]);
        if (n > m && !strcmp(path + n - m, types[i][0])) return types[i][1];
    }
    return "application/octet-stream";
}

/* A regular file under a root, sent from its descriptor. */
static void serve_file(const gk_serve *sv, const char *p, gk_reply *r) {
    char path[PATH_MAX];
    unsigned code = p ? gk_serve_resolve(sv, p, path, sizeof path) : 400;
    if (code) return gk_serve_error(r, code, "file: not a file under the served directories");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0) close(fd);
        return gk_serve_error(r, 404, "file: not a regular file");
    }
    r->code = 200;
    r->type = content_type(path);
    r->fd = fd;
    r->size = (size_t)st.st_size;
}

/* ---- requests ------------------------------------------------------------------------------------------- */
typedef struct view_args {
    const char *paths[MAX_VIEW_PATHS];
    int n, too_many;
} view_args;

static enum MHD_Result collect_p(void *cls, enum MHD_ValueKind kind, const char *key, const char *value) {
    view_args *v = cls;
    if (key && !strcmp(key, "p")) {
        if (v->n < MAX_VIEW_PATHS) v->paths[v->n++] = value ? value : "";
        else v->too_many = 1;
    }
    return MHD_YES;
}

static void route(const gk_serve *sv, struct MHD_Connection *c, const char *url, gk_reply *r) {
    const char *p = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "p");
    if (!strcmp(url, "/") || !strcmp(url, "/index.html")) gk_serve_index(sv, r);
    else if (!strcmp(url, "/view")) {
        view_args v = {{0}, 0, 0};
        MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_p, &v);
        if (v.too_many) gk_serve_error(r, 400, "view: at most 16 runs at once");
        else gk_serve_view(sv, v.paths, v.n, r);
    } else if (!strcmp(url, "/api/list")) gk_serve_list(sv, r);
    else if (!strcmp(url, "/api/run")) gk_serve_run_meta(sv, p, r);
    else if (!strcmp(url, "/api/cols"))
        gk_serve_cols(sv, p, MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "offset"),
                      MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "end"),
                      MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "cols"), r);
    else if (!strcmp(url, "/api/sweep")) gk_serve_sweep_meta(sv, p, r);
    else if (!strcmp(url, "/f")) serve_file(sv, p, r);
    else gk_serve_error(r, 404, "not found");
}

static enum MHD_Result send_reply(struct MHD_Connection *c, gk_reply *r) {
    struct MHD_Response *resp;
    if (r->fd >= 0) resp = MHD_create_response_from_fd(r->size, r->fd); /* MHD closes fd */
    else resp = MHD_create_response_from_buffer(r->len, r->body, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        if (r->fd >= 0) close(r->fd);
        else free(r->body);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->type ? r->type : "text/plain");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    enum MHD_Result ok = MHD_queue_response(c, r->code, resp);
    MHD_destroy_response(resp);
    return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **state) {
    const gk_serve *sv = cls;
    gk_reply r = {.code = 500, .fd = -1};
    if (!gk_serve_host_ok(sv, MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST))) {
        gk_serve_error(&r, 421, "the Host header must name this machine (localhost, 127.0.0.1 or [::1]): the "
                                "server is bound to a loopback address");
    } else if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD)) {
        gk_serve_error(&r, 405, "read-only: GET and HEAD only");
    } else if (*upload_size) {
        gk_serve_error(&r, 413, "a request body is not accepted");
    } else {
        route(sv, c, url, &r);
    }
    *upload_size = 0;
    return send_reply(c, &r);
}

/* Connections beyond the limit, and the server's own errors, are refused without a word on the terminal. */
static void quiet_log(void *cls, const char *fmt, va_list ap) {}

/* ---- the daemon ----------------------------------------------------------------------------------------- */
static int add_root(gk_serve *sv, const char *dir) {
    if (sv->nroots >= GK_SERVE_MAX_ROOTS)
        return gk_cli_bad_input("at most %d directories can be served at once", GK_SERVE_MAX_ROOTS);
    struct stat st;
    gk_serve_root *r = &sv->roots[sv->nroots];
    if (!realpath(dir, r->real) || stat(r->real, &st) != 0 || !S_ISDIR(st.st_mode))
        return gk_cli_bad_input("'%s' is not a directory (groklab serve DIR ...: run or sweep directories, or "
                                "folders of them)", dir);
    r->given = dir;
    sv->nroots++;
    return -1;
}

static struct MHD_Daemon *start(gk_serve *sv, const serve_args *a, int *rc) {
    struct sockaddr_in6 in6 = {0};
    struct sockaddr_in in4 = {0};
    struct sockaddr *addr;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO;
    if (inet_pton(AF_INET, a->host, &in4.sin_addr) == 1) {
        sv->loopback = (ntohl(in4.sin_addr.s_addr) >> 24) == 127;
        snprintf(sv->bound, sizeof sv->bound, "%s", a->host);
        in4.sin_family = AF_INET;
        in4.sin_port = htons((uint16_t)a->port);
        addr = (struct sockaddr *)&in4;
    } else if (inet_pton(AF_INET6, a->host, &in6.sin6_addr) == 1) {
        sv->loopback = IN6_IS_ADDR_LOOPBACK(&in6.sin6_addr);
        snprintf(sv->bound, sizeof sv->bound, "[%s]", a->host);
        in6.sin6_family = AF_INET6;
        in6.sin6_port = htons((uint16_t)a->port);
        addr = (struct sockaddr *)&in6;
        flags |= MHD_USE_IPv6;
    } else {
        *rc = gk_cli_bad_input("--host '%s' is not an IPv4 or IPv6 address (e.g. 127.0.0.1, 0.0.0.0, ::1)", a->host);
        return NULL;
    }
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, (uint16_t)a->port, NULL, NULL, on_request, sv, MHD_OPTION_SOCK_ADDR, addr,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)POOL_THREADS, MHD_OPTION_CONNECTION_LIMIT, (unsigned)MAX_CONNECTIONS,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONNECTION_TIMEOUT, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)REQUEST_MEMORY, MHD_OPTION_EXTERNAL_LOGGER, quiet_log, NULL, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "groklab: error: cannot listen on %s port %ld (in use, or not an address of this machine)\n",
                a->host, a->port);
        *rc = 1;
    }
    return d;
}

static int stop_pipe[2] = {-1, -1};
static volatile sig_atomic_t stop_signal;

static void on_stop(int sig) {
    stop_signal = sig;
    char c = 1;
    ssize_t w = write(stop_pipe[1], &c, 1); /* async-signal-safe */
    (void)w;
}

int gk_cli_serve(int argc, char **argv) {
    static const struct option longs[] = {{"port", required_argument, NULL, 'p'},
                                          {"host", required_argument, NULL, 'H'},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
    serve_args a = {.port = 8080, .host = "127.0.0.1"};
    const char **pos = calloc((size_t)argc + 1, sizeof *pos);
    int npos = 0, rc = pos ? gk_cli_parse(argc, argv, longs, on_opt, &a, pos, &npos) : 1;
    static gk_serve sv;
    sv.nroots = 0;
    for (int i = 0; rc < 0 && i < npos; i++) rc = add_root(&sv, pos[i]);
    struct stat st;
    for (int i = 0; rc < 0 && npos == 0 && i < 2; i++) {
        const char *def = i ? "sweeps" : "runs";
        if (stat(def, &st) == 0 && S_ISDIR(st.st_mode)) rc = add_root(&sv, def);
    }
    if (rc < 0 && sv.nroots == 0) rc = gk_cli_bad_input("no runs/ or sweeps/ here: name the directories to serve");
    free(pos);
    if (rc >= 0) return rc;
    /* SIGINT and SIGTERM stop the server. A handler (not a blocked mask and sigwait) because the process has threads
     * started before this point (OpenBLAS's, at library load) that a mask set here would not cover: the kernel may
     * hand a signal to any of them. The handler writes to a pipe the main thread waits on. A client that goes away
     * mid-reply must not kill the server: SIGPIPE ignored. */
    if (pipe(stop_pipe) != 0) {
        fprintf(stderr, "groklab: error: serve: cannot make a pipe: %s\n", strerror(errno));
        return 1;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    struct MHD_Daemon *d = start(&sv, &a, &rc);
    if (!d) return rc;
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    int ipv6 = strchr(a.host, ':') != NULL;
    printf("groklab serve: http://%s%s%s:%u/ (", ipv6 ? "[" : "", a.host, ipv6 ? "]" : "", info ? info->port : 0);
    for (int i = 0; i < sv.nroots; i++) printf("%s%s", i ? ", " : "", sv.roots[i].given);
    printf("); Ctrl-C stops it\n");
    fflush(stdout);
    char c;
    while (read(stop_pipe[0], &c, 1) < 0 && errno == EINTR) {}
    int sig = stop_signal;
    MHD_stop_daemon(d);
    printf("groklab serve: stopped (%s)\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    return 0;
}
