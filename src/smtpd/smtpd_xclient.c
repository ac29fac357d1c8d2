/* smtpd_xclient - XCLIENT and XFORWARD, for the clients named in
 * smtpd_authorized_xclient_hosts and smtpd_authorized_xforward_hosts.
 *
 * Model: Postfix 3.7's smtpd, as Debian's Postfix 3.7 replies and logs
 * (docs/smtpd.md). Both take "NAME=value" words; a value is xtext (used
 * as sent when it is not valid xtext), at most 255 bytes, its control
 * and 8-bit bytes shown as '?'; "[UNAVAILABLE]" (and for names
 * "[TEMPUNAVAIL]") means not known.
 *
 * XCLIENT NAME ADDR PORT PROTO HELO REVERSE_NAME LOGIN DESTADDR DESTPORT
 * replaces what the server knows of the client (and of its own end); the
 * session then starts over as for a new client with that identity: the
 * transaction and HELO are forgotten (unless HELO= was given), the
 * protocol is SMTP (unless PROTO=), the client limits and connect
 * restrictions apply to it, and the "220" greeting (or the refusal)
 * comes again. An AUTH login, or the LOGIN of an earlier XCLIENT, is
 * forgotten; LOGIN=name logs in as name. Whether
 * XCLIENT is allowed is decided again for the new identity (XFORWARD's
 * permission stays, as in Postfix). Postern applies the attributes only
 * when all are valid (Postfix may apply the ones before a bad one).
 *
 * XFORWARD NAME ADDR PORT PROTO HELO IDENT SOURCE describes the client of
 * the next message (a content filter's original client): the "client="
 * log line names it (orig_client=, orig_queue_id=) and cleanup gets it
 * as the log_* attributes, log_ident and rewrite_context (SOURCE=LOCAL
 * or REMOTE); the restrictions, the Received: header and client_*
 * attributes still see the real client. The attributes are forgotten
 * when the transaction ends. */
#include <arpa/inet.h>
#include <ctype.h>
#include <string.h>

#include "mail_params.h"
#include "match_list.h"
#include "msg.h"
#include "mymalloc.h"
#include "smtpd.h"
#include "valid_hostname.h"

#define SMTPD_X_UNAVAIL     "[UNAVAILABLE]"
#define SMTPD_X_TEMPUNAVAIL "[TEMPUNAVAIL]"
#define SMTPD_X_VALUE_MAX   255
#define SMTPD_X_NEUTER      " <>()\\\";@"

#define SMTPD_XCLIENT_EHLO  "XCLIENT NAME ADDR PROTO HELO REVERSE_NAME PORT " \
                            "LOGIN DESTADDR DESTPORT"
#define SMTPD_XFORWARD_EHLO "XFORWARD NAME ADDR PROTO HELO SOURCE PORT IDENT"

/* What is not known; compared by address in smtpd_xforward_attr(). */
static const char smtpd_x_unknown[] = "unknown";

static MATCH_LIST *smtpd_xclient_hosts;
static MATCH_LIST *smtpd_xforward_hosts;

/* smtpd_xclient_list - a host list parameter, or a fatal error */
static MATCH_LIST *
smtpd_xclient_list(const char *name, const char *value)
{
    BUF    *why = buf_alloc(100);
    MATCH_LIST *list = match_list_create(name, MATCH_NAMADR, value, 0, why);

    if (list == NULL)
        msg_fatal("%s", buf_str(why));
    buf_free(why);
    return list;
}

/* smtpd_xclient_init - the authorized host lists */
void
smtpd_xclient_init(void)
{
    smtpd_xclient_hosts =
        smtpd_xclient_list("smtpd_authorized_xclient_hosts",
                           var_smtpd_authorized_xclient_hosts);
    smtpd_xforward_hosts =
        smtpd_xclient_list("smtpd_authorized_xforward_hosts",
                           var_smtpd_authorized_xforward_hosts);
}

/* smtpd_xclient_allowed - whether the client is in list */
static bool
smtpd_xclient_allowed(SMTPD_STATE *state, MATCH_LIST *list)
{
    return match_list_match(list, state->name, state->addr, state->why) > 0;
}

/* smtpd_xclient_session - who may use the commands, at connect */
void
smtpd_xclient_session(SMTPD_STATE *state)
{
    state->xclient_ok = smtpd_xclient_allowed(state, smtpd_xclient_hosts);
    state->xforward_ok = smtpd_xclient_allowed(state, smtpd_xforward_hosts);
}

