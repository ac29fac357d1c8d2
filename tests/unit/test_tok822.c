/* test_tok822 - the RFC 822 tokenizer and address parser.
 *
 * Most expectations were recorded from Postfix 3.7.11: the header table
 * is what its cleanup did with "To: VALUE" from sendmail -t (the
 * original_recipient records, and the To: header as written into the
 * queue file, myhostname = host.example.com); the spacing cases are
 * what its trivial-rewrite answered. The rest are hostile inputs:
 * unclosed quotes, brackets and comments, NUL bytes, deep nesting,
 * 100k-token headers, the token limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "buf.h"
#include "quote_822_local.h"
#include "rewrite_addr.h"
#include "tok822.h"

static const REWRITE_ADDR_SETTINGS rewrite_settings = {
    "host.example.com", "example.com", "", 1, 0, 1, 1,
};

/* scan - tokens of a C string */
static TOK822_LIST *
scan(const char *text)
{
    return tok822_scan(text, strlen(text), 0);
}

/* check_tok - token i has this type and text */
static void
check_tok(const TOK822_LIST *list, size_t i, int type, const char *text)
{
    assert_true(i < list->count);
    assert_int_equal(list->tok[i].type, type);
    assert_string_equal(list->tok[i].text, text);
    assert_int_equal(list->tok[i].len, strlen(text));
}

/* test_scan_types - each kind of token and its text */
static void
test_scan_types(void **state)
{
    TOK822_LIST *list = scan("Name <a.b@[1.2.3.4]> (c(d)\\)) \"q\\\"s\""
                             " x!y%z;,:");
    static const int types[] = {
        TOK822_ATOM, '<', TOK822_ATOM, '.', TOK822_ATOM, '@', TOK822_DOMLIT,
        '>', TOK822_COMMENT, TOK822_QSTRING, TOK822_ATOM, '!', TOK822_ATOM,
        '%', TOK822_ATOM, ';', ',', ':',
    };

    assert_int_equal(list->count, sizeof(types) / sizeof(types[0]));
    for (size_t i = 0; i < list->count; i++)
        assert_int_equal(list->tok[i].type, types[i]);
    check_tok(list, 0, TOK822_ATOM, "Name");
    check_tok(list, 1, '<', "");
    check_tok(list, 6, TOK822_DOMLIT, "1.2.3.4");
    check_tok(list, 8, TOK822_COMMENT, "(c(d)\\))");
    check_tok(list, 9, TOK822_QSTRING, "q\"s");
    assert_int_equal(list->flags, 0);
    tok822_free(list);
}

/* test_scan_atoms - backslashes; atoms that become quoted strings */
static void
test_scan_atoms(void **state)
{
    TOK822_LIST *list = scan("a\\ b a\\.b \001 a\\\\b \303\274 \\a x\\  \\");

    check_tok(list, 0, TOK822_QSTRING, "a b");
    check_tok(list, 1, TOK822_QSTRING, "a.b");
    check_tok(list, 2, TOK822_QSTRING, "\001");
    check_tok(list, 3, TOK822_QSTRING, "a\\b");
    check_tok(list, 4, TOK822_ATOM, "\303\274");
    check_tok(list, 5, TOK822_ATOM, "a");
    check_tok(list, 6, TOK822_QSTRING, "x ");
    check_tok(list, 7, TOK822_ATOM, "");
    assert_int_equal(list->count, 8);
    tok822_free(list);
    list = scan("a\fb x\\\ty");
    check_tok(list, 0, TOK822_QSTRING, "a\fb");
    check_tok(list, 1, TOK822_QSTRING, "x y");
    tok822_free(list);
}

/* test_scan_unclosed - an open quote, literal or comment ends the text */
static void
test_scan_unclosed(void **state)
{
    TOK822_LIST *list;

    list = scan("\"abc def");
    check_tok(list, 0, TOK822_QSTRING, "abc def");
    assert_int_equal(list->count, 1);
    tok822_free(list);
    list = scan("a@[x y");
    check_tok(list, 2, TOK822_DOMLIT, "x y");
    tok822_free(list);
    list = scan("(a(b)c");
    check_tok(list, 0, TOK822_COMMENT, "(a(b)c");
    assert_int_equal(list->count, 1);
    tok822_free(list);
    list = scan("\"x\\");
    check_tok(list, 0, TOK822_QSTRING, "x");
    tok822_free(list);
    list = scan("(x\\");
    check_tok(list, 0, TOK822_COMMENT, "(x\\");
    tok822_free(list);
    list = scan(")a]");
    assert_int_equal(list->count, 3);
    assert_int_equal(list->tok[0].type, ')');
    assert_int_equal(list->tok[2].type, ']');
    tok822_free(list);
}

