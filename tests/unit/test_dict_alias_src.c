/* test_dict_alias_src - unit tests for the aliases(5) source parser: the
 * canonical name and value that Postfix's postalias stores for each form
 * (observed with /usr/sbin/postalias and mdb_dump), continuation and
 * comment lines, and the "PATH:LINE: ..." warning for each malformed
 * line, after which the next line is still read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "table_fixture.h"
#include "dict_alias_src.h"

/* An alias value and what is stored for it (or the warning). */
typedef struct ONE_WANT {
    const char *text;
    const char *want;
} ONE_WANT;

/* parse_len - every alias of len bytes of text as "LINE:name=value|" */
static const char *
parse_len(const char *text, size_t len)
{
    static BUF *out;
    FILE   *fp = fixture_stream(text, len);
    DICT_ALIAS_SRC *src;
    const char *name;
    const char *value;
    int     lineno;

    if (out == NULL)
        out = buf_alloc(100);
    buf_reset(out);
    buf_reset(fixture_log);
    src = dict_alias_src_fopen(fp, "aliases");
    while (dict_alias_src_next(src, &name, &value, &lineno) > 0)
        buf_sprintf_append(out, "%d:%s=%s|", lineno, name, value);
    dict_alias_src_close(src);
    fclose(fp);
    return buf_str(out);
}

/* parse - the same for a string */
static const char *
parse(const char *text)
{
    return parse_len(text, strlen(text));
}

/* one - the value stored for "k: text", or the warning */
static const char *
one(const char *text)
{
    static char line[512];
    const char *got;

    snprintf(line, sizeof(line), "k: %s\n", text);
    got = parse(line);
    if (*got == 0)
        return buf_str(fixture_log);
    assert_true(strncmp(got, "1:k=", 4) == 0);
    snprintf(line, sizeof(line), "%s", got + 4);
    line[strlen(line) - 1] = 0;         /* the "|" */
    return line;
}

/* expect_ones - what one() gives for each case */
static void
expect_ones(const ONE_WANT *cases, size_t count)
{
    for (size_t i = 0; i < count; i++)
        assert_string_equal(one(cases[i].text), cases[i].want);
}

/* test_simple - the common forms, kept as text */
static void
test_simple(void **state)
{
    assert_string_equal(parse("root: admin, Other@Example.COM\n"
                              "Postmaster:   root\n"
                              "inc: :include:/etc/inc.list\n"
                              "pipe: \"|/usr/bin/prog arg\"\n"
                              "file: /var/mail/file\n"),
                        "1:root=admin, Other@Example.COM|"
                        "2:Postmaster=root|"
                        "3:inc=:include:/etc/inc.list|"
                        "4:pipe=\"|/usr/bin/prog arg\"|"
                        "5:file=/var/mail/file|");
    assert_string_equal(buf_str(fixture_log), "");
}

/* test_continuation - continuation lines join; comments are skipped */
static void
test_continuation(void **state)
{
    assert_string_equal(parse("# comment\n"
                              "cont: a,\n"
                              "   b,\n"
                              "# inside\n"
                              "\tc\n"
                              "\n"
                              "next: x\n"),
                        "2:cont=a, b, c|7:next=x|");
}

/* test_spacing - white space is rewritten around tokens */
static void
test_spacing(void **state)
{
    static const ONE_WANT cases[] = {
        {"x    y", "x y"},
        {"x,y,,z", "x, y, , z"},
        {"x (comment) , y", "x (comment), y"},
        {"Name <addr@x>", "Name <addr@x>"},
        {"  x  ,  y  ", "x, y"},
        {"x,", "x, "},
        {"x @ y", "x@y"},
        {"x . y", "x.y"},
        {"group: a, b;", "group:a, b;"},
        {"a<b", "a <b"},
        {"< <", "< <"},
        {"@<", "@ <"},
        {"x,<y>", "x, <y>"},
        {"x ] y", "x]y"},
        {"x ) y", "x)y"},
        {") <", ") <"},
        {"a\"b\"c", "a \"b\" c"},
        {"(a)(b)", "(a) (b)"},
        {"[1.2][3]", "[1.2] [3]"},
    };

    expect_ones(cases, sizeof(cases) / sizeof(cases[0]));
}

/* test_quoting - quoted strings, escapes, atoms that need quotes */
static void
test_quoting(void **state)
{
    static const ONE_WANT cases[] = {
        {"|/bin/prog \"arg 1\"", "|/bin/prog \"arg 1\""},
        {":include:  /path/with space", ":include:/path/with space"},
        {"\"quoted local\"@example.com", "\"quoted local\"@example.com"},
        {"a\\,b", "\"a,b\""},
        {"a\\ b", "\"a b\""},
        {"\\x", "x"},
        {"x\\\\y", "\"x\\\\y\""},
        {"\\(", "\"(\""},
        {"a\\.b", "\"a.b\""},
        {"\"a\\\"b\"", "\"a\\\"b\""},
        {"\"a\\\\b\\c\"", "\"a\\\\bc\""},
        {"\"ab\"", "\"ab\""},
        {"\"\"", "\"\""},
        {"a\001b", "\"a\001b\""},
        {"a\177b", "\"a\177b\""},
        {"\xc3\xa9@x", "\xc3\xa9@x"},
        {"a \\ b", "a \" b\""},
        /* A tab inside quotes or after a backslash becomes a space; not in
         * a comment. */
        {"\"a\tb\"", "\"a b\""},
        {"a\\\tb", "\"a b\""},
        {"[a\tb]", "[a b]"},
        {"(a\tb)", "(a\tb)"},
        {"\"a\vb\"", "\"a\vb\""},
    };

    expect_ones(cases, sizeof(cases) / sizeof(cases[0]));
}

