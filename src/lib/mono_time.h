/* mono_time - the monotonic clock in milliseconds, for time limits and
 * timers that must not jump with the wall clock. */
#ifndef MONO_TIME_H
#define MONO_TIME_H

long long mono_ms(void);

#endif
