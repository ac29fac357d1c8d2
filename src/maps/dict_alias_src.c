/* dict_alias_src - aliases(5) source files: "name: value, ..." lines.
 *
 * Each logical line is tokenized the way RFC 822 addresses are, then the
 * name and the value are written out again in one canonical form; the
 * rules below were observed from Postfix's postalias:
 * - white space between tokens is dropped; one space goes between two
 *   "words" (atom, quoted string, comment, domain literal) and before a
 *   "<" (except at the start and after a comma); a comma is written ", ";
 * - a backslash takes the next character into an atom; an atom that then
 *   holds a special, a space or a control character is written quoted;
 * - quoted strings lose and regain their quotes (the name keeps none);
 *   in them, in domain literals and after a backslash a tab or CR becomes
 *   a space; comments are copied as they are;
 * - a quoted string, comment or domain literal that is not closed ends at
 *   the end of the line.
 * Peers: readlline.c (logical lines), dict_build.c (the caller). */
#include <stdlib.h>
#include <string.h>
#include "msg.h"
#include "mymalloc.h"
#include "readlline.h"
#include "dict_alias_src.h"

/* Token types; the specials are their own character. */
#define ALIAS_TOK_ATOM      256
#define ALIAS_TOK_QSTRING   257
#define ALIAS_TOK_COMMENT   258
#define ALIAS_TOK_DLITERAL  259

#define ALIAS_SPECIALS      "()<>@,;:\\\".[]"

typedef struct ALIAS_TOK {
    int     type;
    size_t  off;                        /* text in the token buffer */
    size_t  len;
} ALIAS_TOK;

struct DICT_ALIAS_SRC {
    LINE_READER *reader;
    BUF    *line;
    ALIAS_TOK *toks;
    size_t  tok_count;
    size_t  tok_cap;
    BUF    *tok_text;                   /* the text of every token */
    BUF    *name;
    BUF    *value;
};

/* alias_is_space - white space between tokens */
static int
alias_is_space(int ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* alias_lwsp - a tab or line break inside quotes becomes a space */
static int
alias_lwsp(int ch)
{
    return alias_is_space(ch) ? ' ' : ch;
}

/* alias_tok_start - begin a token of this type */
static ALIAS_TOK *
alias_tok_start(DICT_ALIAS_SRC *src, int type)
{
    ALIAS_TOK *tok;

    if (src->tok_count == src->tok_cap) {
        src->tok_cap = src->tok_cap ? src->tok_cap * 2 : 16;
        src->toks = myreallocarray(src->toks, src->tok_cap, sizeof(*tok));
    }
    tok = src->toks + src->tok_count++;
    tok->type = type;
    tok->off = buf_len(src->tok_text);
    tok->len = 0;
    return tok;
}

/* alias_tok_end - the token's text is complete */
static void
alias_tok_end(DICT_ALIAS_SRC *src, ALIAS_TOK *tok)
{
    tok->len = buf_len(src->tok_text) - tok->off;
}

/* alias_scan_comment - "(...)" with nesting, copied as is */
static const char *
alias_scan_comment(DICT_ALIAS_SRC *src, const char *cp)
{
    int     depth = 0;
    int     ch;

    while ((ch = *cp++) != 0) {
        buf_addch(src->tok_text, ch);
        if (ch == '\\') {
            if (*cp)
                buf_addch(src->tok_text, *cp++);
        } else if (ch == '(') {
            depth++;
        } else if (ch == ')' && --depth == 0) {
            break;
        }
    }
    return ch ? cp : cp - 1;
}

/* alias_scan_quoted - the inside of "..." or [...] up to close */
static const char *
alias_scan_quoted(DICT_ALIAS_SRC *src, const char *cp, int close)
{
    for (; *cp && *cp != close; cp++) {
        if (*cp == '\\' && *++cp == 0)
            break;
        buf_addch(src->tok_text, alias_lwsp(*(const unsigned char *) cp));
    }
    return *cp ? cp + 1 : cp;
}

/* alias_scan_atom - up to white space or a special; \x takes x */
static const char *
alias_scan_atom(DICT_ALIAS_SRC *src, const char *cp)
{
    for (; *cp && !alias_is_space(*cp); cp++) {
        if (*cp == '\\') {
            if (*++cp == 0)
                break;
            buf_addch(src->tok_text, alias_lwsp(*(const unsigned char *) cp));
        } else if (strchr(ALIAS_SPECIALS, *cp)) {
            break;
        } else {
            buf_addch(src->tok_text, *cp);
        }
    }
    return cp;
}

/* alias_tokenize - split the line into tokens */
static void
alias_tokenize(DICT_ALIAS_SRC *src, const char *cp)
{
    ALIAS_TOK *tok;

    src->tok_count = 0;
    buf_reset(src->tok_text);
    while (*cp) {
        if (alias_is_space(*cp)) {
            cp++;
            continue;
        }
        if (*cp == '(') {
            tok = alias_tok_start(src, ALIAS_TOK_COMMENT);
            cp = alias_scan_comment(src, cp);
        } else if (*cp == '"') {
            tok = alias_tok_start(src, ALIAS_TOK_QSTRING);
            cp = alias_scan_quoted(src, cp + 1, '"');
        } else if (*cp == '[') {
            tok = alias_tok_start(src, ALIAS_TOK_DLITERAL);
            cp = alias_scan_quoted(src, cp + 1, ']');
        } else if (*cp != '\\' && strchr(ALIAS_SPECIALS, *cp)) {
            tok = alias_tok_start(src, *(const unsigned char *) cp++);
        } else {
            tok = alias_tok_start(src, ALIAS_TOK_ATOM);
            cp = alias_scan_atom(src, cp);
        }
        alias_tok_end(src, tok);
    }
}

/* alias_is_word - tokens that get a space between them */
static int
alias_is_word(int type)
{
    return type >= ALIAS_TOK_ATOM;
}

/* alias_needs_quotes - an atom text that is not an atom any more */
static int
alias_needs_quotes(const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = text[i];

        if (ch < ' ' || ch == 0x7f || ch == ' ' || strchr(ALIAS_SPECIALS, ch))
            return 1;
    }
    return 0;
}

