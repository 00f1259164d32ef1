/* fuzz_common.h: helpers of the libFuzzer targets. The readers take a path, so each input is put into an
 * in-memory file (memfd) and read back through /proc/self/fd/N: a regular file, no disk, no temp names. */
#ifndef GK_FUZZ_COMMON_H
#define GK_FUZZ_COMMON_H

#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* The path of an in-memory file holding data[0..size), valid until the next call. */
static const char *fuzz_file(const uint8_t *data, size_t size) {
    static int fd = -1;
    static char path[64];
    if (fd < 0) {
        fd = memfd_create("gk_fuzz", 0);
        if (fd < 0) abort();
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    if (ftruncate(fd, 0) != 0 || (size && pwrite(fd, data, size, 0) != (ssize_t)size)) abort();
    return path;
}

/* A broken promise of a reader: a crash the fuzzer reports. */
#define FUZZ_ASSERT(x)                                                                                         \
    do {                                                                                                       \
        if (!(x)) {                                                                                            \
            fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\n", #x, __FILE__, __LINE__);                    \
            abort();                                                                                           \
        }                                                                                                      \
    } while (0)

#endif
