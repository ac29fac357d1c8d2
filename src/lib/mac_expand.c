/* mac_expand - expand $name references in configuration text.
 *
 * A recursive-descent expander over the raw text: plain text is copied,
 * each $ form is parsed where it stands and its value (from the caller's
 * lookup) is expanded in turn, one level deeper. The depth limit turns a
 * reference loop ("a = $b", "b = $a") into an error instead of a crash.
 * Peers: mail_conf.c (main.cf values), master_conf users (-o values). */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "mac_expand.h"
#include "mymalloc.h"

typedef struct MAC_STATE {
    MAC_LOOKUP_FN lookup;
    MAC_UNDEF_FN undef;
    void   *ctx;
    BUF    *why;
} MAC_STATE;

#define MAC_NAME_CHAR(c) (isalnum((unsigned char) (c)) || (c) == '_')
#define MAC_SHOW_MAX    60              /* how much text an error quotes */

static int mac_expand_text(MAC_STATE *st, BUF *out, const char *text,
                           size_t len, int depth);

/* mac_expand_error - fill why with a message that quotes the macro */
static int
mac_expand_error(MAC_STATE *st, const char *what, const char *macro)
{
    buf_sprintf(st->why, "%s: \"%.*s\"", what, MAC_SHOW_MAX, macro);
    return -1;
}

/* mac_expand_value - append the expansion of a name's value */
static int
mac_expand_value(MAC_STATE *st, BUF *out, const char *name, int depth,
                 bool report)
{
    const char *value = st->lookup(name, st->ctx);

    if (value == NULL) {
        if (report && st->undef)
            st->undef(name, st->ctx);
        return 0;
    }
    if (depth + 1 > MAC_EXPAND_DEPTH) {
        buf_sprintf(st->why, "unreasonable macro call nesting: \"%s\"", name);
        return -1;
    }
    return mac_expand_text(st, out, value, strlen(value), depth + 1);
}

/* mac_expand_match - offset of the close that balances text[0], or -1 */
static long
mac_expand_match(const char *text, size_t len, int open, int close)
{
    int     level = 0;

    for (size_t i = 0; i < len; i++) {
        if (text[i] == open)
            level++;
        else if (text[i] == close && --level == 0)
            return (long) i;
    }
    return -1;
}

/* mac_expand_skip_space - advance over white space within len */
static size_t
mac_expand_skip_space(const char *text, size_t pos, size_t len)
{
    while (pos < len && isspace((unsigned char) text[pos]))
        pos++;
    return pos;
}

/* mac_expand_braced - parse "{a}" at pos; sets start and length of a */
static int
mac_expand_braced(const char *text, size_t len, size_t *pos,
                  const char **start, size_t *alen)
{
    long    close;

    if (*pos >= len || text[*pos] != '{')
        return -1;
    close = mac_expand_match(text + *pos, len - *pos, '{', '}');
    if (close < 0)
        return -1;
    *start = text + *pos + 1;
    *alen = (size_t) close - 1;
    *pos += (size_t) close + 1;
    return 0;
}

/* mac_expand_cond - pick the text of ${name?...} or ${name:...} */
static int
mac_expand_cond(MAC_STATE *st, BUF *out, const char *macro, int op,
                bool set, const char *text, size_t len, int depth)
{
    const char *a = NULL, *b = NULL;
    size_t  alen = 0, blen = 0;
    size_t  pos = mac_expand_skip_space(text, 0, len);

    if (pos >= len || text[pos] != '{') {
        /* Plain form: the whole text is the alternative. */
        if ((op == '?') == set)
            return mac_expand_text(st, out, text, len, depth);
        return 0;
    }
    if (mac_expand_braced(text, len, &pos, op == '?' ? &a : &b,
                          op == '?' ? &alen : &blen) < 0)
        return mac_expand_error(st, "unbalanced {} in macro", macro);
    pos = mac_expand_skip_space(text, pos, len);
    if (op == '?' && pos < len && text[pos] == ':') {
        pos = mac_expand_skip_space(text, pos + 1, len);
        if (mac_expand_braced(text, len, &pos, &b, &blen) < 0)
            return mac_expand_error(st, "bad {text} after ':' in macro",
                                    macro);
        pos = mac_expand_skip_space(text, pos, len);
    }
    if (pos != len)
        return mac_expand_error(st, "text after '}' in macro", macro);
    if (set && a)
        return mac_expand_text(st, out, a, alen, depth);
    if (!set && b)
        return mac_expand_text(st, out, b, blen, depth);
    return 0;
}

