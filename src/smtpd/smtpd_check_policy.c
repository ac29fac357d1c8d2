/* smtpd_check_policy - check_policy_service: Postfix's policy delegation
 * protocol (SMTPD_POLICY_README).
 *
 * Model: Debian's Postfix 3.7 smtpd as observed with a policy server on
 * loopback. The request is "name=value" lines and an empty line, with
 * exactly the attributes Postfix 3.7 sends, in its order (request,
 * protocol_state, ..., policy_context); the reply is "name=value" lines
 * up to an empty line, of which "action" is used: its value is an
 * access(5) result (smtpd_check_action). The connection is kept for the
 * next request (smtpd_policy_service_max_idle, _max_ttl, _request_limit)
 * and opened again when it broke. A request that fails (connect, time
 * limit smtpd_policy_service_timeout, a reply without "action" or with
 * bad UTF-8) is tried smtpd_policy_service_try_limit times,
 * smtpd_policy_service_retry_delay apart, each failure logged
 * ("warning: problem talking to server 127.0.0.1:9998: Connection
 * refused"); then smtpd_policy_service_default_action applies ("451 4.3.5
 * Server configuration problem").
 *
 * A server is "inet:host:port", "unix:path" or "local:path" (a path
 * relative to the queue directory, where smtpd runs), or, as in Postfix
 * 3.7, "{ inet:host:port, timeout=10s, default_action=DUNNO, ... }" with
 * per-server settings named after the parameters without their
 * "smtpd_policy_service_" prefix. Values sent come from the client, so
 * every value is cut at the first CR or LF. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conv.h"
#include "mail_params.h"
#include "msg.h"
#include "mymalloc.h"
#include "smtpd_check.h"
#include "smtpd_tls.h"
#include "sock.h"

#define SMTPD_POLICY_LINE_MAX   4096    /* one reply line */
#define SMTPD_POLICY_LINES_MAX  100     /* reply lines */
#define SMTPD_POLICY_DEF_ACTION "451 4.3.5 Server configuration problem"

struct SMTPD_POLICY {
    char   *endpoint;                   /* "inet:host:port", "unix:path" */
    int     timeout;
    int     max_idle;
    int     max_ttl;
    int     request_limit;
    int     retry_delay;
    int     try_limit;
    char   *default_action;
    char   *policy_context;
    STREAM *stream;                     /* the open connection, or NULL */
    time_t  opened;
    time_t  used;
    int     requests;
};

/* smtpd_policy_trim - text without white space around it */
static char *
smtpd_policy_trim(char *text)
{
    char   *end;

    text += strspn(text, " \t\r\n");
    end = text + strlen(text);
    while (end > text && strchr(" \t\r\n", end[-1]) != NULL)
        *--end = 0;
    return text;
}

/* The per-server numbers: their names in braces, where they go, their
 * main.cf parameters. */
static const struct {
    const char *name;
    size_t  offset;
    int     unit;                       /* time unit letter; 0: a count */
    int     min;
    const int *def;
}       smtpd_policy_nums[] = {
    {"timeout", offsetof(SMTPD_POLICY, timeout), 's', 1,
    &var_smtpd_policy_service_timeout},
    {"max_idle", offsetof(SMTPD_POLICY, max_idle), 's', 1,
    &var_smtpd_policy_service_max_idle},
    {"max_ttl", offsetof(SMTPD_POLICY, max_ttl), 's', 1,
    &var_smtpd_policy_service_max_ttl},
    {"retry_delay", offsetof(SMTPD_POLICY, retry_delay), 's', 1,
    &var_smtpd_policy_service_retry_delay},
    {"try_limit", offsetof(SMTPD_POLICY, try_limit), 0, 1,
    &var_smtpd_policy_service_try_limit},
    {"request_limit", offsetof(SMTPD_POLICY, request_limit), 0, 0,
    &var_smtpd_policy_service_request_limit},
};

#define SMTPD_POLICY_NUMS \
    (sizeof(smtpd_policy_nums) / sizeof(smtpd_policy_nums[0]))
#define SMTPD_POLICY_NUM(pol, i) \
    ((int *) ((char *) (pol) + smtpd_policy_nums[i].offset))

