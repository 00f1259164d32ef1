/* test_sweep.c: sweep grids (lists, ranges, errors), point names and configs, resume detection,
 * sweep.csv assembly and the log-log fit. */
#include "check.h"

#include "run/sweep.h"

#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static const gk_preset *diag(void) {
    const gk_preset *p = gk_preset_find("diag-sparse");
    GK_ASSERT(p);
    return p;
}

static gk_status parse(gk_sweep *sw, const char *a, const char *b, int nseeds, gk_error *err) {
    const char *args[2] = {a, b};
    return gk_sweep_parse(sw, diag(), args, b ? 2 : 1, nseeds, err);
}

static void test_lists_and_names(void) {
    gk_sweep sw;
    gk_error err;
    GK_CHECK(parse(&sw, "alpha=16,32", "wd=5e-3,1e-2,2e-2", 0, &err) == GK_OK);
    GK_CHECK(sw.naxes == 2 && sw.npoints == 6);
    GK_CHECK(!strcmp(sw.axes[1].text[0], "0.005")); /* numbers normalized */
    GK_CHECK(sw.axes[1].num[2] == 2e-2);
    char name[256];
    gk_sweep_point_name(&sw, 0, name, sizeof name);
    GK_CHECK_MSG(!strcmp(name, "alpha=16_wd=0.005_seed=1"), "%s", name);
    gk_sweep_point_name(&sw, 5, name, sizeof name);
    GK_CHECK_MSG(!strcmp(name, "alpha=32_wd=0.02_seed=1"), "%s", name);
    int idx[GK_SWEEP_MAX_AXES];
    gk_sweep_indices(&sw, 4, idx);
    GK_CHECK(idx[0] == 1 && idx[1] == 1);
    gk_config cfg;
    GK_CHECK(gk_sweep_point_config(&sw, 4, &cfg, &err) == GK_OK);
    GK_CHECK(gk_config_real(&cfg, "alpha") == 32 && gk_config_real(&cfg, "wd") == 1e-2);
    gk_sweep_free(&sw);

    /* a single-valued key is fixed: not in the name; --seeds adds the seed axis */
    GK_CHECK(parse(&sw, "alpha=16,32", "d=50", 2, &err) == GK_OK);
    GK_CHECK(sw.npoints == 4 && sw.naxes == 3 && !strcmp(sw.axes[2].key, "seed"));
    gk_sweep_point_name(&sw, 3, name, sizeof name);
    GK_CHECK_MSG(!strcmp(name, "alpha=32_seed=2"), "%s", name);
    GK_CHECK(gk_sweep_point_config(&sw, 3, &cfg, &err) == GK_OK);
    GK_CHECK(gk_config_int(&cfg, "d") == 50 && gk_config_int(&cfg, "seed") == 2);
    gk_sweep_free(&sw);

    /* enum values stay text */
    GK_CHECK(parse(&sw, "data=sparse,l2sep", NULL, 0, &err) == GK_OK);
    GK_CHECK(sw.npoints == 2 && !strcmp(sw.axes[0].text[1], "l2sep") && isnan(sw.axes[0].num[1]));
    gk_sweep_free(&sw);
}

static void test_ranges(void) {
    gk_sweep sw;
    gk_error err;
    GK_CHECK(parse(&sw, "n=1:10:4", NULL, 0, &err) == GK_OK);
    GK_CHECK(sw.axes[0].n == 4);
    double want[] = {1, 4, 7, 10};
    for (int i = 0; i < 4; i++) GK_CHECK(sw.axes[0].num[i] == want[i]);
    gk_sweep_free(&sw);
    GK_CHECK(parse(&sw, "alpha=16:256:5log", NULL, 0, &err) == GK_OK);
    GK_CHECK(sw.axes[0].n == 5);
    const char *texts[] = {"16", "32", "64", "128", "256"};
    for (int i = 0; i < 5; i++) GK_CHECK_MSG(!strcmp(sw.axes[0].text[i], texts[i]), "%s", sw.axes[0].text[i]);
    gk_sweep_free(&sw);
    GK_CHECK(parse(&sw, "wd=1e-3:1e-1:3log", NULL, 0, &err) == GK_OK);
    GK_CHECK_CLOSE(sw.axes[0].num[1], 1e-2, 0, 1e-12);
    GK_CHECK(sw.axes[0].num[0] == 1e-3 && sw.axes[0].num[2] == 1e-1);
    gk_sweep_free(&sw);
    GK_CHECK(parse(&sw, "lr=0.5:0.5:1", NULL, 0, &err) == GK_OK && sw.npoints == 1);
    gk_sweep_free(&sw);
}

