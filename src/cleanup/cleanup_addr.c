/* cleanup_addr - the envelope sender and recipients, and header addresses.
 *
 * Order, as Postfix's cleanup (docs/address-mapping.md):
 *   1. rewrite through trivial-rewrite (envelope: local context; headers:
 *      the client's rewrite_context);
 *   2. canonical mapping: sender_canonical_maps or recipient_canonical_maps,
 *      then canonical_maps, each for the classes its *_classes names;
 *   3. masquerading (masquerade_domains) for masquerade_classes;
 *   4. recipients only: virtual alias expansion (one to many), duplicate
 *      elimination, and the record written with its original address and
 *      DSN attributes; sender_bcc_maps and recipient_bcc_maps add blind
 *      copies, written at the end of the file.
 * Steps 2-4 need CLEANUP_FLAG_MAP_OK, the blind copies CLEANUP_FLAG_BCC_OK
 * (receive_override_options can turn them off). A table or trivial-rewrite
 * that fails defers the whole message: nothing is guessed. */
#include <stdio.h>
#include <string.h>

#include "addr_map.h"
#include "canon_addr.h"
#include "cleanup.h"
#include "cleanup_user.h"
#include "mail_params.h"
#include "masq_addr.h"
#include "msg.h"
#include "mymalloc.h"
#include "rec_type.h"
#include "virtual_expand.h"

/* DSN notify values (sendmail -N, SMTP NOTIFY=) and the size record's
 * summary bits for qmgr. */
#define DSN_NOTIFY_NEVER        (1 << 0)
#define DSN_NOTIFY_SUCCESS      (1 << 1)
#define DSN_NOTIFY_DELAY        (1 << 3)
#define QMGR_FLAG_NOTIFY_NEVER   (1 << 1)
#define QMGR_FLAG_NOTIFY_SUCCESS (1 << 2)
#define QMGR_FLAG_NOTIFY_DELAY   (1 << 4)

/* cleanup_addr_failed - a lookup or trivial-rewrite failed */
static void
cleanup_addr_failed(CLEANUP_STATE *state, const BUF *why)
{
    msg_warn("%s: %s", buf_str(state->queue_id), buf_str(why));
    cleanup_error(state, CLEANUP_STAT_WRITE, NULL);
}

/* cleanup_addr_rewrite - trivial-rewrite in a context, in place */
static void
cleanup_addr_rewrite(CLEANUP_STATE *state, const char *context, BUF *addr)
{
    buf_strcpy(state->temp2, buf_str(addr));
    if (rewrite_clnt_internal(cleanup_conf.rewrite, context,
                              buf_str(state->temp2), addr, state->why) < 0) {
        cleanup_addr_failed(state, state->why);
        buf_strcpy(addr, buf_str(state->temp2));
    }
}

/* cleanup_addr_canon - canonical maps and masquerading for one address
 * class (ADDR_CLASS_*), in place */
static void
cleanup_addr_canon(CLEANUP_STATE *state, int addr_class, BUF *addr)
{
    BUF    *why = state->why;

    if ((state->flags & CLEANUP_FLAG_MAP_OK) == 0)
        return;
    buf_strcpy(state->temp2, buf_str(addr));
    if (canon_addr_map(cleanup_conf.canon, addr_class,
                       buf_str(state->queue_id), buf_str(state->temp2), addr,
                       why) < 0) {
        buf_sprintf_append(why, " -- message not accepted, try again later");
        cleanup_addr_failed(state, why);
        buf_strcpy(addr, buf_str(state->temp2));
    } else {
        buf_strcpy(state->temp2, buf_str(addr));
        if (masq_addr(cleanup_conf.masq, addr_class, buf_str(state->temp2),
                      addr, why) < 0) {
            buf_sprintf_append(why, " -- message not accepted, try again later");
            cleanup_addr_failed(state, why);
            buf_strcpy(addr, buf_str(state->temp2));
        }
    }
}

/* cleanup_addr_bcc_lookup - sender_bcc_maps or recipient_bcc_maps: the
 * copies are written at once, after the sender or recipient that caused
 * them, as Postfix 3.7 does */
