/* hdr_rcpt - recipients from message headers and address lists.
 *
 * The address list parser is a single pass with a little state (inside
 * angle brackets or not); the header collector keeps the value of the
 * current recipient header until a line that does not continue it.
 * See hdr_rcpt.h. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "hdr_rcpt.h"
#include "mymalloc.h"

/* Parser state for one address list. */
typedef struct HDR_ADDR {
    BUF    *words;                      /* text outside angle brackets */
    BUF    *angle;                      /* text inside angle brackets */
    bool    in_angle;
    bool    saw_angle;
    ARGV   *out;
} HDR_ADDR;

/* hdr_addr_done - one address is complete: keep it if not empty */
static void
hdr_addr_done(HDR_ADDR *ha)
{
    const char *addr = buf_str(ha->saw_angle ? ha->angle : ha->words);
    const char *colon;

    if (ha->saw_angle && *addr == '@' && (colon = strchr(addr, ':')) != NULL)
        addr = colon + 1;                       /* source route */
    if (*addr)
        argv_add(ha->out, addr);
    buf_truncate(ha->words, 0);
    buf_truncate(ha->angle, 0);
    ha->in_angle = ha->saw_angle = false;
}

/* hdr_addr_quoted - copy a quoted string without its quotes; returns
 * the index after it */
static size_t
hdr_addr_quoted(HDR_ADDR *ha, const char *text, size_t len, size_t i)
{
    BUF    *bp = ha->in_angle ? ha->angle : ha->words;

    for (i++; i < len && text[i] != '"'; i++) {
        if (text[i] == '\\' && i + 1 < len)
            i++;
        buf_addch(bp, text[i]);
    }
    return i < len ? i + 1 : i;
}

/* hdr_addr_comment - skip a (nested) comment; returns the index after it */
static size_t
hdr_addr_comment(const char *text, size_t len, size_t i)
{
    int     depth = 0;

    for (; i < len; i++) {
        if (text[i] == '\\')
            i++;
        else if (text[i] == '(')
            depth++;
        else if (text[i] == ')' && --depth == 0)
            return i + 1;
    }
    return len;
}

/* hdr_addr_special - handle a structural character outside quotes and
 * comments; false when ch is an ordinary character */
static bool
hdr_addr_special(HDR_ADDR *ha, int ch)
{
    switch (ch) {
    case '<':
        buf_truncate(ha->angle, 0);
        ha->in_angle = ha->saw_angle = true;
        return true;
    case '>':
        ha->in_angle = false;
        return true;
    case ',':
        if (ha->in_angle)
            return false;
        hdr_addr_done(ha);
        return true;
    case ':':                                   /* group name ends */
        if (ha->in_angle)
            return false;
        buf_truncate(ha->words, 0);
        return true;
    case ';':                                   /* group ends */
        if (ha->in_angle)
            return false;
        hdr_addr_done(ha);
        return true;
    default:
        return false;
    }
}

/* hdr_rcpt_parse - append the addresses in an address list to out */
void
hdr_rcpt_parse(const char *text, size_t len, ARGV *out)
{
    HDR_ADDR ha = {buf_alloc(64), buf_alloc(64), false, false, out};
    size_t  i = 0;
    int     ch;

    while (i < len) {
        ch = (unsigned char) text[i];
        if (ch == '"') {
            i = hdr_addr_quoted(&ha, text, len, i);
        } else if (ch == '(') {
            i = hdr_addr_comment(text, len, i);
        } else {
            if (ch == '\\' && i + 1 < len)
                ch = (unsigned char) text[++i];
            else if (isspace(ch) || hdr_addr_special(&ha, ch))
                ch = -1;
            if (ch >= 0)
                buf_addch(ha.in_angle ? ha.angle : ha.words, ch);
            i++;
        }
    }
    hdr_addr_done(&ha);
    buf_free(ha.words);
    buf_free(ha.angle);
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