/* test_scan_white_space - only space, tab, CR, LF; inside quotes and
 * literals they become a space, in comments they stay */
static void
test_scan_white_space(void **state)
{
    TOK822_LIST *list = scan(" \t\r\na\r\n\t\"x\ty\rz\n\" [a\tb] (c\td\n)");

    check_tok(list, 0, TOK822_ATOM, "a");
    check_tok(list, 1, TOK822_QSTRING, "x y z ");
    check_tok(list, 2, TOK822_DOMLIT, "a b");
    check_tok(list, 3, TOK822_COMMENT, "(c\td\n)");
    assert_int_equal(list->count, 4);
    tok822_free(list);
    list = scan(" \t\r\n");
    assert_int_equal(list->count, 0);
    tok822_free(list);
    list = tok822_scan(NULL, 0, 0);
    assert_int_equal(list->count, 0);
    tok822_free(list);
}

/* test_scan_nul - the text ends at its length or its first NUL */
static void
test_scan_nul(void **state)
{
    static const char text[] = "a\0b <c>";
    TOK822_LIST *list = tok822_scan(text, sizeof(text) - 1, 0);

    assert_int_equal(list->count, 1);
    check_tok(list, 0, TOK822_ATOM, "a");
    tok822_free(list);
    list = tok822_scan("\"ab\0cd\"", 7, 0);
    check_tok(list, 0, TOK822_QSTRING, "ab");
    tok822_free(list);
    list = tok822_scan("abcdef", 3, 0);
    check_tok(list, 0, TOK822_ATOM, "abc");
    tok822_free(list);
    list = tok822_scan("(abc)", 3, 0);
    check_tok(list, 0, TOK822_COMMENT, "(ab");
    tok822_free(list);
}

/* check_internal - quote(internalize(scan(in))) is Postfix's answer */
static void
check_internal(const char *in, const char *want)
{
    TOK822_LIST *list = scan(in);
    BUF    *internal = buf_alloc(10);
    BUF    *quoted = buf_alloc(10);

    tok822_internalize(internal, list, TOK822_STR_NONE);
    quote_822_local(quoted, buf_str(internal));
    if (strcmp(buf_str(quoted), want) != 0)
        fail_msg("<%s>: got <%s>, want <%s>", in, buf_str(quoted), want);
    buf_free(internal);
    buf_free(quoted);
    tok822_free(list);
}

/* test_flat_spacing - trivial-rewrite's answers (rule remote, no
 * remote_header_rewrite_domain) for addresses that no rule changes */
static void
test_flat_spacing(void **state)
{
    check_internal("<a>b", "\"<a>b\"");
    check_internal("a<b", "\"a <b\"");
    check_internal("(c)<a>", "\"(c) <a>\"");
    check_internal("a,<b>", "\"a, <b>\"");
    check_internal("a , b", "\"a, b\"");
    check_internal("a ; b", "\"a;b\"");
    check_internal("a: b", "\"a:b\"");
    check_internal("[x]y", "\"[x] y\"");
    check_internal("[x][y]", "\"[x] [y]\"");
    check_internal("\"q\"\"r\"", "\"q r\"");
    check_internal("(a)(b)", "\"(a) (b)\"");
    check_internal("a(b)", "\"a (b)\"");
    check_internal("a . b", "a.b");
    check_internal("a\tb", "\"a b\"");
    check_internal("\"a\\b\"", "ab");
    check_internal("\"a\\\\b\"", "\"a\\\\b\"");
    check_internal("a\\", "a");
    check_internal("(a\\)", "\"(a\\\\)\"");
    check_internal("(a(b", "\"(a(b\"");
    check_internal("(a))", "\"(a))\"");
    check_internal("[a\\]b]", "\"[a]b]\"");
    check_internal("[a\"b]", "\"[a\\\"b]\"");
    check_internal("a,", "\"a,\"");
    check_internal("a, b,", "\"a, b,\"");
    check_internal(",,", "\", ,\"");
    check_internal("a,(c)", "\"a, (c)\"");
    check_internal("g:<a>", "\"g: <a>\"");
    check_internal("g;<a>", "\"g; <a>\"");
    check_internal("<<a", "\"< <a\"");
    check_internal("a@<b", "a@ <b");
    check_internal(".<a", "\". <a\"");
    check_internal("\"a\"<b>", "\"a <b>\"");
    check_internal("a>(c)<", "\"a>(c) <\"");
    check_internal("a, ,b", "\"a, , b\"");
    check_internal(",a", "\", a\"");
    check_internal("\"\"\"\"", "\" \"");
    check_internal("a \\", "\"a \"");
    check_internal("x \\( y", "\"x ( y\"");
    check_internal("x \001 y", "\"x \001 y\"");
    check_internal("a\fb", "\"a\fb\"");
    check_internal("(a\tb)", "\"(a\tb)\"");
    check_internal("\"a \"@x", "\"a \"@x");
    check_internal("x@\"y \"", "x@y ");
    check_internal("a@b(c)", "a@b (c)");
    check_internal("\303\274@x", "\303\274@x");
    check_internal("a#b$c&d*e/f=g?h^i_j`k{l|m}n~o'p+q-r",
                   "a#b$c&d*e/f=g?h^i_j`k{l|m}n~o'p+q-r");
}