/* smtpd_xclient_ehlo - the EHLO keywords for an authorized client */
void
smtpd_xclient_ehlo(const SMTPD_STATE *state, ARGV *keywords)
{
    if (state->xclient_ok)
        argv_add(keywords, SMTPD_XCLIENT_EHLO);
    if (state->xforward_ok)
        argv_add(keywords, SMTPD_XFORWARD_EHLO);
}

/* smtpd_xclient_hex - the value of a hex digit, or -1 */
static int
smtpd_xclient_hex(int ch)
{
    if (isdigit(ch))
        return ch - '0';
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    return -1;
}

/* smtpd_xclient_xtext - decode xtext into out; false when it is none */
static bool
smtpd_xclient_xtext(const char *text, BUF *out)
{
    int     hi, lo;

    buf_reset(out);
    for (const char *cp = text; *cp; cp++) {
        if (*cp != '+') {
            buf_addch(out, *cp);
            continue;
        }
        if ((hi = smtpd_xclient_hex((unsigned char) cp[1])) < 0
            || (lo = smtpd_xclient_hex((unsigned char) cp[2])) < 0
            || hi * 16 + lo == 0)
            return false;
        buf_addch(out, hi * 16 + lo);
        cp += 2;
    }
    return true;
}

/* smtpd_xclient_censor - bytes outside printable ASCII, and those in
 * chars, become '?' */
static void
smtpd_xclient_censor(char *value, const char *chars)
{
    for (unsigned char *cp = (unsigned char *) value; *cp; cp++)
        if (*cp < ' ' || *cp > '~' || (chars && strchr(chars, *cp)))
            *cp = '?';
}

/* smtpd_xclient_words - the "NAME=value" words of args as name, value
 * pairs (values decoded and made printable); 0, or -1 after a reply */
static int
smtpd_xclient_words(SMTPD_STATE *state, char *args, ARGV *pairs)
{
    ARGV   *words = argv_split(args, " \t");
    BUF    *value = buf_alloc(100);
    char   *eq;
    int     ret = 0;

    for (int i = 0; ret == 0 && i < words->argc; i++) {
        if ((eq = strchr(words->argv[i], '=')) == NULL || eq[1] == 0) {
            smtpd_reply(state, "501 5.5.4 Error: attribute=value expected");
            ret = -1;
        } else if (strlen(eq + 1) > SMTPD_X_VALUE_MAX) {
            smtpd_reply(state, "501 5.5.4 Error: attribute value too long");
            ret = -1;
        } else {
            *eq++ = 0;
            if (!smtpd_xclient_xtext(eq, value))
                buf_strcpy(value, eq);
            smtpd_xclient_censor(buf_str(value), NULL);
            argv_add(pairs, words->argv[i]);
            argv_add(pairs, buf_str(value));
        }
    }
    argv_free(words);
    buf_free(value);
    return ret;
}

/* smtpd_xclient_start - the checks before the attributes; 0 or -1
 * after a reply */
static int
smtpd_xclient_start(SMTPD_STATE *state, const char *cmd, const char *args,
                    bool allowed)
{
    if (state->sender != NULL) {
        smtpd_reply(state, "503 5.5.1 Error: MAIL transaction in progress");
        return -1;
    }
    if (*args == 0) {
        smtpd_reply(state, "501 5.5.4 Syntax: %s attribute=value...", cmd);
        return -1;
    }
    if (!allowed) {
        smtpd_reply(state, "550 5.7.0 Error: insufficient authorization");
        return -1;
    }
    return 0;
}

/* smtpd_xclient_bad - "501 5.5.4 Bad NAME syntax: value"; -1 */
static int
smtpd_xclient_bad(SMTPD_STATE *state, const char *name, const char *value)
{
    smtpd_reply(state, "501 5.5.4 Bad %s syntax: %s", name, value);
    return -1;
}

/* smtpd_xclient_addr - a network address as Postfix normalizes it: IPv4,
 * or IPv6 with or without "IPv6:" (IPv4-mapped becomes IPv4); the bare
 * address into out, or false */
