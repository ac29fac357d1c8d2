/* tok822 - RFC 5322/822 address tokens, address lists and their text.
 *
 * tok822_scan() splits text into a flat list of tokens. tok822_parse()
 * does the same for a header value (To:, Cc:, From:, ...), a sendmail
 * argument or an alias value, and also puts the tokens of each address
 * into one TOK822_ADDR token, leaving the phrase ("Name"), angle
 * brackets, group syntax ("team: ... ;") and comments around it.
 * tok822_externalize() writes a list as RFC 822 text (quoted strings
 * quoted); tok822_internalize() writes the internal form that Postfix
 * keeps in queue files (quoted strings without their quotes).
 *
 * The rules are Postfix 3.7's as observed (cleanup with sendmail -t,
 * trivial-rewrite, postalias), not RFC 5322's letter:
 *
 * Tokens. Space, tab, CR and LF separate tokens (other control
 * characters are text). "(...)" is a comment, nested, copied as
 * written, a backslash protecting the next character. "..." is a
 * quoted string and [...] a domain literal: their text is the inside,
 * a backslash taking the next character, tab, CR and LF becoming a
 * space. ( ) < > @ , ; : . [ ] " and also % and ! are one-character
 * tokens (% and ! matter to address rewriting). Anything else is an
 * atom; a backslash puts the next character into it (a lone backslash
 * at the end is dropped). An atom that then contains a space, a control
 * character or one of the characters above becomes a quoted string.
 * An unclosed comment, quoted string or domain literal ends at the end
 * of the text. The text ends at its length or its first NUL byte.
 *
 * Addresses (tok822_parse). Read from right to left: "<...>" is one
 * address and the words before it, up to , ; : or >, its phrase; a
 * comment inside an address moves out to just after it; two words in a
 * row ("a b", "a@x b@y") are two addresses, and a comma is put between
 * them; "name: ... ;" is a group (its ':' becomes TOK822_STARTGRP) once
 * a ';' was seen further right, otherwise ':' is text ("@a,@b:u@c"
 * outside angle brackets is two addresses, "@a" and "@b:u@c"). Empty
 * addresses ("<>", "team:;") make no TOK822_ADDR.
 *
 * Text. In a flat list and at the top level of a parsed one, one space
 * goes between two words (atom, quoted string, comment, domain literal,
 * address), before a '<' and after a group's ':' and a ','; inside a
 * parsed address no spaces at all ("<a b>" is the address "ab").
 * tok822_externalize() always writes ", " for a comma, even the last
 * token; tok822_internalize() writes the space only before another
 * token (so trivial-rewrite's "a," stays "a,").
 *
 * Limits: a list holds at most `limit' tokens (0: no limit; cleanup
 * passes header_address_token_limit, 10240 by default); the rest of the
 * text is ignored and TOK822_LIST_TRUNC is set. Nothing recurses on the
 * input, so deep nesting costs no stack.
 *
 * Peers: quote_822_local (local parts), rewrite_addr (trivial-rewrite's
 * rules); cleanup, smtpd, local and postalias will use these lists. */
#ifndef TOK822_H
#define TOK822_H

#include <stddef.h>
#include <sys/types.h>

#include "buf.h"

/* Token types. A special is its own character: '<', '@', '%', ... */
#define TOK822_ATOM         256
#define TOK822_QSTRING      257
#define TOK822_COMMENT      258
#define TOK822_DOMLIT       259
#define TOK822_STARTGRP     260         /* the ':' that opens a group */
#define TOK822_ADDR         261         /* an address; see TOK822.addr */

typedef struct TOK822_LIST TOK822_LIST;

/* One token. text is NUL-terminated and never NULL: an atom as
 * scanned, a quoted string or domain literal without its quotes or
 * brackets, a comment with its parentheses; "" for specials and
 * addresses. */
typedef struct TOK822 {
    int     type;
    char   *text;
    size_t  len;                        /* bytes of text */
    TOK822_LIST *addr;                  /* TOK822_ADDR: its tokens */
} TOK822;

/* A list of tokens. Read tok[0..count-1] freely; change a list only
 * with the functions below (setting the type of a special to another
 * special, e.g. '%' to '@', is also allowed). */
struct TOK822_LIST {
    TOK822 *tok;
    size_t  count;
    size_t  cap;
    int     flags;
};

#define TOK822_LIST_TRUNC   (1 << 0)    /* the token limit cut the text */
#define TOK822_LIST_PACKED  (1 << 1)    /* a parsed address: no spaces */

/* tok822_scan - the tokens of text[0..len-1] as one flat list */
TOK822_LIST *tok822_scan(const char *text, size_t len, size_t limit);

/* tok822_parse - the tokens of a header value, addresses grouped */
TOK822_LIST *tok822_parse(const char *text, size_t len, size_t limit);

/* tok822_alloc - an empty list */
TOK822_LIST *tok822_alloc(void);

/* tok822_free - a list, its addresses and their text */
void    tok822_free(TOK822_LIST *list);

/* tok822_append - add a token (text is copied; ignored for specials) */
void    tok822_append(TOK822_LIST *list, int type, const char *text,
                      size_t len);

/* tok822_splice - delete `del' tokens at `at' and put copies of
 * src->tok[from..to-1] there (src may be NULL when from == to) */
void    tok822_splice(TOK822_LIST *dst, size_t at, size_t del,
                      const TOK822_LIST *src, size_t from, size_t to);

/* tok822_find - the first token of this type in [from, to), or -1 */
ssize_t tok822_find(const TOK822_LIST *list, size_t from, size_t to,
                    int type);

/* tok822_rfind - the last token of this type in [from, to), or -1 */
ssize_t tok822_rfind(const TOK822_LIST *list, size_t from, size_t to,
                     int type);

/* tok822_replace_addr - give the address list->tok[i] the tokens of an
 * external address (e.g. trivial-rewrite's answer); it is then written
 * with the spacing of a flat list, as Postfix's cleanup does */
void    tok822_replace_addr(TOK822_LIST *list, size_t i,
                            const char *external);

/* Flags for the writers. */
#define TOK822_STR_NONE     0
#define TOK822_STR_LINE     (1 << 0)    /* "\n", not " ", after a comma */
#define TOK822_STR_TRNC     (1 << 1)    /* see below */
#define TOK822_STR_HEAD     (TOK822_STR_LINE | TOK822_STR_TRNC)

/* TOK822_STR_TRNC: a part between two top-level commas that holds an
 * address and more than 250 other bytes (phrase, comments, group name)
 * is written as "<address>", the last address of the part; this is
 * cleanup's defence of old Sendmail systems (CERT CA-2003-07).
 * TOK822_STR_HEAD is what cleanup writes for a header in which an
 * address was rewritten; it then folds "Name: " plus that text by
 * joining its lines with a space while the line stays under 70 bytes,
 * and starting a new line with a tab otherwise. */

/* tok822_externalize - append the list as RFC 822 text */
void    tok822_externalize(BUF *out, const TOK822_LIST *list, int flags);

/* tok822_internalize - append the list in internal form */
void    tok822_internalize(BUF *out, const TOK822_LIST *list, int flags);

#endif