/* test_externalize - quoted strings get their quotes back; a last comma
 * is followed by a space (as postalias writes "a: b," as "b, ") */
static void
test_externalize(void **state)
{
    static const char *const cases[][2] = {
        {"f\\ g, \"h i\"@j, k\\\\l", "\"f g\", \"h i\"@j, \"k\\\\l\""},
        {"b,", "b, "},
        {"x , y,,z", "x, y, , z"},
        {"<p@q>, Name <r@s>, t (c)", "<p@q>, Name <r@s>, t (c)"},
        {"a (c) b", "a (c) b"},
        {"g: a;", "g:a;"},
        {"\"a\\\"b\" [x\\]y]", "\"a\\\"b\" [x]y]"},
        {"", ""},
    };
    BUF    *out = buf_alloc(10);
    TOK822_LIST *list;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        list = scan(cases[i][0]);
        buf_reset(out);
        tok822_externalize(out, list, TOK822_STR_NONE);
        assert_string_equal(buf_str(out), cases[i][1]);
        tok822_free(list);
    }
    buf_free(out);
}

typedef struct HEADER_CASE {
    const char *value;                  /* To: header value */
    const char *rcpts;                  /* original_recipient records */
    const char *header;                 /* the To: header cleanup wrote */
} HEADER_CASE;

