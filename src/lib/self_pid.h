/* self_pid - this process's id without a system call per use.
 *
 * glibc no longer caches getpid(); log lines and master status records
 * ask for it many times per message. The cached value is refreshed in
 * the child of every fork() (pthread_atfork), so it is never stale. */
#ifndef SELF_PID_H
#define SELF_PID_H

#include <sys/types.h>

pid_t   self_pid(void);

#endif
