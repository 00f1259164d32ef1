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

/* The path of in-memory file number slot (0 or 1) holding data[0..size), valid until the next call for it. */
static const char *fuzz_file_at(int slot, const uint8_t *data, size_t size) {
    static int fd[2] = {-1, -1};
    static char path[2][64];
    if (fd[slot] < 0) {
        fd[slot] = memfd_create("gk_fuzz", 0);
        if (fd[slot] < 0) abort();
        snprintf(path[slot], sizeof path[slot], "/proc/self/fd/%d", fd[slot]);
    }
    if (ftruncate(fd[slot], 0) != 0 || (size && pwrite(fd[slot], data, size, 0) != (ssize_t)size)) abort();
    return path[slot];
}

/* The path of an in-memory file holding data[0..size), valid until the next call. */
static const char *fuzz_file(const uint8_t *data, size_t size) { return fuzz_file_at(0, data, size); }

/* A broken promise of a reader: a crash the fuzzer reports. */
#define FUZZ_ASSERT(x)                                                                                         \
    do {                                                                                                       \
        if (!(x)) {                                                                                            \
            fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\n", #x, __FILE__, __LINE__);                    \
            abort();                                                                                           \
        }                                                                                                      \
    } while (0)

#endif