static const HEADER_CASE header_cases[] = {
    {"undisclosed-recipients:;",
     "",
     "undisclosed-recipients:;"},
    {"group: a, b@x;",
     "a|b@x",
     "group: a@host.example.com, b@x;"},
    {"group: a, b@x;, c",
     "a|b@x|c",
     "group: a@host.example.com, b@x;, c@host.example.com"},
    {"<@a,@b:user@c>",
     "@a,@b:user@c",
     "<user@c>"},
    {"@a,@b:user@c",
     "@a|@b:user@c",
     "\"\"@a, user@c"},
    {"Name <addr@x>",
     "addr@x",
     "Name <addr@x>"},
    {"\"Last, First\" <a@x>",
     "a@x",
     "\"Last, First\" <a@x>"},
    {"a@x (Comment)",
     "a@x",
     "a@x (Comment)"},
    {"a(c)@x",
     "a@x",
     "a(c)@x"},
    {"a @ x",
     "a@x",
     "a @ x"},
    {"a . b @ x",
     "a.b@x",
     "a . b @ x"},
    {"<>",
     "",
     "<>"},
    {"<a",
     "<a",
     "\"<a\"@host.example.com"},
    {"a>",
     "a",
     "a@host.example.com>"},
    {"<<a>>",
     "a>",
     "< <\"a>\"@host.example.com>"},
    {"Name <a@x> <b@y>",
     "a@x|b@y",
     "Name <a@x> <b@y>"},
    {"a@x <b@y>",
     "b@y",
     "a@x <b@y>"},
    {"(only comment)",
     "",
     "(only comment)"},
    {",,,",
     "",
     ",,,"},
    {"a,,b",
     "a|b",
     "a@host.example.com, , b@host.example.com"},
    {"a@[1.2.3.4]",
     "a@[1.2.3.4]",
     "a@[1.2.3.4]"},
    {"Name <a@x>, Other (c) <b@y>",
     "a@x|b@y",
     "Name <a@x>, Other (c) <b@y>"},
    {":a",
     ":a",
     "\":a\"@host.example.com"},
    {"a:",
     "a:",
     "\"a:\"@host.example.com"},
    {";a",
     "a",
     ";, a@host.example.com"},
    {"a;b",
     "a|b",
     "a@host.example.com;, b@host.example.com"},
    {"a:b:c;d",
     "c|d",
     "a:b: c@host.example.com;, d@host.example.com"},
    {"\"unterminated",
     "unterminated",
     "unterminated@host.example.com"},
    {"(unterminated a@x",
     "",
     "(unterminated a@x"},
    {"a@[unterminated",
     "a@[unterminated]",
     "a@[unterminated"},
    {"g1: g2: a;;",
     "a",
     "g1:g2: a@host.example.com;;"},
    {"John Q. Public <jqp@x>",
     "jqp@x",
     "John Q. Public <jqp@x>"},
    {"a@x b@y",
     "a@x|b@y",
     "a@x b@y"},
    {"a.\"b c\".d@x",
     "a.b c.d@x",
     "\"a.b c.d\"@x"},
    {"Name<a@x>",
     "a@x",
     "Name<a@x>"},
    {"\"\" <a@x>",
     "a@x",
     "\"\" <a@x>"},
    {"<a@x> (c)",
     "a@x",
     "<a@x> (c)"},
    {"a@x(c)(d)",
     "a@x",
     "a@x(c)(d)"},
    {"Name <a@x>(c)",
     "a@x",
     "Name <a@x>(c)"},
    {"<a@x>Name",
     "a@x|Name",
     "<a@x>, Name@host.example.com"},
    {"a@x.",
     "a@x.",
     "a@x"},
    {"<a@x.>",
     "a@x.",
     "<a@x>"},
    {"Joe <joe>",
     "joe",
     "Joe <joe@host.example.com>"},
    {"x <a@b>, y <c@d>, z",
     "a@b|c@d|z",
     "x <a@b>, y <c@d>, z@host.example.com"},
    {"undisclosed-recipients:;, z",
     "z",
     "undisclosed-recipients: ;, z@host.example.com"},
    {"(only comment), z",
     "z",
     "(only comment), z@host.example.com"},
    {"<>, z",
     "z",
     "<>, z@host.example.com"},
    {"x: <a@y>",
     "x|a@y",
     "x@host.example.com: <a@y>"},
    {"x: <a@y>, z",
     "x|a@y|z",
     "x@host.example.com: <a@y>, z@host.example.com"},
    {"<a b>",
     "ab",
     "<ab@host.example.com>"},
    {"<a(c)b>",
     "ab",
     "<ab@host.example.com (c)>"},
    {"<\"a\" \"b\">",
     "ab",
     "<\"a b\"@host.example.com>"},
    {"<a(c)@x>, z",
     "a@x|z",
     "<a@x (c)>, z@host.example.com"},
    {"a(c)",
     "a",
     "a@host.example.com (c)"},
    {"a(c)b",
     "a|b",
     "a@host.example.com, b@host.example.com (c)"},
    {"a(c)@x, z",
     "a@x|z",
     "a@x (c), z@host.example.com"},
    {"a . b @ x, z",
     "a.b@x|z",
     "a.b@x, z@host.example.com"},
    {"a@x b@y, z",
     "a@x|b@y|z",
     "a@x, b@y, z@host.example.com"},
    {"Name <a@x> <b@y>, z",
     "a@x|b@y|z",
     "Name <a@x> <b@y>, z@host.example.com"},
    {"a@x <b@y>, z",
     "b@y|z",
     "a@x <b@y>, z@host.example.com"},
    {"<a@x>(c), z",
     "a@x|z",
     "<a@x>(c), z@host.example.com"},
    {"Name (c) <a@x>, z",
     "a@x|z",
     "Name (c) <a@x>, z@host.example.com"},
    {"\"Last, First\" <a@x>, z",
     "a@x|z",
     "\"Last, First\" <a@x>, z@host.example.com"},
    {"a@[x\\]y], z",
     "a@[x]y]|z",
     "a@[x] y], z@host.example.com"},
    {"a@[x\\\\y], z",
     "a@[x\\y]|z",
     "a@[xy], z@host.example.com"},
    {"\"a\\\\b\"@x, z",
     "a\\b@x|z",
     "\"a\\\\b\"@x, z@host.example.com"},
    {"\"a\\\"b\"@x, z",
     "a\"b@x|z",
     "\"a\\\"b\"@x, z@host.example.com"},
    {"a\\ b@x, z",
     "a b@x|z",
     "\"a b\"@x, z@host.example.com"},
    {"a\\\"b@x, z",
     "a\"b@x|z",
     "\"a\\\"b\"@x, z@host.example.com"},
    {"a\\(b@x, z",
     "a(b@x|z",
     "\"a(b\"@x, z@host.example.com"},
    {"(c\\)d), z",
     "z",
     "(c\\)d), z@host.example.com"},
    {"(c(d)e), z",
     "z",
     "(c(d)e), z@host.example.com"},
    {"(c\\(d), z",
     "z",
     "(c\\(d), z@host.example.com"},
    {"g:;, z",
     "z",
     "g: ;, z@host.example.com"},
    {"g: ;, z",
     "z",
     "g: ;, z@host.example.com"},
    {"g:a;b, z",
     "a|b|z",
     "g: a@host.example.com;, b@host.example.com, z@host.example.com"},
    {"x: a, y: b;, z",
     "a|b|z",
     "x: a@host.example.com, y: b@host.example.com;, z@host.example.com"},
    {"a:b, z",
     "a:b|z",
     "\"a:b\"@host.example.com, z@host.example.com"},
    {"@a:b@c, z",
     "@a:b@c|z",
     "b@c, z@host.example.com"},
    {"<@a:b@c>, z",
     "@a:b@c|z",
     "<b@c>, z@host.example.com"},
    {"a.(c)b@x, z",
     "a.b@x|z",
     "a.b@x (c), z@host.example.com"},
    {"John Q. Public <jqp@x>, z",
     "jqp@x|z",
     "John Q.Public <jqp@x>, z@host.example.com"},
    {"Joe.<a@x>, z",
     "a@x|z",
     "Joe. <a@x>, z@host.example.com"},
    {"\"\"@x, z",
     "@x|z",
     "\"\"@x, z@host.example.com"},
    {"\"a\"@\"b\", z",
     "a@b|z",
     "a@b, z@host.example.com"},
    {"\"a\".\"b\"@x, z",
     "a.b@x|z",
     "a.b@x, z@host.example.com"},
    {"a..b@x, z",
     "a..b@x|z",
     "\"a..b\"@x, z@host.example.com"},
    {"a@x..y, z",
     "a@x..y|z",
     "a@x..y, z@host.example.com"},
    {".a@x, z",
     ".a@x|z",
     "\".a\"@x, z@host.example.com"},
    {"a\\ b <x@y>, z",
     "x@y|z",
     "\"a b\" <x@y>, z@host.example.com"},
    {"a\\\001b <x@y>, z",
     "x@y|z",
     "\"a\001b\" <x@y>, z@host.example.com"},
    {"a\\!b <x@y>, z",
     "x@y|z",
     "\"a!b\" <x@y>, z@host.example.com"},
    {"a\\.b <x@y>, z",
     "x@y|z",
     "\"a.b\" <x@y>, z@host.example.com"},
    {"\001 <x@y>, z",
     "x@y|z",
     "\"\001\" <x@y>, z@host.example.com"},
    {"a,",
     "a",
     "a@host.example.com, "},
    {"a, ",
     "a",
     "a@host.example.com, "},
    {"z,,",
     "z",
     "z@host.example.com, , "},
    {"g:;",
     "",
     "g:;"},
    {"(c) z",
     "z",
     "z@host.example.com (c)"},
    {"z (c)",
     "z",
     "z@host.example.com (c)"},
    {"Joe  Bloggs <joe>,  x@y (Comment), a b c",
     "joe|x@y|a|b|c",
     "Joe Bloggs <joe@host.example.com>, x@y (Comment),\n"
     "\ta@host.example.com, b@host.example.com, c@host.example.com"},
    /* cleanup's folding at its 70-byte boundary */
    {"a, bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb@x, c",
     "a|bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb@x|c",
     "a@host.example.com, bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb@x,\n"
     "\tc@host.example.com"},
    {"a, bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb@x, c",
     "a|bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb@x|c",
     "a@host.example.com,\n"
     "\tbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb@x, c@host.example.com"},
};

