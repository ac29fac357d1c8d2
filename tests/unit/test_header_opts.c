/* test_header_opts - unit tests for header_opts: every known name is found
 * (which also proves the table is sorted for the bisection), case and
 * white space before ':' do not matter, unknown and malformed names give
 * NULL, the flags are the ones observed from Postfix 3.7's cleanup, and
 * header_name_len() knows a header line from a body line. */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "header_opts.h"

/* Every entry: the name, its type and flags. */
static const HEADER_OPTS expected[] = {
    {"Apparently-To", HDR_APPARENTLY_TO, HDR_OPT_RECIP},
    {"Bcc", HDR_BCC, HDR_OPT_RECIP | HDR_OPT_EXTRACT | HDR_OPT_DROP},
    {"Cc", HDR_CC, HDR_OPT_RECIP | HDR_OPT_EXTRACT},
    {"Content-Description", HDR_CONTENT_DESCRIPTION, HDR_OPT_MIME},
    {"Content-Disposition", HDR_CONTENT_DISPOSITION, HDR_OPT_MIME},
    {"Content-ID", HDR_CONTENT_ID, HDR_OPT_MIME},
    {"Content-Length", HDR_CONTENT_LENGTH, HDR_OPT_DROP},
    {"Content-Transfer-Encoding", HDR_CONTENT_TRANSFER_ENCODING,
     HDR_OPT_MIME},
    {"Content-Type", HDR_CONTENT_TYPE, HDR_OPT_MIME},
    {"Date", HDR_DATE, 0},
    {"Delivered-To", HDR_DELIVERED_TO, 0},
    {"Disposition-Notification-To", HDR_DISP_NOTIFICATION, HDR_OPT_SENDER},
    {"Errors-To", HDR_ERRORS_TO, HDR_OPT_SENDER},
    {"From", HDR_FROM, HDR_OPT_SENDER},
    {"Mail-Followup-To", HDR_MAIL_FOLLOWUP_TO, HDR_OPT_SENDER},
    {"Message-Id", HDR_MESSAGE_ID, 0},
    {"MIME-Version", HDR_MIME_VERSION, HDR_OPT_MIME},
    {"Received", HDR_RECEIVED, 0},
    {"Reply-To", HDR_REPLY_TO, HDR_OPT_SENDER},
    {"Resent-Bcc", HDR_RESENT_BCC,
     HDR_OPT_RECIP | HDR_OPT_EXTRACT | HDR_OPT_DROP | HDR_OPT_RR},
    {"Resent-Cc", HDR_RESENT_CC, HDR_OPT_RECIP | HDR_OPT_EXTRACT | HDR_OPT_RR},
    {"Resent-Date", HDR_RESENT_DATE, HDR_OPT_RR},
    {"Resent-From", HDR_RESENT_FROM, HDR_OPT_SENDER | HDR_OPT_RR},
    {"Resent-Message-Id", HDR_RESENT_MESSAGE_ID, HDR_OPT_RR},
    {"Resent-Reply-To", HDR_RESENT_REPLY_TO, HDR_OPT_RECIP | HDR_OPT_RR},
    {"Resent-Sender", HDR_RESENT_SENDER, HDR_OPT_SENDER | HDR_OPT_RR},
    {"Resent-To", HDR_RESENT_TO, HDR_OPT_RECIP | HDR_OPT_EXTRACT | HDR_OPT_RR},
    {"Return-Path", HDR_RETURN_PATH, HDR_OPT_SENDER | HDR_OPT_DROP},
    {"Return-Receipt-To", HDR_RETURN_RECEIPT_TO, HDR_OPT_SENDER},
    {"Sender", HDR_SENDER, HDR_OPT_SENDER},
    {"Subject", HDR_SUBJECT, 0},
    {"To", HDR_TO, HDR_OPT_RECIP | HDR_OPT_EXTRACT},
    {"X-Original-To", HDR_X_ORIGINAL_TO, 0},
};

#define EXPECTED_COUNT (sizeof(expected) / sizeof(expected[0]))

