/* postqueue.h - the postqueue command's parts.
 *
 *   postqueue.c         main(): options, configuration, who may do what
 *   postqueue_show.c    -p and -j: the listing from the showq service
 *                       (or, for root when the system is down, from a
 *                       showq run by hand)
 *   postqueue_flush.c   -f (qmgr and pickup triggers), -s and -i (the
 *                       flush service)
 *
 * Every failure is fatal with exit status EX_UNAVAILABLE and Postfix's
 * words, as in Postfix's postqueue. */
#ifndef POSTQUEUE_H
#define POSTQUEUE_H

#include <stdbool.h>
#include <sysexits.h>

#include "msg.h"

/* postqueue_fatal - every failure: EX_UNAVAILABLE, as Postfix */
#define postqueue_fatal(...)    msg_fatal_status(EX_UNAVAILABLE, __VA_ARGS__)

/* postqueue_show - print the queue listing, as text or as JSON lines */
void    postqueue_show(bool json);

/* postqueue_flush - -f: attempt to deliver all queued mail */
void    postqueue_flush(void);

/* postqueue_flush_site - -s: deliver the mail queued for site */
void    postqueue_flush_site(const char *site);

/* postqueue_flush_id - -i: deliver the message with this queue id */
void    postqueue_flush_id(const char *id);

#endif
