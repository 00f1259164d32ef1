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

#ifdef __cplusplus
}
#endif
#endif
