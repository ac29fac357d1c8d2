/* hdr_rcpt - recipients from message headers and address lists.
 *
 * Address lists are parsed by tok822 (no token limit: every recipient
 * is extracted, as Postfix's cleanup does); each address is written in
 * internal form. The header collector keeps the value of the current
 * recipient header until a line that does not continue it.
 * See hdr_rcpt.h. Peers: tok822, sendmail. */
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "hdr_rcpt.h"
#include "mymalloc.h"
#include "tok822.h"

/* hdr_rcpt_parse - append the addresses in an address list to out */
void
hdr_rcpt_parse(const char *text, size_t len, ARGV *out)
{
    TOK822_LIST *list = tok822_parse(text, len, 0);
    BUF    *addr = buf_alloc(64);
    TOK822 *tok;

    for (size_t i = 0; i < list->count; i++) {
        tok = list->tok + i;
        if (tok->type != TOK822_ADDR || tok->addr == NULL)
            continue;
        buf_reset(addr);
        tok822_internalize(addr, tok->addr, TOK822_STR_NONE);
        if (buf_len(addr) > 0)
            argv_add(out, buf_str(addr));
    }
    buf_free(addr);
    tok822_free(list);
}

/* Which list a header feeds. */
typedef enum {
    HDR_NONE, HDR_PLAIN, HDR_RESENT,
} HDR_KIND;

struct HDR_RCPT {
    HDR_KIND pending_kind;              /* kind of the header being read */
    BUF    *pending;                    /* its value so far */
    bool    ended;                      /* a non-header line was seen */
    ARGV   *plain;                      /* To, Cc, Bcc */
    ARGV   *resent;                     /* Resent-To, -Cc, -Bcc */
};

/* hdr_rcpt_create - start collecting header lines */
HDR_RCPT *
hdr_rcpt_create(void)
{
    HDR_RCPT *hr = mymalloc(sizeof(*hr));

    hr->pending_kind = HDR_NONE;
    hr->pending = buf_alloc(256);
    hr->ended = false;
    hr->plain = argv_alloc(4);
    hr->resent = argv_alloc(1);
    return hr;
}

/* hdr_rcpt_flush - parse the value of the pending recipient header */
static void
hdr_rcpt_flush(HDR_RCPT *hr)
{
    if (hr->pending_kind != HDR_NONE)
        hdr_rcpt_parse(buf_str(hr->pending), buf_len(hr->pending),
                       hr->pending_kind == HDR_RESENT ? hr->resent : hr->plain);
    hr->pending_kind = HDR_NONE;
    buf_truncate(hr->pending, 0);
}

/* hdr_rcpt_kind - the kind of a header by its name */
static HDR_KIND
hdr_rcpt_kind(const char *name, size_t len)
{
    static const char *const names[] = {"to", "cc", "bcc"};
    HDR_KIND kind = HDR_PLAIN;

    if (len > 7 && strncasecmp(name, "resent-", 7) == 0) {
        kind = HDR_RESENT;
        name += 7;
        len -= 7;
    }
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (len == strlen(names[i]) && strncasecmp(name, names[i], len) == 0)
            return kind;
    return HDR_NONE;
}

/* hdr_rcpt_line - one physical header line */
bool
hdr_rcpt_line(const char *line, size_t len, void *ctx)
{
    HDR_RCPT *hr = ctx;
    size_t  n;

    if (hr->ended)
        return false;
    if (len > 0 && (line[0] == ' ' || line[0] == '\t')) {
        if (hr->pending_kind != HDR_NONE)
            buf_append(hr->pending, line, len);
        return true;
    }
    hdr_rcpt_flush(hr);
    for (n = 0; n < len && line[n] != ':'; n++)
        if (line[n] <= ' ' || line[n] > '~')
            break;
    if (n == 0 || n >= len || line[n] != ':') {
        hr->ended = true;
        return false;
    }
    if ((hr->pending_kind = hdr_rcpt_kind(line, n)) != HDR_NONE)
        buf_append(hr->pending, line + n + 1, len - n - 1);
    return true;
}

/* hdr_rcpt_finish - the recipients found; frees hr */
ARGV   *
hdr_rcpt_finish(HDR_RCPT *hr)
{
    ARGV   *result;

    hdr_rcpt_flush(hr);
    if (hr->resent->argc > 0) {
        result = hr->resent;
        argv_free(hr->plain);
    } else {
        result = hr->plain;
        argv_free(hr->resent);
    }
    buf_free(hr->pending);
    myfree(hr);
    return result;
}
