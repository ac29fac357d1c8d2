/* mymalloc - memory allocation that never returns NULL.
 *
 * Out of memory is an environment problem, so it is fatal: the process logs
 * and exits, and master restarts the service later. */
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

#include "msg.h"
#include "mymalloc.h"

/* mymalloc - allocate, or die */
void *
mymalloc(size_t len)
{
    void *ptr = malloc(len ? len : 1);

    if (ptr == NULL)
        msg_fatal("out of memory: cannot allocate %zu bytes", len);
    return ptr;
}

/* mycalloc - allocate zeroed memory, or die */
void *
mycalloc(size_t count, size_t len)
{
    void *ptr = calloc(count ? count : 1, len ? len : 1);

    if (ptr == NULL)
        msg_fatal("out of memory: cannot allocate %zu x %zu bytes", count, len);
    return ptr;
}

/* myrealloc - resize, or die */
void *
myrealloc(void *ptr, size_t len)
{
    void *new_ptr = realloc(ptr, len ? len : 1);

    if (new_ptr == NULL)
        msg_fatal("out of memory: cannot reallocate %zu bytes", len);
    return new_ptr;
}

/* myreallocarray - resize an array, checking count * len for overflow */
void *
myreallocarray(void *ptr, size_t count, size_t len)
{
    if (len != 0 && count > SIZE_MAX / len)
        msg_panic("myreallocarray: size overflow: %zu x %zu", count, len);
    return myrealloc(ptr, count * len);
}

/* myfree - release memory */
void
myfree(void *ptr)
{
    free(ptr);
}

/* mystrdup - copy a string */
char *
mystrdup(const char *str)
{
    return mymemdup(str, strlen(str) + 1);
}

/* mystrndup - copy at most len bytes of a string, always terminated */
char *
mystrndup(const char *str, size_t len)
{
    const char *end = memchr(str, 0, len);
    size_t  n = end ? (size_t) (end - str) : len;
    char   *copy = mymalloc(n + 1);

    memcpy(copy, str, n);
    copy[n] = 0;
    return copy;
}

/* mymemdup - copy a block of memory */
void *
mymemdup(const void *ptr, size_t len)
{
    void *copy = mymalloc(len);

    memcpy(copy, ptr, len);
    return copy;
}
