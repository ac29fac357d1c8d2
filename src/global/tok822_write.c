/* tok822_write - token lists back to text, external or internal.
 *
 * One writer serves both forms; they differ in quoting (the external
 * form puts quoted strings back in quotes, with \ before " and \) and
 * in the space after a last comma (see tok822.h). The spacing and the
 * 250-byte truncation of TOK822_STR_TRNC were observed from Postfix
 * 3.7's cleanup and trivial-rewrite. Peers: tok822.c, tok822_parse.c. */
#include <string.h>

#include "tok822.h"

#define TOK822_TRNC_LIMIT   250         /* bytes besides the address */

typedef struct TOK822_WRITER {
    BUF    *out;
    int     flags;                      /* TOK822_STR_* */
    int     external;                   /* quote quoted strings */
    size_t  part;                       /* where this comma part began */
    int     addr_seen;                  /* it has an address: */
    size_t  addr_off;                   /* the last one's text */
    size_t  addr_len;
} TOK822_WRITER;

static void tok822_write_list(TOK822_WRITER *, const TOK822_LIST *, int);

/* tok822_is_word - tokens with a space between two of them */
static int
tok822_is_word(int type)
{
    return type == TOK822_ATOM || type == TOK822_QSTRING
        || type == TOK822_COMMENT || type == TOK822_DOMLIT
        || type == TOK822_ADDR;
}

/* tok822_write_quoted - "text" with \ before " and \ */
static void
tok822_write_quoted(BUF *out, const char *text, size_t len)
{
    buf_addch(out, '"');
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '"' || text[i] == '\\')
            buf_addch(out, '\\');
        buf_addch(out, text[i]);
    }
    buf_addch(out, '"');
}

/* tok822_write_tok - the text of one token */
static void
tok822_write_tok(TOK822_WRITER *wr, const TOK822 *tok)
{
    int     flags;

    switch (tok->type) {
    case TOK822_QSTRING:
        if (wr->external)
            tok822_write_quoted(wr->out, tok->text, tok->len);
        else
            buf_append(wr->out, tok->text, tok->len);
        break;
    case TOK822_DOMLIT:
        buf_addch(wr->out, '[');
        buf_append(wr->out, tok->text, tok->len);
        buf_addch(wr->out, ']');
        break;
    case TOK822_ATOM:
    case TOK822_COMMENT:
        buf_append(wr->out, tok->text, tok->len);
        break;
    case TOK822_STARTGRP:
        buf_addch(wr->out, ':');
        break;
    case TOK822_ADDR:
        flags = wr->flags;
        wr->flags &= ~TOK822_STR_LINE;  /* one line per address */
        wr->addr_off = buf_len(wr->out);
        if (tok->addr)
            tok822_write_list(wr, tok->addr, 0);
        wr->addr_len = buf_len(wr->out) - wr->addr_off;
        wr->flags = flags;
        wr->addr_seen = 1;
        break;
    default:
        buf_addch(wr->out, tok->type);
        break;
    }
}

/* tok822_trnc - a long comma part becomes "<address>" */
static void
tok822_trnc(TOK822_WRITER *wr)
{
    BUF    *addr;

    if (wr->addr_seen
        && buf_len(wr->out) - wr->part - wr->addr_len > TOK822_TRNC_LIMIT) {
        addr = buf_alloc(wr->addr_len + 2);
        buf_addch(addr, '<');
        buf_append(addr, buf_str(wr->out) + wr->addr_off, wr->addr_len);
        buf_addch(addr, '>');
        buf_truncate(wr->out, wr->part);
        buf_append(wr->out, buf_str(addr), buf_len(addr));
        buf_free(addr);
    }
    wr->addr_seen = 0;
}

/* tok822_write_space - what goes between tok and the token after it */
static void
tok822_write_space(TOK822_WRITER *wr, const TOK822 *tok, const TOK822 *next)
{
    if (tok->type == ',') {
        if (next != NULL || wr->external)
            buf_addch(wr->out, (wr->flags & TOK822_STR_LINE) ? '\n' : ' ');
    } else if (next != NULL
               && (next->type == '<' || tok->type == TOK822_STARTGRP
                   || (tok822_is_word(tok->type)
                       && tok822_is_word(next->type)))) {
        buf_addch(wr->out, ' ');
    }
}

/* tok822_write_list - tokens of a list; top is 1 for the outer list */
static void
tok822_write_list(TOK822_WRITER *wr, const TOK822_LIST *list, int top)
{
    const TOK822 *tok;
    const TOK822 *next;

    for (size_t i = 0; i < list->count; i++) {
        tok = list->tok + i;
        next = i + 1 < list->count ? tok + 1 : NULL;
        if (top && tok->type == ',' && (wr->flags & TOK822_STR_TRNC))
            tok822_trnc(wr);
        tok822_write_tok(wr, tok);
        if ((list->flags & TOK822_LIST_PACKED) == 0)
            tok822_write_space(wr, tok, next);
        if (top && tok->type == ',')
            wr->part = buf_len(wr->out);
    }
    if (top && (wr->flags & TOK822_STR_TRNC))
        tok822_trnc(wr);
}

/* tok822_write - either form of a whole list */
static void
tok822_write(BUF *out, const TOK822_LIST *list, int flags, int external)
{
    TOK822_WRITER wr;

    wr.out = out;
    wr.flags = flags;
    wr.external = external;
    wr.part = buf_len(out);
    wr.addr_seen = 0;
    wr.addr_off = wr.addr_len = 0;
    tok822_write_list(&wr, list, 1);
}

/* tok822_externalize - append the list as RFC 822 text */
void
tok822_externalize(BUF *out, const TOK822_LIST *list, int flags)
{
    tok822_write(out, list, flags, 1);
}

/* tok822_internalize - append the list in internal form */
void
tok822_internalize(BUF *out, const TOK822_LIST *list, int flags)
{
    tok822_write(out, list, flags, 0);
}
