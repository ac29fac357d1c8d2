/* postern - internal interfaces of the postern (postfix) control command.
 *
 * Modules:
 *   postern.c          main(): options, configuration, the command table
 *   postern_state.c    is master running? master.lock, master.pid, signals
 *   postern_check.c    configuration checks (start, check, reload)
 *   postern_start.c    start, start-fg: running master
 * Messages use Postfix's wording after "postern: " on stderr; they are
 * logged with the tag "$syslog_name/postfix-script" as Postfix does. */
#ifndef POSTERN_H
#define POSTERN_H

#include <stdbool.h>
#include <sys/types.h>

#include "argv.h"
#include "master_conf.h"

/* postern.c */
extern ARGV *postern_master_flags;      /* -v flags to pass on to master */

/* postern_state.c */
/* postern_state_running - master's pid if it runs, 0 if not */
pid_t   postern_state_running(void);
/* postern_state_signal - send sig to master; the pid, or 0 if not running */
pid_t   postern_state_signal(int sig);
/* postern_state_wait_gone - wait until master no longer runs; true if so */
bool    postern_state_wait_gone(pid_t pid, int timeout_ms);
/* postern_state_pid_file, postern_state_lock_file - the paths */
const char *postern_state_pid_file(void);
const char *postern_state_lock_file(void);

/* postern_check.c */
/* postern_check_master_cf - parse master.cf; on error: fatal, or (not
 * fatal) an error message and NULL */
MASTER_CONF *postern_check_master_cf(bool fatal);
/* postern_check_all - everything "postern check" checks; error count */
int     postern_check_all(void);

/* postern_start.c */
int     postern_start(bool foreground);

/* postern_address.c: "postern address ADDRESS..." */
int     postern_address(char **addresses);

/* postern_qshape.c: "postern qshape [options] [queue...]" */
int     postern_qshape(char **args);

#endif
