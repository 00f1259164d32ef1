/* groklab.h: the public API of libgroklab, a laboratory for grokking.
 *
 * Every exported name starts with gk_ / GK_. The library never prints and never exits: each call that can
 * fail returns a gk_status and writes a one-line message into a caller-owned gk_error. Only the command line
 * (cli/) talks to the user. Programmer misuse (NULL, wrong shapes) trips GK_ASSERT with file:line.
 */
#ifndef GROKLAB_H
#define GROKLAB_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GK_VERSION "0.1.0"

/* ---------------------------------------------------------------------------------------------------- */
/* status codes and error messages                                                                       */

typedef enum gk_status {
    GK_OK = 0,
    GK_EINVAL,       /* bad configuration or argument (the CLI maps this to exit code 2) */
    GK_EIO,          /* a file could not be read or written */
    GK_ENOMEM,       /* an allocation failed */
    GK_ENONFINITE,   /* a loss or a value became NaN or infinite */
    GK_EINTERRUPTED, /* the caller asked the run to stop (Ctrl-C) */
    GK_EUNAVAILABLE, /* a result cannot be computed for this input (e.g. a non-separable hard margin) */
    GK_EFAILED,      /* an external solver failed */
    GK_ELIMIT        /* a bound on the work was reached (e.g. max_evals of a gradient flow) */
} gk_status;

const char *gk_status_str(gk_status s);

/* A caller-owned message buffer. Functions that fail write one line (no trailing newline) into msg. */
typedef struct gk_error {
    char msg[512];
} gk_error;