static void
cleanup_addr_bcc_lookup(CLEANUP_STATE *state, MAPS *maps, const char *addr)
{
    ARGV   *found;
    int     status, i;

    if ((state->flags & CLEANUP_FLAG_BCC_OK) == 0 || maps == NULL || !*addr)
        return;
    found = addr_map(maps, cleanup_conf.lookup, addr, false, &status);
    if (status == ADDR_MAP_RETRY) {
        msg_warn("%s: %s map lookup problem -- message not accepted, "
                 "try again later", buf_str(state->queue_id), maps->title);
        cleanup_error(state, CLEANUP_STAT_WRITE, NULL);
    }
    if (found != NULL) {
        for (i = 0; i < found->argc; i++)
            cleanup_addr_bcc(state, found->argv[i]);
        argv_free(found);
    }
}

/* cleanup_addr_sender - the 'S' record */
void
cleanup_addr_sender(CLEANUP_STATE *state, const char *raw)
{
    BUF    *addr = buf_alloc(100);

    buf_strcpy(addr, raw);
    if (*raw)
        cleanup_addr_rewrite(state, REWRITE_LOCAL, addr);
    cleanup_addr_canon(state, ADDR_CLASS_ENV_SENDER, addr);
    state->sender = mystrdup(buf_str(addr));
    cleanup_out(state, REC_TYPE_FROM, buf_str(addr), buf_len(addr));
    cleanup_addr_bcc_lookup(state, cleanup_conf.sender_bcc, buf_str(addr));
    buf_free(addr);
}

/* cleanup_addr_add_bcc - remember a blind copy for the end of the file */
void
cleanup_addr_add_bcc(CLEANUP_STATE *state, const char *addr)
{
    if (state->bcc == NULL)
        state->bcc = argv_alloc(1);
    argv_add(state->bcc, addr);
}

/* cleanup_addr_notify_summary - the size record's DSN summary bits */
long
cleanup_addr_notify_summary(int notify)
{
    return ((notify & DSN_NOTIFY_NEVER) ? QMGR_FLAG_NOTIFY_NEVER : 0)
        | ((notify & DSN_NOTIFY_SUCCESS) ? QMGR_FLAG_NOTIFY_SUCCESS : 0)
        | ((notify & DSN_NOTIFY_DELAY) ? QMGR_FLAG_NOTIFY_DELAY : 0);
}

/* cleanup_addr_out - write one final recipient, unless it is a
 * duplicate: the same address with the same original address and DSN
 * attributes (the same address alone with enable_original_recipient =
 * no), as Postfix 3.7 compares them, for the first duplicate_filter_limit
 * recipients. An empty orcpt writes no dsn_orig_rcpt (blind copies). */
static void
cleanup_addr_out(CLEANUP_STATE *state, const char *orcpt, int notify,
                 const char *orig, const char *rcpt)
{
    BUF    *key = state->temp2;

    if (var_enable_original_recipient)
        buf_sprintf(key, "%s\n%d\n%s\n%s", orcpt, notify, orig, rcpt);
    else
        buf_strcpy(key, rcpt);
    if (htable_find(state->dups, buf_str(key)) != NULL)
        return;
    if (state->dups->used < (size_t) var_duplicate_filter_limit)
        htable_enter(state->dups, buf_str(key), state->dups);
    cleanup_envelope_warn(state);
    if (notify)
        cleanup_out_format(state, REC_TYPE_ATTR, "notify_flags=%d", notify);
    if (*orcpt) {
        cleanup_out_format(state, REC_TYPE_ATTR, "dsn_orig_rcpt=%s", orcpt);
        state->qmgr_flags |= cleanup_addr_notify_summary(notify);
    }
    cleanup_bounce_rcpt(state, orcpt, notify, orig, rcpt);
    cleanup_out_string(state, REC_TYPE_ORCP, orig);
    cleanup_out_string(state, REC_TYPE_RCPT, rcpt);
    state->rcpt_count++;
    myfree(state->last_rcpt);
    state->last_rcpt = mystrdup(rcpt);
}

