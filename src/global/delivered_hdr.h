/* delivered_hdr - the Delivered-To: addresses already in a queued message.
 *
 * A delivery agent that prepends "Delivered-To: RECIPIENT" (local(8),
 * pipe(8) with flag D, virtual(8)) refuses a message that already has
 * that header for the same recipient: the mail went around in a loop.
 * The agents bounce it with 5.4.6 "mail forwarding loop for ADDR". The
 * header section is read once per request, through mail_copy_walk()
 * (which follows pointer records), up to the first empty line or
 * header_size_limit bytes; each value is trimmed and folded to lower
 * case, and the comparison ignores case, as Postfix's does. Library
 * code: nothing here exits; a queue file that cannot be read gives the
 * headers read so far (the delivery itself then reports the problem). */
#ifndef DELIVERED_HDR_H
#define DELIVERED_HDR_H

#include <stdbool.h>
#include <sys/types.h>

typedef struct DELIVERED_HDR DELIVERED_HDR;

/* delivered_hdr_read - the Delivered-To: values of the message whose
 * content starts at offset in the queue file fd */
DELIVERED_HDR *delivered_hdr_read(int fd, off_t offset);

/* delivered_hdr_find - is address (any case) among them */
bool    delivered_hdr_find(const DELIVERED_HDR *hdr, const char *address);

void    delivered_hdr_free(DELIVERED_HDR *hdr);

#endif
