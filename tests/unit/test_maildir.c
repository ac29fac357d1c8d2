/* test_maildir - unit tests for Maildir delivery: the names, the lazily
 * made directories, the cleanup after a failed write. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mail_copy.h"
#include "maildir.h"

static char root[64];

/* setup - a scratch directory */
static int
setup(void **state)
{
    snprintf(root, sizeof(root), "/tmp/test_maildir.XXXXXX");
    return mkdtemp(root) ? 0 : -1;
}

/* teardown - remove it */
static int
teardown(void **state)
{
    char    cmd[100];

    snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
    return system(cmd);
}

/* write_ok - the message */
static int
write_ok(STREAM *dst, void *ctx, DSN_BUF *why)
{
    stream_puts(dst, "Subject: x\n\nbody\n");
    return stream_flush(dst) < 0 ? MAIL_COPY_STAT_WRITE : 0;
}

/* write_fail - a writer that fails */
static int
write_fail(STREAM *dst, void *ctx, DSN_BUF *why)
{
    dsb_simple(why, "4.3.0", "queue file format error");
    return MAIL_COPY_STAT_CORRUPT;
}

/* only_entry - the one file in dir, or "" when it is empty */
static const char *
only_entry(const char *dir)
{
    static char name[256];
    DIR    *dp = opendir(dir);
    struct dirent *de;
    int     count = 0;

    assert_non_null(dp);
    name[0] = 0;
    while ((de = readdir(dp)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        snprintf(name, sizeof(name), "%s", de->d_name);
        count++;
    }
    closedir(dp);
    assert_true(count <= 1);
    return name;
}

/* test_deliver - directories made, the name, the content */
static void
test_deliver(void **state)
{
    DSN_BUF *why = dsb_create();
    char    dir[128], sub[160], pattern[200];
    const char *name;
    struct stat st;
    regex_t re;
    FILE   *fp;
    char    text[100];

    snprintf(dir, sizeof(dir), "%s/home/Maildir/", root);
    assert_int_equal(maildir_deliver(dir, write_ok, NULL, why), 0);
    snprintf(sub, sizeof(sub), "%s/home/Maildir/tmp", root);
    assert_string_equal(only_entry(sub), "");
    assert_int_equal(stat(sub, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    snprintf(sub, sizeof(sub), "%s/home/Maildir/cur", root);
    assert_string_equal(only_entry(sub), "");
    snprintf(sub, sizeof(sub), "%s/home/Maildir/new", root);
    name = only_entry(sub);
    snprintf(pattern, sizeof(pattern),
             "^[0-9]+\\.V[0-9a-f]+I[0-9a-f]+M[0-9]{1,6}\\.%s$",
             maildir_host());
    assert_int_equal(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
    assert_int_equal(regexec(&re, name, 0, NULL, 0), 0);
    regfree(&re);
    snprintf(sub, sizeof(sub), "%s/home/Maildir/new/%s", root, name);
    assert_int_equal(stat(sub, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_non_null(fp = fopen(sub, "r"));
    assert_int_equal(fread(text, 1, sizeof(text), fp), 17);
    fclose(fp);
    assert_memory_equal(text, "Subject: x\n\nbody\n", 17);
    dsb_free(why);
}

/* test_failures - a failed write leaves nothing; a bad path bounces */
static void
test_failures(void **state)
{
    DSN_BUF *why = dsb_create();
    char    dir[128], sub[160];
    FILE   *fp;

    snprintf(dir, sizeof(dir), "%s/Maildir", root);
    assert_int_equal(maildir_deliver(dir, write_fail, NULL, why),
                     MAIL_COPY_STAT_CORRUPT);
    snprintf(sub, sizeof(sub), "%s/Maildir/tmp", root);
    assert_string_equal(only_entry(sub), "");
    snprintf(sub, sizeof(sub), "%s/file", root);
    assert_non_null(fp = fopen(sub, "w"));
    fclose(fp);
    snprintf(dir, sizeof(dir), "%s/file/Maildir/", root);
    assert_int_equal(maildir_deliver(dir, write_ok, NULL, why),
                     MAIL_COPY_STAT_WRITE);
    assert_string_equal(buf_str(why->status), "5.2.0");
    assert_non_null(strstr(buf_str(why->reason), "create maildir file "));
    assert_non_null(strstr(buf_str(why->reason), ": Not a directory"));
    dsb_free(why);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_deliver, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failures, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
