/* serve_reply.c: the plain-text reply of `groklab serve` (serve.h), under both its pages (serve_api.c) and its
 * rows (serve_cols.c): an error code and one line saying why. */
#include "serve.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void gk_serve_error(gk_reply *r, unsigned code, const char *msg) {
    r->code = code;
    r->type = "text/plain; charset=utf-8";
    r->body = malloc(strlen(msg) + 2);
    if (r->body) sprintf(r->body, "%s\n", msg);
    r->len = r->body ? strlen(r->body) : 0;
}