/* Writes a formatted message into err (if not NULL) and returns s. */
gk_status gk_fail(gk_error *err, gk_status s, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Programmer misuse: abort with file:line. Not for runtime conditions. */
void gk_assert_fail(const char *expr, const char *file, int line);
#define GK_ASSERT(x) ((x) ? (void)0 : gk_assert_fail(#x, __FILE__, __LINE__))

/* ---------------------------------------------------------------------------------------------------- */
/* random numbers: explicit state, no globals (xoshiro256** seeded by splitmix64)                        */

typedef struct gk_rng {
    uint64_t s[4];
} gk_rng;

/* Seeds a generator from (seed, stream): different streams give independent sequences. */
void gk_rng_seed(gk_rng *r, uint64_t seed, uint64_t stream);
uint64_t gk_rng_u64(gk_rng *r);
double gk_rng_uniform(gk_rng *r);          /* in [0, 1) with 53 random bits */
double gk_rng_normal(gk_rng *r);           /* N(0, 1), Marsaglia polar method (no cached spare) */
/* n draws of N(0, 1) keeping both values of each polar pair: half the uniforms of n gk_rng_normal calls (and
 * another sequence). For large blocks (the XOR inputs and init). */
void gk_rng_normals(gk_rng *r, double *out, size_t n);
uint64_t gk_rng_below(gk_rng *r, uint64_t n); /* uniform in [0, n), unbiased */
void gk_rng_shuffle(gk_rng *r, size_t *idx, size_t n); /* Fisher-Yates */

/* ---------------------------------------------------------------------------------------------------- */
/* parameters: one contiguous buffer, and a table naming its tensors                                     */

#define GK_MAX_TENSORS 16

typedef struct gk_tensor {
    const char *name;
    size_t rows, cols; /* a vector has cols = 1 */
    size_t offset;     /* into the flat buffer */
} gk_tensor;

typedef struct gk_param_table {
    size_t size; /* total number of doubles */
    int count;
    gk_tensor t[GK_MAX_TENSORS];
} gk_param_table;

/* Appends a tensor of rows x cols; returns its offset. */
size_t gk_param_table_add(gk_param_table *pt, const char *name, size_t rows, size_t cols);

/* ---------------------------------------------------------------------------------------------------- */
/* stable math (src/core/mathx.c)                                                                        */

double gk_softplus(double z);             /* log(1 + e^z), stable for |z| large */
double gk_sigmoid(double z);              /* 1 / (1 + e^-z), stable */
double gk_logsumexp(const double *z, size_t n);
double gk_norm2(const double *x, size_t n);                 /* Euclidean norm, fixed summation order */
double gk_dist2(const double *x, const double *y, size_t n); /* ||x - y||, fixed order */
double gk_dot(const double *x, const double *y, size_t n);   /* fixed order (8 lanes, then a tree) */

/* ---------------------------------------------------------------------------------------------------- */
/* configuration: typed keys with ranges, shared by every experiment                                     */

typedef enum gk_param_kind { GK_P_INT, GK_P_REAL, GK_P_ENUM, GK_P_BOOL, GK_P_STRING } gk_param_kind;

/* A key an experiment accepts. Ranges are inclusive unless the *_open flag is set; an infinite bound
 * (min = -INFINITY / max = INFINITY) means "no bound". choices is a '|'-separated list for GK_P_ENUM. */
typedef struct gk_param_spec {
    const char *key;
    gk_param_kind kind;
    const char *def; /* default, as text */
    double min, max;
    int min_open, max_open;
    const char *choices;
    const char *help;
} gk_param_spec;

#define GK_MAX_PARAMS 64

/* A resolved configuration: every key of the spec table has a value. */
typedef struct gk_config {
    const gk_param_spec *spec; /* terminated by an entry with key == NULL */
    int count;
    double num[GK_MAX_PARAMS];    /* numeric value (INT, REAL, BOOL; ENUM index) */
    char str[GK_MAX_PARAMS][128]; /* the value as text (ENUM and STRING; also INT/REAL as given) */
    int set[GK_MAX_PARAMS];       /* 1 if given by the user or the preset rather than the default */
} gk_config;

/* Fills cfg with the defaults of spec. */
gk_status gk_config_init(gk_config *cfg, const gk_param_spec *spec, gk_error *err);
/* Parses "key=value" and range-checks it; the message names the key, the value and the allowed range. */
gk_status gk_config_set(gk_config *cfg, const char *assignment, gk_error *err);
/* Index of key in the spec, or -1. */
int gk_config_index(const gk_config *cfg, const char *key);
/* Typed getters; the key must exist (GK_ASSERT). */
double gk_config_real(const gk_config *cfg, const char *key);
long gk_config_int(const gk_config *cfg, const char *key);
int gk_config_bool(const gk_config *cfg, const char *key);
const char *gk_config_str(const gk_config *cfg, const char *key);
/* "d >= 1", "0 <= eta < 0.5", "one of sparse|l2sep": the allowed range of a spec entry, as text. */
void gk_param_range_str(const gk_param_spec *p, char *buf, size_t len);

/* ---------------------------------------------------------------------------------------------------- */
/* presets, runs, theory, sweeps and run directories (src/api.c)                                         */
/*                                                                                                        */
/* A program that only includes this header and links -lgroklab can list the presets and their keys, run   */
/* one (with a progress callback, a stop flag and a run directory), compute the theory references alone,   */
/* run a sweep and read a run directory back. Strings returned as char * are owned by the caller: gk_free.  */

const char *gk_version(void);  /* GK_VERSION of the library actually loaded */
void gk_free(void *p);         /* frees a string returned by this API */

typedef struct gk_preset gk_preset; /* opaque: one named setting of an experiment */

size_t gk_preset_count(void);
const gk_preset *gk_preset_at(size_t i);          /* in `groklab list` order; NULL past the end */
const gk_preset *gk_preset_find(const char *name); /* NULL if unknown */

typedef struct gk_preset_info {
    const char *name, *experiment; /* e.g. "diag-sparse", "diag" */
    const char *paper, *figure, *shows;
} gk_preset_info;
void gk_preset_describe(const gk_preset *p, gk_preset_info *out);

/* One key of a preset, with the preset's default (its overrides applied) and the allowed range as text. */
typedef struct gk_param_info {
    const char *key;
    gk_param_kind kind;
    const char *kind_name; /* "int", "real", "enum", "bool", "string" */
    char def[128];
    char range[160];       /* e.g. "d >= 1", "one of sparse|l2sep" */
    const char *help;
} gk_param_info;
int gk_preset_nparams(const gk_preset *p);
gk_status gk_preset_param(const gk_preset *p, int i, gk_param_info *out, gk_error *err);

/* Resolves a preset's config: the experiment's defaults, then the preset's overrides, then the assignments
 * ("key=value", each range-checked; the message names the key, the value and the allowed range), then the
 * checks across keys. */
gk_status gk_preset_config(const gk_preset *p, const char *const *assign, int nassign, gk_config *cfg, gk_error *err);
/* The resolved config as JSON text, as config.json holds it. */
char *gk_config_json(const gk_preset *p, const gk_config *cfg);

/* The metric columns (metrics.csv's header, comma-separated) a preset gives with these assignments: builds the
 * experiment (which computes its references) without training. */
gk_status gk_preset_columns(const char *preset, const char *const *assign, int nassign, char **names, gk_error *err);

/* ---- running one experiment ---- */
typedef struct gk_run_progress {
    const char *preset;
    long step, steps;
    double elapsed, eta;       /* seconds; eta is NAN at step 0 */
    int ncols;
    const char *const *names;  /* the metric columns */
    const double *row;         /* the newest eval row (ncols values), NULL before the first */
} gk_run_progress;

typedef struct gk_run_options {
    const char *out_dir;       /* the run directory to create (required) */
    int save_data;             /* also write train.csv / test.csv */
    const volatile int *stop;  /* set to non-zero (e.g. from a SIGINT handler) to stop at the next step */
    void (*progress)(void *ud, const gk_run_progress *p); /* called after every eval point, may be NULL */
    void *ud;
    double checkpoint_every;   /* seconds between checkpoints: 0 = GK_CHECKPOINT_EVERY_DEFAULT, < 0 = none
                                * (a checkpoint is also written when the run ends; `groklab resume` continues it) */
} gk_run_options;
#define GK_CHECKPOINT_EVERY_DEFAULT 300.0

/* Runs one experiment into o->out_dir. A bad config or an unwritable directory returns the error and writes
 * nothing. Otherwise returns GK_OK with a complete run directory and *outcome = how the run ended: GK_OK
 * (completed), GK_EINTERRUPTED (stop flag; metrics kept up to the last eval), GK_ENONFINITE (diverged), ...;
 * then err->msg says why it stopped early, if it did. */
gk_status gk_run_config(const gk_preset *p, const gk_config *cfg, const gk_run_options *o, gk_status *outcome,
                        gk_error *err);
/* The same from a preset name and "key=value" assignments. */
gk_status gk_run_preset(const char *preset, const char *const *assign, int nassign, const gk_run_options *o,
                        gk_status *outcome, gk_error *err);

/* The theory references alone (their accuracies, margins, the predicted transition step) as JSON text, as
 * `groklab theory` computes them (references=1 when the experiment has that key). */
gk_status gk_theory_preset(const char *preset, const char *const *assign, int nassign, char **json, gk_error *err);

/* ---- sweeps: a grid of runs, one after another in this process ---- */
typedef struct gk_sweep_options {
    const char *out_dir;       /* the sweep directory (required): one subdirectory per point, sweep.csv */
    int seeds;                 /* > 0: also sweep seed = 1..seeds */
    double steps_per_tstar;    /* > 0: steps = ceil(X * ln(alpha)/(wd*lr)) at each point */
    const char *zkey;          /* summary scalar of the heat map (NULL: test_grok_step) */
    const volatile int *stop;  /* stops the current point and the sweep */
    void (*point_done)(void *ud, size_t k, size_t npoints, const char *name, gk_status outcome);
    void *ud;
    int force;                 /* 1: out_dir may hold another sweep (its sweep.json differs): its tables and
                                * figures are replaced (its points' runs are kept); 0: that is GK_EINVAL */
    double checkpoint_every;   /* seconds between a point's checkpoints: 0 = 300, < 0 = none (a checkpoint is
                                * also written when a point stops) */
} gk_sweep_options;

/* args: "key=v1,v2,...", "key=start:stop:num" or "key=start:stop:numlog"; "key=v" (one value) fixes a key for
 * every point (it is not a column of sweep.csv then).
 * Points already completed in out_dir with the same params are not run again; an interrupted point goes on
 * from its checkpoint. out_dir/sweep.json names the sweep (as `groklab sweep` writes it). Writes out_dir/sweep.csv,
 * sweep_times.csv, sweep_fit.json and the figures. A bad grid returns GK_EINVAL and creates nothing.
 * *completed = the number of completed points. */
gk_status gk_sweep_preset(const char *preset, const char *const *args, int nargs, const gk_sweep_options *o,
                          size_t *completed, gk_error *err);

/* ---- reading back ---- */
/* A CSV table of numbers with a header row (metrics.csv, sweep.csv: non-numeric or empty fields are NAN). */
typedef struct gk_table gk_table;
gk_status gk_table_read(const char *path, gk_table **out, gk_error *err);
int gk_table_ncols(const gk_table *t);
size_t gk_table_nrows(const gk_table *t);
const char *gk_table_name(const gk_table *t, int col);
const double *gk_table_column(const gk_table *t, int col); /* nrows values */
int gk_table_find(const gk_table *t, const char *name);    /* -1 if absent */
void gk_table_free(gk_table *t);

/* A run directory: metrics.csv as columns, summary.json and config.json as text. */
typedef struct gk_result gk_result;
gk_status gk_result_open(const char *dir, gk_result **out, gk_error *err);
const gk_table *gk_result_metrics(const gk_result *r);
const char *gk_result_summary(const gk_result *r); /* JSON text */
const char *gk_result_config(const gk_result *r);  /* JSON text */
void gk_result_close(gk_result *r);

/* ---- figures ---- */
/* Runs overlaid in one figure, as `groklab plot` draws it (a sweep directory stands for all its points). */
typedef struct gk_plot_options {
    const char *out;               /* FILE.png, FILE.svg or FILE.pdf (required) */
    const char *x;                 /* "step" (NULL: step), "t" (time) or "tstar" (t / t*) */
    const char *const *y;          /* metrics columns, one panel each (ny = 0: the accuracies when every run */
    int ny;                        /* has them, else the losses) */
    int logx, logy;                /* log axes (a loss spanning decades is on a log axis anyway) */
    const char *by;                /* colour by this config param (NULL: a colour per run) */
    const char *title;             /* NULL: the preset and the number of runs */
    int width, height;             /* the page in pixels (0: 1600 x 900, one panel 1280 x 720) */
    double font;                   /* text scale (0: 1) */
} gk_plot_options;
/* Bad input (a directory without runs, an unknown column or key) returns GK_EINVAL naming it and writes
 * nothing; *nruns = the number of runs drawn (may be NULL). */
gk_status gk_plot_runs(const char *const *dirs, int ndirs, const gk_plot_options *o, int *nruns, gk_error *err);

#ifdef __cplusplus
}
#endif
#endif
