/* pipe_argv - the $name macros of a pipe(8) argv=, expanded for a
 * request.
 *
 * Model (man 8 pipe; observed from Postfix 3.7's pipe, docs/pipe.md):
 *   - $name, ${name}, $(name), $$ and the ${name?text}/${name:text}
 *     forms (mac_expand.h). Values are never expanded again: a '$' in an
 *     address stays a '$' (each value is handed back with "$$");
 *   - message macros: ${sender} (the null sender is null_sender=),
 *     ${nexthop}, ${queue_id}, ${size}, ${client_address},
 *     ${client_helo}, ${client_hostname}, ${client_port},
 *     ${client_protocol}, ${sasl_method}, ${sasl_sender},
 *     ${sasl_username}; empty values give empty arguments;
 *   - recipient macros: ${recipient}, ${original_recipient} (the
 *     recipient when there is none), ${user}, ${extension}, ${mailbox},
 *     ${domain}: an argument that uses one becomes one argument per
 *     recipient, in request order ("-x{${recipient}}y" gives
 *     "-x{a@x}y", "-x{b@x}y"). ${user} of an empty local part has no
 *     value, and an argument with a macro without value is left out
 *     (observed with ""@domain);
 *   - user and extension are split at the first recipient_delimiter
 *     character (split_addr_ext(): not in owner-X or X-request when the
 *     delimiter is '-'); ${mailbox} is the whole local part;
 *   - flag q quotes the local part of ${sender}, ${recipient} and
 *     ${original_recipient} as RFC 822 wants ("a b"@x); not an empty
 *     null_sender; flag u folds those local parts and ${user},
 *     ${extension}, ${mailbox} to lower case; flag h folds the domain of
 *     those addresses, ${domain} and ${nexthop};
 *   - any other name is an error: "unknown macro name: "NAME"".
 * Pure: no logging, no I/O. Peers: mac_expand, quote_822_local,
 * maps_addr (split_addr_ext); pipe_deliver. */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "mac_expand.h"
#include "mail_params.h"
#include "maps_addr.h"
#include "mymalloc.h"
#include "pipe.h"
#include "quote_822_local.h"

/* What a name is. */
#define PIPE_NAME_MESSAGE       1
#define PIPE_NAME_RCPT          2

static const char *const pipe_message_names[] = {
    "sender", "nexthop", "queue_id", "size", "client_address",
    "client_helo", "client_hostname", "client_port", "client_protocol",
    "sasl_method", "sasl_sender", "sasl_username", NULL,
};

static const char *const pipe_rcpt_names[] = {
    "recipient", "original_recipient", "user", "extension", "mailbox",
    "domain", NULL,
};

/* The state of one argument's expansion. */
typedef struct PIPE_EXPAND {
    const PIPE_ATTR *attr;
    const DELIVER_REQUEST *req;
    const RECIPIENT *rcpt;              /* the recipient being expanded */
    bool    per_rcpt;                   /* a recipient macro was used */
    bool    drop;                       /* a macro had no value */
    char   *unknown;                    /* the first unknown name */
    ARGV   *values;                     /* values handed out */
} PIPE_EXPAND;

/* pipe_argv_kind - PIPE_NAME_MESSAGE, PIPE_NAME_RCPT or 0 */
static int
pipe_argv_kind(const char *name)
{
    for (int i = 0; pipe_message_names[i]; i++)
        if (strcmp(name, pipe_message_names[i]) == 0)
            return PIPE_NAME_MESSAGE;
    for (int i = 0; pipe_rcpt_names[i]; i++)
        if (strcmp(name, pipe_rcpt_names[i]) == 0)
            return PIPE_NAME_RCPT;
    return 0;
}

/* pipe_argv_fold - bytes [from, to) of bp to lower case */
static void
pipe_argv_fold(BUF *bp, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        bp->data[i] = (char) tolower((unsigned char) bp->data[i]);
}

