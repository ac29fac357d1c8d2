/* test_dict_texthash - unit tests for texthash:/path: the postmap source
 * format read at open, folding, duplicates under each DICT_FLAG_DUP_*
 * flag, bad lines warned about and skipped, sequence, open errors and
 * change detection. Files live in a mkdtemp directory. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "table_fixture.h"

/* write_table - replace the file name with text (as an editor would) and
 * return "texthash:PATH" */
static const char *
write_table(const char *name, const char *text)
{
    return fixture_spec("texthash", fixture_write(name, text));
}

/* open_ok - open a table, expecting success */
static DICT *
open_ok(const char *table, int dict_flags)
{
    return fixture_open_spec(table, O_RDONLY, dict_flags);
}

/* test_lookup - comments, continuations, folding, partial keys allowed */
static void
test_lookup(void **state)
{
    DICT   *dict = open_ok(write_table("t", "# comment\nKey1 value one  \n"
                                        "\nkey2 multi\n  line\n# c\n\tcont\n"
                                        "KEY3\tv3\n"), DICT_FLAG_DEFAULT);

    assert_true(dict->flags & DICT_FLAG_FIXED);
    assert_false(dict->flags & DICT_FLAG_PATTERN);
    assert_string_equal(dict_get(dict, "key1"), "value one");
    assert_string_equal(dict_get(dict, "KEY1"), "value one");
    assert_string_equal(dict_get(dict, "Key2"), "multi  line\tcont");
    assert_string_equal(dict_get(dict, "key3"), "v3");
    assert_null(dict_get(dict, "key4"));
    assert_int_equal(dict->error, DICT_ERR_NONE);
    assert_null(dict_get(dict, "# comment"));
    assert_string_equal(buf_str(fixture_log), "");
    assert_int_equal(dict_put(dict, "k", "v"), -1);     /* read-only */
    assert_int_equal(dict->error, DICT_ERR_CONFIG);
    dict_close(dict);
}

/* test_no_fold - without FOLD_FIX keys keep their case */
static void
test_no_fold(void **state)
{
    DICT   *dict = open_ok(write_table("t", "Key1 a\nkey1 b\n"),
                           DICT_FLAG_DUP_WARN);

    assert_string_equal(dict_get(dict, "Key1"), "a");
    assert_string_equal(dict_get(dict, "key1"), "b");
    assert_null(dict_get(dict, "KEY1"));
    assert_string_equal(buf_str(fixture_log), "");
    dict_close(dict);
}

/* test_duplicates - warn and keep the first, ignore, or replace */
static void
test_duplicates(void **state)
{
    const char *table = write_table("dup", "a 1\nb 2\nA 3\n");
    DICT   *dict;
    char    want[200];

    dict = open_ok(table, DICT_FLAG_DEFAULT);
    assert_string_equal(dict_get(dict, "a"), "1");
    snprintf(want, sizeof(want),
             "warning: %s/dup:3: duplicate entry: \"A\"\n", fixture_dir);
    assert_string_equal(buf_str(fixture_log), want);
    dict_close(dict);

    buf_reset(fixture_log);
    dict = open_ok(table, DICT_FLAG_DUP_IGNORE | DICT_FLAG_FOLD_FIX);
    assert_string_equal(dict_get(dict, "a"), "1");
    dict_close(dict);
    dict = open_ok(table, DICT_FLAG_DUP_REPLACE | DICT_FLAG_FOLD_FIX);
    assert_string_equal(dict_get(dict, "a"), "3");
    assert_string_equal(dict_get(dict, "b"), "2");
    dict_close(dict);
    assert_string_equal(buf_str(fixture_log), "");
}

/* test_bad_lines - a line without a value and an indented first line are
 * warned about and skipped; the rest of the table works */
