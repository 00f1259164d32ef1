/* sweep.h: grids of runs. A sweep is the Cartesian product of a few swept keys (and seeds), each point a
 * normal run (gk_run) in its own subdirectory of the sweep directory. This layer parses the grid and names the
 * points (sweep_grid.c), runs one point under a lock and tells whether a point is already done (resume;
 * sweep_point.c), assembles sweep.csv from the points' summary.json files and fits log(observed) against
 * log(predicted) (sweep_table.c), and draws the sweep figures (sweep_fig.c). Processes (fork, MPI) and
 * printing live in cli/sweep.c. */
#ifndef GK_SWEEP_H
#define GK_SWEEP_H

#include "run/run.h"

#define GK_SWEEP_MAX_AXES 16
#define GK_SWEEP_MAX_VALUES 4096

typedef struct gk_sweep_axis {
    char key[64];
    int n;        /* number of values (>= 1) */
    char **text;  /* each value as passed to gk_config_set (numbers normalized with %.15g) */
    double *num;  /* numeric value, NAN for a non-numeric one */
} gk_sweep_axis;

typedef struct gk_sweep {
    const gk_preset *preset;
    int naxes;
    gk_sweep_axis axes[GK_SWEEP_MAX_AXES]; /* in command-line order; `seed` (from --seeds) last */
    size_t npoints;                       /* product of the axis sizes */
    double steps_per_tstar;               /* > 0: steps = ceil(X * ln(alpha)/(wd*lr)) for each point */
    int threads;                          /* > 0: threads=N for each point (unless threads is swept) */
    double checkpoint_every;              /* seconds between a point's checkpoints; 0: the default,
                                             GK_SWEEP_CHECKPOINT_EVERY; < 0: none */
} gk_sweep;

/* Parses the grid: each arg is key=v1,v2,... or key=start:stop:num or key=start:stop:numlog (num values,
 * ends included, linear or geometric). nseeds > 0 adds the axis seed=1..nseeds. Checks every key against the
 * preset: an empty list, an empty value, a malformed range, an unknown key or a repeated key is GK_EINVAL
 * with a message naming it. Does not resolve the points (see gk_sweep_validate). */
gk_status gk_sweep_parse(gk_sweep *sw, const gk_preset *p, const char *const *args, int nargs, int nseeds,
                         gk_error *err);
void gk_sweep_free(gk_sweep *sw);

/* The value index of each axis at point k (the first axis varies slowest). */
void gk_sweep_indices(const gk_sweep *sw, size_t k, int *idx);
/* The point's directory name, e.g. "alpha=16_wd=0.005_seed=1": every axis with more than one value, then
 * the seed (always). The same grid gives the same names on every run, and two points never share one: a value
 * with a character other than [A-Za-z0-9.+-] (a path, say) has them replaced by '_' and is followed by '~' and
 * 8 hex digits of a hash of the value as given ("target_csv=_a_b_m.csv~1c2d3e4f"); a name longer than
 * GK_SWEEP_NAME_MAX is cut and ends in '~' and a hash of the whole name. */
#define GK_SWEEP_NAME_MAX 200
void gk_sweep_point_name(const gk_sweep *sw, size_t k, char *buf, size_t len);
/* The index of the axis of `key`, or -1. */
int gk_sweep_axis_index(const gk_sweep *sw, const char *key);
/* A number as text that reads back exactly (%.15g, or %.17g when needed). */
void gk_sweep_fmt_exact(char *buf, size_t len, double v);
/* The point's resolved config (preset, grid values, steps from steps_per_tstar, threads). */
gk_status gk_sweep_point_config(const gk_sweep *sw, size_t k, gk_config *cfg, gk_error *err);
/* Resolves every point; the first bad one is GK_EINVAL with a message naming the point. */
gk_status gk_sweep_validate(const gk_sweep *sw, gk_error *err);

/* dir/name/summary.json as an object (NULL if absent, unreadable, larger than 16 MiB or not an object). */
cJSON *gk_sweep_read_summary(const char *dir, const char *name);
/* 1 if the summary's params are those of point k (threads aside: results do not depend on it). */
int gk_sweep_params_match(const gk_sweep *sw, size_t k, const cJSON *summary);
/* 1 if dir/name/summary.json says completed and its params equal this point's config (threads aside). */
int gk_sweep_point_done(const gk_sweep *sw, size_t k, const char *dir);

/* Runs point k into dir/name. While it runs the point is locked (flock on dir/.name.lock, released when the
 * process ends however it ends): a point locked by another process is not run, GK_EUNAVAILABLE with a message
 * saying so; a point another process completed meanwhile is not run again (*status GK_OK). Stale temp files
 * of a killed writer are removed from dir/name first. A failure to set the run up (bad config, create failed)
 * is recorded as a summary.json with status "failed" and the error, so that sweep.csv shows it. *status is the
 * run's outcome (GK_OK completed, GK_EINTERRUPTED, GK_ENONFINITE, ...). Returns an error only if nothing
 * could be written (or the point is locked). */
#define GK_SWEEP_CHECKPOINT_EVERY 300.0 /* seconds between a point's checkpoints unless sw->checkpoint_every says */
gk_status gk_sweep_run_point(const gk_sweep *sw, size_t k, const char *dir, const volatile int *stop,
                             gk_status *status, gk_error *err);

