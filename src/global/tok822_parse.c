/* tok822_parse - group the tokens of a header value into addresses.
 *
 * Model: Postfix 3.7 as observed through cleanup (what sendmail -t
 * extracts from To:/Cc: and how the header is written back). The flat
 * token list is read from right to left, because the end of an address
 * is easier to recognise than its start: a '>' closes "<...>", a ';'
 * closes a group, a ',' separates addresses, and a word right before
 * another word starts a new address. Output tokens are collected right
 * to left as well, and turned around at the end. Every loop moves left
 * by at least one token, so the work is linear in the number of tokens.
 * Peers: tok822_scan.c (the tokens), tok822.c (the list). */
#include <string.h>

#include "tok822.h"

typedef struct TOK822_PARSE {
    TOK822_LIST *in;                    /* the flat tokens */
    size_t  pos;                        /* in->tok[pos - 1] is next */
    TOK822_LIST *out;                   /* result, right to left */
    TOK822_LIST *pend;                  /* address being read, ditto */
    int     word_ok;                    /* a word joins pend */
    int     in_group;                   /* a ';' was seen: ':' opens */
} TOK822_PARSE;

/* tok822_is_word - tokens that make up addresses and phrases */
static int
tok822_is_word(int type)
{
    return type == TOK822_ATOM || type == TOK822_QSTRING
        || type == TOK822_DOMLIT;
}

/* tok822_take - move a token to the end of a list (no copy) */
static void
tok822_take(TOK822_LIST *list, TOK822 *tok)
{
    tok822_append(list, '.', NULL, 0);
    list->tok[list->count - 1] = *tok;
    tok->type = 0;                      /* owns nothing any more */
    tok->addr = NULL;
}

/* tok822_next - the next token to the left, or NULL */
static TOK822 *
tok822_next(TOK822_PARSE *st)
{
    return st->pos > 0 ? st->in->tok + st->pos - 1 : NULL;
}

/* tok822_reverse - turn a list around in place */
static void
tok822_reverse(TOK822_LIST *list)
{
    TOK822  tmp;

    for (size_t i = 0, j = list->count; i + 1 < j; i++, j--) {
        tmp = list->tok[i];
        list->tok[i] = list->tok[j - 1];
        list->tok[j - 1] = tmp;
    }
}

/* tok822_flush - the pending tokens become one address; with_comma puts
 * a ',' between it and what comes before it */
static void
tok822_flush(TOK822_PARSE *st, int with_comma)
{
    TOK822_LIST *addr = st->pend;

    if (addr->count == 0)
        return;
    tok822_reverse(addr);
    addr->flags |= TOK822_LIST_PACKED;
    tok822_append(st->out, TOK822_ADDR, NULL, 0);
    st->out->tok[st->out->count - 1].addr = addr;
    st->pend = tok822_alloc();
    if (with_comma)
        tok822_append(st->out, ',', NULL, 0);
}

/* tok822_is_stop - where the phrase before "<...>" begins */
static int
tok822_is_stop(int type)
{
    return type == '>' || type == ';' || type == ',' || type == ':';
}

/* tok822_route_addr - "phrase <address>", read from its '>' leftwards */
static void
tok822_route_addr(TOK822_PARSE *st, TOK822 *close)
{
    TOK822 *tp;

    tok822_flush(st, 1);
    tok822_take(st->out, close);
    while ((tp = tok822_next(st)) != NULL && tp->type != '<') {
        st->pos--;
        tok822_take(tp->type == TOK822_COMMENT ? st->out : st->pend, tp);
    }
    tok822_flush(st, 0);
    while ((tp = tok822_next(st)) != NULL && !tok822_is_stop(tp->type)) {
        st->pos--;
        tok822_take(st->out, tp);
    }
    st->word_ok = 1;
    /* A ':' that does not open a group stays out of the next address. */
    if (tp != NULL && tp->type == ':' && !st->in_group) {
        st->pos--;
        tok822_take(st->out, tp);
    }
}

/* tok822_start_group - "name:" once a ';' was seen to the right */
static void
tok822_start_group(TOK822_PARSE *st, TOK822 *colon)
{
    TOK822 *tp;

    tok822_flush(st, 0);
    colon->type = TOK822_STARTGRP;
    tok822_take(st->out, colon);
    while ((tp = tok822_next(st)) != NULL && tp->type != ',') {
        st->pos--;
        tok822_take(st->out, tp);
    }
}

/* tok822_parse_one - one token, taken from the right */
static void
tok822_parse_one(TOK822_PARSE *st, TOK822 *tp)
{
    if (tp->type == TOK822_COMMENT) {
        tok822_take(st->out, tp);
    } else if (tp->type == ';') {
        tok822_flush(st, 1);
        tok822_take(st->out, tp);
        st->word_ok = st->in_group = 1;
    } else if (tp->type == ':' && st->in_group) {
        tok822_start_group(st, tp);
    } else if (tp->type == '>') {
        tok822_route_addr(st, tp);
    } else if (tp->type == ',') {
        tok822_flush(st, 0);
        tok822_take(st->out, tp);
        st->word_ok = 1;
    } else if (tok822_is_word(tp->type)) {
        if (!st->word_ok)
            tok822_flush(st, 1);
        tok822_take(st->pend, tp);
        st->word_ok = 0;
    } else {
        tok822_take(st->pend, tp);
        st->word_ok = 1;
    }
}

/* tok822_parse - the tokens of a header value, addresses grouped */
TOK822_LIST *
tok822_parse(const char *text, size_t len, size_t limit)
{
    TOK822_PARSE st;
    TOK822 *tp;

    st.in = tok822_scan(text, len, limit);
    st.pos = st.in->count;
    st.out = tok822_alloc();
    st.pend = tok822_alloc();
    st.word_ok = 1;
    st.in_group = 0;
    while ((tp = tok822_next(&st)) != NULL) {
        st.pos--;
        tok822_parse_one(&st, tp);
    }
    tok822_flush(&st, 0);
    tok822_reverse(st.out);
    st.out->flags |= st.in->flags & TOK822_LIST_TRUNC;
    tok822_free(st.in);
    tok822_free(st.pend);
    return st.out;
}
