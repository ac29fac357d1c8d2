/* mail_flow - the inflow tokens that pace intake to delivery.
 *
 * master hands every child one pipe on MASTER_FLOW_READ (3) and
 * MASTER_FLOW_WRITE (4), as Postfix does. qmgr puts a token (one byte)
 * into it for each message it takes from the incoming queue and tops it
 * up to $default_process_limit when incoming is drained; cleanup takes
 * one token per message and, when there is none (arrival outruns
 * delivery), waits up to $in_flow_delay for one before it goes on.
 *
 * mail_flow_init() must run before the process opens anything else: it
 * makes the pipe close-on-exec and remembers whether descriptors 3 and 4
 * are the pipe. Without master (or with other descriptors there) every
 * call does nothing, so a daemon run by hand never reads a stray file.
 * Library code: nothing here exits. */
#ifndef MAIL_FLOW_H
#define MAIL_FLOW_H

#include <stdbool.h>
#include <sys/types.h>

#define MASTER_FLOW_READ        3
#define MASTER_FLOW_WRITE       4

/* mail_flow_init - find the pipe from master; whether it is there */
bool    mail_flow_init(void);

/* mail_flow_get - take count tokens; count, or -1 when fewer are there
 * (the ones read are gone) or there is no pipe */
ssize_t mail_flow_get(size_t count);

/* mail_flow_put - add count tokens; count, or -1 (full pipe, no pipe) */
ssize_t mail_flow_put(size_t count);

/* mail_flow_count - the tokens in the pipe, or -1 */
ssize_t mail_flow_count(void);

/* mail_flow_wait - take one token, waiting up to timeout_ms for it;
 * true if one was taken (also true without a pipe: no pacing) */
bool    mail_flow_wait(int timeout_ms);

#endif
