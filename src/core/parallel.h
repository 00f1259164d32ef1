/* parallel.h: when a loop is worth a parallel region. Below GK_PARALLEL_MIN elementary operations a loop runs
 * on one thread: a parallel region costs more than it saves there, and on a loaded machine the idle threads
 * spin. The results never depend on it: every output is computed by one thread in a fixed order. */
#ifndef GK_CORE_PARALLEL_H
#define GK_CORE_PARALLEL_H

#define GK_PARALLEL_MIN ((size_t)1 << 18)

#endif