/* ---- which sweep a directory holds (sweep_dir.c) ---------------------------------------------------- */

/* The text of DIR/sweep.json that names a sweep's points: the preset, the grid arguments as given, the seeds
 * and steps_per_tstar (not jobs, the heat map's key or the checkpoint interval: they change no point). NULL if
 * out of memory; free() it. */
char *gk_sweep_identity(const char *preset, const char *const *args, int nargs, int seeds, double steps_per_tstar);
/* A directory whose sweep.json names another sweep is GK_EINVAL (a message naming it) unless force. With
 * write (one process of a sweep does it): the other sweep's tables and figures are removed (force) and
 * sweep.json is written with this identity. */
gk_status gk_sweep_claim_dir(const char *dir, const char *identity, int force, int write, gk_error *err);

/* ---- results ---------------------------------------------------------------------------------------- */

typedef struct gk_sweep_table {
    size_t npoints;
    int nscalars;
    char **scalar_names; /* the summary.json scalars, in order of first appearance (wall-time keys last) */
    double *val;         /* npoints x nscalars, NAN for null or absent */
    char **status;       /* per point: completed | interrupted | diverged | failed | missing */
    char **error;        /* per point: the error text or "" */
    size_t completed, failed, missing;
} gk_sweep_table;

/* Reads dir/<point>/summary.json of every point (a point without one is "missing"). */
gk_status gk_sweep_collect(const gk_sweep *sw, const char *dir, gk_sweep_table *t, gk_error *err);
void gk_sweep_table_free(gk_sweep_table *t);
/* The column of a scalar in the table, or -1. */
int gk_sweep_table_col(const gk_sweep_table *t, const char *name);
/* 1 for the keys that measure wall time (wall_seconds, train_seconds, seconds_per_step): they differ between
 * two runs of the same sweep, so they go to sweep_times.csv, not sweep.csv. */
int gk_sweep_is_time_key(const char *key);

/* Writes dir/sweep.csv (swept keys, seed, point, status, error, scalars; null as an empty field; a scalar named
 * like one of the earlier columns, e.g. a swept `steps`, is not repeated) and dir/sweep_times.csv (point and
 * wall-time columns), both atomically. */
gk_status gk_sweep_write_csv(const gk_sweep *sw, const gk_sweep_table *t, const char *dir, gk_error *err);

/* Least squares fit of log(y) = intercept + slope * log(x) (natural logs) over the pairs with x > 0 and y > 0
 * both finite. GK_EUNAVAILABLE if fewer than 2 such pairs or all x equal. *used = number of pairs used. */
gk_status gk_loglog_fit(const double *x, const double *y, size_t n, double *slope, double *intercept,
                        size_t *used, gk_error *err);

/* Draws dir/heatmap.{png,svg} (zkey over the first two swept numeric keys with more than one value,
 * averaged over the other keys and seeds) and dir/transition.{png,svg} (observed test_grok_step against
 * predicted_transition_step, log-log, with y = x and the fitted line; plus observed/predicted against alpha
 * when alpha is swept). Writes dir/sweep_fit.json with the fit. A figure that cannot be drawn (e.g. fewer
 * than two swept keys) is skipped; *notes gets a short line saying which were skipped, if any, and *files
 * the files written, space-separated (e.g. "sweep_fit.json heatmap.png heatmap.svg"). */
gk_status gk_sweep_figures(const gk_sweep *sw, const gk_sweep_table *t, const char *dir, const char *zkey,
                           char *notes, size_t notes_len, char *files, size_t files_len, gk_error *err);

/* The one-key figure (sweep_curve.c): when exactly one numeric key is swept (seeds aside), draws dir/curve.{png,svg}:
 * each scalar y[i] against that key (or against the summary scalar x, e.g. norm_final), every run as a point and
 * the median over seeds at each value as a line, log axes where the values span decades; and writes
 * dir/sweep_curve.json: per scalar the least-squares fit ln(median y) = intercept + slope ln(median x) (the
 * exponent of a scaling sweep) and the minimum of the medians (min_x, min_y, min_interior: a lower value of the
 * key and a higher one on either side). Nothing drawn, and a note in *notes, when no single key is swept or a
 * scalar is absent; *drawn says whether the files were written. */
#define GK_SWEEP_CURVE_MAX_Y 8
typedef struct gk_sweep_curve_opts {
    const char *x;                      /* NULL: the swept key */
    const char *y[GK_SWEEP_CURVE_MAX_Y]; /* the scalars drawn */
    int ny;
} gk_sweep_curve_opts;
gk_status gk_sweep_curve(const gk_sweep *sw, const gk_sweep_table *t, const char *dir, const gk_sweep_curve_opts *o,
                         char *notes, size_t nlen, int *drawn, gk_error *err);
/* Words for a summary scalar or a swept key on a figure's axis ("val99_step" -> "steps to 99% validation
 * accuracy", "frac" -> "train fraction", a preset's key from its help: "input bits n"); an unknown key as it is.
 * buf (len bytes) may hold the result. */
const char *gk_sweep_key_words(const gk_sweep *sw, const char *key, char *buf, size_t len);

#endif
