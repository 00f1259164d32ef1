/* steps_list.h: a list of steps as a key's text value ("0,1,15": xor's boundary_steps). */
#ifndef GK_IO_STEPS_LIST_H
#define GK_IO_STEPS_LIST_H

/* Parses comma-separated non-negative integers into out (at most cap; the order is kept). Returns the count, or
 * -1 if the text is malformed or holds more than cap. */
int gk_parse_steps(const char *s, long *out, int cap);

#endif
