/* machine.h: what the machine has, for the up-front memory checks of a config. */
#ifndef GK_CORE_MACHINE_H
#define GK_CORE_MACHINE_H

#include <unistd.h>

/* Bytes of physical memory, or 0 if the system does not say (then no memory check is made). */
static inline double gk_machine_bytes(void) {
    double mem = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGE_SIZE);
    return mem > 0 ? mem : 0;
}

#endif
