/* test_readers.c: the readers of user files are bounded and strict (issue 15): an IDX header that promises more
 * than the file holds is refused before anything is allocated, nothing may follow a gzip stream, a broken .gz
 * does not hide a good raw file, a digits JSON file is one value of bounded size, a target CSV read from an
 * endless device stops with a clear message; and the stale temp files of a killed writer are removed. Each
 * endless or huge case runs in a child with a time limit (and, without ASan, a 1 GiB address-space limit), so
 * that the old unbounded behaviour fails the test instead of hanging it. */
#include "check.h"

#include "data/digits_json.h"
#include "data/idx.h"
#include "data/mc_data.h"
#include "io/fsutil.h"

#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

static char tmpdir[256];

static void path_of(char *buf, size_t len, const char *name) { snprintf(buf, len, "%s/%s", tmpdir, name); }

static void write_file(const char *name, const void *b, size_t n, const char *mode) {
    char p[512];
    path_of(p, sizeof p, name);
    FILE *f = fopen(p, mode);
    GK_ASSERT(f && fwrite(b, 1, n, f) == n);
    fclose(f);
}

static void write_gz(const char *name, const unsigned char *b, size_t n) {
    char p[512];
    path_of(p, sizeof p, name);
    gzFile f = gzopen(p, "wb");
    GK_ASSERT(f && gzwrite(f, b, (unsigned)n) == (int)n);
    gzclose(f);
}

/* An IDX1 file of n labels into buf; returns its length. */
static size_t make_idx1(unsigned char *buf, unsigned n) {
    unsigned char h[8] = {0, 0, 8, 1, 0, 0, 0, (unsigned char)n};
    memcpy(buf, h, 8);
    for (unsigned i = 0; i < n; i++) buf[8 + i] = (unsigned char)(i % 10);
    return 8 + n;
}

/* Runs fn in a child with at most `seconds` of time and (without ASan, whose shadow memory needs more) 1 GiB of
 * address space; 1 if it returned 1. */
