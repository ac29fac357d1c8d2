/* quote_822_local - quote or unquote the local part of an address.
 *
 * Both directions find the local part the same way (after a leading
 * "@route:", up to the last '@'), so they undo each other. The rules
 * (quote_822_local.h) match what Postfix 3.7's trivial-rewrite answers
 * and what its cleanup writes into queue files. Peers: tok822,
 * rewrite_addr. */
#include <string.h>

#include "quote_822_local.h"

/* Characters that a dot-atom local part cannot hold (besides '.'). */
#define QUOTE_822_SPECIALS  "()<>@,;:\\\"[]"

typedef struct QUOTE_822_PARTS {
    const char *local;                  /* first byte of the local part */
    const char *end;                    /* first byte after it */
} QUOTE_822_PARTS;

/* quote_822_split - where the local part of addr lies */
static QUOTE_822_PARTS
quote_822_split(const char *addr, int flags)
{
    QUOTE_822_PARTS parts;
    const char *colon;
    const char *at;

    parts.local = addr;
    if ((flags & QUOTE_822_FLAG_BARE) == 0 && addr[0] == '@'
        && (colon = strchr(addr, ':')) != NULL)
        parts.local = colon + 1;
    if ((flags & QUOTE_822_FLAG_BARE) == 0
        && (at = strrchr(parts.local, '@')) != NULL)
        parts.end = at;
    else
        parts.end = parts.local + strlen(parts.local);
    return parts;
}

/* quote_822_is_dot_string - does text[0..len-1] need no quotes */
int
quote_822_is_dot_string(const char *text, size_t len)
{
    if (len == 0 || text[0] == '.' || text[len - 1] == '.')
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = text[i];

        if (ch <= ' ' || ch == 0x7f || strchr(QUOTE_822_SPECIALS, ch)
            || (ch == '.' && text[i + 1] == '.'))
            return 0;
    }
    return 1;
}

/* quote_822_local_flags - dst = the external form of an internal address */
void
quote_822_local_flags(BUF *dst, const char *addr, int flags)
{
    QUOTE_822_PARTS parts = quote_822_split(addr, flags);
    size_t  len = parts.end - parts.local;

    if ((flags & QUOTE_822_FLAG_APPEND) == 0)
        buf_reset(dst);
    if (quote_822_is_dot_string(parts.local, len)) {
        buf_strcat(dst, addr);
        return;
    }
    buf_append(dst, addr, parts.local - addr);
    buf_addch(dst, '"');
    for (const char *cp = parts.local; cp < parts.end; cp++) {
        if (*cp == '"' || *cp == '\\')
            buf_addch(dst, '\\');
        buf_addch(dst, *cp);
    }
    buf_addch(dst, '"');
    buf_strcat(dst, parts.end);
}

/* quote_822_local - the same, replacing dst */
void
quote_822_local(BUF *dst, const char *addr)
{
    quote_822_local_flags(dst, addr, QUOTE_822_FLAG_NONE);
}

/* unquote_822_local_flags - dst = the internal form of an external address */
void
unquote_822_local_flags(BUF *dst, const char *addr, int flags)
{
    QUOTE_822_PARTS parts = quote_822_split(addr, flags);

    if ((flags & QUOTE_822_FLAG_APPEND) == 0)
        buf_reset(dst);
    buf_append(dst, addr, parts.local - addr);
    for (const char *cp = parts.local; cp < parts.end; cp++) {
        if (*cp == '"')
            continue;
        if (*cp == '\\' && ++cp == parts.end)
            break;
        buf_addch(dst, *cp);
    }
    buf_strcat(dst, parts.end);
}

/* unquote_822_local - the same, replacing dst */
void
unquote_822_local(BUF *dst, const char *addr)
{
    unquote_822_local_flags(dst, addr, QUOTE_822_FLAG_NONE);
}
