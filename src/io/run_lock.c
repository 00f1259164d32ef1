/* run_lock.c: the run lock (see run_lock.h). */
#include "io/run_lock.h"
#include "io/fsutil.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

int gk_run_lock(const char *dir) {
    char path[4096];
    int w = snprintf(path, sizeof path, "%s/%s", dir, GK_RUN_LOCK_NAME);
    if (w < 0 || (size_t)w >= sizeof path) return -1;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return -1;
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

void gk_run_unlock(int fd) {
    if (fd >= 0) close(fd);
}

int gk_run_is_running(const char *dir) {
    char path[4096];
    int w = snprintf(path, sizeof path, "%s/%s", dir, GK_RUN_LOCK_NAME);
    if (w < 0 || (size_t)w >= sizeof path) return 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    int busy = flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
    close(fd); /* closing drops a shared lock taken here */
    return busy;
}

static int exists_in(const char *dir, const char *name) {
    char path[4096];
    struct stat st;
    int w = snprintf(path, sizeof path, "%s/%s", dir, name);
    return w > 0 && (size_t)w < sizeof path && stat(path, &st) == 0;
}

/* summary.json's "status" into buf; 0 if there is one. */
static int summary_status(const char *dir, char *buf, size_t len) {
    char path[4096], *text = NULL;
    gk_error e;
    int w = snprintf(path, sizeof path, "%s/summary.json", dir);
    if (w < 0 || (size_t)w >= sizeof path || gk_read_text_file(path, 1 << 26, &text, NULL, &e) != GK_OK) return -1;
    cJSON *j = cJSON_Parse(text);
    free(text);
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(j, "status");
    int ok = cJSON_IsString(s) ? (snprintf(buf, len, "%s", s->valuestring), 0) : -1;
    cJSON_Delete(j);
    return ok;
}

const char *gk_run_state(const char *dir, char *buf, size_t len) {
    if (gk_run_is_running(dir)) snprintf(buf, len, "running");
    else if (summary_status(dir, buf, len) == 0) {}
    else if (exists_in(dir, "metrics.csv") || exists_in(dir, "config.json")) snprintf(buf, len, "killed");
    else snprintf(buf, len, "missing");
    return buf;
}
