/* trivial-rewrite - the address rewriting and resolving daemon.
 *
 * Model: a MULTI server (mail_server.h) on "private/rewrite", as in
 * master.cf "rewrite unix - - n - - trivial-rewrite". It speaks Postfix's
 * trivial-rewrite protocol in the attribute form of attr.h:
 *
 *   server -> client   protocol=trivial_rewrite_protocol
 *   client -> server   request=rewrite, rule=local|remote, address=ADDR
 *   server -> client   flags=0, address=REWRITTEN
 *   client -> server   request=resolve (or resolve_send, resolve_verify),
 *                      sender=SENDER, address=ADDR
 *   server -> client   flags=SERVER, transport=T, nexthop=N, recipient=R,
 *                      flags=RESOLVE_FLAG_* | RESOLVE_CLASS_*
 *
 * A client may send many requests on one connection. "rewrite" applies
 * rewrite_addr() (rewrite_addr.h) to an external-form address; "resolve"
 * applies resolve_addr() (resolve_addr.h) to an internal-form address.
 * The server flags carry RESOLVE_FLAG_FAIL when a table failed (the
 * client must try again later). "resolve_send" and "resolve_verify" are
 * answered like "resolve" (Postfix's sender and address-verification
 * variants differ only in parameters Postern does not have yet).
 *
 * The greeting goes out as soon as a client connects (the skeleton's
 * post_accept hook), as Postfix's clients expect.
 *
 * A malformed request (a bad attribute, an unknown request or rule) is
 * logged and only that client is dropped. The resolver is built once in
 * post_init; its tables are opened through maps_create(), so a table
 * that changes on disk makes the skeleton restart the process. */
#include <stdio.h>
#include <string.h>

#include "attr.h"
#include "buf.h"
#include "mail_params.h"
#include "mail_server.h"
#include "msg.h"
#include "resolve_addr.h"
#include "rewrite_addr.h"
#include "rewrite_clnt.h"
#include "stream.h"


static RESOLVE_ADDR *tr_resolver;
static REWRITE_ADDR_SETTINGS tr_rewrite_settings;
static BUF *tr_request;
static BUF *tr_rule;
static BUF *tr_sender;
static BUF *tr_addr;
static BUF *tr_result;
static RESOLVE_REPLY tr_reply;

/* tr_greet - send the protocol greeting to a new client */
static void
tr_greet(STREAM *client, const char *service, char **argv)
{
    if (attr_print(client, ATTR_FLAG_NONE,
                   SEND_ATTR_STR(REWRITE_ATTR_PROTOCOL, REWRITE_PROTOCOL),
                   ATTR_TYPE_END) < 0)
        mail_server_disconnect(client);
}

/* tr_rewrite - a "rewrite" request after its request attribute; 0 or -1 */
static int
tr_rewrite(STREAM *client)
{
    int     context;

    if (attr_scan(client, ATTR_FLAG_STRICT,
                  RECV_ATTR_STR(REWRITE_ATTR_RULE, tr_rule),
                  RECV_ATTR_STR(REWRITE_ATTR_ADDR, tr_addr),
                  ATTR_TYPE_END) != 2) {
        msg_warn("malformed rewrite request");
        return -1;
    }
    if ((context = rewrite_addr_context(buf_str(tr_rule))) < 0) {
        msg_warn("unknown context: %.100s", buf_str(tr_rule));
        return -1;
    }
    rewrite_addr(&tr_rewrite_settings, (REWRITE_ADDR_CONTEXT) context,
                 buf_str(tr_addr), tr_result);
    if (msg_verbose)
        msg_info("rewrite %s %s -> %s", buf_str(tr_rule), buf_str(tr_addr),
                 buf_str(tr_result));
    return attr_print(client, ATTR_FLAG_NONE,
                      SEND_ATTR_INT(REWRITE_ATTR_FLAGS, 0),
                      SEND_ATTR_STR(REWRITE_ATTR_ADDR, buf_str(tr_result)),
                      ATTR_TYPE_END);
}