static void expect_bad(const char *a, const char *b, int nseeds, const char *needle) {
    gk_sweep sw;
    gk_error err = {{0}};
    gk_status s = parse(&sw, a, b, nseeds, &err);
    GK_CHECK_MSG(s == GK_EINVAL && strstr(err.msg, needle), "%s %s: status %d, message '%s' (want '%s')", a,
                 b ? b : "", (int)s, err.msg, needle);
    if (s == GK_OK) gk_sweep_free(&sw);
}

static void test_bad_grids(void) {
    expect_bad("alpha=", NULL, 0, "alpha: empty list");
    expect_bad("alpha=1,,2", NULL, 0, "alpha=1,,2: an empty value");
    expect_bad("alpha=1,2,", NULL, 0, "empty value");
    expect_bad("alpha=1:2", NULL, 0, "alpha=1:2 is a malformed range");
    expect_bad("alpha=1:2:x", NULL, 0, "malformed range");
    expect_bad("alpha=1:2:0", NULL, 0, "malformed range");
    expect_bad("alpha=1:2:2.5", NULL, 0, "malformed range");
    expect_bad("alpha=a:2:3", NULL, 0, "malformed range");
    expect_bad("alpha=1:2:3:4", NULL, 0, "malformed range");
    expect_bad("wd=0:1:3log", NULL, 0, "log range needs start > 0");
    expect_bad("alpha=1:2:1", NULL, 0, "needs start = stop");
    expect_bad("foo=1,2", NULL, 0, "unknown key 'foo'");
    expect_bad("alpha=1,2", "alpha=3", 0, "key 'alpha' is given twice");
    expect_bad("seed=1,2", NULL, 2, "key 'seed' is given twice");
    expect_bad("alpha=16,16", NULL, 0, "alpha: the value 16 is listed twice");
    expect_bad("alpha", NULL, 0, "not of the form");
}

static void test_validate(void) {
    gk_sweep sw;
    gk_error err = {{0}};
    GK_CHECK(parse(&sw, "alpha=16,0", NULL, 0, &err) == GK_OK);
    GK_CHECK(gk_sweep_validate(&sw, &err) == GK_EINVAL);
    GK_CHECK_MSG(strstr(err.msg, "point alpha=0_seed=1") && strstr(err.msg, "alpha=0 is out of range"), "%s", err.msg);
    gk_sweep_free(&sw);
    /* steps from --steps-per-tstar: ceil(X ln(alpha) / (wd lr)) */
    GK_CHECK(parse(&sw, "alpha=16,64", "wd=0.01", 0, &err) == GK_OK);
    sw.steps_per_tstar = 2.5;
    gk_config cfg;
    GK_CHECK(gk_sweep_point_config(&sw, 1, &cfg, &err) == GK_OK);
    GK_CHECK(gk_config_int(&cfg, "steps") == (long)ceil(2.5 * log(64.0) / (0.01 * 0.01)));
    gk_sweep_free(&sw);
    GK_CHECK(parse(&sw, "steps=10,20", NULL, 0, &err) == GK_OK);
    sw.steps_per_tstar = 2;
    GK_CHECK(gk_sweep_validate(&sw, &err) == GK_EINVAL && strstr(err.msg, "steps"));
    gk_sweep_free(&sw);
    GK_CHECK(parse(&sw, "wd=0,0.01", NULL, 0, &err) == GK_OK);
    sw.steps_per_tstar = 2;
    GK_CHECK(gk_sweep_validate(&sw, &err) == GK_EINVAL && strstr(err.msg, "point wd=0_seed=1"));
    gk_sweep_free(&sw);
}

