/* local_dup - the duplicate filter of one request recipient.
 *
 * Model: a set of "what was done" keys ("mailbox user", "file /path",
 * "command uid cmd", "indirect addr"), so that an alias list that names
 * a destination twice, or two routes that end at the same place, make
 * one delivery. Keys are folded to lower case (addresses and user names
 * are case-insensitive here). At most duplicate_filter_limit keys are
 * remembered (0: no limit); past that every delivery is made, as
 * Postfix does. Peers: every delivery module. */
#include <stdarg.h>

#include "local.h"
#include "mail_params.h"

/* local_been_here - true when this key was seen for this recipient */
bool
local_been_here(LOCAL_STATE *state, const char *fmt, ...)
{
    HTABLE *dup = state->lr->dup;
    BUF    *key = buf_alloc(100);
    va_list ap;
    bool    seen;

    va_start(ap, fmt);
    buf_vsprintf_append(key, fmt, ap);
    va_end(ap);
    buf_lowercase(key);
    seen = htable_locate(dup, buf_str(key)) != NULL;
    if (!seen && (var_duplicate_filter_limit == 0
                  || dup->used < (size_t) var_duplicate_filter_limit))
        htable_enter(dup, buf_str(key), NULL);
    buf_free(key);
    return seen;
}
