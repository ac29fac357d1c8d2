/* table_fixture - shared helpers for the unit tests of lookup tables and
 * their readers (test_dict_regexp.c, test_dict_pcre.c, test_dict_cidr.c,
 * test_dict_texthash.c, test_dict_inline.c, test_dict_composite.c, ...):
 * a temporary directory for table files, streams over text, opening
 * tables expecting success or failure, looking keys up, and capturing
 * what msg_*() reports.
 *
 * Include after <cmocka.h>. Everything here is static. fixture_setup and
 * fixture_teardown work as a group's setup and teardown, or around each
 * test (FIXTURE_TEST): each call makes a new directory and empty logs. */
#ifndef TABLE_FIXTURE_H
#define TABLE_FIXTURE_H
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "dict.h"
#include "msg_output.h"

#define FIXTURE_UNUSED __attribute__((unused))

/* A test run with its own directory and logs. */
#define FIXTURE_TEST(test) \
        cmocka_unit_test_setup_teardown(test, fixture_setup, fixture_teardown)

#define FIXTURE_DIR_TEMPLATE "/tmp/test_table.XXXXXX"

static char fixture_dir[sizeof(FIXTURE_DIR_TEMPLATE)];
static char fixture_file[sizeof(fixture_dir) + 64];    /* the last table */
static BUF *fixture_warnings;           /* warnings, one per line */
static BUF *fixture_log;                /* every message, as logged */
static BUF *fixture_why;

/* fixture_msg - keep every message with its "warning: " (etc.) prefix,
 * and the text of each warning once more without it */
static void
fixture_msg(enum msg_level level, const char *text)
{
    buf_sprintf_append(fixture_log, "%s%s\n", msg_level_prefix(level), text);
    if (level != MSG_WARN)
        return;
    buf_strcat(fixture_warnings, text);
    buf_addch(fixture_warnings, '\n');
}

/* fixture_setup - a new temporary directory and the message channel */
static FIXTURE_UNUSED int
fixture_setup(void **state)
{
    memcpy(fixture_dir, FIXTURE_DIR_TEMPLATE, sizeof(fixture_dir));
    if (mkdtemp(fixture_dir) == NULL)
        return -1;
    fixture_warnings = buf_alloc(256);
    fixture_log = buf_alloc(256);
    fixture_why = buf_alloc(64);
    msg_output_reset();
    msg_output_add(fixture_msg);
    return 0;
}

