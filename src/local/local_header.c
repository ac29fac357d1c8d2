/* local_header - the Delivered-To: addresses already in the message.
 *
 * Model: the header section is read once per request through
 * mail_copy_walk() (which follows pointer records), up to the first
 * empty line or header_size_limit bytes; each "Delivered-To:" value is
 * trimmed and folded to lower case into a set. A recipient found in the
 * set bounces with 5.4.6 "mail forwarding loop for ADDR"
 * (local_recipient.c). Peers: mail_copy. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "local.h"
#include "mail_copy.h"
#include "mail_params.h"
#include "rec_type.h"

#define LOCAL_HDR_NAME  "Delivered-To:"
#define LOCAL_HDR_DONE  1               /* walker: end of headers */

typedef struct LOCAL_HDR {
    HTABLE *set;
    BUF    *line;                       /* the logical line so far */
    size_t  total;                      /* header bytes read */
} LOCAL_HDR;

/* local_header_line - one complete header line */
static void
local_header_line(LOCAL_HDR *hdr)
{
    BUF    *value;
    const char *cp;

    if (strncasecmp(buf_str(hdr->line), LOCAL_HDR_NAME,
                    sizeof(LOCAL_HDR_NAME) - 1) != 0)
        return;
    cp = buf_str(hdr->line) + sizeof(LOCAL_HDR_NAME) - 1;
    while (isspace((unsigned char) *cp))
        cp++;
    value = buf_alloc(100);
    buf_strcpy(value, cp);
    buf_trim_right(value);
    buf_lowercase(value);
    if (buf_len(value) > 0 && htable_locate(hdr->set, buf_str(value)) == NULL)
        htable_enter(hdr->set, buf_str(value), NULL);
    buf_free(value);
}

/* local_header_record - the walker callback: collect header lines */
static int
local_header_record(int type, const char *data, size_t len, void *ctx)
{
    LOCAL_HDR *hdr = ctx;

    hdr->total += len;
    if (hdr->total > (size_t) var_header_size_limit)
        return LOCAL_HDR_DONE;
    buf_append(hdr->line, data, len);
    if (type != REC_TYPE_NORM)
        return 0;
    if (buf_len(hdr->line) == 0)
        return LOCAL_HDR_DONE;
    local_header_line(hdr);
    buf_reset(hdr->line);
    return 0;
}

/* local_header_delivered - the set of Delivered-To: values */
HTABLE *
local_header_delivered(DELIVER_REQUEST *req)
{
    LOCAL_HDR hdr;
    DSN_BUF *why = dsb_create();

    hdr.set = htable_create(4);
    hdr.line = buf_alloc(100);
    hdr.total = 0;
    (void) mail_copy_walk(req->fd, req->data_offset, local_header_record,
                          &hdr, why);
    buf_free(hdr.line);
    dsb_free(why);
    return hdr.set;
}