/* rcpt_list - the internal form of every address, joined by '|' */
static void
rcpt_list(const TOK822_LIST *tree, BUF *out)
{
    buf_reset(out);
    for (size_t i = 0; i < tree->count; i++) {
        if (tree->tok[i].type != TOK822_ADDR)
            continue;
        if (buf_len(out))
            buf_addch(out, '|');
        tok822_internalize(out, tree->tok[i].addr, TOK822_STR_NONE);
    }
}

/* rewrite_header - cleanup: rewrite each address; 1 when one changed */
static int
rewrite_header(TOK822_LIST *tree)
{
    BUF    *ext = buf_alloc(100);
    BUF    *res = buf_alloc(100);
    int     changed = 0;

    for (size_t i = 0; i < tree->count; i++) {
        if (tree->tok[i].type != TOK822_ADDR)
            continue;
        buf_reset(ext);
        tok822_externalize(ext, tree->tok[i].addr, TOK822_STR_NONE);
        rewrite_addr(&rewrite_settings, REWRITE_ADDR_LOCAL, buf_str(ext), res);
        if (strcmp(buf_str(ext), buf_str(res)) != 0) {
            tok822_replace_addr(tree, i, buf_str(res));
            changed = 1;
        }
    }
    buf_free(ext);
    buf_free(res);
    return changed;
}

