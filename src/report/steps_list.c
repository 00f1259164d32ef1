/* steps_list.c: a comma-separated list of steps (steps_list.h). */
#include "report/steps_list.h"

#include <stdlib.h>

int gk_parse_steps(const char *s, long *out, int cap) {
    int k = 0;
    const char *c = s;
    while (*c) {
        char *end;
        if (*c < '0' || *c > '9') return -1;
        long v = strtol(c, &end, 10);
        if (end == c || v < 0 || k >= cap) return -1;
        out[k++] = v;
        c = end;
        if (*c == ',') {
            c++;
            if (!*c) return -1;
        } else if (*c) return -1;
    }
    return k;
}