/* tr_resolve - a "resolve" request after its request attribute; 0 or -1 */
static int
tr_resolve(STREAM *client)
{
    int     flags;

    if (attr_scan(client, ATTR_FLAG_STRICT,
                  RECV_ATTR_STR(REWRITE_ATTR_SENDER, tr_sender),
                  RECV_ATTR_STR(REWRITE_ATTR_ADDR, tr_addr),
                  ATTR_TYPE_END) != 2) {
        msg_warn("malformed resolve request");
        return -1;
    }
    flags = resolve_addr(tr_resolver, buf_str(tr_sender), buf_str(tr_addr),
                         &tr_reply);
    if (msg_verbose)
        msg_info("resolve %s -> flags 0x%x transport %s nexthop %s "
                 "recipient %s", buf_str(tr_addr), flags,
                 buf_str(tr_reply.transport), buf_str(tr_reply.nexthop),
                 buf_str(tr_reply.recipient));
    return attr_print(client, ATTR_FLAG_NONE,
                      SEND_ATTR_INT(REWRITE_ATTR_FLAGS, flags & RESOLVE_FLAG_FAIL),
                      SEND_ATTR_STR(REWRITE_ATTR_TRANSPORT,
                                    buf_str(tr_reply.transport)),
                      SEND_ATTR_STR(REWRITE_ATTR_NEXTHOP, buf_str(tr_reply.nexthop)),
                      SEND_ATTR_STR(REWRITE_ATTR_RECIPIENT,
                                    buf_str(tr_reply.recipient)),
                      SEND_ATTR_INT(REWRITE_ATTR_FLAGS, flags),
                      ATTR_TYPE_END);
}

/* tr_is_resolve - whether a request name asks for resolving */
static int
tr_is_resolve(const char *request)
{
    return strcmp(request, REWRITE_REQ_RESOLVE) == 0
        || strcmp(request, REWRITE_REQ_RESOLVE_SEND) == 0
        || strcmp(request, REWRITE_REQ_RESOLVE_VERIFY) == 0;
}

/* tr_service - one request from a client; drop the client on EOF or on
 * a malformed request */
static void
tr_service(STREAM *client, const char *service, char **argv)
{
    int     status;

    if (attr_scan(client, ATTR_FLAG_STRICT | ATTR_FLAG_MORE,
                  RECV_ATTR_STR(REWRITE_ATTR_REQUEST, tr_request),
                  ATTR_TYPE_END) != 1) {
        if (!stream_eof(client))
            msg_warn("malformed request from client");
        status = -1;
    } else if (strcmp(buf_str(tr_request), REWRITE_REQ_REWRITE) == 0) {
        status = tr_rewrite(client);
    } else if (tr_is_resolve(buf_str(tr_request))) {
        status = tr_resolve(client);
    } else {
        msg_warn("unknown request: \"%.100s\"", buf_str(tr_request));
        status = -1;
    }
    if (status < 0)
        mail_server_disconnect(client);
}

/* tr_post_init - build the rewriter settings and the resolver */
static void
tr_post_init(const char *service, char **argv)
{
    RESOLVE_ADDR_SETTINGS settings;
    BUF    *why = buf_alloc(100);

    rewrite_addr_settings_init(&tr_rewrite_settings);
    resolve_addr_settings_init(&settings);
    if ((tr_resolver = resolve_addr_create(&settings, why)) == NULL)
        msg_fatal("%s", buf_str(why));
    buf_free(why);
    tr_request = buf_alloc(20);
    tr_rule = buf_alloc(20);
    tr_sender = buf_alloc(100);
    tr_addr = buf_alloc(100);
    tr_result = buf_alloc(100);
    resolve_reply_init(&tr_reply);
}

/* main - hand over to the skeleton */
int
main(int argc, char **argv)
{
    static const SERVER_SPEC spec = {
        .model = SERVER_MULTI,
        .post_init = tr_post_init,
        .service = tr_service,
        .post_accept = tr_greet,
    };

    mail_server_main(argc, argv, &spec);
}
