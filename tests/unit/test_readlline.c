/* test_readlline - unit tests for readlline (logical lines: comments, blank
 * lines, continuations that keep their leading white space, a first line
 * that starts with white space, trailing white space) and for dict_src,
 * which splits those lines into "key whitespace value" entries. Warnings
 * are captured through a msg output channel. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "table_fixture.h"
#include "readlline.h"
#include "dict_src.h"

/* A logical line and the physical line it starts at; text NULL ends a
 * list. */
typedef struct LINE_WANT {
    const char *text;
    int     lineno;
} LINE_WANT;

/* expect_line - the next logical line and its first physical line */
static void
expect_line(LINE_READER *lr, BUF *buf, const char *want, int want_lineno)
{
    int     lineno = -1;

    assert_int_equal(readlline(lr, buf, &lineno), 1);
    assert_string_equal(buf_str(buf), want);
    assert_int_equal(lineno, want_lineno);
}

/* expect_lines - text (named path) gives exactly the wanted logical lines
 * and then the end (twice: the end stays the end), without a read error;
 * log is what was logged meanwhile */
static void
expect_lines(const char *text, const char *path, const LINE_WANT *want,
             const char *log)
{
    FILE   *fp = fixture_stream(text, strlen(text));
    LINE_READER *lr = line_reader_open(fp, path);
    BUF    *buf = buf_alloc(1);
    int     lineno;

    for (; want->text; want++)
        expect_line(lr, buf, want->text, want->lineno);
    assert_int_equal(readlline(lr, buf, &lineno), 0);
    assert_int_equal(readlline(lr, buf, &lineno), 0);
    assert_false(line_reader_error(lr));
    assert_string_equal(buf_str(fixture_log), log);
    line_reader_free(lr);
    buf_free(buf);
    fclose(fp);
}

/* test_comments_and_blanks - skipped anywhere */
static void
test_comments_and_blanks(void **state)
{
    static const LINE_WANT want[] = {{"one 1", 4}, {"two 2", 7}, {0}};

    expect_lines("# head\n\n   \none 1\n\t# indented comment\n\ntwo 2\n#tail",
                 "t.cf", want, "");
}

/* test_continuation - leading white space of continuation lines is kept,
 * also across comments; trailing white space goes */
static void
test_continuation(void **state)
{
    static const LINE_WANT want[] = {
        {"key first  second\tthird", 1}, {"next x", 6}, {0},
    };

    expect_lines("key first  \n  second\n# note\n\n\tthird \t\nnext x\r\n",
                 "t.cf", want, "");
}

/* test_leading_space - a first line with leading white space is warned
 * about and skipped, with its would-be continuation */
static void
test_leading_space(void **state)
{
    static const LINE_WANT want[] = {{"key value", 3}, {0}};

    expect_lines("  orphan\n\tmore\nkey value\n", "/etc/t.cf", want,
        "warning: /etc/t.cf:1: logical line must not start with white space\n"
        "warning: /etc/t.cf:2: logical line must not start with white space\n");
}

/* test_long_line - no fixed buffers: a 100 kB line arrives whole */
static void
test_long_line(void **state)
{
    size_t  len = 100000;
    char   *text = malloc(len + 2);
    FILE   *fp;
    LINE_READER *lr;
    BUF    *buf = buf_alloc(10);
    int     lineno;

    memset(text, 'x', len);
    text[len] = '\n';
    text[len + 1] = 0;
    fp = fixture_stream(text, strlen(text));
    lr = line_reader_open(fp, "t.cf");
    assert_int_equal(readlline(lr, buf, &lineno), 1);
    assert_int_equal(buf_len(buf), len);
    line_reader_free(lr);
    buf_free(buf);
    fclose(fp);
    free(text);
}

/* An entry of a source; key NULL ends a list. */
typedef struct ENTRY_WANT {
    const char *key;
    const char *value;
    int     lineno;
} ENTRY_WANT;

/* expect_entries - text read as the source "-" gives exactly the wanted
 * entries, then the end; log is what was logged meanwhile */
static void
expect_entries(const char *text, const ENTRY_WANT *want, const char *log)
{
    FILE   *fp = fixture_stream(text, strlen(text));
    DICT_SRC *src = dict_src_fopen(fp, "-");
    const char *k;
    const char *v;
    int     lineno;

    assert_string_equal(dict_src_path(src), "-");
    for (; want->key; want++) {
        assert_int_equal(dict_src_next(src, &k, &v, &lineno), 1);
        assert_string_equal(k, want->key);
        assert_string_equal(v, want->value);
        assert_int_equal(lineno, want->lineno);
    }
    assert_int_equal(dict_src_next(src, &k, &v, &lineno), 0);
    assert_string_equal(buf_str(fixture_log), log);
    dict_src_close(src);
    fclose(fp);
}

/* test_src_entries - key, blanks, value; a line without a value is warned
 * about and skipped, the rest still read */
static void
test_src_entries(void **state)
{
    static const ENTRY_WANT want[] = {
        {"a", "1", 1}, {"B", "two words", 2}, {"c", "d", 4}, {"e", "5", 6},
        {0},
    };

    expect_entries("a 1\nB\t two words \nnovalue\nc\n d\ne 5\n", want,
                   "warning: -:3: expected format: key whitespace value\n");
}

/* test_src_quoted - a quoted key keeps its blanks and quotes */
static void
test_src_quoted(void **state)
{
    static const ENTRY_WANT want[] = {
        {"\"foo bar\"", "baz", 1}, {"\"a\\\"b c\"", "d", 2}, {"e", "5", 4},
        {0},
    };

    expect_entries("\"foo bar\" baz\n\"a\\\"b c\" d\n\"open x\ne 5\n", want,
        "warning: -:3: unbalanced '\"' in '\"open x' -- ignoring this line\n");
}

/* test_src_files - open errors name the file; a read error is -1 */
static void
test_src_files(void **state)
{
    DICT_SRC *src;
    const char *k;
    const char *v;
    int     lineno;

    assert_null(dict_src_open("/nonexistent/table", fixture_why));
    assert_string_equal(buf_str(fixture_why),
                        "open /nonexistent/table: No such file or directory");
    assert_non_null(src = dict_src_open(fixture_dir, fixture_why));
    assert_int_equal(dict_src_next(src, &k, &v, &lineno), -1);
    dict_src_close(src);
    /* Reading left nothing in the directory. */
    assert_int_equal(rmdir(fixture_dir), 0);
}

/* main - run the tests */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_comments_and_blanks),
        FIXTURE_TEST(test_continuation),
        FIXTURE_TEST(test_leading_space),
        FIXTURE_TEST(test_long_line),
        FIXTURE_TEST(test_src_entries),
        FIXTURE_TEST(test_src_quoted),
        FIXTURE_TEST(test_src_files),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