static bool
smtpd_xclient_addr(const char *value, BUF *out)
{
    struct in6_addr in6;
    char    text[INET6_ADDRSTRLEN];

    if (valid_ipv4_hostaddr(value)) {
        buf_strcpy(out, value);
        return true;
    }
    if (strncasecmp(value, "IPv6:", 5) == 0)
        value += 5;
    if (!valid_ipv6_hostaddr(value) || inet_pton(AF_INET6, value, &in6) != 1
        || inet_ntop(AF_INET6, &in6, text, sizeof(text)) == NULL)
        return false;
    if (strncmp(text, "::ffff:", 7) == 0 && strchr(text + 7, ':') == NULL)
        buf_strcpy(out, text + 7);
    else
        buf_strcpy(out, text);
    return true;
}

/* smtpd_xclient_port - a port number (at most 5 digits) */
static bool
smtpd_xclient_port(const char *value)
{
    size_t  len = strspn(value, "0123456789");

    return len > 0 && len <= 5 && value[len] == 0;
}

/* smtpd_xclient_set - replace a string field */
static void
smtpd_xclient_set(char **field, const char *value)
{
    myfree(*field);
    *field = value ? mystrdup(value) : NULL;
}

/* What XCLIENT gave, before it is applied. */
typedef struct SMTPD_XCLIENT {
    ARGV   *fields;                     /* pairs: state field name, value */
    bool    helo;                       /* HELO= given */
    bool    proto;                      /* PROTO= given */
} SMTPD_XCLIENT;

/* smtpd_xclient_name - NAME or REVERSE_NAME: a host name or "unknown" */
static int
smtpd_xclient_name(SMTPD_STATE *state, const char *attr, const char *value,
                   SMTPD_XCLIENT *x)
{
    if (strcmp(value, SMTPD_X_UNAVAIL) == 0
        || strcmp(value, SMTPD_X_TEMPUNAVAIL) == 0)
        value = smtpd_x_unknown;
    else if (!valid_hostname(value, false))
        return smtpd_xclient_bad(state, attr, value);
    if (strcasecmp(attr, "NAME") == 0) {
        argv_add(x->fields, "name");
        argv_add(x->fields, value);
    }
    argv_add(x->fields, "reverse_name");
    argv_add(x->fields, value);
    return 0;
}

/* smtpd_xclient_addr_attr - ADDR or DESTADDR into field */
static int
smtpd_xclient_addr_attr(SMTPD_STATE *state, const char *attr, char *value,
                        const char *field, SMTPD_XCLIENT *x)
{
    if (strcmp(value, SMTPD_X_UNAVAIL) == 0) {
        buf_strcpy(state->buf, smtpd_x_unknown);
    } else {
        smtpd_xclient_censor(value, SMTPD_X_NEUTER);
        if (!smtpd_xclient_addr(value, state->buf))
            return smtpd_xclient_bad(state, attr, value);
    }
    argv_add(x->fields, field);
    argv_add(x->fields, buf_str(state->buf));
    return 0;
}

/* smtpd_xclient_port_attr - PORT or DESTPORT into field */
static int
smtpd_xclient_port_attr(SMTPD_STATE *state, const char *attr,
                        const char *value, const char *field,
                        SMTPD_XCLIENT *x)
{
    if (strcmp(value, SMTPD_X_UNAVAIL) == 0)
        value = smtpd_x_unknown;
    else if (!smtpd_xclient_port(value))
        return smtpd_xclient_bad(state, attr, value);
    argv_add(x->fields, field);
    argv_add(x->fields, value);
    return 0;
}