/* fold_header - cleanup's folding of "To: " + the TOK822_STR_HEAD text:
 * the lines are joined with a space while the joined line stays under
 * 70 bytes; a new line starts with a tab */
static void
fold_header(const char *text, BUF *out)
{
    size_t  line_start = 0;
    const char *piece = text;
    const char *nl;
    size_t  len;

    buf_strcpy(out, "To: ");
    for (int first = 1;; first = 0) {
        nl = strchr(piece, '\n');
        len = nl ? (size_t) (nl - piece) : strlen(piece);
        if (!first && buf_len(out) - line_start + 1 + len < 70) {
            buf_addch(out, ' ');
        } else if (!first) {
            buf_strcat(out, "\n\t");
            line_start = buf_len(out) - 1;
        }
        buf_append(out, piece, len);
        if (nl == NULL)
            break;
        piece = nl + 1;
    }
}

/* test_header_table - recipients and rewritten header as cleanup did */
static void
test_header_table(void **state)
{
    BUF    *got = buf_alloc(100);
    BUF    *text = buf_alloc(100);
    TOK822_LIST *tree;
    const HEADER_CASE *hc;

    for (size_t i = 0; i < sizeof(header_cases) / sizeof(*hc); i++) {
        hc = header_cases + i;
        tree = tok822_parse(hc->value, strlen(hc->value), 10240);
        rcpt_list(tree, got);
        if (strcmp(buf_str(got), hc->rcpts) != 0)
            fail_msg("<%s>: recipients <%s>, want <%s>", hc->value,
                     buf_str(got), hc->rcpts);
        if (rewrite_header(tree)) {
            buf_reset(text);
            tok822_externalize(text, tree, TOK822_STR_HEAD);
            fold_header(buf_str(text), got);
        } else {
            buf_sprintf(got, "To: %s", hc->value);
        }
        if (strcmp(buf_str(got) + 4, hc->header) != 0)
            fail_msg("<%s>: header <%s>, want <%s>", hc->value,
                     buf_str(got) + 4, hc->header);
        tok822_free(tree);
    }
    buf_free(got);
    buf_free(text);
}

/* check_trnc - the TOK822_STR_TRNC form of a parsed value */
static void
check_trnc(const char *value, const char *want)
{
    TOK822_LIST *tree = tok822_parse(value, strlen(value), 0);
    BUF    *out = buf_alloc(100);

    tok822_externalize(out, tree, TOK822_STR_TRNC);
    if (strcmp(buf_str(out), want) != 0)
        fail_msg("<%.40s...>: got <%.60s...>, want <%s>", value, buf_str(out),
                 want);
    buf_free(out);
    tok822_free(tree);
}

/* repeat - n copies of ch */
static const char *
repeat(int ch, size_t n)
{
    static char text[4][400];
    static int which;
    char   *cp = text[which++ % 4];

    memset(cp, ch, n);
    cp[n] = 0;
    return cp;
}

/* test_trnc - over 250 bytes besides the address: "<address>" only
 * (Postfix: a phrase of 247 bytes stays, one of 248 goes) */
static void
test_trnc(void **state)
{
    BUF    *in = buf_alloc(100);
    BUF    *want = buf_alloc(100);

    buf_sprintf(in, "%s <x@y>, z", repeat('p', 247));
    buf_sprintf(want, "%s <x@y>, z", repeat('p', 247));
    check_trnc(buf_str(in), buf_str(want));
    buf_sprintf(in, "%s <x@y>, z", repeat('p', 248));
    check_trnc(buf_str(in), "<x@y>, z");
    buf_sprintf(in, "x@y (%s), z", repeat('c', 248));
    check_trnc(buf_str(in), "<x@y>, z");
    buf_sprintf(in, "\"%s\" <x@y>", repeat('q', 246));
    check_trnc(buf_str(in), "<x@y>");
    buf_sprintf(in, "%s <%s@y>", repeat('p', 200), repeat('l', 300));
    check_trnc(buf_str(in), buf_str(in));
    buf_sprintf(in, "%s <a@b> <x@y>, z", repeat('q', 260));
    check_trnc(buf_str(in), "<x@y>, z");
    buf_sprintf(in, "%s <%s@b> <c@d>", repeat('p', 60), repeat('a', 200));
    check_trnc(buf_str(in), "<c@d>");
    buf_sprintf(in, "g: %s <a@b>;, z", repeat('q', 260));
    check_trnc(buf_str(in), "<a@b>, z");
    buf_sprintf(in, "(%s) (%s), z", repeat('c', 300), repeat('c', 300));
    check_trnc(buf_str(in), buf_str(in));
    buf_sprintf(in, "a (%s) b", repeat('c', 260));
    check_trnc(buf_str(in), "a, <b>");
    buf_free(in);
    buf_free(want);
}

