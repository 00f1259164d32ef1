/* fault.h: named points where the test suite can crash a run on purpose (kill -9 at an exact place instead of
 * after a sleep). In the library gk_fault_point does nothing; the test program groklab-crashtest
 * (tests/crash_hook.c) links its own definition in its place, which kills the process at the point named by the
 * environment variable GK_CRASH_AT. The points:
 *   rename:NAME   a finished temp file is about to be renamed to NAME (checkpoint, metrics.csv, curves.png, u.npy...)
 *   row           an eval row was added to the metrics (before metrics.csv is rewritten)
 *   weights       a checkpoint's weights/step_N are written, the checkpoint itself not yet
 *   checkpoint    a checkpoint was written
 *   figures       the metrics and the last checkpoint are on disk, the figures not yet drawn */
#ifndef GK_FAULT_H
#define GK_FAULT_H

void gk_fault_point(const char *name);

#endif
