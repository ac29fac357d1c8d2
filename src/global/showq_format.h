/* showq_format - the queue listings that postqueue prints.
 *
 * Text (postqueue -p, mailq, sendmail -bp) and JSON lines (postqueue -j),
 * byte for byte as Postfix 3.7's postqueue prints them (docs/queue-tools.md):
 *
 *   -Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------
 *   BAC9FA76177!     269 Sun Dec  6 04:26:01  alice@example.org
 *                          (connect to 127.0.0.1[127.0.0.1]:1: ...)
 *                                            x@closed.test
 *   (a blank line between messages)
 *   -- 1 Kbytes in 5 Requests.
 *
 * The queue id is followed by '*' (active queue), '!' (hold queue) and
 * '#' (forced to expire). The columns are wider when queue ids are long
 * (enable_long_queue_ids = yes). A delay reason is printed in
 * parentheses, right-aligned in 78 columns, before the first recipient
 * it applies to and again whenever it changes ("reason unavailable" for
 * a recipient without one after one with). The listing of an empty
 * queue is "Mail queue is empty". Library code: nothing here exits. */
#ifndef SHOWQ_FORMAT_H
#define SHOWQ_FORMAT_H

#include <stdbool.h>

#include "buf.h"
#include "showq_proto.h"

/* showq_format_head - append the column header line */
void    showq_format_head(BUF *out, bool long_ids);

/* showq_format_text - append one message; first is false for every
 * message but the first (a blank line separates them) */
void    showq_format_text(BUF *out, const SHOWQ_MSG *msg, bool long_ids,
                          bool first);

/* showq_format_tail - append the summary after count messages of bytes
 * in all, or "Mail queue is empty" when count is 0 */
void    showq_format_tail(BUF *out, long long bytes, long count);

/* showq_format_json - append one message as a JSON object and newline */
void    showq_format_json(BUF *out, const SHOWQ_MSG *msg);

/* showq_format_json_string - append text as a JSON string, quoted */
void    showq_format_json_string(BUF *out, const char *text);

#endif
