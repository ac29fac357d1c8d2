/* tok822 - token lists: create, copy, edit, search, free.
 *
 * A list is a growable array of tokens. Word tokens (atom, quoted
 * string, comment, domain literal) own a copy of their text; specials,
 * group starts and addresses share one empty string; an address owns
 * the list of its tokens. Peers: tok822_scan.c (tokenizer),
 * tok822_parse.c (address grouping), tok822_write.c (text output). */
#include <string.h>

#include "mymalloc.h"
#include "tok822.h"

static char tok822_no_text[] = "";

/* tok822_has_text - token types that own a copy of their text */
static int
tok822_has_text(int type)
{
    return type == TOK822_ATOM || type == TOK822_QSTRING
        || type == TOK822_COMMENT || type == TOK822_DOMLIT;
}

/* tok822_alloc - an empty list */
TOK822_LIST *
tok822_alloc(void)
{
    TOK822_LIST *list = mymalloc(sizeof(*list));

    list->tok = NULL;
    list->count = 0;
    list->cap = 0;
    list->flags = 0;
    return list;
}

/* tok822_release - what one token owns */
static void
tok822_release(TOK822 *tok)
{
    if (tok822_has_text(tok->type))
        myfree(tok->text);
    if (tok->addr)
        tok822_free(tok->addr);
}

/* tok822_free - a list, its addresses and their text */
void
tok822_free(TOK822_LIST *list)
{
    if (list == NULL)
        return;
    for (size_t i = 0; i < list->count; i++)
        tok822_release(list->tok + i);
    myfree(list->tok);
    myfree(list);
}

/* tok822_make_room - room for `more' tokens at `at', later ones moved up */
static void
tok822_make_room(TOK822_LIST *list, size_t at, size_t more)
{
    if (list->count + more > list->cap) {
        list->cap = list->cap * 2 > list->count + more ?
            list->cap * 2 : list->count + more + 8;
        list->tok = myreallocarray(list->tok, list->cap, sizeof(TOK822));
    }
    memmove(list->tok + at + more, list->tok + at,
            (list->count - at) * sizeof(TOK822));
    list->count += more;
}

/* tok822_set - fill a token slot with a copy of text */
static void
tok822_set(TOK822 *tok, int type, const char *text, size_t len)
{
    tok->type = type;
    tok->addr = NULL;
    if (tok822_has_text(type)) {
        tok->text = mystrndup(text ? text : "", len);
        tok->len = len;
    } else {
        tok->text = tok822_no_text;
        tok->len = 0;
    }
}

/* tok822_append - add a token (text is copied; ignored for specials) */
void
tok822_append(TOK822_LIST *list, int type, const char *text, size_t len)
{
    tok822_make_room(list, list->count, 1);
    tok822_set(list->tok + list->count - 1, type, text, len);
}

/* tok822_copy - a deep copy of one token into an empty slot */
static void
tok822_copy(TOK822 *dst, const TOK822 *src)
{
    tok822_set(dst, src->type, src->text, src->len);
    if (src->addr) {
        dst->addr = tok822_alloc();
        dst->addr->flags = src->addr->flags;
        tok822_splice(dst->addr, 0, 0, src->addr, 0, src->addr->count);
    }
}

/* tok822_splice - replace `del' tokens at `at' with copies from src */
void
tok822_splice(TOK822_LIST *dst, size_t at, size_t del,
              const TOK822_LIST *src, size_t from, size_t to)
{
    size_t  add = to > from ? to - from : 0;

    if (at > dst->count)
        at = dst->count;
    if (del > dst->count - at)
        del = dst->count - at;
    if (del > 0) {
        for (size_t i = at; i < at + del; i++)
            tok822_release(dst->tok + i);
        memmove(dst->tok + at, dst->tok + at + del,
                (dst->count - at - del) * sizeof(TOK822));
        dst->count -= del;
    }
    if (add == 0)
        return;
    tok822_make_room(dst, at, add);
    for (size_t i = 0; i < add; i++)
        tok822_copy(dst->tok + at + i, src->tok + from + i);
}

/* tok822_find - the first token of this type in [from, to), or -1 */
ssize_t
tok822_find(const TOK822_LIST *list, size_t from, size_t to, int type)
{
    if (to > list->count)
        to = list->count;
    for (size_t i = from; i < to; i++)
        if (list->tok[i].type == type)
            return (ssize_t) i;
    return -1;
}

/* tok822_rfind - the last token of this type in [from, to), or -1 */
ssize_t
tok822_rfind(const TOK822_LIST *list, size_t from, size_t to, int type)
{
    if (to > list->count)
        to = list->count;
    for (size_t i = to; i > from; i--)
        if (list->tok[i - 1].type == type)
            return (ssize_t) (i - 1);
    return -1;
}

/* tok822_replace_addr - new tokens for an address, from external text */
void
tok822_replace_addr(TOK822_LIST *list, size_t i, const char *external)
{
    TOK822 *tok;

    if (i >= list->count || list->tok[i].type != TOK822_ADDR)
        return;
    tok = list->tok + i;
    tok822_free(tok->addr);
    tok->addr = tok822_scan(external, strlen(external), 0);
}
