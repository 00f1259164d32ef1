/* checkpoint.c: checkpoint files, .npy weights, run-directory housekeeping (see checkpoint.h). */
#define _XOPEN_SOURCE 700
#include "io/checkpoint.h"

#include "io/fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

static const char magic[8] = {'G', 'K', 'C', 'K', 'P', 'T', '\r', '\n'};
enum { HEADER = 24, TRAILER = 4 };

static uint32_t crc_of(const unsigned char *p, size_t n) {
    uLong c = crc32(0L, Z_NULL, 0);
    while (n > 0) { /* zlib takes uInt lengths */
        uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;
        c = crc32(c, p, k);
        p += k, n -= k;
    }
    return (uint32_t)c;
}

gk_status gk_checkpoint_write(const char *path, const void *payload, size_t len, gk_error *err) {
    unsigned char *buf = malloc(HEADER + len + TRAILER);
    if (!buf) return gk_fail(err, GK_ENOMEM, "out of memory writing %s", path);
    uint32_t version = GK_CHECKPOINT_FORMAT, zero = 0;
    uint64_t n = len;
    memcpy(buf, magic, 8);
    memcpy(buf + 8, &version, 4);
    memcpy(buf + 12, &zero, 4);
    memcpy(buf + 16, &n, 8);
    memcpy(buf + HEADER, payload, len);
    uint32_t crc = crc_of(buf, HEADER + len);
    memcpy(buf + HEADER + len, &crc, 4);
    gk_status s = gk_write_file_atomic(path, (const char *)buf, HEADER + len + TRAILER, err);
    free(buf);
    return s;
}

/* The checkpoint's bytes (GK_EINVAL naming it when it cannot be read: resume then refuses the run). */
static gk_status slurp(const char *path, unsigned char **out, size_t *len, gk_error *err) {
    char *text = NULL;
    gk_error e;
    if (gk_read_text_file(path, SIZE_MAX / 2, &text, len, &e) != GK_OK)
        return gk_fail(err, GK_EINVAL, "cannot read the checkpoint %s (%s)", path, e.msg);
    *out = (unsigned char *)text;
    return GK_OK;
}

gk_status gk_checkpoint_read(const char *path, void **payload, size_t *len, gk_error *err) {
    unsigned char *b = NULL;
    size_t n = 0;
    gk_status s = slurp(path, &b, &n, err);
    if (s) return s;
    uint32_t version = 0, crc = 0;
    uint64_t plen = 0;
    if (n < HEADER + TRAILER || memcmp(b, magic, 8)) {
        free(b);
        return gk_fail(err, GK_EINVAL, "%s is not a groklab checkpoint (no GKCKPT header)", path);
    }
    memcpy(&version, b + 8, 4);
    memcpy(&plen, b + 16, 8);
    if (version != GK_CHECKPOINT_FORMAT) {
        free(b);
        return gk_fail(err, GK_EINVAL, "the checkpoint %s has format version %u; this groklab reads version %d", path,
                       version, GK_CHECKPOINT_FORMAT);
    }
    if (plen != n - HEADER - TRAILER) {
        free(b);
        return gk_fail(err, GK_EINVAL, "the checkpoint %s is truncated or has extra bytes (%zu bytes, header says %llu)",
                       path, n, (unsigned long long)(plen + HEADER + TRAILER));
    }
    memcpy(&crc, b + n - TRAILER, 4);
    if (crc != crc_of(b, n - TRAILER)) {
        free(b);
        return gk_fail(err, GK_EINVAL, "the checkpoint %s is corrupt (checksum mismatch)", path);
    }
    memmove(b, b + HEADER, (size_t)plen);
    *payload = b, *len = (size_t)plen;
    return GK_OK;
}

gk_status gk_npy_write(const char *path, const double *data, size_t rows, size_t cols, gk_error *err) {
    char dict[160];
    int dl = snprintf(dict, sizeof dict, "{'descr': '<f8', 'fortran_order': False, 'shape': (%zu, %zu), }", rows, cols);
    size_t hl = 10 + (size_t)dl + 1, pad = (64 - hl % 64) % 64; /* header padded to 64 bytes, ending in \n */
    size_t head = hl + pad, total = head + rows * cols * sizeof(double);
    char *buf = malloc(total);
    if (!buf) return gk_fail(err, GK_ENOMEM, "out of memory writing %s", path);
    uint16_t hlen = (uint16_t)(head - 10);
    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    memcpy(buf + 8, &hlen, 2);
    memcpy(buf + 10, dict, (size_t)dl);
    memset(buf + 10 + dl, ' ', pad);
    buf[head - 1] = '\n';
    memcpy(buf + head, data, rows * cols * sizeof(double));
    gk_status s = gk_write_file_atomic(path, buf, total, err);
    free(buf);
    return s;
}

gk_status gk_npy_write_tensors(const char *dir, const gk_param_table *t, const double *theta, gk_error *err) {
    gk_status s = gk_mkdir_p(dir, err);
    for (int k = 0; k < t->count && !s; k++) {
        char path[1200];
        snprintf(path, sizeof path, "%s/%s.npy", dir, t->t[k].name);
        s = gk_npy_write(path, theta + t->t[k].offset, t->t[k].rows, t->t[k].cols, err);
    }
    return s;
}

int gk_dir_nonempty(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return 0;
    int any = 0;
    for (struct dirent *e; !any && (e = readdir(d));)
        any = strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return any;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    return remove(path) == 0 ? 0 : errno;
}

gk_status gk_remove_tree(const char *dir, gk_error *err) {
    int rc = nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    if (rc != 0) return gk_fail(err, GK_EIO, "cannot remove %s: %s", dir, strerror(rc > 0 ? rc : errno));
    return GK_OK;
}