static void test_loglog_fit(void) {
    double x[6] = {10, 100, 1000, 1e4, -1, NAN}, y[6];
    for (int i = 0; i < 4; i++) y[i] = 3 * pow(x[i], 1.5);
    y[4] = 5, y[5] = 7; /* not usable: x <= 0, x NaN */
    double slope, icpt;
    size_t used;
    gk_error err;
    GK_CHECK(gk_loglog_fit(x, y, 6, &slope, &icpt, &used, &err) == GK_OK);
    GK_CHECK(used == 4);
    GK_CHECK_CLOSE(slope, 1.5, 1e-12, 0);
    GK_CHECK_CLOSE(icpt, log(3.0), 1e-12, 0);
    /* noisy: the least squares slope of known data */
    double xs[3] = {1, M_E, M_E * M_E}, ys[3] = {1, M_E * M_E, M_E * M_E};
    GK_CHECK(gk_loglog_fit(xs, ys, 3, &slope, &icpt, &used, &err) == GK_OK);
    GK_CHECK_CLOSE(slope, 1.0, 1e-12, 0); /* logs (0,0),(1,2),(2,2): slope 1, intercept 1/3 */
    GK_CHECK_CLOSE(icpt, 1.0 / 3.0, 1e-12, 0);
    GK_CHECK(gk_loglog_fit(x, y, 1, &slope, &icpt, &used, &err) == GK_EUNAVAILABLE && isnan(slope));
    double same[2] = {5, 5};
    GK_CHECK(gk_loglog_fit(same, y, 2, &slope, &icpt, &used, &err) == GK_EUNAVAILABLE);
}

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static void put(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    GK_ASSERT(f);
    fputs(text, f);
    fclose(f);
}

/* sweep.csv from hand-written summaries: nulls as empty fields, quoted errors, missing points, time columns
 * in their own file. Then a real tiny run: resume detection follows the status and the params. */
static void test_collect_csv_resume(void) {
    char dir[] = "/tmp/gk_test_sweep_XXXXXX";
    GK_ASSERT(mkdtemp(dir));
    gk_sweep sw;
    gk_error err = {{0}};
    GK_CHECK(parse(&sw, "alpha=16,32,64", "d=10", 0, &err) == GK_OK);
    char path[512];
    snprintf(path, sizeof path, "%s/alpha=16_seed=1", dir);
    mkdir(path, 0777);
    strcat(path, "/summary.json");
    put(path, "{\"status\":\"completed\",\"preset\":\"x\",\"test_grok_step\":1200,\"predicted_transition_step\":2000.5,"
              "\"train_fit_step\":null,\"wall_seconds\":3.25,\"refs\":{\"a\":1}}");
    snprintf(path, sizeof path, "%s/alpha=32_seed=1", dir);
    mkdir(path, 0777);
    strcat(path, "/summary.json");
    put(path, "{\"status\":\"diverged\",\"error\":\"loss, \\\"nan\\\" at step 3\",\"test_grok_step\":null,\"extra\":true}");
    gk_sweep_table t;
    GK_CHECK(gk_sweep_collect(&sw, dir, &t, &err) == GK_OK);
    GK_CHECK(t.completed == 1 && t.failed == 1 && t.missing == 1);
    GK_CHECK(!strcmp(t.status[2], "missing"));
    GK_CHECK(t.nscalars == 5 && gk_sweep_table_col(&t, "refs") < 0 && gk_sweep_table_col(&t, "extra") == 4);
    GK_CHECK(gk_sweep_write_csv(&sw, &t, dir, &err) == GK_OK);
    snprintf(path, sizeof path, "%s/sweep.csv", dir);
    const char *csv = slurp(path);
    const char *want = "alpha,d,seed,point,status,error,test_grok_step,predicted_transition_step,train_fit_step,extra\n"
                       "16,10,1,alpha=16_seed=1,completed,,1200,2000.5,,\n"
                       "32,10,1,alpha=32_seed=1,diverged,\"loss, \"\"nan\"\" at step 3\",,,,1\n"
                       "64,10,1,alpha=64_seed=1,missing,,,,,\n";
    GK_CHECK_MSG(csv && !strcmp(csv, want), "got:\n%s", csv ? csv : "(none)");
    snprintf(path, sizeof path, "%s/sweep_times.csv", dir);
    csv = slurp(path);
    GK_CHECK_MSG(csv && !strcmp(csv, "point,wall_seconds\nalpha=16_seed=1,3.25\nalpha=32_seed=1,\nalpha=64_seed=1,\n"),
                 "got:\n%s", csv ? csv : "(none)");
    gk_sweep_table_free(&t);
    /* hand-written summaries have no params: never "done" */
    GK_CHECK(!gk_sweep_point_done(&sw, 0, dir));
    gk_sweep_free(&sw);

    /* a real tiny run */
    GK_CHECK(parse(&sw, "alpha=16,32", "d=10", 0, &err) == GK_OK);
    const char *args2[] = {"alpha=16,32", "d=10", "n=8", "n_test=10", "steps=20"};
    gk_sweep_free(&sw);
    GK_CHECK(gk_sweep_parse(&sw, diag(), args2, 5, 0, &err) == GK_OK);
    sw.threads = 1;
    gk_status st = GK_EFAILED;
    GK_CHECK(gk_sweep_run_point(&sw, 1, dir, NULL, &st, &err) == GK_OK && st == GK_OK);
    GK_CHECK(gk_sweep_point_done(&sw, 1, dir));
    GK_CHECK(!gk_sweep_point_done(&sw, 0, dir)); /* its summary is the hand-written one: no params */
    gk_sweep_free(&sw);
    /* the same directory name with other params (steps changed) is not done */
    const char *args3[] = {"alpha=16,32", "d=10", "n=8", "n_test=10", "steps=30"};
    GK_CHECK(gk_sweep_parse(&sw, diag(), args3, 5, 0, &err) == GK_OK);
    GK_CHECK(!gk_sweep_point_done(&sw, 1, dir));
    /* a point that diverges is recorded, not fatal */
    gk_sweep_free(&sw);
    const char *args4[] = {"lr=1e3", "d=10", "n=8", "n_test=10", "steps=200"};
    GK_CHECK(gk_sweep_parse(&sw, diag(), args4, 5, 0, &err) == GK_OK);
    GK_CHECK(gk_sweep_run_point(&sw, 0, dir, NULL, &st, &err) == GK_OK && st == GK_ENONFINITE);
    GK_CHECK(!gk_sweep_point_done(&sw, 0, dir));
    GK_CHECK(gk_sweep_collect(&sw, dir, &t, &err) == GK_OK);
    GK_CHECK(t.failed == 1 && !strcmp(t.status[0], "diverged") && strstr(t.error[0], "non-finite"));
    gk_sweep_table_free(&t);
    gk_sweep_free(&sw);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    GK_CHECK(system(cmd) == 0);
}

