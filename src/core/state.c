/* state.c: the checkpoint visitor (see state.h). Block layout: u16 name length, name, u64 size, bytes. */
#include "core/state.h"

#include <stdlib.h>
#include <string.h>

void gk_state_init_save(gk_state *s) { memset(s, 0, sizeof *s); }

void gk_state_init_probe(gk_state *s) {
    memset(s, 0, sizeof *s);
    s->probing = 1;
}

void gk_state_init_load(gk_state *s, const void *buf, size_t len) {
    memset(s, 0, sizeof *s);
    s->loading = 1;
    s->buf = (unsigned char *)buf;
    s->len = len;
}

void gk_state_fail(gk_state *s, gk_status st, const char *msg) {
    if (s->status) return;
    s->status = st;
    snprintf(s->err.msg, sizeof s->err.msg, "%s", msg);
}

static int put(gk_state *s, const void *p, size_t n) {
    if (s->probing) {
        s->len += n;
        return 1;
    }
    if (s->len + n > s->cap) {
        size_t cap = s->cap ? s->cap : 4096;
        while (cap < s->len + n) cap *= 2;
        unsigned char *b = realloc(s->buf, cap);
        if (!b) {
            gk_state_fail(s, GK_ENOMEM, "out of memory for a checkpoint");
            return 0;
        }
        s->buf = b, s->cap = cap;
    }
    if (n) memcpy(s->buf + s->len, p, n);
    s->len += n;
    return 1;
}

static int get(gk_state *s, void *p, size_t n) {
    if (n > s->len - s->pos) {
        gk_state_fail(s, GK_EINVAL, "the checkpoint is truncated");
        return 0;
    }
    if (n) memcpy(p, s->buf + s->pos, n);
    s->pos += n;
    return 1;
}

/* The header of a block: writes it, or reads it and checks the name. Returns the stored size on load. */
static int header(gk_state *s, const char *name, uint64_t *size) {
    uint16_t nl = (uint16_t)strlen(name);
    if (!s->loading) return put(s, &nl, sizeof nl) && put(s, name, nl) && put(s, size, sizeof *size);
    uint16_t got = 0;
    char stored[65536];
    if (!get(s, &got, sizeof got) || !get(s, stored, got) || !get(s, size, sizeof *size)) return 0;
    if (got != nl || memcmp(stored, name, nl)) {
        char msg[200];
        snprintf(msg, sizeof msg, "the checkpoint holds block '%.*s' where '%s' was expected (another experiment or version)",
                 (int)(got < 60 ? got : 60), stored, name);
        gk_state_fail(s, GK_EINVAL, msg);
        return 0;
    }
    return 1;
}

void gk_state_block(gk_state *s, const char *name, void *ptr, size_t bytes) {
    if (s->status) return;
    uint64_t size = bytes;
    if (!header(s, name, &size)) return;
    if (!s->loading) {
        put(s, ptr, bytes);
        return;
    }
    if (size != bytes) {
        char msg[200];
        snprintf(msg, sizeof msg, "the checkpoint's block '%s' has %llu bytes where %zu were expected (another size or config)",
                 name, (unsigned long long)size, bytes);
        gk_state_fail(s, GK_EINVAL, msg);
        return;
    }
    get(s, ptr, bytes);
}

void gk_state_block_alloc(gk_state *s, const char *name, void **ptr, size_t *bytes) {
    if (s->status) return;
    uint64_t size = *bytes;
    if (!header(s, name, &size)) return;
    if (!s->loading) {
        put(s, *ptr, *bytes);
        return;
    }
    if (size > s->len - s->pos) {
        gk_state_fail(s, GK_EINVAL, "the checkpoint is truncated");
        return;
    }
    *ptr = malloc(size ? size : 1);
    if (!*ptr) {
        gk_state_fail(s, GK_ENOMEM, "out of memory reading a checkpoint");
        return;
    }
    *bytes = size;
    get(s, *ptr, size);
}

gk_status gk_state_status(const gk_state *s, gk_error *err) {
    if (s->status) return gk_fail(err, s->status, "%s", s->err.msg);
    if (s->loading && s->pos != s->len)
        return gk_fail(err, GK_EINVAL, "the checkpoint has %zu bytes after its last block (another experiment or version)",
                       s->len - s->pos);
    return GK_OK;
}

void gk_state_free(gk_state *s) {
    if (!s->loading) free(s->buf);
    memset(s, 0, sizeof *s);
}
