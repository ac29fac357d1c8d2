/* delivered_hdr - the Delivered-To: addresses already in a queued message
 * (see delivered_hdr.h).
 *
 * Model: a walker over the content records collects logical header lines
 * ('L' pieces joined) and stops at the empty line that ends the headers
 * or after header_size_limit bytes; "Delivered-To:" values go into a
 * set, folded, so one lookup per recipient answers the loop question.
 * Peers: mail_copy (the record walker); local(8), virtual(8), pipe(8). */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "delivered_hdr.h"
#include "dsn_buf.h"
#include "htable.h"
#include "mail_copy.h"
#include "mail_params.h"
#include "mymalloc.h"
#include "rec_type.h"

#define DELIVERED_HDR_NAME      "Delivered-To:"
#define DELIVERED_HDR_DONE      1       /* walker: end of headers */

struct DELIVERED_HDR {
    HTABLE *set;                        /* folded values */
    BUF    *line;                       /* the logical line so far */
    size_t  total;                      /* header bytes read */
};

/* delivered_hdr_fold - addr, trimmed and in lower case, into bp */
static void
delivered_hdr_fold(BUF *bp, const char *addr)
{
    while (isspace((unsigned char) *addr))
        addr++;
    buf_strcpy(bp, addr);
    buf_trim_right(bp);
    buf_lowercase(bp);
}

/* delivered_hdr_line - one complete header line */
static void
delivered_hdr_line(DELIVERED_HDR *hdr)
{
    BUF    *value;

    if (strncasecmp(buf_str(hdr->line), DELIVERED_HDR_NAME,
                    sizeof(DELIVERED_HDR_NAME) - 1) != 0)
        return;
    value = buf_alloc(100);
    delivered_hdr_fold(value, buf_str(hdr->line)
                       + sizeof(DELIVERED_HDR_NAME) - 1);
    if (buf_len(value) > 0 && htable_locate(hdr->set, buf_str(value)) == NULL)
        htable_enter(hdr->set, buf_str(value), NULL);
    buf_free(value);
}

/* delivered_hdr_record - the walker callback: collect header lines */
static int
delivered_hdr_record(int type, const char *data, size_t len, void *ctx)
{
    DELIVERED_HDR *hdr = ctx;

    hdr->total += len;
    if (hdr->total > (size_t) var_header_size_limit)
        return DELIVERED_HDR_DONE;
    buf_append(hdr->line, data, len);
    if (type != REC_TYPE_NORM)
        return 0;
    if (buf_len(hdr->line) == 0)
        return DELIVERED_HDR_DONE;
    delivered_hdr_line(hdr);
    buf_reset(hdr->line);
    return 0;
}

/* delivered_hdr_read - the Delivered-To: values of a queued message */
DELIVERED_HDR *
delivered_hdr_read(int fd, off_t offset)
{
    DELIVERED_HDR *hdr = mymalloc(sizeof(*hdr));
    DSN_BUF *why = dsb_create();

    hdr->set = htable_create(4);
    hdr->line = buf_alloc(100);
    hdr->total = 0;
    (void) mail_copy_walk(fd, offset, delivered_hdr_record, hdr, why);
    buf_free(hdr->line);
    hdr->line = NULL;
    dsb_free(why);
    return hdr;
}

/* delivered_hdr_find - is address (any case) among them */
bool
delivered_hdr_find(const DELIVERED_HDR *hdr, const char *address)
{
    BUF    *folded = buf_alloc(100);
    bool    found;

    delivered_hdr_fold(folded, address);
    found = htable_locate(hdr->set, buf_str(folded)) != NULL;
    buf_free(folded);
    return found;
}

/* delivered_hdr_free - forget the set */
void
delivered_hdr_free(DELIVERED_HDR *hdr)
{
    htable_free(hdr->set, NULL);
    myfree(hdr);
}