/* Two values that sanitize alike (a path and its '_' spelling) get different, stable names; a long value is
 * cut to GK_SWEEP_NAME_MAX and stays unique. The old names were equal ("target_csv=_a_b_m.csv_seed=1"). */
static void test_names_unique(void) {
    const gk_preset *mc = gk_preset_find("mc-multiply-fast");
    GK_ASSERT(mc);
    const char *a1[] = {"target_csv=/a/b/m.csv,_a_b_m.csv,a_b"};
    gk_sweep sw;
    gk_error err = {{0}};
    GK_CHECK(gk_sweep_parse(&sw, mc, a1, 1, 0, &err) == GK_OK && sw.npoints == 3);
    char n0[512], n1[512], n2[512], again[512];
    gk_sweep_point_name(&sw, 0, n0, sizeof n0);
    gk_sweep_point_name(&sw, 1, n1, sizeof n1);
    gk_sweep_point_name(&sw, 2, n2, sizeof n2);
    gk_sweep_point_name(&sw, 0, again, sizeof again);
    GK_CHECK_MSG(strcmp(n0, n1) && strcmp(n0, n2) && strcmp(n1, n2), "%s | %s | %s", n0, n1, n2);
    GK_CHECK(!strcmp(n0, again));
    GK_CHECK_MSG(!strncmp(n0, "target_csv=_a_b_m.csv~", 22) && strlen(n0) == 22 + 8 + 7 && !strchr(n0, '/'), "%s", n0);
    gk_sweep_free(&sw);
    /* a parse of the same grid gives the same names (stable across reruns) */
    GK_CHECK(gk_sweep_parse(&sw, mc, a1, 1, 0, &err) == GK_OK);
    gk_sweep_point_name(&sw, 0, again, sizeof again);
    GK_CHECK(!strcmp(n0, again));
    gk_sweep_free(&sw);
    /* long names: cut to GK_SWEEP_NAME_MAX, still unique */
    char longv[300] = "target_csv=";
    size_t k = strlen(longv);
    for (int v = 1; v <= 2; v++) {
        for (int i = 0; i < 110; i++) longv[k++] = i % 10 ? 'x' : '/';
        longv[k++] = (char)('0' + v);
        longv[k++] = v == 1 ? ',' : '\0';
    }
    const char *a2[] = {longv, "alpha=1.00000000000001,2.00000000000001", "wd=0.0100000000000001,0.0200000000000001",
                        "lr=0.100000000000001,0.200000000000001"};
    GK_CHECK(gk_sweep_parse(&sw, mc, a2, 4, 0, &err) == GK_OK && sw.npoints == 16);
    for (size_t p = 0; p < sw.npoints; p++) {
        gk_sweep_point_name(&sw, p, n0, sizeof n0);
        GK_CHECK_MSG(strlen(n0) <= GK_SWEEP_NAME_MAX, "%zu: %s", strlen(n0), n0);
        for (size_t q = 0; q < p; q++) {
            gk_sweep_point_name(&sw, q, n1, sizeof n1);
            GK_CHECK_MSG(strcmp(n0, n1), "points %zu and %zu: %s", q, p, n0);
        }
    }
    gk_sweep_point_name(&sw, 15, n0, sizeof n0);
    GK_CHECK_MSG(strlen(n0) == GK_SWEEP_NAME_MAX, "%s", n0);
    gk_sweep_free(&sw);
}