static int in_child(int (*fn)(void), unsigned seconds) {
    fflush(NULL);
    pid_t pid = fork();
    GK_ASSERT(pid >= 0);
    if (pid == 0) {
#if !defined(__SANITIZE_ADDRESS__)
        struct rlimit rl = {1UL << 30, 1UL << 30};
        setrlimit(RLIMIT_AS, &rl);
#endif
        alarm(seconds);
        _exit(fn() ? 0 : 1);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    if (WIFSIGNALED(st)) fprintf(stderr, "  child killed by signal %d\n", WTERMSIG(st));
    return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* A 116-byte IDX file whose header promises 2^34 bytes: refused as truncated, without a 16 GiB malloc. */
static int idx_bomb(void) {
    unsigned char b[116] = {0, 0, 8, 3, 0, 0, 0x10, 0, 0, 0, 0x08, 0, 0, 0, 0x08, 0}; /* 4096 x 2048 x 2048 */
    write_file("bomb-idx", b, sizeof b, "wb");
    char p[512];
    path_of(p, sizeof p, "bomb-idx");
    gk_idx x;
    gk_error err = {{0}};
    gk_status s = gk_idx_read(p, &x, &err);
    if (s != GK_EINVAL || !strstr(err.msg, "truncated")) fprintf(stderr, "  bomb-idx: status %d: %s\n", (int)s, err.msg);
    return s == GK_EINVAL && strstr(err.msg, "truncated") != NULL;
}

/* The same promise in a small gzip file. */
static int idx_gz_bomb(void) {
    unsigned char b[16 + 1000] = {0, 0, 8, 3, 0, 0, 0x10, 0, 0, 0, 0x08, 0, 0, 0, 0x08, 0};
    write_gz("bomb-idx.gz", b, sizeof b);
    char p[512];
    path_of(p, sizeof p, "bomb-idx.gz");
    gk_idx x;
    gk_error err = {{0}};
    gk_status s = gk_idx_read(p, &x, &err);
    if (s != GK_EINVAL) fprintf(stderr, "  bomb-idx.gz: status %d: %s\n", (int)s, err.msg);
    return s == GK_EINVAL && strstr(err.msg, "truncated") != NULL;
}

static void test_idx_bounded(void) {
    GK_CHECK(in_child(idx_bomb, 20));
    GK_CHECK(in_child(idx_gz_bomb, 20));
}

static void test_idx_gzip_strict(void) {
    unsigned char lab[8 + 50];
    size_t n = make_idx1(lab, 50);
    write_gz("lab.gz", lab, n);
    char p[512], cmd[1200];
    path_of(p, sizeof p, "lab.gz");
    gk_idx x;
    gk_error err = {{0}};
    GK_CHECK(gk_idx_read(p, &x, &err) == GK_OK && x.count == 50);
    gk_idx_free(&x);
    /* extra bytes after the gzip stream */
    snprintf(cmd, sizeof cmd, "cp '%s' '%s/junk.gz' && printf 'JUNK' >> '%s/junk.gz'", p, tmpdir, tmpdir);
    GK_CHECK(system(cmd) == 0);
    path_of(p, sizeof p, "junk.gz");
    gk_status s = gk_idx_read(p, &x, &err);
    GK_CHECK_MSG(s == GK_EINVAL && strstr(err.msg, "after the end of the gzip stream") && strstr(err.msg, p), "%d: %s",
                 (int)s, err.msg);
    /* two gzip streams one after the other: the second is extra too */
    snprintf(cmd, sizeof cmd, "cat '%s/lab.gz' '%s/lab.gz' > '%s/twice.gz'", tmpdir, tmpdir, tmpdir);
    GK_CHECK(system(cmd) == 0);
    path_of(p, sizeof p, "twice.gz");
    GK_CHECK(gk_idx_read(p, &x, &err) == GK_EINVAL);
    /* a .gz cut short beside a good raw file: the raw file is read, and named */
    write_file("pair", lab, n, "wb");
    snprintf(cmd, sizeof cmd, "head -c 30 '%s/lab.gz' > '%s/pair.gz'", tmpdir, tmpdir);
    GK_CHECK(system(cmd) == 0);
    path_of(p, sizeof p, "pair.gz");
    GK_CHECK(gk_idx_read(p, &x, &err) == GK_EINVAL);
    s = gk_idx_read_best(p, sizeof p, &x, &err);
    GK_CHECK_MSG(s == GK_OK && x.count == 50 && strcmp(p + strlen(p) - 4, "pair") == 0, "%d: %s (%s)", (int)s, err.msg, p);
    gk_idx_free(&x);
    /* a broken .gz with a broken raw file: the .gz's problem is told */
    write_file("pair", lab, n - 3, "wb");
    path_of(p, sizeof p, "pair.gz");
    GK_CHECK(gk_idx_read_best(p, sizeof p, &x, &err) == GK_EINVAL && strstr(err.msg, "pair.gz"));
}

/* ---- digits JSON ---------------------------------------------------------------------------------- */

static int json_dev_zero(void) {
    gk_image_set S;
    memset(&S, 0, sizeof S);
    gk_error err = {{0}};
    gk_status s = gk_digits_json_read_file("/dev/zero", 0, &S, &err);
    if (s != GK_EINVAL) fprintf(stderr, "  /dev/zero: status %d: %s\n", (int)s, err.msg);
    return s == GK_EINVAL && strstr(err.msg, "/dev/zero") != NULL;
}

static void test_digits_json_strict(void) {
    char text[784 * 2 + 64] = "{\"data\": [0";
    for (int i = 1; i < 784; i++) strcat(text, ",0");
    strcat(text, "]}");
    write_file("one.json", text, strlen(text), "wb");
    strcat(text, " \n {\"data\": []}");
    write_file("two.json", text, strlen(text), "wb");
    char p[512];
    gk_image_set S;
    memset(&S, 0, sizeof S);
    gk_error err = {{0}};
    path_of(p, sizeof p, "one.json");
    GK_CHECK(gk_digits_json_read_file(p, 3, &S, &err) == GK_OK && S.n == 1 && S.y[0] == 3);
    gk_image_set_free(&S);
    path_of(p, sizeof p, "two.json");
    gk_status s = gk_digits_json_read_file(p, 3, &S, &err);
    GK_CHECK_MSG(s == GK_EINVAL && strstr(err.msg, "two.json") && S.n == 0, "%d: %s", (int)s, err.msg);
    write_file("nul.json", "{\"data\": []}\0xx", 15, "wb");
    path_of(p, sizeof p, "nul.json");
    GK_CHECK(gk_digits_json_read_file(p, 0, &S, &err) == GK_EINVAL && strstr(err.msg, "NUL"));
    GK_CHECK(in_child(json_dev_zero, 20));
}

/* ---- target CSV ----------------------------------------------------------------------------------- */

static int csv_dev_zero(void) {
    double *X = NULL;
    size_t d = 0;
    gk_error err = {{0}};
    gk_status s = gk_mc_read_csv("/dev/zero", &X, &d, &err);
    if (s != GK_EINVAL || !strstr(err.msg, "longer than")) fprintf(stderr, "  /dev/zero: status %d: %s\n", (int)s, err.msg);
    return s == GK_EINVAL && strstr(err.msg, "longer than") != NULL;
}

static void test_target_csv_bounded(void) {
    GK_CHECK(in_child(csv_dev_zero, 20));
    /* a first row wider than any allowed d */
    size_t n = (GK_MC_CSV_MAX_DIM + 1) * 2;
    char *wide = malloc(n + 1);
    for (size_t i = 0; i < n; i += 2) wide[i] = '1', wide[i + 1] = ',';
    wide[n - 1] = '\n';
    write_file("wide.csv", wide, n, "wb");
    free(wide);
    char p[512];
    path_of(p, sizeof p, "wide.csv");
    double *X = NULL;
    size_t d = 0;
    gk_error err = {{0}};
    gk_status s = gk_mc_read_csv(p, &X, &d, &err);
    GK_CHECK_MSG(s == GK_EINVAL && strstr(err.msg, "at most 4096"), "%d: %s", (int)s, err.msg);
    write_file("ok.csv", "1,2\n2,5\n", 8, "wb");
    path_of(p, sizeof p, "ok.csv");
    GK_CHECK(gk_mc_read_csv(p, &X, &d, &err) == GK_OK && d == 2 && X[3] == 5);
    free(X);
}

/* ---- stale temp files ----------------------------------------------------------------------------- */

static int exists(const char *name) {
    char p[512];
    path_of(p, sizeof p, name);
    return access(p, F_OK) == 0;
}

static void test_stale_temps(void) {
    char mine[64], live[64];
    snprintf(mine, sizeof mine, ".metrics.csv.tmp%ld", (long)getpid());
    snprintf(live, sizeof live, ".curves.svg.tmp%ld", (long)getppid());
    const char *dead = ".curves.png.tmp2147483646", *keep[] = {"curves.png", ".curves.png.tmpx", ".tmp123", ".lock"};
    write_file(mine, "x", 1, "wb");
    write_file(live, "x", 1, "wb");
    write_file(dead, "x", 1, "wb");
    for (int i = 0; i < 4; i++) write_file(keep[i], "x", 1, "wb");
    int removed = -1;
    gk_error err = {{0}};
    GK_CHECK(gk_remove_stale_temps(tmpdir, &removed, &err) == GK_OK);
    GK_CHECK_MSG(removed == 2, "removed %d", removed);
    GK_CHECK(!exists(mine) && !exists(dead) && exists(live));
    for (int i = 0; i < 4; i++) GK_CHECK_MSG(exists(keep[i]), "%s removed", keep[i]);
    char none[600];
    snprintf(none, sizeof none, "%s/does-not-exist", tmpdir);
    GK_CHECK(gk_remove_stale_temps(none, &removed, &err) == GK_OK && removed == 0);
}

int main(void) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/gk_test_readers_XXXXXX");
    GK_ASSERT(mkdtemp(tmpdir));
    GK_RUN(test_idx_bounded);
    GK_RUN(test_idx_gzip_strict);
    GK_RUN(test_digits_json_strict);
    GK_RUN(test_target_csv_bounded);
    GK_RUN(test_stale_temps);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmpdir);
    return gk_test_summary();
}
