/* state.h: a visitor over the mutable blocks of a training state, for checkpoints.
 *
 * Each owner of training state (the trainer, an integrator, an experiment) has one function that lists its
 * blocks in a fixed order with gk_state_block(). The same function saves and loads: in save mode every block
 * is appended to a byte buffer as {name, size, bytes}; in load mode every block is read back after its name
 * and size were checked against the buffer, so a checkpoint of another experiment, size or version is refused
 * instead of misread. The first failure sticks (later calls do nothing) and gk_state_status() reports it, so
 * a visitor needs no error handling of its own.
 */
#ifndef GK_STATE_H
#define GK_STATE_H

#include "groklab.h"

typedef struct gk_state {
    int loading;
    int probing;        /* save mode that copies nothing: only whether every block can be saved */
    unsigned char *buf; /* save: owned, grown; load: the caller's bytes */
    size_t len, cap, pos;
    gk_status status;   /* first failure */
    gk_error err;
} gk_state;

void gk_state_init_save(gk_state *s);
/* A save that keeps no bytes: visiting with it tells whether a state can be checkpointed, at no copying cost. */
void gk_state_init_probe(gk_state *s);
void gk_state_init_load(gk_state *s, const void *buf, size_t len);
/* Saves or loads `bytes` bytes at ptr under `name`. */
void gk_state_block(gk_state *s, const char *name, void *ptr, size_t bytes);
/* Variable-sized blocks: saves *bytes bytes at *ptr; on load, *ptr is malloc'd (the caller frees it) and
 * *bytes set to the stored size. */
void gk_state_block_alloc(gk_state *s, const char *name, void **ptr, size_t *bytes);
static inline void gk_state_long(gk_state *s, const char *name, long *v) { gk_state_block(s, name, v, sizeof *v); }
static inline void gk_state_double(gk_state *s, const char *name, double *v) { gk_state_block(s, name, v, sizeof *v); }
static inline void gk_state_doubles(gk_state *s, const char *name, double *v, size_t n) {
    gk_state_block(s, name, v, n * sizeof *v);
}
/* Records a failure of the visitor itself (e.g. a state that cannot be saved); the first one sticks. */
void gk_state_fail(gk_state *s, gk_status st, const char *msg);
/* GK_OK, or the first failure with its message; on load also fails if bytes are left over. */
gk_status gk_state_status(const gk_state *s, gk_error *err);
void gk_state_free(gk_state *s);

#endif
