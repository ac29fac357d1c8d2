/* rewrite_addr - trivial-rewrite's "rewrite" rules, as a pure function.
 *
 * rewrite_addr() turns an address in external form (as a trivial-rewrite
 * "rewrite" request carries it) into the canonical form, in this order:
 * 1. "" stays ""; a lone "@" and an empty quoted string become "\"\"".
 * 2. A source route is dropped: "@a,@b:user@c" becomes "user@c" (only
 *    when something follows the ':').
 * 3. Only when there is no '@' at all, the first of these that applies:
 *    swap_bangpath: "a!b!user" becomes "b!user@a" (the host is what
 *      precedes the first '!'; "a!" gives "\"\"@a", "!user" "user@");
 *    allow_percent_hack: "user%a%b" becomes "user%a@b" (the last '%');
 *    append_at_myorigin: "user" becomes "user@$myorigin".
 * 4. append_dot_mydomain: "user@host" becomes "user@host.$mydomain"
 *    when the domain has no '.' and no [literal] and is not empty.
 * 5. One trailing '.' is dropped ("user@host." gives "user@host"), but
 *    not from "..", "@." or a lone ".".
 * The result is the internal form of the tokens with its local part
 * quoted as needed (quote_822_local): "\"user\"@host" gives "user@host"
 * and "u\\ x" gives "\"u x\"@$myorigin".
 *
 * The context says where $myorigin and $mydomain come from: "local" uses
 * myorigin and mydomain; "remote" uses remote_header_rewrite_domain for
 * both, so with that parameter empty nothing is appended. (cleanup skips
 * remote rewriting when it is empty; the other rules still apply when a
 * caller asks.)
 *
 * Every rule was checked against Postfix 3.7.11's trivial-rewrite: see
 * tests/unit/test_rewrite_addr.c for the table of observed answers.
 * Postfix parameters and 3.7 defaults (compatibility_level 3.6):
 *   myorigin = $myhostname, mydomain = (domain of myhostname),
 *   append_at_myorigin = yes, append_dot_mydomain = no (yes before
 *   compatibility level 1), swap_bangpath = yes, allow_percent_hack =
 *   yes, remote_header_rewrite_domain = (empty). An empty myorigin or
 *   mydomain is a fatal configuration error in Postfix; here it only
 *   turns the rule off. Peers: tok822, quote_822_local. */
#ifndef REWRITE_ADDR_H
#define REWRITE_ADDR_H

#include "buf.h"

typedef struct REWRITE_ADDR_SETTINGS {
    const char *myorigin;
    const char *mydomain;
    const char *remote_header_rewrite_domain;
    int     append_at_myorigin;
    int     append_dot_mydomain;
    int     swap_bangpath;
    int     allow_percent_hack;
} REWRITE_ADDR_SETTINGS;

typedef enum REWRITE_ADDR_CONTEXT {
    REWRITE_ADDR_LOCAL,                 /* trivial-rewrite rule "local" */
    REWRITE_ADDR_REMOTE                 /* rule "remote" */
} REWRITE_ADDR_CONTEXT;

/* rewrite_addr_context - "local" or "remote" to a context; -1 otherwise
 * (Postfix's trivial-rewrite logs "unknown context" and hangs up) */
int     rewrite_addr_context(const char *name);

/* rewrite_addr_settings_init - settings from the main.cf parameters */
void    rewrite_addr_settings_init(REWRITE_ADDR_SETTINGS *settings);

/* rewrite_addr - result = the rewritten external address */
void    rewrite_addr(const REWRITE_ADDR_SETTINGS *settings,
                     REWRITE_ADDR_CONTEXT context, const char *addr,
                     BUF *result);

/* rewrite_addr_internal - the same for an internal address: quote,
 * rewrite, unquote (what cleanup does through rewrite_clnt) */
void    rewrite_addr_internal(const REWRITE_ADDR_SETTINGS *settings,
                              REWRITE_ADDR_CONTEXT context,
                              const char *addr, BUF *result);

#endif
