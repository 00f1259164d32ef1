/* crash_hook.c: the crash points of groklab-crashtest (the groklab program built with this file, for the test
 * suite only; see src/io/fault.h). GK_CRASH_AT=PATTERN[#K]: at the K-th (default first) point whose name matches
 * the shell pattern PATTERN (fnmatch), the process kills itself with SIGKILL, as kill -9 would: no handler runs,
 * no file is closed. GK_CRASH_PARENT=1 kills the parent first (a sweep worker takes its sweep down with it, as
 * when the machine stops). Each crash is announced on stderr as "crash point NAME" before it happens. */
#define _GNU_SOURCE
#include "io/fault.h"

#include <fnmatch.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void gk_fault_point(const char *name) {
    static long seen = 0;
    const char *want = getenv("GK_CRASH_AT");
    if (!want || !*want) return;
    char pattern[256];
    snprintf(pattern, sizeof pattern, "%s", want);
    long k = 1;
    char *hash = strrchr(pattern, '#');
    if (hash) {
        *hash = '\0';
        k = atol(hash + 1);
    }
    if (fnmatch(pattern, name, 0) != 0 || ++seen != k) return;
    fprintf(stderr, "crash point %s\n", name);
    fflush(stderr);
    const char *parent = getenv("GK_CRASH_PARENT");
    if (parent && !strcmp(parent, "1")) kill(getppid(), SIGKILL);
    kill(getpid(), SIGKILL);
}
