/* mymalloc - memory allocation that never returns NULL.
 *
 * Every allocator here ends the process with msg_fatal() when memory runs
 * out, so callers never check for NULL. Sizes are checked for overflow. */
#ifndef MYMALLOC_H
#define MYMALLOC_H

#include <stddef.h>

void *mymalloc(size_t len);
void *mycalloc(size_t count, size_t len);
void *myrealloc(void *ptr, size_t len);
void *myreallocarray(void *ptr, size_t count, size_t len);
void myfree(void *ptr);
char *mystrdup(const char *str);
char *mystrndup(const char *str, size_t len);
void *mymemdup(const void *ptr, size_t len);

#endif