/* test_unclosed - unclosed constructs end at the end of the line */
static void
test_unclosed(void **state)
{
    static const ONE_WANT cases[] = {
        {"\"x", "\"x\""},
        {"(abc", "(abc"},
        {"x ( y", "x ( y"},
        {"[1.2", "[1.2]"},
        {"a[b", "a [b]"},
        {"a\\", "a"},
        {"\"a\\", "\"a\""},
        {"(a\\", "(a\\"},
        {"\"\\\"", "\"\\\"\""},
        {"(a (b) c)", "(a (b) c)"},
        {"(a\\)b)", "(a\\)b)"},
        {"[a\\]b]", "[a]b]"},
        /* A lone backslash is an empty atom: an empty value, as Postfix. */
        {"\\", ""},
    };

    expect_ones(cases, sizeof(cases) / sizeof(cases[0]));
}

/* test_names - the name is stored without quotes */
static void
test_names(void **state)
{
    assert_string_equal(parse("\"foo bar\": x\n"
                              "\"foo\"bar: x\n"
                              "foo (c): x\n"
                              "\"a\\\"b\": x\n"
                              "a:b: x\n"
                              "\"\": x\n"
                              "<k>: x\n"
                              "k2 : x\n"
                              "k7\\:8: x\n"
                              "\"a@b\": x\n"
                              "x\\@y: x\n"
                              "k< b >: x\n"
                              "[d]: x\n"
                              "kk: x: y: z\n"),
                        "1:foo bar=x|2:foo bar=x|3:foo (c)=x|4:a\"b=x|"
                        "5:a=b:x|6:=x|7:<k>=x|8:k2=x|9:k7:8=x|10:a@b=x|"
                        "11:x@y=x|12:k <b>=x|13:[d]=x|14:kk=x:y:z|");
    assert_string_equal(buf_str(fixture_log), "");
}

/* test_errors - each bad line is reported and skipped */
static void
test_errors(void **state)
{
    assert_string_equal(parse("bad line\n"
                              "empty:\n"
                              ": x\n"
                              "k, : x\n"
                              ",k: x\n"
                              "\"q\": \n"
                              "user@Dom.Ain: x\n"
                              "@: x\n"
                              "k@: x\n"
                              "good: yes\n"),
                        "10:good=yes|");
    assert_string_equal(buf_str(fixture_log),
                        "warning: aliases:1: need name:value pair\n"
                        "warning: aliases:2: need name:value pair\n"
                        "warning: aliases:3: need name:value pair\n"
                        "warning: aliases:4: need name:value pair\n"
                        "warning: aliases:5: need name:value pair\n"
                        "warning: aliases:6: need name:value pair\n"
                        "warning: aliases:7: name must be local\n"
                        "warning: aliases:8: name must be local\n"
                        "warning: aliases:9: name must be local\n");
}

/* test_hostile - long lines, NUL bytes and junk never crash */
static void
test_hostile(void **state)
{
    static char big[200000];
    static const char junk[] = "\"(\\[<>@,;:.)]\" \\ ( [ \"";
    char    line[64];

    memset(big, 'a', sizeof(big) - 1);
    memcpy(big, "k: ", 3);
    big[sizeof(big) - 2] = '\n';
    assert_int_equal(strlen(parse(big)), sizeof(big));
    for (size_t i = 0; i < sizeof(junk) - 1; i++) {
        snprintf(line, sizeof(line), "k: %s\n", junk + i);
        (void) parse(line);
        snprintf(line, sizeof(line), "%s: x\n", junk + i);
        (void) parse(line);
    }
    assert_string_equal(parse_len("a: b\0c\nd: e\n", 12), "1:a=b|2:d=e|");
}

/* test_bang_percent - '!' and '%' are specials, as in Postfix's
 * postalias: spaces around them go, and an escaped one is quoted */
static void
test_bang_percent(void **state)
{
    static const ONE_WANT cases[] = {
        {"a ! b", "a!b"},
        {"a % b", "a%b"},
        {"a\\!b, c\\%d", "\"a!b\", \"c%d\""},
        {"a%b, a ! b@c", "a%b, a!b@c"},
    };

    expect_ones(cases, sizeof(cases) / sizeof(cases[0]));
    assert_string_equal(parse("a ! b: x\nc\\%d: y\n"),
                        "1:a!b=x|2:c%d=y|");
}

/* test_open_missing - a missing file is an error with the reason */
static void
test_open_missing(void **state)
{
    assert_null(dict_alias_src_open("/nonexistent/aliases", fixture_why));
    assert_string_equal(buf_str(fixture_why),
                        "open /nonexistent/aliases: No such file or directory");
}

/* main - run the tests */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple),
        cmocka_unit_test(test_continuation),
        cmocka_unit_test(test_spacing),
        cmocka_unit_test(test_quoting),
        cmocka_unit_test(test_unclosed),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_bang_percent),
        cmocka_unit_test(test_open_missing),
    };

    return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
