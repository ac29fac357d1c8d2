/* cleanup_header - one message header: checks, bookkeeping, address
 * rewriting, output.
 *
 * Primary headers (the message's own) are noted for the missing-header
 * logic and the hop count; Bcc: and the other headers that cleanup drops
 * are not written. Address headers (From:, To:, Cc:, Reply-To:, ...) are
 * parsed and each address is rewritten, mapped and masqueraded as
 * cleanup_addr says; a header in which the quoted form of an address
 * changed (also only its quoting: "g"@x becomes g@x) is written anew with
 * every address requoted, on one line or folded before 70 columns, as
 * Postfix does.
 * Headers of MIME parts and attached messages are only checked. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "cleanup.h"
#include "cleanup_checks.h"
#include "cleanup_user.h"
#include "header_opts.h"
#include "mail_params.h"
#include "mime_state.h"
#include "msg.h"
#include "mymalloc.h"
#include "quote_822_local.h"
#include "tok822.h"

/* Folded header lines stay below this many bytes where they can. */
#define CLEANUP_FOLD_WIDTH  70

/* cleanup_header_value - where the value starts (after "Name:") */
static size_t
cleanup_header_value(const BUF *header)
{
    const char *colon = memchr(buf_str(header), ':', buf_len(header));

    return colon ? (size_t) (colon - buf_str(header)) + 1 : buf_len(header);
}

/* cleanup_header_encoding - Content-Transfer-Encoding: 8bit or binary
 * makes the message 8bit (the "encoding" attribute), unless the client
 * said what it is */
static void
cleanup_header_encoding(CLEANUP_STATE *state, const BUF *header)
{
    const char *value = buf_str(header) + cleanup_header_value(header);
    size_t  len;

    value += strspn(value, " \t\n");
    len = strcspn(value, " \t\n;(");
    if ((len == 4 && strncasecmp(value, "8bit", 4) == 0)
        || (len == 6 && strncasecmp(value, "binary", 6) == 0))
        state->encoding_8bit = true;
}

/* cleanup_header_note - remember a primary header; false when cleanup
 * drops it */
static bool
cleanup_header_note(CLEANUP_STATE *state, const HEADER_OPTS *opts,
                    const BUF *header)
{
    const char *value;

    state->headers_seen |= CLEANUP_HDR_BIT(opts->type);
    if (opts->flags & HDR_OPT_RR)
        state->resent = true;
    if (opts->type == HDR_RECEIVED
        && ++state->hop_count >= var_hopcount_limit) {
        msg_warn("%s: message rejected: hopcount exceeded",
                 buf_str(state->queue_id));
        cleanup_error(state, CLEANUP_STAT_HOPS, NULL);
    }
    if (opts->type == HDR_CONTENT_TRANSFER_ENCODING)
        cleanup_header_encoding(state, header);
    if (opts->type == HDR_MESSAGE_ID || opts->type == HDR_RESENT_MESSAGE_ID) {
        value = buf_str(header) + cleanup_header_value(header);
        while (*value && isspace((unsigned char) *value))
            value++;
        myfree(state->message_id);
        state->message_id = mystrdup(value);
    }
    return (opts->flags & HDR_OPT_DROP) == 0;
}

/* cleanup_header_fold - "Name: " and the comma-separated lines of an
 * address list, joined with a space while the line stays short */
static void
cleanup_header_fold(BUF *header, size_t name_len, const char *lines)
{
    size_t  line_start;
    const char *nl;
    size_t  piece;

    buf_truncate(header, name_len);
    buf_addch(header, ' ');
    line_start = 0;
    for (;;) {
        nl = strchr(lines, '\n');
        piece = nl ? (size_t) (nl - lines) : strlen(lines);
        buf_append(header, lines, piece);
        if (nl == NULL)
            break;
        lines = nl + 1;
        nl = strchr(lines, '\n');
        piece = nl ? (size_t) (nl - lines) : strlen(lines);
        if (buf_len(header) - line_start + 1 + piece < CLEANUP_FOLD_WIDTH) {
            buf_addch(header, ' ');
        } else {
            buf_strcat(header, "\n\t");
            line_start = buf_len(header);       /* the tab does not count */
        }
    }
}

/* cleanup_header_rewrite - rewrite every address of an address header */
static void
cleanup_header_rewrite(CLEANUP_STATE *state, const HEADER_OPTS *opts,
                       BUF *header)
{
    size_t  name_len = cleanup_header_value(header);
    TOK822_LIST *list;
    BUF    *addr = state->temp1;
    BUF    *orig = buf_alloc(100);
    BUF    *text = buf_alloc(100);
    bool    changed = false;
    size_t  i;

    list = tok822_parse(buf_str(header) + name_len,
                        buf_len(header) - name_len,
                        (size_t) var_header_address_token_limit);
    for (i = 0; i < list->count; i++) {
        if (list->tok[i].type != TOK822_ADDR)
            continue;
        /* As Postfix: compare the quoted forms, requote every address. */
        buf_reset(orig);
        tok822_externalize(orig, list->tok[i].addr, TOK822_STR_NONE);
        buf_reset(addr);
        tok822_internalize(addr, list->tok[i].addr, TOK822_STR_NONE);
        cleanup_addr_header(state, (opts->flags & HDR_OPT_SENDER) != 0, addr);
        quote_822_local(text, buf_str(addr));
        if (strcmp(buf_str(text), buf_str(orig)) != 0)
            changed = true;
        tok822_replace_addr(list, i, buf_str(text));
    }
    if (changed) {
        buf_reset(text);
        tok822_externalize(text, list, TOK822_STR_HEAD);
        cleanup_header_fold(header, name_len, buf_str(text));
    }
    tok822_free(list);
    buf_free(orig);
    buf_free(text);
}

/* cleanup_header_rewrites - whether address headers are rewritten:
 * always for local clients; for remote ones only when
 * remote_header_rewrite_domain is set */
static bool
cleanup_header_rewrites(const CLEANUP_STATE *state)
{
    return !state->remote_context || *var_remote_header_rewrite_domain;
}

/* cleanup_header - see the file comment */
void
cleanup_header(CLEANUP_STATE *state, int header_class,
               const HEADER_OPTS *opts, BUF *header)
{
    if (!cleanup_checks_header(state, header_class, opts, header))
        return;
    if (header_class == MIME_HDR_PRIMARY && opts != NULL) {
        if (!cleanup_header_note(state, opts, header))
            return;
        if ((opts->flags & (HDR_OPT_SENDER | HDR_OPT_RECIP))
            && cleanup_header_rewrites(state))
            cleanup_header_rewrite(state, opts, header);
    }
    cleanup_out_text(state, buf_str(header), buf_len(header));
}