/* smtpd_xclient_attr - one XCLIENT attribute; 0 or -1 after a reply */
static int
smtpd_xclient_attr(SMTPD_STATE *state, const char *attr, char *value,
                   SMTPD_XCLIENT *x)
{
    if (strcasecmp(attr, "NAME") == 0 || strcasecmp(attr, "REVERSE_NAME") == 0)
        return smtpd_xclient_name(state, attr, value, x);
    if (strcasecmp(attr, "ADDR") == 0)
        return smtpd_xclient_addr_attr(state, "ADDR", value, "addr", x);
    if (strcasecmp(attr, "DESTADDR") == 0)
        return smtpd_xclient_addr_attr(state, "DESTADDR", value,
                                       "server_addr", x);
    if (strcasecmp(attr, "PORT") == 0)
        return smtpd_xclient_port_attr(state, "PORT", value, "port", x);
    if (strcasecmp(attr, "DESTPORT") == 0)
        return smtpd_xclient_port_attr(state, "DESTPORT", value,
                                       "server_port", x);
    if (strcasecmp(attr, "HELO") == 0) {
        x->helo = true;
        argv_add(x->fields, "helo_name");
        smtpd_xclient_censor(value, SMTPD_X_NEUTER);
        argv_add(x->fields, strcmp(value, SMTPD_X_UNAVAIL) ? value : "");
        return 0;
    }
    if (strcasecmp(attr, "PROTO") == 0) {
        if (strcasecmp(value, "SMTP") != 0 && strcasecmp(value, "ESMTP") != 0)
            return smtpd_xclient_bad(state, "PROTO", value);
        x->proto = true;
        argv_add(x->fields, "protocol");
        argv_add(x->fields, strcasecmp(value, "SMTP") ? "ESMTP" : "SMTP");
        return 0;
    }
    if (strcasecmp(attr, "LOGIN") == 0) {
        if (strcmp(value, SMTPD_X_UNAVAIL) != 0) {
            argv_add(x->fields, "login");
            argv_add(x->fields, value);
        }
        return 0;
    }
    smtpd_reply(state, "501 5.5.4 Bad XCLIENT attribute name: %s", attr);
    return -1;
}

/* smtpd_xclient_field - the state field of a name */
static char **
smtpd_xclient_field(SMTPD_STATE *state, const char *name)
{
    if (strcmp(name, "name") == 0)
        return &state->name;
    if (strcmp(name, "reverse_name") == 0)
        return &state->reverse_name;
    if (strcmp(name, "addr") == 0)
        return &state->addr;
    if (strcmp(name, "port") == 0)
        return &state->port;
    if (strcmp(name, "server_addr") == 0)
        return &state->server_addr;
    if (strcmp(name, "server_port") == 0)
        return &state->server_port;
    if (strcmp(name, "helo_name") == 0)
        return &state->helo_name;
    if (strcmp(name, "login") == 0)
        return &state->login;
    msg_panic("smtpd_xclient_field: unknown field %s", name);
}

/* smtpd_xclient_apply - the new identity; the session starts over */
static void
smtpd_xclient_apply(SMTPD_STATE *state, const SMTPD_XCLIENT *x)
{
    const ARGV *f = x->fields;
    const char *name, *value;

    smtpd_state_reset(state);
    smtpd_xclient_set(&state->login, NULL);
    smtpd_sasl_reset(state);
    if (!x->helo)
        smtpd_xclient_set(&state->helo_name, NULL);
    if (!x->proto)
        state->protocol = "SMTP";
    for (int i = 0; i + 1 < f->argc; i += 2) {
        name = f->argv[i];
        value = f->argv[i + 1];
        if (strcmp(name, "protocol") == 0)
            state->protocol = strcmp(value, "SMTP") ? "ESMTP" : "SMTP";
        else
            smtpd_xclient_set(smtpd_xclient_field(state, name),
                              *value ? value : NULL);
    }
    buf_sprintf(state->buf, "%s[%s]", state->name, state->addr);
    smtpd_xclient_set(&state->namaddr, buf_str(state->buf));
    state->xclient_ok = smtpd_xclient_allowed(state, smtpd_xclient_hosts);
    state->xclient_restart = true;
}

/* smtpd_xclient - XCLIENT attribute=value ... */
int
smtpd_xclient(SMTPD_STATE *state, char *args)
{
    SMTPD_XCLIENT x = {argv_alloc(10), false, false};
    ARGV   *pairs = argv_alloc(10);
    int     ret;

    if ((ret = smtpd_xclient_start(state, "XCLIENT", args,
                                   state->xclient_ok)) == 0
        && (ret = smtpd_xclient_words(state, args, pairs)) == 0)
        for (int i = 0; ret == 0 && i + 1 < pairs->argc; i += 2)
            ret = smtpd_xclient_attr(state, pairs->argv[i],
                                     pairs->argv[i + 1], &x);
    if (ret == 0)
        smtpd_xclient_apply(state, &x);
    argv_free(x.fields);
    argv_free(pairs);
    return ret;
}

/* XFORWARD attributes given (SMTPD_XFORWARD flags). */
#define SMTPD_XF_NAME       (1<<0)
#define SMTPD_XF_ADDR       (1<<1)
#define SMTPD_XF_PORT       (1<<2)
#define SMTPD_XF_PROTO      (1<<3)
#define SMTPD_XF_HELO       (1<<4)
#define SMTPD_XF_IDENT      (1<<5)
#define SMTPD_XF_SOURCE     (1<<6)
#define SMTPD_XF_CLIENT     (SMTPD_XF_NAME | SMTPD_XF_ADDR | SMTPD_XF_PORT \
                             | SMTPD_XF_PROTO | SMTPD_XF_HELO)