/* find_type - the type found for a header line, or 0 */
static int
find_type(const char *line)
{
    const HEADER_OPTS *opts = header_opts_find(line);

    return opts ? opts->type : 0;
}

/* test_every_name - each entry, as written, in lower and upper case */
static void
test_every_name(void **state)
{
    char    line[100];
    const HEADER_OPTS *opts;

    /* Every type id appears once, and all are below 64. */
    assert_int_equal(EXPECTED_COUNT, HDR_TYPE_COUNT - 1);
    assert_true(HDR_TYPE_COUNT <= 64);
    for (size_t i = 0; i < EXPECTED_COUNT; i++) {
        snprintf(line, sizeof(line), "%s: value", expected[i].name);
        opts = header_opts_find(line);
        assert_non_null(opts);
        assert_string_equal(opts->name, expected[i].name);
        assert_int_equal(opts->type, expected[i].type);
        assert_int_equal(opts->flags, expected[i].flags);
        for (char *cp = line; *cp; cp++)
            *cp = (char) (i % 2 ? tolower((unsigned char) *cp)
                          : toupper((unsigned char) *cp));
        assert_int_equal(find_type(line), expected[i].type);
    }
}

/* test_forms - white space before ':', empty values, folded values */
static void
test_forms(void **state)
{
    assert_int_equal(find_type("subject:"), HDR_SUBJECT);
    assert_int_equal(find_type("To :a@x"), HDR_TO);
    assert_int_equal(find_type("Resent-To\t \t: a@x"), HDR_RESENT_TO);
    assert_int_equal(find_type("Received: from x\n\tby y"), HDR_RECEIVED);
    assert_int_equal(find_type("content-type: text/plain"),
                     HDR_CONTENT_TYPE);
}

/* test_unknown - unknown names, prefixes and extensions of known ones,
 * and lines that are no header */
static void
test_unknown(void **state)
{
    static const char *const lines[] = {
        "X-Mailer: x", "Content-Language: en", "Envelope-To: a@x",
        "T: x", "Too: x", "Resent-: x", "Resent-Toe: x", "Resent: x",
        "Content: x", "Subjec: x", "Subjects: x", "ZZZ: x", "A: x",
        "", ":", ": value", " To: a@x", "To", "To x: y", "T o: x",
        "To\n: x", "Sub\xc3\xa9ject: x", "Sub\x01ject: x", NULL,
    };

    for (const char *const *lp = lines; *lp; lp++)
        if (header_opts_find(*lp) != NULL)
            fail_msg("found: \"%s\"", *lp);
}

/* name_len - header_name_len of a string */
static size_t
name_len(const char *text)
{
    return header_name_len(text, strlen(text));
}

/* test_name_len - field name, optional white space, ':' */
static void
test_name_len(void **state)
{
    assert_int_equal(name_len("Subject: x"), 7);
    assert_int_equal(name_len("X-Any!Printable~#: x"), 17);
    assert_int_equal(name_len("X-Sp  \t: x"), 4);
    assert_int_equal(name_len("A:"), 1);
    assert_int_equal(name_len("From foo@x Mon Jan  1 00:00:00 2024"), 0);
    assert_int_equal(name_len("X-A b: c"), 0);
    assert_int_equal(name_len(" folded: x"), 0);
    assert_int_equal(name_len(": x"), 0);
    assert_int_equal(name_len("No colon"), 0);
    assert_int_equal(name_len("NoColonAtAll"), 0);
    assert_int_equal(name_len("X\x7f: x"), 0);
    assert_int_equal(name_len("X\xe9: x"), 0);
    assert_int_equal(name_len(""), 0);
    /* The length counts: the ':' must be inside it. */
    assert_int_equal(header_name_len("Subject: x", 7), 0);
    assert_int_equal(header_name_len("Subject: x", 8), 7);
    assert_int_equal(header_name_len("X-Sp  : x", 5), 0);
    /* A NUL ends the name like any other byte that is not part of one. */
    assert_int_equal(header_name_len("Sub\0ject: x", 11), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_name),
        cmocka_unit_test(test_forms),
        cmocka_unit_test(test_unknown),
        cmocka_unit_test(test_name_len),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