/* fixture_teardown - remove the directory and its files */
static FIXTURE_UNUSED int
fixture_teardown(void **state)
{
    char    cmd[sizeof(fixture_dir) + 16];

    msg_output_reset();
    buf_free(fixture_warnings);
    buf_free(fixture_log);
    buf_free(fixture_why);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fixture_dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* fixture_write_len - replace the file name in the temporary directory
 * with len bytes of text, as an editor would (write a new file, rename
 * it); returns its path (valid until the next call) */
static FIXTURE_UNUSED const char *
fixture_write_len(const char *name, const char *text, size_t len)
{
    char    tmp[sizeof(fixture_file) + 8];
    FILE   *fp;

    snprintf(fixture_file, sizeof(fixture_file), "%s/%s", fixture_dir, name);
    snprintf(tmp, sizeof(tmp), "%s.tmp", fixture_file);
    if ((fp = fopen(tmp, "w")) == NULL)
        fail_msg("create %s: %m", tmp);
    if (fwrite(text, 1, len, fp) != len)
        fail_msg("write %s: %m", tmp);
    if (fclose(fp) != 0 || rename(tmp, fixture_file) != 0)
        fail_msg("write %s: %m", fixture_file);
    return fixture_file;
}

/* fixture_write - the same for a string */
static FIXTURE_UNUSED const char *
fixture_write(const char *name, const char *text)
{
    return fixture_write_len(name, text, strlen(text));
}

/* fixture_spec - "type:name" (valid until the next call) */
static FIXTURE_UNUSED const char *
fixture_spec(const char *type, const char *name)
{
    static char spec[sizeof(fixture_file) + 32];

    snprintf(spec, sizeof(spec), "%s:%s", type, name);
    return spec;
}

/* fixture_stream - a stream that reads len bytes of text */
static FIXTURE_UNUSED FILE *
fixture_stream(const char *text, size_t len)
{
    FILE   *fp = fmemopen((void *) text, len, "r");

    if (fp == NULL)
        fail_msg("fmemopen: %m");
    return fp;
}

/* fixture_open_spec - open "type:name", expecting success */
static FIXTURE_UNUSED DICT *
fixture_open_spec(const char *spec, int open_flags, int dict_flags)
{
    DICT   *dict;

    buf_reset(fixture_why);
    if ((dict = dict_open(spec, open_flags, dict_flags, fixture_why)) == NULL)
        fail_msg("open %s: %s", spec, buf_str(fixture_why));
    return dict;
}

/* fixture_open_error - opening "type:name" fails (with the flags daemons
 * use); returns the reason (valid until the next open) */
static FIXTURE_UNUSED const char *
fixture_open_error(const char *spec, int open_flags)
{
    buf_reset(fixture_why);
    if (dict_open(spec, open_flags, DICT_FLAG_DEFAULT, fixture_why) != NULL)
        fail_msg("no error for %s", spec);
    return buf_str(fixture_why);
}

/* fixture_open_flags - write a table and open it as "type:path",
 * expecting success; warnings and the log start empty */
static FIXTURE_UNUSED DICT *
fixture_open_flags(const char *type, const char *text, int dict_flags)
{
    const char *spec = fixture_spec(type, fixture_write(type, text));

    buf_reset(fixture_warnings);
    buf_reset(fixture_log);
    return fixture_open_spec(spec, O_RDONLY, dict_flags);
}

/* fixture_open - the same with the flags daemons use */
static FIXTURE_UNUSED DICT *
fixture_open(const char *type, const char *text)
{
    return fixture_open_flags(type, text, DICT_FLAG_DEFAULT);
}

/* fixture_expect - look up key: want is the result, NULL for not found */
#define fixture_expect(dict, key, want) \
        fixture_expect_at(__FILE__, __LINE__, (dict), (key), (want))

static FIXTURE_UNUSED void
fixture_expect_at(const char *file, int line, DICT *dict, const char *key,
                  const char *want)
{
    const char *got = dict_get(dict, key);

    if (dict->error != DICT_ERR_NONE)
        _fail(file, line);
    if (got == NULL && want == NULL)
        return;
    if (got == NULL || want == NULL || strcmp(got, want) != 0) {
        print_error("key \"%s\": got %s%s%s, want %s%s%s\n", key,
                    got ? "\"" : "", got ? got : "not found", got ? "\"" : "",
                    want ? "\"" : "", want ? want : "not found",
                    want ? "\"" : "");
        _fail(file, line);
    }
}

/* fixture_warned - a warning "PATH:LINE: text..." was given for the last
 * table (text may be the start of the message) */
#define fixture_warned(lineno, text) \
        fixture_warned_at(__FILE__, __LINE__, (lineno), (text))

static FIXTURE_UNUSED void
fixture_warned_at(const char *file, int line, int lineno, const char *text)
{
    char    want[sizeof(fixture_file) + 512];

    snprintf(want, sizeof(want), "\n%s:%d: %s", fixture_file, lineno, text);
    /* Each warning follows a newline; the first follows nothing. */
    if (strstr(buf_str(fixture_warnings), want + 1)
        != buf_str(fixture_warnings)
        && strstr(buf_str(fixture_warnings), want) == NULL) {
        print_error("no warning \"%s\" in:\n%s", want + 1,
                    buf_str(fixture_warnings));
        _fail(file, line);
    }
}

/* fixture_expect_seq - the table lists exactly want ("k=v;k=v;") */
static FIXTURE_UNUSED void
fixture_expect_seq(DICT *dict, const char *want)
{
    BUF    *got = buf_alloc(100);
    const char *key;
    const char *value;
    int     status;

    for (status = dict_seq(dict, DICT_SEQ_FIRST, &key, &value); status == 0;
         status = dict_seq(dict, DICT_SEQ_NEXT, &key, &value))
        buf_sprintf_append(got, "%s=%s;", key, value);
    assert_int_equal(status, 1);
    assert_string_equal(buf_str(got), want);
    buf_free(got);
}

/* fixture_warning_count - how many warnings the last table gave */
static FIXTURE_UNUSED int
fixture_warning_count(void)
{
    int     count = 0;

    for (const char *cp = buf_str(fixture_warnings); *cp; cp++)
        count += *cp == '\n';
    return count;
}

#endif
