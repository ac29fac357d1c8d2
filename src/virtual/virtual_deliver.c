/* virtual_deliver - one delivery request: each recipient in turn.
 *
 * Model (man 8 virtual; observed from Postfix 3.7's virtual, see
 * docs/virtual.md). For each recipient, in request order:
 *   1. the address is folded to lower case: every decision uses it;
 *   2. a Delivered-To: header with the recipient (any case) bounces,
 *      5.4.6 "mail forwarding loop for ADDR" (Postern; Postfix's virtual
 *      does not look, docs/virtual.md);
 *   3. the tables (virtual_lookup.c): no mailbox bounces, 5.1.1
 *      "unknown user: "ADDR"" (folded, extension included); a
 *      configuration problem defers, 4.3.5 "mail system configuration
 *      error";
 *   4. without root privileges ("make run" as an ordinary user) only
 *      our own uid can be written: any other defers, 4.3.0, before
 *      anything is touched;
 *   5. the mailbox (virtual_mailbox.c): "delivered to maildir",
 *      "delivered to mailbox"; when verifying (sendmail -bv) nothing is
 *      written: "delivers to maildir", "delivers to mailbox".
 * Each result goes to deliver_result.h (status service, the log line
 * with relay=virtual, the done mark). Peers: delivered_hdr,
 * virtual_lookup, virtual_mailbox. */
#include <string.h>
#include <unistd.h>

#include "deliver_result.h"
#include "set_eugid.h"
#include "virtual.h"

/* virtual_kind - "maildir" or "mailbox", by the path */
static const char *
virtual_kind(const VIRTUAL_USER *usr)
{
    return usr->path[strlen(usr->path) - 1] == '/' ? "maildir" : "mailbox";
}

/* virtual_found - the recipient has a mailbox: deliver, or say we would */
static void
virtual_found(DELIVER_REQUEST *req, const RECIPIENT *rcpt,
              const VIRTUAL_USER *usr, DSN_BUF *why)
{
    if (!set_eugid_capable() && usr->uid != geteuid())
        dsb_simple(why, "4.3.0", "cannot deliver as uid %lu without root "
                   "privileges", (unsigned long) usr->uid);
    else if (DEL_REQ_TRACE_ONLY(req->flags))
        dsb_simple(why, "2.0.0", "delivers to %s", virtual_kind(usr));
    else if (virtual_mailbox(req, rcpt, usr, why) == 0)
        dsb_simple(why, "2.0.0", "delivered to %s", virtual_kind(usr));
}

/* virtual_one - deliver one recipient and report it */
static void
virtual_one(DELIVER_REQUEST *req, const RECIPIENT *rcpt,
            const DELIVERED_HDR *hdr)
{
    DSN_BUF *why = dsb_create();
    BUF    *folded = buf_alloc(100);
    VIRTUAL_USER usr;
    DSN     dsn;

    buf_strcpy(folded, rcpt->address);
    buf_lowercase(folded);
    if (delivered_hdr_find(hdr, rcpt->address)) {
        dsb_simple(why, "5.4.6", "mail forwarding loop for %s",
                   rcpt->address);
    } else {
        switch (virtual_lookup(buf_str(folded), &usr)) {
        case VIRTUAL_UNKNOWN:
            dsb_simple(why, "5.1.1", "unknown user: \"%s\"", buf_str(folded));
            break;
        case VIRTUAL_ERROR:
            dsb_simple(why, "4.3.5", "mail system configuration error");
            break;
        default:
            virtual_found(req, rcpt, &usr, why);
            virtual_user_free(&usr);
            break;
        }
    }
    (void) deliver_result(req, rcpt, virtual_conf.relay,
                          dsb_dsn(why, &dsn, NULL));
    buf_free(folded);
    dsb_free(why);
}

/* virtual_deliver - the DELIVER_FN of deliver_request_serve() */
const DSN *
virtual_deliver(DELIVER_REQUEST *req, void *ctx)
{
    DELIVERED_HDR *hdr = delivered_hdr_read(req->fd, req->data_offset);

    for (int i = 0; i < req->rcpt_count; i++)
        virtual_one(req, req->rcpt + i, hdr);
    delivered_hdr_free(hdr);
    return NULL;
}
