/* verify - the address verification service, as Postfix 3.7's
 * verify(8).
 *
 * Model: a MULTI server (mail_server.h) on private/verify (master.cf
 * "verify unix - - n - 1 verify"; one process owns the cache). It
 * greets each client and answers requests in the protocol of
 * verify_clnt.h:
 *
 *   query ADDR: the cached status and text. An address that is not in
 *     the cache, or whose entry expired (deliverable ones after
 *     $address_verify_positive_expire_time, others after
 *     $address_verify_negative_expire_time), is "3" (to do) with
 *     "Address verification in progress". After the answer, when the
 *     entry is due for a refresh ($address_verify_positive_refresh_time,
 *     $address_verify_negative_refresh_time) and no probe went out in the
 *     last 1000 seconds, the entry notes the time (a new address gets an
 *     entry only with $address_verify_negative_cache) and a probe message
 *     goes to the address from $address_verify_sender (verify_probe.c).
 *   update ADDR STATUS TEXT: a delivery agent's result for a probe
 *     (deliver_result.h). A failed probe never replaces a deliverable
 *     entry that has not expired: the address is probed again at the
 *     next query instead, as in Postfix.
 *
 * Postfix turns ':' into '_' in cache keys; so does Postern. The cache
 * is verify_cache.c; every update is durable before the answer. */
#include <string.h>
#include <time.h>

#include "attr.h"
#include "mail_params.h"
#include "mail_server.h"
#include "msg.h"
#include "verify.h"
#include "verify_clnt.h"

#define VERIFY_PROBE_TTL    1000        /* seconds a probe is outstanding */

static BUF *verify_request;
static BUF *verify_addr;
static BUF *verify_text;

/* verify_greet - send the protocol greeting to a new client */
static void
verify_greet(STREAM *client, const char *service, char **argv)
{
    if (attr_print(client, ATTR_FLAG_NONE,
                   SEND_ATTR_STR(VRFY_ATTR_PROTOCOL, VRFY_PROTOCOL),
                   ATTR_TYPE_END) < 0)
        mail_server_disconnect(client);
}

/* verify_key - the cache key of an address: ':' becomes '_' */
static const char *
verify_key(BUF *addr)
{
    for (char *cp = buf_str(addr); *cp; cp++)
        if (*cp == ':')
            *cp = '_';
    return buf_str(addr);
}

/* verify_older - whether an entry's result is older than the time for
 * its kind (deliverable: positive; else negative) and no probe is under
 * way */
static bool
verify_older(const VERIFY_ENTRY *e, long now, int positive, int negative)
{
    long    age = e->status == VRFY_ADDR_OK ? positive : negative;

    return now - e->probed > VERIFY_PROBE_TTL && e->updated + age < now;
}

/* verify_expired - whether an entry is too old to be believed */
#define verify_expired(e, now) \
    verify_older((e), (now), var_address_verify_positive_expire_time, \
                 var_address_verify_negative_expire_time)

/* verify_refresh_due - whether a new probe should go out */
#define verify_refresh_due(e, now) \
    verify_older((e), (now), var_address_verify_positive_refresh_time, \
                 var_address_verify_negative_refresh_time)

/* verify_send_probe - note the probe in the cache, then send it. The
 * note comes first: an address whose entry cannot be stored (a key too
 * long for the table) is not probed at every query. Without negative
 * caching a new address gets no entry, and is probed at every query, as
 * in Postfix. */
static void
verify_send_probe(const char *addr, VERIFY_ENTRY *e, long now)
{
    BUF    *why;

    if (e->updated != 0 || var_address_verify_negative_cache) {
        e->probed = now;
        if (verify_cache_put(addr, e) < 0)
            return;
    }
    why = buf_alloc(100);
    if (verify_probe(addr, why) < 0)
        msg_warn("probe %s: %s", addr, buf_str(why));
    buf_free(why);
}