/* smtpd_policy_number - number i of a braced server; 0 or -1 */
static int
smtpd_policy_number(SMTPD_POLICY *pol, size_t i, const char *value)
{
    long    num;
    int     unit = smtpd_policy_nums[i].unit;

    if ((unit ? conv_time(value, unit, &num) : conv_long(value, &num)) < 0
        || num < smtpd_policy_nums[i].min || num > 100000000)
        return -1;
    *SMTPD_POLICY_NUM(pol, i) = (int) num;
    return 0;
}

/* smtpd_policy_setting - one "name=value" of a braced server; 0 or -1 */
static int
smtpd_policy_setting(SMTPD_POLICY *pol, const char *name, const char *value)
{
    char  **text = strcmp(name, "default_action") == 0 ? &pol->default_action
    : strcmp(name, "policy_context") == 0 ? &pol->policy_context : NULL;

    for (size_t i = 0; i < SMTPD_POLICY_NUMS; i++)
        if (strcmp(name, smtpd_policy_nums[i].name) == 0)
            return smtpd_policy_number(pol, i, value);
    if (text == NULL)
        return -1;
    myfree(*text);
    *text = mystrdup(value);
    return 0;
}

/* smtpd_policy_braced - "{ endpoint, name=value, ... }"; bad settings
 * are fatal at start-up */
static void
smtpd_policy_braced(SMTPD_POLICY *pol, const char *server)
{
    char   *copy = mystrndup(server + 1, strlen(server) - 2);
    char   *bp = copy, *item, *eq;
    const char *err = NULL;

    while ((item = mystrtok_grouped(&bp, ",", &err)) != NULL) {
        if (*(item = smtpd_policy_trim(item)) == 0)
            continue;
        if (pol->endpoint == NULL) {
            pol->endpoint = mystrdup(item);
        } else if ((eq = strchr(item, '=')) == NULL) {
            msg_fatal("%s: missing '=' after attribute name: \"%s\"",
                      SMTPD_CHECK_POLICY, item);
        } else {
            *eq = 0;
            if (smtpd_policy_setting(pol, smtpd_policy_trim(item),
                                     smtpd_policy_trim(eq + 1)) < 0)
                msg_fatal("%s: bad setting: \"%s = %s\"", SMTPD_CHECK_POLICY,
                          item, eq + 1);
        }
    }
    if (err != NULL)
        msg_fatal("%s: %s in \"%s\"", SMTPD_CHECK_POLICY, err, server);
    if (pol->endpoint == NULL)
        msg_fatal("%s: no server in \"%s\"", SMTPD_CHECK_POLICY, server);
    myfree(copy);
}

/* smtpd_check_policy_create - a client for server, with the main.cf
 * settings and the server's own */
SMTPD_POLICY *
smtpd_check_policy_create(const char *server)
{
    SMTPD_POLICY *pol = mycalloc(1, sizeof(*pol));

    for (size_t i = 0; i < SMTPD_POLICY_NUMS; i++)
        *SMTPD_POLICY_NUM(pol, i) = *smtpd_policy_nums[i].def;
    pol->default_action = mystrdup(var_smtpd_policy_service_default_action);
    pol->policy_context = mystrdup(var_smtpd_policy_service_policy_context);
    if (server[0] == '{' && server[strlen(server) - 1] == '}')
        smtpd_policy_braced(pol, server);
    else
        pol->endpoint = mystrdup(server);
    return pol;
}

/* smtpd_policy_label - the server as Postfix names it: without "inet:" */
static const char *
smtpd_policy_label(const SMTPD_POLICY *pol)
{
    const char *colon = strchr(pol->endpoint, ':');

    return colon ? colon + 1 : pol->endpoint;
}

/* smtpd_policy_close - drop the connection */
static void
smtpd_policy_close(SMTPD_POLICY *pol)
{
    if (pol->stream != NULL) {
        (void) stream_close(pol->stream);
        pol->stream = NULL;
    }
}

/* smtpd_policy_connect - a connection that may still be used; 0, or -1
 * with the warning logged and errno set */