/* smtpd_xforward_reset - forget the XFORWARD attributes */
void
smtpd_xforward_reset(SMTPD_STATE *state)
{
    SMTPD_XFORWARD *xf = &state->xforward;

    smtpd_xclient_set(&xf->name, NULL);
    smtpd_xclient_set(&xf->addr, NULL);
    smtpd_xclient_set(&xf->port, NULL);
    smtpd_xclient_set(&xf->namaddr, NULL);
    smtpd_xclient_set(&xf->protocol, NULL);
    smtpd_xclient_set(&xf->helo_name, NULL);
    smtpd_xclient_set(&xf->ident, NULL);
    xf->context = NULL;
    xf->flags = 0;
}

/* smtpd_xforward_preset - what is not forwarded is "unknown" (also
 * after an XFORWARD whose first attribute was refused: it preset them) */
static void
smtpd_xforward_preset(SMTPD_XFORWARD *xf)
{
    smtpd_xclient_set(&xf->name, smtpd_x_unknown);
    smtpd_xclient_set(&xf->addr, smtpd_x_unknown);
    smtpd_xclient_set(&xf->port, smtpd_x_unknown);
    smtpd_xclient_set(&xf->namaddr, smtpd_x_unknown);
    smtpd_xclient_set(&xf->protocol, smtpd_x_unknown);
}

/* smtpd_xforward_value - the value, or def for "[UNAVAILABLE]"; else
 * censored (chars that could break headers become '?') */
static const char *
smtpd_xforward_value(char *value, const char *def)
{
    if (strcmp(value, SMTPD_X_UNAVAIL) == 0)
        return def;
    smtpd_xclient_censor(value, SMTPD_X_NEUTER);
    return value;
}

/* smtpd_xforward_client_attr - NAME, ADDR or PORT: the flag, or -1
 * after a reply */
static int
smtpd_xforward_client_attr(SMTPD_STATE *state, const char *attr,
                           char *value)
{
    SMTPD_XFORWARD *xf = &state->xforward;
    const char *v = smtpd_xforward_value(value, smtpd_x_unknown);

    if (strcasecmp(attr, "NAME") == 0) {
        if (v != smtpd_x_unknown && !valid_hostname(v, false))
            return smtpd_xclient_bad(state, "NAME", v);
        smtpd_xclient_set(&xf->name, v);
        return SMTPD_XF_NAME;
    }
    if (strcasecmp(attr, "ADDR") == 0) {
        if (v != smtpd_x_unknown && !smtpd_xclient_addr(v, state->buf))
            return smtpd_xclient_bad(state, "ADDR", v);
        smtpd_xclient_set(&xf->addr, v == smtpd_x_unknown ? v :
                          buf_str(state->buf));
        return SMTPD_XF_ADDR;
    }
    if (v != smtpd_x_unknown && !smtpd_xclient_port(v))
        return smtpd_xclient_bad(state, "PORT", v);
    smtpd_xclient_set(&xf->port, v);
    return SMTPD_XF_PORT;
}

/* smtpd_xforward_attr - one XFORWARD attribute: its flag, or -1 after a
 * reply */
static int
smtpd_xforward_attr(SMTPD_STATE *state, const char *attr, char *value)
{
    SMTPD_XFORWARD *xf = &state->xforward;
    const char *v;

    if (strcasecmp(attr, "NAME") == 0 || strcasecmp(attr, "ADDR") == 0
        || strcasecmp(attr, "PORT") == 0)
        return smtpd_xforward_client_attr(state, attr, value);
    if (strcasecmp(attr, "PROTO") == 0) {
        v = smtpd_xforward_value(value, smtpd_x_unknown);
        if (strlen(v) > 64)
            return smtpd_xclient_bad(state, "PROTO", v);
        smtpd_xclient_set(&xf->protocol, v);
        return SMTPD_XF_PROTO;
    }
    if (strcasecmp(attr, "HELO") == 0) {
        smtpd_xclient_set(&xf->helo_name, smtpd_xforward_value(value, NULL));
        return SMTPD_XF_HELO;
    }
    if (strcasecmp(attr, "IDENT") == 0) {
        smtpd_xclient_set(&xf->ident, smtpd_xforward_value(value, NULL));
        return SMTPD_XF_IDENT;
    }
    if (strcasecmp(attr, "SOURCE") == 0) {
        if (strcasecmp(value, "LOCAL") == 0 || strcmp(value, SMTPD_X_UNAVAIL) == 0)
            xf->context = "local";
        else if (strcasecmp(value, "REMOTE") == 0)
            xf->context = "remote";
        else
            return smtpd_xclient_bad(state, "SOURCE", value);
        return SMTPD_XF_SOURCE;
    }
    smtpd_reply(state, "501 5.5.4 Bad XFORWARD attribute name: %s", attr);
    return -1;
}

