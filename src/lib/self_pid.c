/* self_pid - this process's id, cached and refreshed after fork() */
#include <pthread.h>
#include <unistd.h>

#include "self_pid.h"

static pid_t self_pid_cached;

/* self_pid_forget - in a new child: look the id up again */
static void
self_pid_forget(void)
{
    self_pid_cached = 0;
}

/* self_pid - the process id */
pid_t
self_pid(void)
{
    static int registered;

    if (!registered) {
        (void) pthread_atfork(NULL, NULL, self_pid_forget);
        registered = 1;
    }
    if (self_pid_cached == 0)
        self_pid_cached = getpid();
    return self_pid_cached;
}
