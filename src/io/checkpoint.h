/* checkpoint.h: the checkpoint file and the weights a run writes (.npy), and run-directory housekeeping.
 *
 * A checkpoint file is
 *   "GKCKPT\r\n" (8 bytes) | u32 format version | u32 0 | u64 payload length | payload | u32 CRC-32 (zlib)
 * where the CRC covers every byte before it and the payload is the gk_state block list (core/state.h).
 * It is written atomically (temp file + fsync + rename), so a kill leaves the previous checkpoint whole. */
#ifndef GK_CHECKPOINT_H
#define GK_CHECKPOINT_H

#include "groklab.h"

#define GK_CHECKPOINT_FORMAT 1
#define GK_CHECKPOINT_FILE "checkpoint"

gk_status gk_checkpoint_write(const char *path, const void *payload, size_t len, gk_error *err);
/* Reads and verifies a checkpoint; *payload is malloc'd. A missing, truncated, corrupt or foreign file is
 * GK_EINVAL with a message naming the file and what is wrong. */
gk_status gk_checkpoint_read(const char *path, void **payload, size_t *len, gk_error *err);

/* Writes a rows x cols float64 array (C order) as a NumPy .npy file (format 1.0), atomically. */
gk_status gk_npy_write(const char *path, const double *data, size_t rows, size_t cols, gk_error *err);
/* Writes each tensor of theta as DIR/<name>.npy (DIR is created). */
gk_status gk_npy_write_tensors(const char *dir, const gk_param_table *t, const double *theta, gk_error *err);

/* 1 if dir exists and holds at least one entry. */
int gk_dir_nonempty(const char *dir);
/* Removes dir and everything under it (without following symbolic links). */
gk_status gk_remove_tree(const char *dir, gk_error *err);

#endif
