/* smtp_connect - try the next hops and their addresses in turn.
 *
 * The request's next hop first, then each host of smtp_fallback_relay
 * (lmtp_fallback_relay); for each, its addresses best first
 * (smtp_addr.c). A connection that fails is logged ("connect to
 * host[addr]:port: Connection refused") and the next address is tried;
 * so is one whose greeting or HELO fails or whose session breaks, up to
 * smtp_mx_session_limit sessions. What is still pending at the end is
 * deferred with its last failure (bounced when that failure was
 * permanent, such as a name that does not exist). When no session got
 * past the handshake, the failure also goes back to qmgr as the hop
 * status, which suspends the destination for a while (Postfix's
 * "delivery temporarily suspended"). With the connection cache
 * (smtp_reuse.c) a session saved for the next hop, or for an address,
 * is used before a new connection; it counts as a session. */
#include <string.h>

#include "argv.h"
#include "msg.h"
#include "smtp.h"

#define SMTP_DEF_PORT   25
#define LMTP_DEF_PORT   24

/* smtp_connect_fail - a failure before or at connect: logged, kept */
static void
smtp_connect_fail(SMTP_STATE *state, const char *status, const char *text)
{
    dsb_simple(state->dsb, status, "%s", text);
    buf_strcpy(state->fail_relay, "none");
    buf_strcpy(state->fail_mname, "");
}

/* smtp_connect_run - the handshake (unless the session came from the
 * cache) and a transaction; a failure is noted for the report */
static void
smtp_connect_run(SMTP_STATE *state, bool cached, int *sessions)
{
    *sessions += 1;
    if (cached || smtp_session_helo(state) == 0) {
        state->handshake = true;
        if (smtp_trans(state) == 0) {
            smtp_session_close(state);
            return;
        }
    }
    buf_strcpy(state->fail_relay, buf_str(state->relay));
    buf_strcpy(state->fail_mname, state->addr->name);
    smtp_session_close(state);
}

/* smtp_connect_plain - after a failed TLS handshake at "may": the
 * same server again without STARTTLS, on a new connection (smtp_tls.c
 * says when) */
static void
smtp_connect_plain(SMTP_STATE *state, const SMTP_ADDR *addr, int *sessions)
{
    state->tls_retry_plain = false;
    if (state->pending == 0 || *sessions >= smtp_conf.session_limit)
        return;
    state->tls_plain_only = true;
    if (smtp_session_open(state, addr) < 0)
        msg_info("%s", buf_str(state->dsb->reason));
    else
        smtp_connect_run(state, false, sessions);
    state->tls_plain_only = false;
}

/* smtp_connect_addrs - one session per address until done; a session
 * saved in the connection cache for an address comes first */
static void
smtp_connect_addrs(SMTP_STATE *state, const SMTP_ADDR_LIST *list,
                   bool last_hop, int *sessions)
{
    for (size_t i = 0; i < list->count && state->pending > 0
         && *sessions < smtp_conf.session_limit; i++) {
        state->final = (last_hop && i + 1 == list->count)
            || *sessions + 1 == smtp_conf.session_limit;
        if (state->cache_load && smtp_reuse_endp(state, list->addr + i) == 0) {
            smtp_connect_run(state, true, sessions);
        } else if (smtp_session_open(state, list->addr + i) < 0) {
            msg_info("%s", buf_str(state->dsb->reason));
        } else {
            smtp_connect_run(state, false, sessions);
            if (state->tls_retry_plain)
                smtp_connect_plain(state, list->addr + i, sessions);
        }
    }
}

/* smtp_connect_cached - the request's own next hop: sessions saved for
 * it in the connection cache, before any DNS lookup */
static void
smtp_connect_cached(SMTP_STATE *state, int *sessions)
{
    while (state->pending > 0 && *sessions < smtp_conf.session_limit
           && smtp_reuse_dest(state) == 0) {
        state->final = *sessions + 1 == smtp_conf.session_limit;
        smtp_connect_run(state, true, sessions);
    }
}

/* smtp_connect_hop - parse one next hop and try its addresses */
static void
smtp_connect_hop(SMTP_STATE *state, const char *text, bool last_hop,
                 int *sessions)
{
    SMTP_NEXTHOP hop;
    SMTP_ADDR_LIST list;
    BUF    *why = buf_alloc(100);
    DSN_BUF *dns_why = dsb_create();

    if (smtp_nexthop_parse(text, smtp_conf.lmtp, smtp_conf.lmtp ?
                           LMTP_DEF_PORT : SMTP_DEF_PORT, &hop, why) < 0) {
        msg_warn("%s: %s", state->req->queue_id, buf_str(why));
        smtp_connect_fail(state, "4.3.5", buf_str(why));
    } else {
        smtp_tls_policy(state, text, &hop);
        if (state->first_hop) {
            smtp_reuse_policy(state, &hop);
            if (state->cache_load)
                smtp_connect_cached(state, sessions);
        }
        if (state->pending == 0 || *sessions >= smtp_conf.session_limit) {
             /* done through cached sessions */ ;
        } else if (smtp_addr_list(&hop, &list, dns_why) < 0) {
            smtp_connect_fail(state, buf_str(dns_why->status),
                              buf_str(dns_why->reason));
        } else {
            smtp_connect_addrs(state, &list, last_hop, sessions);
            smtp_addr_list_free(&list);
        }
        smtp_nexthop_free(&hop);
    }
    dsb_free(dns_why);
    buf_free(why);
}

/* smtp_connect_deliver - deliver to the pending recipients (smtp.h) */
const DSN *
smtp_connect_deliver(SMTP_STATE *state, DSN *hop_dsn)
{
    ARGV   *hops = argv_split(smtp_conf.fallback_relay, ", \t\r\n");
    int     sessions = 0;

    smtp_connect_fail(state, "4.4.1", "no address to deliver to");
    argv_insert(hops, 0, state->req->nexthop);
    for (int i = 0; i < hops->argc && state->pending > 0
         && sessions < smtp_conf.session_limit; i++) {
        state->first_hop = i == 0;
        state->dest = hops->argv[i];
        smtp_connect_hop(state, hops->argv[i], i + 1 == hops->argc,
                         &sessions);
    }
    argv_free(hops);
    smtp_rcpt_finish(state, state->dsb);
    if (state->handshake || dsb_status_class(state->dsb) != '4')
        return NULL;
    return dsb_dsn(state->dsb, hop_dsn, "delayed");
}
