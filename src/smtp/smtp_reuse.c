/* smtp_reuse - SMTP/LMTP sessions through the connection cache, as
 * Postfix's smtp(8) uses scache(8).
 *
 * Policy (per request, decided at the request's own next hop): the
 * host of the next hop (without brackets and port, as Postfix) is in
 * smtp_connection_cache_destinations, or smtp_connection_cache_on_demand
 * is on and qmgr set DEL_REQ_FLAG_CONN_LOAD / _STORE in the request
 * (it does so while the destination has a backlog).
 *
 * Load: before any DNS lookup, the session last saved for the next hop
 * (find_dest, label "SERVICE\nNEXTHOP\n"), and before each connection
 * one saved for that address (find_endp, label
 * "SERVICE\nADDR\nPORT\n0\n", Postfix's labels). A cached session is
 * checked with RSET (smtp_rset_timeout), as Postfix does: a server
 * that closed it meanwhile costs nothing but the check, and the
 * delivery goes on with the next cached session or a new connection.
 *
 * Save: after a transaction, instead of QUIT, a session that did not
 * break, ran its transaction to the end-of-data reply (no reply may
 * still be on its way), did not get a 421, is younger than
 * smtp_connection_reuse_time_limit and has served fewer than
 * smtp_connection_reuse_count_limit transactions (0: no limit) goes to
 * the cache for smtp_connection_cache_time_limit, under its address and
 * (for the request's own next hop) under the next hop. Its properties
 * (name=value lines) carry what the next user needs: the server's
 * name and address, the features of its EHLO reply, the SIZE limit, the
 * reuse count and the expiry time. A session of the n-th transaction
 * logs "conn_use=n" (n > 1). Problems with the cache service are
 * logged and turn caching off for this process (Postfix: "disabling
 * connection caching"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "deliver_log.h"
#include "mail_params.h"
#include "match_list.h"
#include "msg.h"
#include "scache_clnt.h"
#include "smtp.h"

static SCACHE_CLNT *smtp_reuse_clnt;        /* NULL: caching off */
static MATCH_LIST *smtp_reuse_dests;        /* NULL: none listed */

/* smtp_reuse_init - the cache client and destination list (smtp.h) */
void
smtp_reuse_init(void)
{
    BUF    *path = buf_alloc(50);
    BUF    *why = buf_alloc(100);

    buf_sprintf(path, "private/%s", var_connection_cache_service_name);
    smtp_reuse_clnt = scache_clnt_create(buf_str(path),
                                         var_connection_cache_protocol_timeout);
    if (*smtp_conf.cache_dest
        && (smtp_reuse_dests = match_list_create(smtp_conf.lmtp ?
                                   "lmtp_connection_cache_destinations" :
                                   "smtp_connection_cache_destinations",
                                                 MATCH_STRING,
                                                 smtp_conf.cache_dest, 0,
                                                 why)) == NULL)
        msg_fatal("%s", buf_str(why));
    buf_free(path);
    buf_free(why);
}

/* smtp_reuse_disable - a cache service problem: no caching from now */
static void
smtp_reuse_disable(const BUF *why)
{
    msg_warn("%s", buf_str(why));
    msg_warn("disabling connection caching");
    scache_clnt_free(smtp_reuse_clnt);
    smtp_reuse_clnt = NULL;
}

/* smtp_reuse_policy - load and save for this request? (smtp.h) */
void
smtp_reuse_policy(SMTP_STATE *state, const SMTP_NEXTHOP *hop)
{
    int     flags = state->req->flags;

    state->cache_load = state->cache_store = false;
    /* An authenticated or TLS session is never shared (docs/smtp.md). */
    if (smtp_reuse_clnt == NULL || DEL_REQ_TRACE_ONLY(flags)
        || smtp_conf.sasl_enable || state->tls_policy.level != SMTP_TLS_NONE)
        return;
    if (smtp_reuse_dests
        && match_list_match(smtp_reuse_dests, hop->host, NULL, NULL) > 0) {
        state->cache_load = state->cache_store = true;
    } else if (smtp_conf.cache_on_demand) {
        state->cache_load = (flags & DEL_REQ_FLAG_CONN_LOAD) != 0;
        state->cache_store = (flags & DEL_REQ_FLAG_CONN_STORE) != 0;
    }
}

