/* mail_trigger - wake a daemon through its public endpoint.
 *
 * Programs that are not master's children (postdrop, later sendmail -q
 * and postqueue) wake a service by writing a short request (one byte,
 * TRIGGER_REQ_WAKEUP "W" for pickup) to $queue_directory/public/NAME,
 * which is a FIFO or a UNIX-domain stream socket depending on master.cf
 * (Postfix 3.x declares pickup as "unix"; older files as "fifo"). Nothing
 * here waits: a FIFO is opened non-blocking, a socket is non-blocking, so
 * a daemon that is not running (no reader, nobody listening) just misses
 * this request and finds the work on its own timer. Symbolic links are
 * never followed. Library code: nothing here exits. */
#ifndef MAIL_TRIGGER_H
#define MAIL_TRIGGER_H

#include <stddef.h>

#include "buf.h"

#define MAIL_TRIGGER_WAKEUP     'W'     /* master_proto.h TRIGGER_REQ_WAKEUP */

/* mail_trigger - send req to the FIFO or socket at path; 0, or -1 with
 * the reason in why and errno from the failed call (ENOENT: no such
 * endpoint) */
int     mail_trigger(const char *path, const char *req, size_t len,
                     BUF *why);

#endif