/* test_line - TOK822_STR_LINE: a newline after each top-level comma */
static void
test_line(void **state)
{
    TOK822_LIST *tree = tok822_parse("a, Name <b@c>, d,", 17, 0);
    BUF    *out = buf_alloc(10);

    tok822_externalize(out, tree, TOK822_STR_LINE);
    assert_string_equal(buf_str(out), "a,\nName <b@c>,\nd,\n");
    /* No line break inside an address, even a rewritten one. */
    tok822_replace_addr(tree, 0, "@r1,@r2:\"\"");
    buf_reset(out);
    tok822_externalize(out, tree, TOK822_STR_LINE);
    assert_string_equal(buf_str(out), "@r1, @r2:\"\",\nName <b@c>,\nd,\n");
    buf_reset(out);
    tok822_internalize(out, tree, TOK822_STR_NONE);
    assert_string_equal(buf_str(out), "@r1, @r2:, Name <b@c>, d,");
    buf_free(out);
    tok822_free(tree);
}

/* test_parse_structure - the tokens around the addresses */
static void
test_parse_structure(void **state)
{
    TOK822_LIST *tree = tok822_parse("team: \"A B\" <a@x>, b (c);", 25, 0);
    static const int types[] = {
        TOK822_ATOM, TOK822_STARTGRP, TOK822_QSTRING, '<', TOK822_ADDR, '>',
        ',', TOK822_ADDR, TOK822_COMMENT, ';',
    };

    assert_int_equal(tree->count, sizeof(types) / sizeof(types[0]));
    for (size_t i = 0; i < tree->count; i++)
        assert_int_equal(tree->tok[i].type, types[i]);
    assert_int_equal(tree->tok[4].addr->count, 3);
    assert_true(tree->tok[4].addr->flags & TOK822_LIST_PACKED);
    check_tok(tree->tok[7].addr, 0, TOK822_ATOM, "b");
    tok822_free(tree);
}

/* test_limit - at most `limit' tokens; the rest is ignored (Postfix's
 * header_address_token_limit: 3000 "aN@x.y" addresses keep a1705@x.y
 * and a cut "a1706@x.") */
static void
test_limit(void **state)
{
    BUF    *value = buf_alloc(100);
    BUF    *last = buf_alloc(100);
    TOK822_LIST *tree;
    size_t  addrs = 0;

    for (int i = 0; i < 3000; i++)
        buf_sprintf_append(value, "%sa%d@x.y", i ? "," : "", i);
    tree = tok822_parse(buf_str(value), buf_len(value), 10240);
    assert_true(tree->flags & TOK822_LIST_TRUNC);
    for (size_t i = 0; i < tree->count; i++) {
        if (tree->tok[i].type == TOK822_ADDR) {
            addrs++;
            buf_reset(last);
            tok822_internalize(last, tree->tok[i].addr, 0);
        }
    }
    assert_int_equal(addrs, 1707);
    assert_string_equal(buf_str(last), "a1706@x.");
    tok822_free(tree);
    tree = tok822_parse(buf_str(value), buf_len(value), 0);
    assert_int_equal(tree->flags & TOK822_LIST_TRUNC, 0);
    tok822_free(tree);
    tree = tok822_scan("a b c", 5, 2);
    assert_int_equal(tree->count, 2);
    assert_true(tree->flags & TOK822_LIST_TRUNC);
    tok822_free(tree);
    tree = tok822_scan("a b", 3, 2);
    assert_int_equal(tree->flags, 0);
    tok822_free(tree);
    buf_free(value);
    buf_free(last);
}