/* smtp_reuse_dest_label - "SERVICE\nNEXTHOP\n" */
static void
smtp_reuse_dest_label(BUF *bp, const SMTP_STATE *state)
{
    buf_sprintf(bp, "%s\n%s\n", smtp_conf.service, state->req->nexthop);
}

/* smtp_reuse_endp_label - "SERVICE\nADDR\nPORT\n0\n" */
static void
smtp_reuse_endp_label(BUF *bp, const SMTP_ADDR *addr)
{
    buf_sprintf(bp, "%s\n%s\n%u\n0\n", smtp_conf.service,
                addr->family == AF_UNIX ? addr->path : addr->text, addr->port);
}

/* smtp_reuse_prop - the value of name in "name=value\n" lines, or NULL
 * (into bp) */
static const char *
smtp_reuse_prop(const char *props, const char *name, BUF *bp)
{
    size_t  len = strlen(name);
    const char *cp;
    const char *end;

    for (cp = props; *cp; cp = end + (*end != 0)) {
        end = cp + strcspn(cp, "\n");
        if ((size_t) (end - cp) > len && strncmp(cp, name, len) == 0
            && cp[len] == '=') {
            buf_reset(bp);
            buf_append(bp, cp + len + 1, (size_t) (end - cp) - len - 1);
            return buf_str(bp);
        }
    }
    return NULL;
}

/* smtp_reuse_number - a numeric property, or 0 */
static long
smtp_reuse_number(const char *props, const char *name, BUF *bp)
{
    const char *value = smtp_reuse_prop(props, name, bp);

    return value ? strtol(value, NULL, 10) : 0;
}

/* smtp_reuse_dest_addr - the address of a session found by next hop,
 * from its properties; 0 or -1 */
static int
smtp_reuse_dest_addr(SMTP_STATE *state, const char *props, BUF *bp)
{
    SMTP_ADDR *addr = &state->cache_addr;
    const char *text;

    if (smtp_reuse_prop(props, "host_name", state->cache_name) == NULL
        || (text = smtp_reuse_prop(props, "host_addr", bp)) == NULL)
        return -1;
    memset(addr, 0, sizeof(*addr));
    addr->name = buf_str(state->cache_name);
    if (*text == '/') {
        buf_strcpy(state->cache_path, text);
        addr->family = AF_UNIX;
        addr->path = buf_str(state->cache_path);
    } else if (strlen(text) < sizeof(addr->text)) {
        addr->family = strchr(text, ':') ? AF_INET6 : AF_INET;
        strcpy(addr->text, text);
    } else {
        return -1;
    }
    addr->port = (unsigned) smtp_reuse_number(props, "host_port", bp);
    return 0;
}

/* smtp_reuse_check - adopt a cached session and check it with RSET; 0,
 * or -1 (closed) */
static int
smtp_reuse_check(SMTP_STATE *state, const SMTP_ADDR *addr, int fd,
                 const char *endp_prop, BUF *bp)
{
    smtp_session_adopt(state, addr, fd, true);
    state->features = (int) smtp_reuse_number(endp_prop, "endpoint_features",
                                              bp);
    state->size_limit = smtp_reuse_number(endp_prop, "size_limit", bp);
    state->reuse_count = (int) smtp_reuse_number(endp_prop, "reuse_count",
                                                 bp) + 1;
    state->expire_time = (time_t) smtp_reuse_number(endp_prop,
                                                    "expire_time", bp);
    if (smtp_chat(state, "RSET", smtp_conf.rset_timeout) != SMTP_REPLY_OK
        || state->reply->code / 100 != 2) {
        state->broken = true;           /* no QUIT, no saving */
        smtp_session_close(state);
        return -1;
    }
    gettimeofday(&state->req->times.conn_setup, NULL);
    state->req->times.conn_use = state->reuse_count + 1;
    return 0;
}