/* pipe_argv_address - an address with the q, u and h flags applied */
static void
pipe_argv_address(BUF *bp, const char *addr, int opts)
{
    const char *at;
    size_t  local_end;

    if (opts & PIPE_OPT_QUOTE)
        quote_822_local(bp, addr);
    else
        buf_strcpy(bp, addr);
    at = strrchr(buf_str(bp), '@');
    local_end = at ? (size_t) (at - buf_str(bp)) : buf_len(bp);
    if (opts & PIPE_OPT_FOLD_USER)
        pipe_argv_fold(bp, 0, local_end);
    if (opts & PIPE_OPT_FOLD_HOST)
        pipe_argv_fold(bp, local_end, buf_len(bp));
}

/* pipe_argv_local - ${user}, ${extension} or ${mailbox}; false when it
 * has no value */
static bool
pipe_argv_local(BUF *bp, const char *name, const char *addr, int opts)
{
    const char *at = strrchr(addr, '@');
    size_t  len = at ? (size_t) (at - addr) : strlen(addr);
    size_t  ext = split_addr_ext(addr, len, var_recipient_delimiter);

    if (strcmp(name, "mailbox") == 0)
        buf_append(bp, addr, len);
    else if (strcmp(name, "user") == 0)
        buf_append(bp, addr, ext ? ext : len);
    else if (ext)
        buf_append(bp, addr + ext + 1, len - ext - 1);
    if (opts & PIPE_OPT_FOLD_USER)
        pipe_argv_fold(bp, 0, buf_len(bp));
    return buf_len(bp) > 0 || strcmp(name, "user") != 0;
}

/* pipe_argv_rcpt_value - a recipient macro's value; false: none */
static bool
pipe_argv_rcpt_value(BUF *bp, const char *name, const PIPE_EXPAND *ctx)
{
    const RECIPIENT *rcpt = ctx->rcpt;
    int     opts = ctx->attr->opts;
    const char *at;

    if (strcmp(name, "recipient") == 0) {
        pipe_argv_address(bp, rcpt->address, opts);
    } else if (strcmp(name, "original_recipient") == 0) {
        pipe_argv_address(bp, *DEL_TEXT(rcpt->orig_addr) ? rcpt->orig_addr
                          : rcpt->address, opts);
    } else if (strcmp(name, "domain") == 0) {
        at = strrchr(rcpt->address, '@');
        buf_strcpy(bp, at ? at + 1 : "");
        if (opts & PIPE_OPT_FOLD_HOST)
            pipe_argv_fold(bp, 0, buf_len(bp));
    } else {
        return pipe_argv_local(bp, name, rcpt->address, opts);
    }
    return true;
}

/* pipe_argv_sender - ${sender}: null_sender for the null sender */
static void
pipe_argv_sender(BUF *bp, const PIPE_EXPAND *ctx)
{
    const char *sender = *ctx->req->sender ? ctx->req->sender
        : ctx->attr->null_sender;

    if (*sender && (ctx->attr->opts & PIPE_OPT_QUOTE))
        quote_822_local(bp, sender);
    else
        buf_strcpy(bp, sender);
}

/* pipe_argv_message_value - a message macro's value */
static void
pipe_argv_message_value(BUF *bp, const char *name, const PIPE_EXPAND *ctx)
{
    const DELIVER_REQUEST *req = ctx->req;
    const char *const pairs[][2] = {
        {"queue_id", req->queue_id},
        {"client_address", req->client_addr},
        {"client_helo", req->client_helo},
        {"client_hostname", req->client_name},
        {"client_port", req->client_port},
        {"client_protocol", req->client_proto},
        {"sasl_method", req->sasl_method},
        {"sasl_sender", req->sasl_sender},
        {"sasl_username", req->sasl_username},
    };

    if (strcmp(name, "sender") == 0) {
        pipe_argv_sender(bp, ctx);
    } else if (strcmp(name, "size") == 0) {
        buf_sprintf(bp, "%ld", req->data_size);
    } else if (strcmp(name, "nexthop") == 0) {
        buf_strcpy(bp, req->nexthop);
        if (ctx->attr->opts & PIPE_OPT_FOLD_HOST)
            pipe_argv_fold(bp, 0, buf_len(bp));
    } else {
        for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
            if (strcmp(name, pairs[i][0]) == 0)
                buf_strcpy(bp, DEL_TEXT(pairs[i][1]));
    }
}