/* verify_query - a query request after its request attribute; 0 or -1 */
static int
verify_query(STREAM *client)
{
    VERIFY_ENTRY e;
    const char *addr;
    long    now = (long) time(NULL);
    int     found;

    if (attr_scan(client, ATTR_FLAG_STRICT,
                  RECV_ATTR_STR(VRFY_ATTR_ADDR, verify_addr),
                  ATTR_TYPE_END) != 1)
        return -1;
    addr = verify_key(verify_addr);
    if ((found = verify_cache_get(addr, &e)) <= 0 || verify_expired(&e, now)) {
        if (found > 0 && !var_address_verify_negative_cache)
            verify_cache_del(addr);
        e = (VERIFY_ENTRY) {VRFY_ADDR_TODO, 0, 0, VRFY_TEXT_IN_PROGRESS};
    }
    buf_strcpy(verify_text, e.text);
    e.text = buf_str(verify_text);
    if (attr_print(client, ATTR_FLAG_NONE,
                   SEND_ATTR_INT(VRFY_ATTR_STATUS, VRFY_STAT_OK),
                   SEND_ATTR_INT(VRFY_ATTR_ADDR_STATUS, e.status),
                   SEND_ATTR_STR(VRFY_ATTR_REASON, e.text),
                   ATTR_TYPE_END) < 0)
        return -1;
    if (verify_refresh_due(&e, now))
        verify_send_probe(addr, &e, now);
    return 0;
}

/* verify_store - whether a result replaces the entry: a deliverable
 * one always, a failed one unless the entry says deliverable */
static bool
verify_store(const char *addr, int status)
{
    VERIFY_ENTRY old;

    return status == VRFY_ADDR_OK || verify_cache_get(addr, &old) <= 0
        || old.status != VRFY_ADDR_OK;
}

/* verify_update - an update request after its request attribute; 0 or
 * -1 */
static int
verify_update(STREAM *client)
{
    VERIFY_ENTRY e;
    const char *addr;
    int     status;
    int     answer = VRFY_STAT_OK;

    if (attr_scan(client, ATTR_FLAG_STRICT,
                  RECV_ATTR_STR(VRFY_ATTR_ADDR, verify_addr),
                  RECV_ATTR_INT(VRFY_ATTR_ADDR_STATUS, &status),
                  RECV_ATTR_STR(VRFY_ATTR_REASON, verify_text),
                  ATTR_TYPE_END) != 3)
        return -1;
    addr = verify_key(verify_addr);
    if (status < VRFY_ADDR_OK || status > VRFY_ADDR_BOUNCE) {
        msg_warn("bad recipient status %d for recipient %s", status, addr);
        answer = VRFY_STAT_BAD;
    } else if (verify_store(addr, status)) {
        e = (VERIFY_ENTRY) {status, 0, (long) time(NULL),
                            buf_str(verify_text)};
        if (verify_cache_put(addr, &e) < 0)
            answer = VRFY_STAT_FAIL;
    }
    return attr_print(client, ATTR_FLAG_NONE,
                      SEND_ATTR_INT(VRFY_ATTR_STATUS, answer),
                      ATTR_TYPE_END) < 0 ? -1 : 0;
}

/* verify_service - one request; drop the client on EOF or junk */
static void
verify_service(STREAM *client, const char *service, char **argv)
{
    int     status;

    if (attr_scan(client, ATTR_FLAG_STRICT | ATTR_FLAG_MORE,
                  RECV_ATTR_STR(VRFY_ATTR_REQ, verify_request),
                  ATTR_TYPE_END) != 1) {
        if (!stream_eof(client))
            msg_warn("malformed request from client");
        status = -1;
    } else if (strcmp(buf_str(verify_request), VRFY_REQ_QUERY) == 0) {
        status = verify_query(client);
    } else if (strcmp(buf_str(verify_request), VRFY_REQ_UPDATE) == 0) {
        status = verify_update(client);
    } else {
        msg_warn("unrecognized request: \"%.100s\", ignored",
                 buf_str(verify_request));
        status = -1;
    }
    if (status < 0)
        mail_server_disconnect(client);
}

/* verify_post_init - open the cache as mail_owner */
static void
verify_post_init(const char *service, char **argv)
{
    if (argv[0])
        msg_fatal("unexpected command-line argument: %s", argv[0]);
    verify_request = buf_alloc(20);
    verify_addr = buf_alloc(100);
    verify_text = buf_alloc(100);
    verify_cache_open(var_address_verify_map);
}

/* main - hand over to the skeleton */
int
main(int argc, char **argv)
{
    static const SERVER_SPEC spec = {
        .model = SERVER_MULTI,
        .post_init = verify_post_init,
        .service = verify_service,
        .post_accept = verify_greet,
        .unlimited = 1,
    };

    mail_server_main(argc, argv, &spec);
}