/* A point locked by another process is not run (GK_EUNAVAILABLE, nothing created); a point run removes the
 * stale temp files of its directory; a swept `steps` is not repeated by the summary's own steps in sweep.csv. */
static void test_lock_temps_columns(void) {
    char dir[] = "/tmp/gk_test_sweep_XXXXXX";
    GK_ASSERT(mkdtemp(dir));
    const char *args[] = {"steps=20,30", "d=10", "n=8", "n_test=10", "evals=3", "evals_lin=0"};
    gk_sweep sw;
    gk_error err = {{0}};
    GK_CHECK(gk_sweep_parse(&sw, diag(), args, 6, 0, &err) == GK_OK);
    sw.threads = 1;
    char name[512], path[1200];
    gk_sweep_point_name(&sw, 0, name, sizeof name);
    snprintf(path, sizeof path, "%s/.%s.lock", dir, name);
    int fd = open(path, O_RDWR | O_CREAT, 0666); /* another open file description: flock conflicts */
    GK_CHECK(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0);
    gk_status st = GK_EFAILED;
    gk_status s = gk_sweep_run_point(&sw, 0, dir, NULL, &st, &err);
    GK_CHECK_MSG(s == GK_EUNAVAILABLE && strstr(err.msg, "another process"), "%d: %s", (int)s, err.msg);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    GK_CHECK(access(path, F_OK) != 0); /* not run */
    close(fd);
    mkdir(path, 0777);
    snprintf(path, sizeof path, "%s/%s/.curves.png.tmp2147483646", dir, name);
    put(path, "half a figure");
    GK_CHECK(gk_sweep_run_point(&sw, 0, dir, NULL, &st, &err) == GK_OK && st == GK_OK);
    GK_CHECK(access(path, F_OK) != 0);
    GK_CHECK(gk_sweep_run_point(&sw, 1, dir, NULL, &st, &err) == GK_OK && st == GK_OK);
    gk_sweep_table t;
    GK_CHECK(gk_sweep_collect(&sw, dir, &t, &err) == GK_OK && gk_sweep_table_col(&t, "steps") >= 0);
    GK_CHECK(gk_sweep_write_csv(&sw, &t, dir, &err) == GK_OK);
    gk_sweep_table_free(&t);
    snprintf(path, sizeof path, "%s/sweep.csv", dir);
    const char *csv = slurp(path);
    int nsteps = 0;
    for (const char *c = csv; c && (c = strstr(c, "steps")) && c < strchr(csv, '\n'); c++)
        nsteps += (c == csv || c[-1] == ',') && (c[5] == ',' || c[5] == '\n');
    GK_CHECK_MSG(nsteps == 1, "%d steps columns: %.200s", nsteps, csv ? csv : "(none)");
    gk_sweep_free(&sw);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    GK_CHECK(system(cmd) == 0);
}

int main(void) {
    GK_RUN(test_lists_and_names);
    GK_RUN(test_names_unique);
    GK_RUN(test_lock_temps_columns);
    GK_RUN(test_ranges);
    GK_RUN(test_bad_grids);
    GK_RUN(test_validate);
    GK_RUN(test_loglog_fit);
    GK_RUN(test_collect_csv_resume);
    return gk_test_summary();
}