static int
smtpd_policy_connect(SMTPD_POLICY *pol, BUF *why)
{
    time_t  now = time(NULL);
    const char *path = smtpd_policy_label(pol);
    int     fd;

    if (pol->stream != NULL
        && (now - pol->used > pol->max_idle || now - pol->opened > pol->max_ttl
            || (pol->request_limit > 0
                && pol->requests >= pol->request_limit)))
        smtpd_policy_close(pol);
    if (pol->stream != NULL)
        return 0;
    if (strncmp(pol->endpoint, "inet:", 5) == 0)
        fd = inet_connect(path, pol->timeout, why);
    else if (strncmp(pol->endpoint, "unix:", 5) == 0
             || strncmp(pol->endpoint, "local:", 6) == 0)
        fd = unix_connect(path, pol->timeout, why);
    else {
        errno = EINVAL;
        buf_sprintf(why, "unsupported transport type: %s", pol->endpoint);
        fd = -1;
    }
    if (fd < 0) {
        msg_warn("%s", buf_str(why));
        return -1;
    }
    pol->stream = stream_fdopen(fd);
    pol->opened = now;
    pol->requests = 0;
    return 0;
}

/* smtpd_policy_attr - one request line; the value cut at a line end */
static void
smtpd_policy_attr(STREAM *sp, const char *name, const char *value)
{
    stream_printf(sp, "%s=%.*s\n", name, (int) strcspn(value, "\r\n"),
                  value);
}

/* smtpd_policy_request - the request attributes of Postfix 3.7 */
static void
smtpd_policy_request(SMTPD_CHECK *check, const SMTPD_POLICY *pol, STREAM *sp)
{
    SMTPD_STATE *state = check->state;
    const char *where = strcmp(state->where, "BDAT") == 0 ? "DATA"
    : state->where;
    bool    data = strcmp(where, "DATA") == 0
    || strcmp(where, "END-OF-MESSAGE") == 0;
    char    count[20], size[30];
    SMTPD_TLS_ATTRS tls = smtpd_tls_policy_attrs(state);
    const char *attrs[][2] = {
        {"request", "smtpd_access_policy"}, {"protocol_state", where},
        {"protocol_name", state->protocol}, {"client_address", state->addr},
        {"client_name", state->name}, {"client_port", state->port},
        {"reverse_client_name", state->reverse_name},
        {"server_address", state->server_addr},
        {"server_port", state->server_port},
        {"helo_name", check->helo ? check->helo : ""},
        {"sender", check->sender ? check->sender : ""},
        {"recipient", check->recipient ? check->recipient : ""},
        {"recipient_count", count},
        {"queue_id", state->queue_id ? state->queue_id : ""},
        {"instance", buf_str(state->instance)}, {"size", size},
        {"etrn_domain", check->etrn ? check->etrn : ""}, {"stress", ""},
        {"sasl_method", smtpd_sasl_method(state) ?
        smtpd_sasl_method(state) : ""},
        {"sasl_username", smtpd_sasl_username(state) ?
        smtpd_sasl_username(state) : ""},
        {"sasl_sender", state->sasl_sender ? state->sasl_sender : ""},
        {"ccert_subject", tls.subject}, {"ccert_issuer", tls.issuer},
        {"ccert_fingerprint", tls.cert_fprint},
        {"ccert_pubkey_fingerprint", tls.pkey_fprint},
        {"encryption_protocol", tls.protocol},
        {"encryption_cipher", tls.cipher},
        {"encryption_keysize", tls.keysize},
        {"policy_context", pol->policy_context},
    };

    snprintf(count, sizeof(count), "%d", data ? state->rcpt_count : 0);
    snprintf(size, sizeof(size), "%ld", data && state->data_size > 0 ?
             state->data_size : state->msg_size);
    for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++)
        smtpd_policy_attr(sp, attrs[i][0], attrs[i][1]);
    (void) stream_puts(sp, "\n");
}

/* smtpd_policy_reply - read reply lines up to the empty one; the value
 * of "action" into action; 0, or -1 (errno set) */
