/* test_hdr_rcpt - unit tests for hdr_rcpt: address lists, and the
 * recipients of a message header (sendmail -t). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "hdr_rcpt.h"

/* joined - the addresses of a list, joined with '|' */
static const char *
joined(const ARGV *ap)
{
    static BUF *bp;

    if (bp == NULL)
        bp = buf_alloc(64);
    buf_reset(bp);
    for (int i = 0; i < ap->argc; i++)
        buf_sprintf_append(bp, "%s|", ap->argv[i]);
    return buf_str(bp);
}

/* parse - hdr_rcpt_parse of text, joined */
static const char *
parse(const char *text)
{
    ARGV   *ap = argv_alloc(2);
    static char result[512];

    hdr_rcpt_parse(text, strlen(text), ap);
    snprintf(result, sizeof(result), "%s", joined(ap));
    argv_free(ap);
    return result;
}

static void
test_parse(void **state)
{
    assert_string_equal(parse("a@x"), "a@x|");
    assert_string_equal(parse(" a@x , b@y,,c "), "a@x|b@y|c|");
    assert_string_equal(parse("Name <a@x>, \"Last, First\" <b@y>"),
                        "a@x|b@y|");
    assert_string_equal(parse("a@x (Comment, (nested) <z@z>)"), "a@x|");
    /* As Postfix's cleanup records the original recipient (observed for
     * tok822): no source route is dropped before rewriting, and "@a,@b:c"
     * outside angle brackets is two addresses. */
    assert_string_equal(parse("<@r1,@r2:a@x>"), "@r1,@r2:a@x|");
    assert_string_equal(parse("@a,@b:user@c"), "@a|@b:user@c|");
    assert_string_equal(parse("group: g1@y, g2@y;, after@y"),
                        "g1@y|g2@y|after@y|");
    assert_string_equal(parse("empty-group: ;"), "");
    assert_string_equal(parse("\"a b\"@x, a\\,b@x"), "a b@x|a,b@x|");
    assert_string_equal(parse("<>"), "");
    assert_string_equal(parse("<unterminated"), "<unterminated|");
    assert_string_equal(parse("\"unterminated"), "unterminated|");
    assert_string_equal(parse("a@x (unterminated"), "a@x|");
    /* Two words in a row are two addresses; '%' and '!' stay. */
    assert_string_equal(parse("a@x b@y"), "a@x|b@y|");
    assert_string_equal(parse("u%h@x, h!u"), "u%h@x|h!u|");
    assert_string_equal(parse("<a b>"), "ab|");
}

/* header - feed lines to a HDR_RCPT; the recipients, joined */
static const char *
header(const char *const *lines, bool *ended)
{
    HDR_RCPT *hr = hdr_rcpt_create();
    static char result[512];
    ARGV   *ap;

    *ended = false;
    for (; *lines; lines++)
        if (!hdr_rcpt_line(*lines, strlen(*lines), hr))
            *ended = true;
    ap = hdr_rcpt_finish(hr);
    snprintf(result, sizeof(result), "%s", joined(ap));
    argv_free(ap);
    return result;
}

static void
test_header(void **state)
{
    static const char *const plain[] = {
        "From: me@x", "TO: t1@y,", " t2@y,", "\tt3@y", "Subject: to: no@y",
        "cc: c@y", "BCC: b@y", "X-To: no@y", NULL};
    static const char *const resent[] = {
        "To: old@y", "Resent-To: new@y", "resent-cc: new2@y", NULL};
    static const char *const ends[] = {
        "To: a@y", "not a header", "Cc: late@y", NULL};
    static const char *const fold_first[] = {
        " folded@y", "To: a@y", NULL};
    bool    ended;

    assert_string_equal(header(plain, &ended), "t1@y|t2@y|t3@y|c@y|b@y|");
    assert_false(ended);
    assert_string_equal(header(resent, &ended), "new@y|new2@y|");
    assert_string_equal(header(ends, &ended), "a@y|");
    assert_true(ended);
    assert_string_equal(header(fold_first, &ended), "a@y|");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_header),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
