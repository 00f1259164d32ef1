/* fault.c: the library's gk_fault_point: nothing. This file holds only that function, so that a test program
 * that defines its own (tests/crash_hook.c) gets its definition instead of this one when it links the static
 * library; the library and the groklab program never crash on purpose. */
#include "io/fault.h"

void gk_fault_point(const char *name) { (void)name; }
