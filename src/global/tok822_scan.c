/* tok822_scan - split text into RFC 822 tokens.
 *
 * One pass from left to right with no recursion: comments count their
 * nesting depth instead. The rules (tok822.h) were observed from
 * Postfix 3.7's trivial-rewrite and postalias. Peers: tok822.c (the
 * list), tok822_parse.c (its caller for header values). */
#include <string.h>

#include "tok822.h"

/* Characters that end an atom and make a token of their own. */
#define TOK822_OPERATORS    "()<>@,;:\\\".[]%!"

typedef struct TOK822_INPUT {
    const unsigned char *cp;            /* next byte */
    const unsigned char *end;           /* end of the text */
    BUF    *text;                       /* text of the current token */
} TOK822_INPUT;

/* tok822_more - is there another byte (the text ends at a NUL too) */
static int
tok822_more(const TOK822_INPUT *in)
{
    return in->cp < in->end && *in->cp != 0;
}

/* tok822_is_space - white space between tokens */
static int
tok822_is_space(int ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* tok822_lwsp - tab, CR and LF inside quotes become a space */
static int
tok822_lwsp(int ch)
{
    return tok822_is_space(ch) ? ' ' : ch;
}

/* tok822_is_operator - a byte that is a token of its own */
static int
tok822_is_operator(int ch)
{
    return ch != 0 && strchr(TOK822_OPERATORS, ch) != NULL;
}

/* tok822_scan_comment - "(...)" as written, nested */
static void
tok822_scan_comment(TOK822_INPUT *in)
{
    size_t  depth = 0;
    int     ch;

    while (tok822_more(in)) {
        ch = *in->cp++;
        buf_addch(in->text, ch);
        if (ch == '\\') {
            if (tok822_more(in))
                buf_addch(in->text, *in->cp++);
        } else if (ch == '(') {
            depth++;
        } else if (ch == ')' && --depth == 0) {
            break;
        }
    }
}

/* tok822_scan_quoted - the inside of "..." or [...] up to close */
static void
tok822_scan_quoted(TOK822_INPUT *in, int close)
{
    in->cp++;
    while (tok822_more(in) && *in->cp != close) {
        if (*in->cp == '\\') {
            in->cp++;
            if (!tok822_more(in))
                break;
        }
        buf_addch(in->text, tok822_lwsp(*in->cp++));
    }
    if (tok822_more(in))
        in->cp++;
}

/* tok822_scan_atom - up to white space or an operator; \x takes x */
static int
tok822_scan_atom(TOK822_INPUT *in)
{
    int     type = TOK822_ATOM;
    int     ch;

    while (tok822_more(in) && !tok822_is_space(*in->cp)) {
        if (*in->cp == '\\') {
            in->cp++;
            if (!tok822_more(in))
                break;
        } else if (tok822_is_operator(*in->cp)) {
            break;
        }
        ch = tok822_lwsp(*in->cp++);
        if (ch == ' ' || ch < ' ' || ch == 0x7f || tok822_is_operator(ch))
            type = TOK822_QSTRING;
        buf_addch(in->text, ch);
    }
    return type;
}

/* tok822_scan_one - the token that starts at in->cp; its type */
static int
tok822_scan_one(TOK822_INPUT *in)
{
    int     ch = *in->cp;

    buf_reset(in->text);
    switch (ch) {
    case '(':
        tok822_scan_comment(in);
        return TOK822_COMMENT;
    case '"':
        tok822_scan_quoted(in, '"');
        return TOK822_QSTRING;
    case '[':
        tok822_scan_quoted(in, ']');
        return TOK822_DOMLIT;
    case '\\':
        return tok822_scan_atom(in);
    default:
        if (tok822_is_operator(ch)) {
            in->cp++;
            return ch;
        }
        return tok822_scan_atom(in);
    }
}

/* tok822_scan - the tokens of text[0..len-1] as one flat list */
TOK822_LIST *
tok822_scan(const char *text, size_t len, size_t limit)
{
    TOK822_LIST *list = tok822_alloc();
    TOK822_INPUT in;
    int     type;

    if (text == NULL) {
        text = "";
        len = 0;
    }
    in.cp = (const unsigned char *) text;
    in.end = in.cp + len;
    in.text = buf_alloc(64);
    for (;;) {
        while (tok822_more(&in) && tok822_is_space(*in.cp))
            in.cp++;
        if (!tok822_more(&in))
            break;
        if (limit > 0 && list->count >= limit) {
            list->flags |= TOK822_LIST_TRUNC;
            break;
        }
        type = tok822_scan_one(&in);
        tok822_append(list, type, buf_str(in.text), buf_len(in.text));
    }
    buf_free(in.text);
    return list;
}
