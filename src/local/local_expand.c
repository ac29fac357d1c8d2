/* local_expand - $name expansion of forward_path, luser_relay and
 * command_execution_directory.
 *
 * Names (man 8 local): $user (the folded name without extension),
 * $home and $shell (of the passwd user, when there is one), $recipient
 * (the whole address), $extension, $domain, $local (the folded local
 * part) and $recipient_delimiter (the delimiter found in the address),
 * with the ${name?text}, ${name:text} and ${name?{a}:{b}} forms of
 * mac_expand.h; an empty or missing value counts as undefined. Each
 * value has the characters outside filter (forward_expansion_filter,
 * execution_directory_expansion_filter) replaced with '_', so that an
 * address cannot put "../" or shell syntax into a path. */
#include <string.h>

#include "local.h"
#include "mac_expand.h"

typedef struct LOCAL_EXPAND {
    const LOCAL_STATE *state;
    const LOCAL_USER *usr;
    const char *filter;
    ARGV   *values;                     /* filtered copies */
} LOCAL_EXPAND;

/* local_expand_raw - the unfiltered value of a name, or NULL */
static const char *
local_expand_raw(const char *name, const LOCAL_EXPAND *ctx)
{
    const LOCAL_STATE *state = ctx->state;

    if (strcmp(name, "user") == 0)
        return state->user;
    if (strcmp(name, "home") == 0)
        return ctx->usr ? ctx->usr->home : NULL;
    if (strcmp(name, "shell") == 0)
        return ctx->usr ? ctx->usr->shell : NULL;
    if (strcmp(name, "recipient") == 0)
        return state->rcpt.address;
    if (strcmp(name, "extension") == 0)
        return state->extension;
    if (strcmp(name, "domain") == 0)
        return state->domain;
    if (strcmp(name, "local") == 0)
        return state->local;
    if (strcmp(name, "recipient_delimiter") == 0)
        return state->delim;
    return NULL;
}

/* local_expand_lookup - the mac_expand() callback: filtered values */
static const char *
local_expand_lookup(const char *name, void *context)
{
    LOCAL_EXPAND *ctx = context;
    const char *raw = local_expand_raw(name, ctx);
    char   *value;

    if (raw == NULL || *raw == 0)
        return NULL;
    argv_add(ctx->values, raw);
    value = ctx->values->argv[ctx->values->argc - 1];
    for (char *cp = value; *cp; cp++)
        if (strchr(ctx->filter, *cp) == NULL)
            *cp = '_';
    return value;
}

/* local_expand - append the expansion of pattern to result; 0, or -1
 * with the reason in why */
int
local_expand(BUF *result, const char *pattern, const LOCAL_STATE *state,
             const LOCAL_USER *usr, const char *filter, BUF *why)
{
    LOCAL_EXPAND ctx;
    int     status;

    ctx.state = state;
    ctx.usr = usr;
    ctx.filter = filter;
    ctx.values = argv_alloc(4);
    status = mac_expand(result, pattern, local_expand_lookup, NULL, &ctx,
                        why);
    argv_free(ctx.values);
    return status;
}