/* pipe_argv_lookup - the mac_expand() callback: a value with each '$'
 * doubled, so that it is not expanded again; NULL when it has none */
static const char *
pipe_argv_lookup(const char *name, void *context)
{
    PIPE_EXPAND *ctx = context;
    int     kind = pipe_argv_kind(name);
    BUF    *value;
    BUF    *escaped;
    bool    defined = true;

    if (kind == 0)
        return NULL;
    value = buf_alloc(100);
    if (kind == PIPE_NAME_RCPT) {
        ctx->per_rcpt = true;
        defined = pipe_argv_rcpt_value(value, name, ctx);
    } else {
        pipe_argv_message_value(value, name, ctx);
    }
    if (defined) {
        escaped = buf_alloc(buf_len(value) + 10);
        for (const char *cp = buf_str(value); *cp; cp++) {
            if (*cp == '$')
                buf_addch(escaped, '$');
            buf_addch(escaped, *cp);
        }
        argv_add(ctx->values, buf_str(escaped));
        buf_free(escaped);
    }
    buf_free(value);
    return defined ? ctx->values->argv[ctx->values->argc - 1] : NULL;
}

/* pipe_argv_undef - the mac_expand() undef callback */
static void
pipe_argv_undef(const char *name, void *context)
{
    PIPE_EXPAND *ctx = context;

    if (pipe_argv_kind(name) != 0)
        ctx->drop = true;
    else if (ctx->unknown == NULL)
        ctx->unknown = mystrdup(name);
}

/* pipe_argv_one - expand one argument for one recipient into args; 0,
 * or -1 with the reason in why */
static int
pipe_argv_one(PIPE_EXPAND *ctx, const char *tmpl, ARGV *args, BUF *why)
{
    BUF    *out = buf_alloc(100);
    int     status;

    ctx->drop = false;
    ctx->values = argv_alloc(4);
    status = mac_expand(out, tmpl, pipe_argv_lookup, pipe_argv_undef, ctx,
                        why);
    if (status == 0 && ctx->unknown) {
        buf_sprintf(why, "unknown macro name: \"%s\"", ctx->unknown);
        status = -1;
    }
    if (status == 0 && !ctx->drop)
        argv_add(args, buf_str(out));
    argv_free(ctx->values);
    buf_free(out);
    return status;
}

/* pipe_argv_expand - the command's argv for a request */
ARGV   *
pipe_argv_expand(const PIPE_ATTR *attr, const DELIVER_REQUEST *req,
                 BUF *why)
{
    ARGV   *args = argv_alloc(attr->argv->argc + req->rcpt_count);
    PIPE_EXPAND ctx;
    int     status = 0;

    memset(&ctx, 0, sizeof(ctx));
    ctx.attr = attr;
    ctx.req = req;
    for (int i = 0; status == 0 && i < attr->argv->argc; i++) {
        ctx.per_rcpt = false;
        ctx.rcpt = req->rcpt;
        status = pipe_argv_one(&ctx, attr->argv->argv[i], args, why);
        for (int r = 1; status == 0 && ctx.per_rcpt && r < req->rcpt_count;
             r++) {
            ctx.rcpt = req->rcpt + r;
            status = pipe_argv_one(&ctx, attr->argv->argv[i], args, why);
        }
    }
    myfree(ctx.unknown);
    if (status < 0) {
        argv_free(args);
        return NULL;
    }
    return args;
}
