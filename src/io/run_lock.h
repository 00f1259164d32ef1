/* run_lock.h: whether a run directory's run is going on. The run holds an flock on DIR/.running.lock while it
 * trains; the kernel drops it when the process ends in any way, so a reader tells a running run from one that
 * was killed (no summary.json, no lock) without trusting a pid or a clock. */
#ifndef GK_IO_RUN_LOCK_H
#define GK_IO_RUN_LOCK_H

#include <stddef.h>

#define GK_RUN_LOCK_NAME ".running.lock"

/* Takes the lock of the run in dir; returns its file descriptor, or -1 if it could not (a run goes on without
 * it: readers then see it as stopped). */
int gk_run_lock(const char *dir);
/* Drops the lock (fd from gk_run_lock; -1 is ignored). */
void gk_run_unlock(int fd);
/* 1 if a process holds the run lock of dir, else 0. */
int gk_run_is_running(const char *dir);
/* The state of the run in dir, into buf: "running" (locked), else summary.json's status ("completed",
 * "interrupted", "diverged", ...), else "killed" (metrics or config but no summary: the process died), else
 * "missing". */
const char *gk_run_state(const char *dir, char *buf, size_t len);

#endif