static int
smtpd_policy_reply(SMTPD_POLICY *pol, BUF *action)
{
    BUF    *line = buf_alloc(100);
    bool    found = false;
    int     status = -1;

    errno = 0;
    for (int n = 0; n < SMTPD_POLICY_LINES_MAX; n++) {
        buf_reset(line);
        if (stream_get_line(pol->stream, line, SMTPD_POLICY_LINE_MAX) != '\n')
            break;
        buf_trim_right(line);
        if (buf_len(line) == 0) {
            if (found)
                status = 0;
            else
                msg_warn("missing attribute action in input from %s",
                         smtpd_policy_label(pol));
            break;
        }
        if (strncmp(buf_str(line), "action=", 7) == 0) {
            buf_strcpy(action, buf_str(line) + 7);
            found = true;
        }
    }
    buf_free(line);
    return status;
}

/* smtpd_policy_ask - one try: connect, send, read; 0 with the action,
 * or -1. A failure is logged as Postfix does: after the last try, or when
 * it is more than a lost connection ("Application error" when the reply
 * was wrong) */
static int
smtpd_policy_ask(SMTPD_CHECK *check, SMTPD_POLICY *pol, BUF *action,
                 bool last)
{
    int     err;

    if (smtpd_policy_connect(pol, check->state->why) == 0) {
        stream_set_timeout(pol->stream, pol->timeout);
        stream_set_deadline(pol->stream, pol->timeout);
        smtpd_policy_request(check, pol, pol->stream);
        if (stream_flush(pol->stream) == 0
            && smtpd_policy_reply(pol, action) == 0) {
            stream_set_deadline(pol->stream, 0);
            pol->used = time(NULL);
            pol->requests++;
            return 0;
        }
    }
    err = errno;
    smtpd_policy_close(pol);
    if (last || (err != 0 && err != EPIPE && err != ENOENT
                 && err != ECONNRESET))
        msg_warn("problem talking to server %s: %s", smtpd_policy_label(pol),
                 err ? strerror(err) : "Application error");
    return -1;
}

/* smtpd_policy_utf8 - whether the action is valid UTF-8 */
static bool
smtpd_policy_utf8(const char *text)
{
    const unsigned char *cp = (const unsigned char *) text;
    size_t  len;

    while (*cp != 0) {
        len = *cp < 0x80 ? 1 : *cp >= 0xc2 && *cp <= 0xdf ? 2
            : *cp >= 0xe0 && *cp <= 0xef ? 3 : *cp >= 0xf0 && *cp <= 0xf4 ?
            4 : 0;
        if (len == 0)
            return false;
        for (size_t i = 1; i < len; i++)
            if ((cp[i] & 0xc0) != 0x80)
                return false;
        cp += len;
    }
    return true;
}

/* smtpd_policy_query - the server's action; NULL after every try failed */
static const char *
smtpd_policy_query(SMTPD_CHECK *check, SMTPD_POLICY *pol, BUF *action)
{
    for (int tries = 0; tries < pol->try_limit; tries++) {
        if (tries > 0)
            sleep((unsigned) pol->retry_delay);
        if (smtpd_policy_ask(check, pol, action,
                             tries + 1 >= pol->try_limit) < 0)
            continue;
        if (var_smtputf8_enable && !smtpd_policy_utf8(buf_str(action))) {
            msg_warn("malformed UTF-8 in policy server %s response: \"%s\"",
                     smtpd_policy_label(pol), buf_str(action));
            return NULL;
        }
        return buf_str(action);
    }
    return NULL;
}

/* smtpd_check_policy - check_policy_service server */
int
smtpd_check_policy(SMTPD_CHECK *check, const char *server)
{
    static int nesting;
    SMTPD_POLICY *pol = htable_find(check->acl->policies, server);
    BUF    *action = buf_alloc(100);
    const char *value;
    int     status;

    if (pol == NULL)
        msg_panic("check_policy_service: no client endpoint for server %s",
                  server);
    if ((value = smtpd_policy_query(check, pol, action)) == NULL) {
        nesting++;
        value = nesting == 1 ? pol->default_action : SMTPD_POLICY_DEF_ACTION;
        buf_strcpy(action, value);
        status = smtpd_check_action(check, server, buf_str(action),
                                    "policy query");
        nesting--;
    } else {
        status = smtpd_check_action(check, server, value, "policy query");
    }
    buf_free(action);
    return status;
}