/* smtpd_xforward_namaddr - "name[addr]", or the name alone when the
 * address is not known */
static void
smtpd_xforward_namaddr(SMTPD_STATE *state)
{
    SMTPD_XFORWARD *xf = &state->xforward;

    if (strcmp(xf->addr, smtpd_x_unknown) != 0)
        buf_sprintf(state->buf, "%s[%s]", xf->name, xf->addr);
    else
        buf_strcpy(state->buf, xf->name);
    smtpd_xclient_set(&xf->namaddr, buf_str(state->buf));
}

/* smtpd_xforward - XFORWARD attribute=value ...: as in Postfix, the
 * attributes before a bad one stay */
int
smtpd_xforward(SMTPD_STATE *state, char *args)
{
    ARGV   *pairs = argv_alloc(10);
    int     ret, flag = 0;

    if ((ret = smtpd_xclient_start(state, "XFORWARD", args,
                                   state->xforward_ok)) == 0
        && (ret = smtpd_xclient_words(state, args, pairs)) == 0) {
        if (state->xforward.flags == 0)
            smtpd_xforward_preset(&state->xforward);
        for (int i = 0; flag >= 0 && i + 1 < pairs->argc; i += 2) {
            if ((flag = smtpd_xforward_attr(state, pairs->argv[i],
                                            pairs->argv[i + 1])) > 0)
                state->xforward.flags |= flag;
            if (flag > 0 && (flag & (SMTPD_XF_NAME | SMTPD_XF_ADDR)))
                smtpd_xforward_namaddr(state);
        }
        ret = flag < 0 ? -1 : 0;
    }
    if (ret == 0)
        smtpd_reply(state, "250 2.0.0 Ok");
    argv_free(pairs);
    return ret;
}

/* smtpd_xforward_client - the client that the log and cleanup's log_*
 * attributes name */
void
smtpd_xforward_client(const SMTPD_STATE *state, SMTPD_LOG_CLIENT *client)
{
    const SMTPD_XFORWARD *xf = &state->xforward;
    bool    fwd = (xf->flags & SMTPD_XF_CLIENT) != 0;

    client->name = fwd ? xf->name : state->name;
    client->addr = fwd ? xf->addr : state->addr;
    client->port = fwd ? xf->port : state->port;
    client->namaddr = fwd ? xf->namaddr : state->namaddr;
    client->helo_name = fwd ? xf->helo_name : state->helo_name;
    client->protocol = fwd ? xf->protocol : state->protocol;
    client->ident = xf->ident ? xf->ident : state->queue_id;
    client->context = xf->context ? xf->context :
        state->local_rewrite ? "local" : "remote";
}

/* smtpd_xforward_log_queued - the "client=" line of a new queue file */
void
smtpd_xforward_log_queued(const SMTPD_STATE *state)
{
    const SMTPD_XFORWARD *xf = &state->xforward;
    BUF    *line = buf_alloc(100);

    buf_sprintf(line, "%s: client=%s", state->queue_id, state->namaddr);
    if (smtpd_sasl_method(state) != NULL)
        buf_sprintf_append(line, ", sasl_method=%s, sasl_username=%s",
                           smtpd_sasl_method(state),
                           smtpd_sasl_username(state));
    if (state->sasl_sender != NULL)
        buf_sprintf_append(line, ", sasl_sender=%s", state->sasl_sender);
    if (xf->ident != NULL)
        buf_sprintf_append(line, ", orig_queue_id=%s", xf->ident);
    if (xf->flags & SMTPD_XF_CLIENT)
        buf_sprintf_append(line, ", orig_client=%s", xf->namaddr);
    msg_info("%s", buf_str(line));
    buf_free(line);
}