/* mac_expand_group - expand ${...} or $(...) at text; *used: bytes eaten */
static int
mac_expand_group(MAC_STATE *st, BUF *out, const char *text, size_t len,
                 size_t *used, int depth)
{
    int     open = text[1];
    int     close = open == '{' ? '}' : ')';
    long    end = mac_expand_match(text + 1, len - 1, open, close);
    size_t  nlen;
    char   *name;
    int     op;
    int     status;

    if (end < 0)
        return mac_expand_error(st, "unbalanced {} or () in macro", text);
    *used = (size_t) end + 2;
    for (nlen = 0; MAC_NAME_CHAR(text[2 + nlen]); nlen++)
         /* void */ ;
    if (nlen == 0)
        return mac_expand_error(st, "missing macro name", text);
    op = text[2 + nlen];
    if (op != close && op != '?' && op != ':')
        return mac_expand_error(st, "bad macro name", text);
    name = mystrndup(text + 2, nlen);
    if (op == close) {
        status = mac_expand_value(st, out, name, depth, true);
    } else {
        BUF    *val = buf_alloc(64);

        status = mac_expand_value(st, val, name, depth, false);
        if (status == 0)
            status = mac_expand_cond(st, out, text, op, buf_len(val) > 0,
                                     text + 3 + nlen,
                                     (size_t) end + 1 - (3 + nlen), depth);
        buf_free(val);
    }
    myfree(name);
    return status;
}

/* mac_expand_text - append the expansion of len bytes of text */
static int
mac_expand_text(MAC_STATE *st, BUF *out, const char *text, size_t len,
                int depth)
{
    size_t  pos = 0;

    while (pos < len) {
        const char *dollar = memchr(text + pos, '$', len - pos);
        size_t  used;

        if (dollar == NULL) {
            buf_append(out, text + pos, len - pos);
            break;
        }
        buf_append(out, text + pos, (size_t) (dollar - text) - pos);
        pos = (size_t) (dollar - text);
        if (pos + 1 < len && text[pos + 1] == '$') {
            buf_addch(out, '$');
            pos += 2;
        } else if (pos + 1 < len
                   && (text[pos + 1] == '{' || text[pos + 1] == '(')) {
            if (mac_expand_group(st, out, text + pos, len - pos, &used,
                                 depth) < 0)
                return -1;
            pos += used;
        } else if (pos + 1 < len && MAC_NAME_CHAR(text[pos + 1])) {
            size_t  nlen = 1;
            char   *name;
            int     status;

            while (pos + 1 + nlen < len && MAC_NAME_CHAR(text[pos + 1 + nlen]))
                nlen++;
            name = mystrndup(text + pos + 1, nlen);
            status = mac_expand_value(st, out, name, depth, true);
            myfree(name);
            if (status < 0)
                return -1;
            pos += 1 + nlen;
        } else {
            /* A $ that starts no macro stands for itself. */
            buf_addch(out, '$');
            pos++;
        }
    }
    return 0;
}

/* mac_expand - append the expansion of text to result */
int
mac_expand(BUF *result, const char *text, MAC_LOOKUP_FN lookup,
           MAC_UNDEF_FN undef, void *ctx, BUF *why)
{
    MAC_STATE st = {lookup, undef, ctx, why};

    return mac_expand_text(&st, result, text, strlen(text), 0);
}