/* alias_quote - append "text" with \ before \ and " */
static void
alias_quote(BUF *out, const char *text, size_t len)
{
    buf_addch(out, '"');
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '"' || text[i] == '\\')
            buf_addch(out, '\\');
        buf_addch(out, text[i]);
    }
    buf_addch(out, '"');
}

/* alias_write_tok - one token; quoted strings and odd atoms are quoted
 * only in the value */
static void
alias_write_tok(BUF *out, const ALIAS_TOK *tok, const char *text, int quote)
{
    switch (tok->type) {
    case ALIAS_TOK_ATOM:
    case ALIAS_TOK_QSTRING:
        if (quote && (tok->type == ALIAS_TOK_QSTRING
                      || alias_needs_quotes(text, tok->len)))
            alias_quote(out, text, tok->len);
        else
            buf_append(out, text, tok->len);
        break;
    case ALIAS_TOK_DLITERAL:
        buf_addch(out, '[');
        buf_append(out, text, tok->len);
        buf_addch(out, ']');
        break;
    case ALIAS_TOK_COMMENT:
        buf_append(out, text, tok->len);
        break;
    case ',':
        buf_strcat(out, ", ");
        break;
    default:
        buf_addch(out, tok->type);
        break;
    }
}

/* alias_write - tokens [from, to) in canonical form */
static void
alias_write(DICT_ALIAS_SRC *src, size_t from, size_t to, int quote, BUF *out)
{
    int     prev = 0;

    buf_reset(out);
    for (size_t i = from; i < to; i++) {
        const ALIAS_TOK *tok = src->toks + i;

        if ((alias_is_word(tok->type) && alias_is_word(prev))
            || (tok->type == '<' && prev != 0 && prev != ','))
            buf_addch(out, ' ');
        alias_write_tok(out, tok, buf_str(src->tok_text) + tok->off, quote);
        prev = tok->type;
    }
}

/* alias_split - the name and value of the tokenized line, or a problem */
static const char *
alias_split(DICT_ALIAS_SRC *src)
{
    size_t  colon;

    for (colon = 0; colon < src->tok_count; colon++) {
        if (src->toks[colon].type == ':')
            break;
        if (src->toks[colon].type == ',')
            return "need name:value pair";
    }
    if (colon == 0 || colon + 1 >= src->tok_count)
        return "need name:value pair";
    for (size_t i = 0; i < colon; i++)
        if (src->toks[i].type == '@')
            return "name must be local";
    alias_write(src, 0, colon, 0, src->name);
    alias_write(src, colon + 1, src->tok_count, 1, src->value);
    return NULL;
}

/* dict_alias_src_create - a source over a line reader (NULL passes) */
static DICT_ALIAS_SRC *
dict_alias_src_create(LINE_READER *reader)
{
    DICT_ALIAS_SRC *src;

    if (reader == NULL)
        return NULL;
    src = mymalloc(sizeof(*src));
    memset(src, 0, sizeof(*src));
    src->reader = reader;
    src->line = buf_alloc(256);
    src->tok_text = buf_alloc(256);
    src->name = buf_alloc(64);
    src->value = buf_alloc(256);
    return src;
}

/* dict_alias_src_fopen - read aliases from an open stream */
DICT_ALIAS_SRC *
dict_alias_src_fopen(FILE *fp, const char *path)
{
    return dict_alias_src_create(line_reader_open(fp, path));
}

/* dict_alias_src_open - read aliases from a file */
DICT_ALIAS_SRC *
dict_alias_src_open(const char *path, BUF *why)
{
    return dict_alias_src_create(line_reader_open_file(path, why));
}

/* dict_alias_src_next - the next well-formed alias */
int
dict_alias_src_next(DICT_ALIAS_SRC *src, const char **name,
                    const char **value, int *lineno)
{
    const char *problem;

    while (readlline(src->reader, src->line, lineno)) {
        alias_tokenize(src, buf_str(src->line));
        if ((problem = alias_split(src)) != NULL) {
            msg_warn("%s:%d: %s", line_reader_path(src->reader), *lineno,
                     problem);
            continue;
        }
        *name = buf_str(src->name);
        *value = buf_str(src->value);
        return 1;
    }
    return line_reader_error(src->reader) ? -1 : 0;
}

/* dict_alias_src_close - release the reader; close the file if ours */
void
dict_alias_src_close(DICT_ALIAS_SRC *src)
{
    line_reader_free(src->reader);
    buf_free(src->line);
    buf_free(src->tok_text);
    buf_free(src->name);
    buf_free(src->value);
    myfree(src->toks);
    myfree(src);
}
