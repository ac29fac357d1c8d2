/* mono_time - the monotonic clock in milliseconds */
#include <time.h>

#include "mono_time.h"

/* mono_ms - CLOCK_MONOTONIC in milliseconds */
long long
mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
