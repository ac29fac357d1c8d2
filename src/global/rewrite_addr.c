/* rewrite_addr - trivial-rewrite's "rewrite" rules on one address.
 *
 * The address is scanned into a flat token list (tok822_scan), changed
 * token by token, and written back in internal form with the local part
 * quoted (quote_822_local): exactly what Postfix 3.7's trivial-rewrite
 * was seen to answer. The rules and their order are listed in
 * rewrite_addr.h. Peers: tok822, quote_822_local; the trivial-rewrite
 * daemon and cleanup (through rewrite_addr_internal) are the callers. */
#include <string.h>

#include "mail_params.h"
#include "quote_822_local.h"
#include "rewrite_addr.h"
#include "tok822.h"

/* rewrite_addr_context - "local" or "remote" to a context; -1 otherwise */
int
rewrite_addr_context(const char *name)
{
    if (strcmp(name, "local") == 0)
        return REWRITE_ADDR_LOCAL;
    if (strcmp(name, "remote") == 0)
        return REWRITE_ADDR_REMOTE;
    return -1;
}

/* rewrite_addr_append - add a special and the tokens of text at the end */
static void
rewrite_addr_append(TOK822_LIST *list, int special, const char *text)
{
    TOK822_LIST *more = tok822_scan(text, strlen(text), 0);

    tok822_append(list, special, NULL, 0);
    tok822_splice(list, list->count, 0, more, 0, more->count);
    tok822_free(more);
}

/* rewrite_addr_bang - host!rest becomes rest@host (bang: the first '!') */
static void
rewrite_addr_bang(TOK822_LIST *list, size_t bang)
{
    TOK822_LIST *swapped = tok822_alloc();

    tok822_splice(swapped, 0, 0, list, bang + 1, list->count);
    tok822_append(swapped, '@', NULL, 0);
    tok822_splice(swapped, swapped->count, 0, list, 0, bang);
    tok822_splice(list, 0, list->count, swapped, 0, swapped->count);
    tok822_free(swapped);
}

/* rewrite_addr_no_domain - step 3: bang path, percent hack or @myorigin */
static void
rewrite_addr_no_domain(const REWRITE_ADDR_SETTINGS *settings,
                       const char *origin, TOK822_LIST *list)
{
    ssize_t pos;

    if (settings->swap_bangpath
        && (pos = tok822_find(list, 0, list->count, '!')) >= 0)
        rewrite_addr_bang(list, pos);
    else if (settings->allow_percent_hack
             && (pos = tok822_rfind(list, 0, list->count, '%')) >= 0)
        list->tok[pos].type = '@';
    else if (settings->append_at_myorigin && origin && *origin)
        rewrite_addr_append(list, '@', origin);
}

/* rewrite_addr_dot - step 4: does the domain want .$mydomain */
static int
rewrite_addr_dot(const TOK822_LIST *list)
{
    ssize_t at = tok822_rfind(list, 0, list->count, '@');

    return at >= 0 && (size_t) at + 1 < list->count
        && tok822_find(list, at + 1, list->count, TOK822_DOMLIT) < 0
        && tok822_find(list, at + 1, list->count, '.') < 0;
}

/* rewrite_addr_tokens - the rules, in place; origin/domain may be empty */
static void
rewrite_addr_tokens(const REWRITE_ADDR_SETTINGS *settings,
                    const char *origin, const char *domain,
                    TOK822_LIST *list)
{
    TOK822 *tok = list->tok;
    ssize_t colon;

    if (list->count == 1 && tok[0].type == '@') {
        tok822_splice(list, 0, 1, NULL, 0, 0);
        tok822_append(list, TOK822_QSTRING, "", 0);
        return;
    }
    if (list->count == 1 && tok[0].type == TOK822_QSTRING && tok[0].len == 0)
        return;
    if (tok[0].type == '@'
        && (colon = tok822_find(list, 0, list->count, ':')) >= 0
        && (size_t) colon + 1 < list->count)
        tok822_splice(list, 0, colon + 1, NULL, 0, 0);
    if (tok822_find(list, 0, list->count, '@') < 0)
        rewrite_addr_no_domain(settings, origin, list);
    if (settings->append_dot_mydomain && domain && *domain
        && rewrite_addr_dot(list))
        rewrite_addr_append(list, '.', domain);
    tok = list->tok;
    if (list->count >= 2 && tok[list->count - 1].type == '.'
        && tok[list->count - 2].type != '.'
        && tok[list->count - 2].type != '@')
        tok822_splice(list, list->count - 1, 1, NULL, 0, 0);
}

/* rewrite_addr - result = the rewritten external address */
void
rewrite_addr(const REWRITE_ADDR_SETTINGS *settings,
             REWRITE_ADDR_CONTEXT context, const char *addr, BUF *result)
{
    TOK822_LIST *list = tok822_scan(addr, strlen(addr), 0);
    const char *origin = settings->myorigin;
    const char *domain = settings->mydomain;
    BUF    *internal;

    buf_reset(result);
    if (list->count == 0) {
        tok822_free(list);
        return;
    }
    if (context == REWRITE_ADDR_REMOTE)
        origin = domain = settings->remote_header_rewrite_domain;
    rewrite_addr_tokens(settings, origin, domain, list);
    internal = buf_alloc(100);
    tok822_internalize(internal, list, TOK822_STR_NONE);
    quote_822_local(result, buf_str(internal));
    buf_free(internal);
    tok822_free(list);
}

/* rewrite_addr_internal - quote, rewrite, unquote */
void
rewrite_addr_internal(const REWRITE_ADDR_SETTINGS *settings,
                      REWRITE_ADDR_CONTEXT context, const char *addr,
                      BUF *result)
{
    BUF    *external = buf_alloc(100);

    quote_822_local(external, addr);
    rewrite_addr(settings, context, buf_str(external), result);
    buf_strcpy(external, buf_str(result));
    unquote_822_local(result, buf_str(external));
    buf_free(external);
}

/* rewrite_addr_settings_init - the rewriting parameters from var_* */
void
rewrite_addr_settings_init(REWRITE_ADDR_SETTINGS *s)
{
    *s = (REWRITE_ADDR_SETTINGS) {
        .myorigin = var_myorigin,
        .mydomain = var_mydomain,
        .remote_header_rewrite_domain = var_remote_header_rewrite_domain,
        .append_at_myorigin = var_append_at_myorigin,
        .append_dot_mydomain = var_append_dot_mydomain,
        .swap_bangpath = var_swap_bangpath,
        .allow_percent_hack = var_allow_percent_hack,
    };
}