/* smtp_reuse_dest - a session saved for the next hop (smtp.h) */
int
smtp_reuse_dest(SMTP_STATE *state)
{
    BUF    *label = buf_alloc(100);
    BUF    *dest_prop = buf_alloc(100);
    BUF    *endp_prop = buf_alloc(100);
    BUF    *bp = buf_alloc(100);
    int     fd;
    int     ret = -1;

    smtp_reuse_dest_label(label, state);
    while (ret < 0 && smtp_reuse_clnt
           && (fd = scache_clnt_find_dest(smtp_reuse_clnt, buf_str(label),
                                          dest_prop, endp_prop, bp)) != SCACHE_NOTFOUND) {
        if (fd == SCACHE_ERROR) {
            smtp_reuse_disable(bp);
        } else if (smtp_reuse_dest_addr(state, buf_str(dest_prop), bp) < 0) {
            msg_warn("connection cache: bad properties for %s",
                     state->req->nexthop);
            (void) close(fd);
        } else {
            ret = smtp_reuse_check(state, &state->cache_addr, fd,
                                   buf_str(endp_prop), bp);
        }
    }
    buf_free(label);
    buf_free(dest_prop);
    buf_free(endp_prop);
    buf_free(bp);
    return ret;
}

/* smtp_reuse_endp - a session saved for an address (smtp.h) */
int
smtp_reuse_endp(SMTP_STATE *state, const SMTP_ADDR *addr)
{
    BUF    *label = buf_alloc(100);
    BUF    *endp_prop = buf_alloc(100);
    BUF    *bp = buf_alloc(100);
    int     fd;
    int     ret = -1;

    smtp_reuse_endp_label(label, addr);
    while (ret < 0 && smtp_reuse_clnt
           && (fd = scache_clnt_find_endp(smtp_reuse_clnt, buf_str(label),
                                          endp_prop, bp)) != SCACHE_NOTFOUND) {
        if (fd == SCACHE_ERROR)
            smtp_reuse_disable(bp);
        else
            ret = smtp_reuse_check(state, addr, fd, buf_str(endp_prop), bp);
    }
    buf_free(label);
    buf_free(endp_prop);
    buf_free(bp);
    return ret;
}

/* smtp_reuse_wanted - may this session go to the cache? */
static bool
smtp_reuse_wanted(const SMTP_STATE *state)
{
    return smtp_reuse_clnt != NULL && state->cache_store && !state->broken
        && state->reusable && state->reply->code != 421 && time(NULL) < state->expire_time
        && (smtp_conf.reuse_count_limit <= 0
            || state->reuse_count + 1 < smtp_conf.reuse_count_limit)
        && stream_buffered(state->sp) == 0;
}

/* smtp_reuse_store - the two save requests; fd is gone afterwards */
static int
smtp_reuse_store(SMTP_STATE *state, int fd, BUF *why)
{
    const SMTP_ADDR *addr = state->addr;
    BUF    *endp_label = buf_alloc(100);
    BUF    *dest_label = buf_alloc(100);
    BUF    *prop = buf_alloc(200);
    int     ttl = smtp_conf.cache_time_limit;
    int     ret = 0;

    smtp_reuse_endp_label(endp_label, addr);
    if (state->first_hop) {
        smtp_reuse_dest_label(dest_label, state);
        buf_sprintf(prop, "destination=%s\nhost_name=%s\nhost_addr=%s\n"
                    "host_port=%u\n", state->req->nexthop, addr->name,
                    addr->family == AF_UNIX ? addr->path : addr->text,
                    addr->port);
        ret = scache_clnt_save_dest(smtp_reuse_clnt, ttl, buf_str(dest_label),
                                    buf_str(prop), buf_str(endp_label), why);
    }
    buf_sprintf(prop, "reuse_count=%d\nendpoint_features=%d\n"
                "expire_time=%ld\nsize_limit=%ld\n", state->reuse_count,
                state->features, (long) state->expire_time,
                state->size_limit);
    if (ret == 0)
        ret = scache_clnt_save_endp(smtp_reuse_clnt, ttl, buf_str(endp_label),
                                    buf_str(prop), fd, why);
    else
        (void) close(fd);
    buf_free(endp_label);
    buf_free(dest_label);
    buf_free(prop);
    return ret;
}

/* smtp_reuse_save - hand a good session to the cache (smtp.h) */
bool
smtp_reuse_save(SMTP_STATE *state)
{
    BUF    *why;
    int     fd;

    if (!smtp_reuse_wanted(state) || stream_flush(state->sp) < 0)
        return false;
    why = buf_alloc(100);
    fd = stream_fd(state->sp);
    stream_free(state->sp);
    state->sp = NULL;
    if (smtp_reuse_store(state, fd, why) < 0 && smtp_reuse_clnt)
        smtp_reuse_disable(why);
    buf_free(why);
    return true;
}