static void
test_bad_lines(void **state)
{
    DICT   *dict = open_ok(write_table("bad", "  indented x\nnovalue\n"
                                        "good yes\n"), DICT_FLAG_DEFAULT);
    char    want[300];

    assert_string_equal(dict_get(dict, "good"), "yes");
    assert_null(dict_get(dict, "novalue"));
    assert_null(dict_get(dict, "indented"));
    snprintf(want, sizeof(want),
             "warning: %s/bad:1: logical line must not start with white "
             "space\nwarning: %s/bad:2: expected format: key whitespace "
             "value\n", fixture_dir, fixture_dir);
    assert_string_equal(buf_str(fixture_log), want);
    dict_close(dict);
}

/* test_sequence - every entry, in key order */
static void
test_sequence(void **state)
{
    DICT   *dict = open_ok(write_table("o", "zz 1\naa 2\nMM 3\n"),
                           DICT_FLAG_DEFAULT);

    fixture_expect_seq(dict, "aa=2;mm=3;zz=1;");
    dict_close(dict);

    dict = open_ok(write_table("empty", "# nothing\n"), DICT_FLAG_DEFAULT);
    fixture_expect_seq(dict, "");
    assert_null(dict_get(dict, "x"));
    dict_close(dict);
}

/* test_open_errors - missing file, a directory, writing, no name */
static void
test_open_errors(void **state)
{
    char    want[200];

    assert_string_equal(fixture_open_error("texthash:/nonexistent/t",
                                           O_RDONLY),
                        "open /nonexistent/t: No such file or directory");
    snprintf(want, sizeof(want), "read %s: Is a directory", fixture_dir);
    assert_string_equal(fixture_open_error(fixture_spec("texthash",
                                                        fixture_dir),
                                           O_RDONLY), want);
    snprintf(want, sizeof(want),
             "texthash:%s/t map requires O_RDONLY access mode", fixture_dir);
    assert_string_equal(fixture_open_error(write_table("t", "a b\n"),
                                           O_RDWR | O_CREAT), want);
    assert_string_equal(fixture_open_error("texthash:", O_RDONLY),
                        "table texthash: needs a name after \"texthash:\"");
}

/* test_changed - replacing the file is noticed, reopening resets that */
static void
test_changed(void **state)
{
    const char *table = write_table("w", "key old\n");
    DICT   *dict = open_ok(table, DICT_FLAG_DEFAULT);

    assert_false(dict_changed(dict));
    write_table("w", "key new\n");
    assert_true(dict_changed(dict));
    assert_string_equal(dict_get(dict, "key"), "old");
    dict_close(dict);
    dict = open_ok(table, DICT_FLAG_DEFAULT);
    assert_false(dict_changed(dict));
    assert_string_equal(dict_get(dict, "key"), "new");
    dict_close(dict);
}

/* test_odd_bytes - NUL bytes and a long value do not break anything */
static void
test_odd_bytes(void **state)
{
    static const char head[] = "a\0b c\nd e\0f\nlong ";
    static char text[sizeof(head) - 1 + 50000];
    size_t  len = sizeof(text) - (sizeof(head) - 1);
    DICT   *dict;

    memcpy(text, head, sizeof(head) - 1);
    memset(text + sizeof(head) - 1, 'v', len);
    dict = open_ok(fixture_spec("texthash", fixture_write_len("odd", text,
                                                              sizeof(text))),
                   DICT_FLAG_DEFAULT);
    assert_string_equal(dict_get(dict, "d"), "e");
    assert_int_equal(strlen(dict_get(dict, "long")), len);
    dict_close(dict);
}

/* main - run the tests */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_lookup),
        FIXTURE_TEST(test_no_fold),
        FIXTURE_TEST(test_duplicates),
        FIXTURE_TEST(test_bad_lines),
        FIXTURE_TEST(test_sequence),
        FIXTURE_TEST(test_open_errors),
        FIXTURE_TEST(test_changed),
        FIXTURE_TEST(test_odd_bytes),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