/* test_edit - append, splice, find, replace */
static void
test_edit(void **state)
{
    TOK822_LIST *list = scan("a!b%c");
    TOK822_LIST *more = scan("@x.y");
    TOK822_LIST *tree;
    BUF    *out = buf_alloc(10);

    assert_int_equal(tok822_find(list, 0, list->count, '!'), 1);
    assert_int_equal(tok822_rfind(list, 0, list->count, '%'), 3);
    assert_int_equal(tok822_find(list, 2, list->count, '!'), -1);
    assert_int_equal(tok822_rfind(list, 0, 1, '%'), -1);
    assert_int_equal(tok822_find(list, 0, 99, '@'), -1);
    tok822_splice(list, 1, 2, more, 0, more->count);
    tok822_externalize(out, list, 0);
    assert_string_equal(buf_str(out), "a@x.y%c");
    tok822_splice(list, 99, 99, NULL, 0, 0);
    tok822_splice(list, 0, 99, NULL, 0, 0);
    assert_int_equal(list->count, 0);
    tok822_append(list, TOK822_QSTRING, "a b", 3);
    tok822_append(list, '@', "ignored", 7);
    check_tok(list, 1, '@', "");
    buf_reset(out);
    tok822_externalize(out, list, 0);
    assert_string_equal(buf_str(out), "\"a b\"@");
    tree = tok822_parse("Joe <a b>", 9, 0);
    tok822_splice(list, 0, 0, tree, 0, tree->count);
    tok822_replace_addr(tree, 2, "\"x y\"@z");
    tok822_replace_addr(tree, 0, "ignored: not an address");
    buf_reset(out);
    tok822_externalize(out, tree, 0);
    assert_string_equal(buf_str(out), "Joe <\"x y\"@z>");
    buf_reset(out);
    tok822_externalize(out, list, 0);
    assert_string_equal(buf_str(out), "Joe <ab>\"a b\"@");
    buf_free(out);
    tok822_free(tree);
    tok822_free(more);
    tok822_free(list);
}

/* parse_time - parse text; the number of addresses; fail if slow */
static size_t
parse_time(const char *text, size_t len, size_t limit)
{
    clock_t start = clock();
    TOK822_LIST *tree = tok822_parse(text, len, limit);
    BUF    *out = buf_alloc(100);
    size_t  addrs = 0;

    tok822_externalize(out, tree, TOK822_STR_HEAD);
    tok822_internalize(out, tree, TOK822_STR_NONE);
    for (size_t i = 0; i < tree->count; i++)
        addrs += tree->tok[i].type == TOK822_ADDR;
    tok822_free(tree);
    buf_free(out);
    assert_true(clock() - start < 5 * CLOCKS_PER_SEC);
    return addrs;
}

/* test_hostile - large and malformed input: linear, bounded, no crash */
static void
test_hostile(void **state)
{
    BUF    *text = buf_alloc(100);
    static const char *const units[] = {
        "a ", "<", ">", "(", ")", "\"", "[", "@", ":", ";", ",", "\\", "<a>",
        "g:", "a(", "\"\\", "@a,@b:c", "\001", "\377",
    };

    for (size_t u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
        buf_reset(text);
        for (int i = 0; i < 100000; i++)
            buf_strcat(text, units[u]);
        (void) parse_time(buf_str(text), buf_len(text), 0);
        (void) parse_time(buf_str(text), buf_len(text), 10240);
    }
    buf_reset(text);
    for (int i = 0; i < 100000; i++)
        buf_strcat(text, "a ");
    assert_int_equal(parse_time(buf_str(text), buf_len(text), 0), 100000);
    assert_int_equal(parse_time(buf_str(text), buf_len(text), 10240), 10240);
    buf_reset(text);
    for (int i = 0; i < 1000000; i++)
        buf_addch(text, '(');
    assert_int_equal(parse_time(buf_str(text), buf_len(text), 0), 0);
    buf_reset(text);
    buf_strcat(text, "x@y, \"");
    for (int i = 0; i < 1000; i++)
        buf_append(text, "a\0\"\n\r\t", 6);
    assert_int_equal(parse_time(buf_str(text), buf_len(text), 0), 2);
    buf_free(text);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scan_types),
        cmocka_unit_test(test_scan_atoms),
        cmocka_unit_test(test_scan_unclosed),
        cmocka_unit_test(test_scan_white_space),
        cmocka_unit_test(test_scan_nul),
        cmocka_unit_test(test_flat_spacing),
        cmocka_unit_test(test_externalize),
        cmocka_unit_test(test_header_table),
        cmocka_unit_test(test_trnc),
        cmocka_unit_test(test_line),
        cmocka_unit_test(test_parse_structure),
        cmocka_unit_test(test_limit),
        cmocka_unit_test(test_edit),
        cmocka_unit_test(test_hostile),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