/* cleanup_addr_expand - virtual alias expansion, then output */
static void
cleanup_addr_expand(CLEANUP_STATE *state, const char *orcpt, int notify,
                    const char *orig, const char *rcpt)
{
    ARGV   *list;
    int     status, i;

    if ((state->flags & CLEANUP_FLAG_MAP_OK) == 0
        || cleanup_conf.virtual == NULL) {
        cleanup_addr_out(state, orcpt, notify, orig, rcpt);
        return;
    }
    if ((list = virtual_expand(cleanup_conf.virtual, rcpt, &status,
                               state->why)) == NULL) {
        msg_warn("%s: %s -- message not accepted, try again later",
                 buf_str(state->queue_id), buf_str(state->why));
        cleanup_error(state, status == VIRTUAL_EXPAND_LIMIT ?
                      CLEANUP_STAT_DEFER : CLEANUP_STAT_WRITE,
                      status == VIRTUAL_EXPAND_LIMIT ?
                      "4.6.0 Alias expansion error" : NULL);
    } else {
        for (i = 0; i < list->argc; i++)
            cleanup_addr_out(state, orcpt, notify, orig, list->argv[i]);
        argv_free(list);
    }
}

/* cleanup_addr_prepare - a recipient rewritten and mapped into addr,
 * and its DSN original recipient: the client's, or "rfc822;" and the
 * mapped address; given_orcpt "" for none */
static void
cleanup_addr_prepare(CLEANUP_STATE *state, const char *raw,
                     const char *given_orcpt, BUF *addr, BUF *orcpt)
{
    buf_strcpy(addr, *raw ? raw : var_empty_address_recipient);
    cleanup_addr_rewrite(state, REWRITE_LOCAL, addr);
    cleanup_addr_canon(state, ADDR_CLASS_ENV_RCPT, addr);
    if (given_orcpt != NULL) {
        buf_strcpy(orcpt, given_orcpt);
    } else {
        buf_strcpy(orcpt, "rfc822;");           /* unquoted, as Postfix */
        buf_strcat(orcpt, buf_str(addr));
    }
}

/* cleanup_addr_recipient - an 'R' record with the 'O' record and DSN
 * attributes that came before it */
void
cleanup_addr_recipient(CLEANUP_STATE *state, const char *raw)
{
    BUF    *addr = buf_alloc(100);
    BUF    *orcpt = buf_alloc(100);

    cleanup_addr_prepare(state, raw, state->pend_orcpt, addr, orcpt);
    cleanup_addr_expand(state, buf_str(orcpt), state->pend_notify,
                        state->pend_orig ? state->pend_orig : raw,
                        buf_str(addr));
    cleanup_addr_bcc_lookup(state, cleanup_conf.recipient_bcc, buf_str(addr));
    cleanup_recipient_forget(state);
    buf_free(addr);
    buf_free(orcpt);
}

/* cleanup_addr_bcc - a blind copy recipient: rewritten and expanded, no
 * DSN notices (NOTIFY=NEVER) and no dsn_orig_rcpt, as Postfix 3.7 */
void
cleanup_addr_bcc(CLEANUP_STATE *state, const char *raw)
{
    BUF    *addr = buf_alloc(100);
    BUF    *orcpt = buf_alloc(100);

    cleanup_addr_prepare(state, raw, "", addr, orcpt);
    cleanup_addr_expand(state, "", DSN_NOTIFY_NEVER, buf_str(addr),
                        buf_str(addr));
    buf_free(addr);
    buf_free(orcpt);
}

/* cleanup_addr_header - an address in a header, in place */
void
cleanup_addr_header(CLEANUP_STATE *state, bool sender_header, BUF *addr)
{
    cleanup_addr_rewrite(state, state->remote_context ? REWRITE_REMOTE :
                         REWRITE_LOCAL, addr);
    cleanup_addr_canon(state, sender_header ? ADDR_CLASS_HDR_SENDER :
                       ADDR_CLASS_HDR_RCPT, addr);
}
