/* test_queue_scan - unit tests for listing a queue, hashed or flat.
 *
 * A temporary queue directory is filled by hand: files where the hash
 * puts them, a misplaced file, temporary names, a subdirectory in a flat
 * queue, a symbolic link to a directory. The scan runs from inside the
 * queue directory, as daemons do. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "argv.h"
#include "buf.h"
#include "queue_scan.h"

static char tmpdir[64];
static char oldcwd[4096];
static MAIL_QUEUE_CONF conf = {".", "deferred", 2, true};

/* touch - make an empty file or a directory (path ends in '/') */
static void
touch(const char *path)
{
    char    copy[256];
    size_t  len = strlen(path);

    snprintf(copy, sizeof(copy), "%s", path);
    if (copy[len - 1] == '/') {
        copy[len - 1] = 0;
        assert_int_equal(mkdir(copy, 0700), 0);
    } else {
        int     fd = open(copy, O_CREAT | O_WRONLY, 0600);

        assert_true(fd >= 0);
        close(fd);
    }
}

/* setup - a queue directory to scan, and go into it */
static int
setup(void **state)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_queue_scan.XXXXXX");
    if (mkdtemp(tmpdir) == NULL || getcwd(oldcwd, sizeof(oldcwd)) == NULL
        || chdir(tmpdir) < 0)
        return -1;
    return 0;
}

/* teardown - remove the directory */
static int
teardown(void **state)
{
    char    cmd[128];

    if (chdir(oldcwd) < 0)
        return -1;
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* by_text - qsort order of strings */
static int
by_text(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

/* scan - "id path" of every entry, sorted, joined by spaces */
static char *
scan(const char *queue)
{
    BUF    *why = buf_alloc(10);
    BUF    *path = buf_alloc(10);
    BUF    *out = buf_alloc(100);
    ARGV   *found = argv_alloc(4);
    QUEUE_SCAN *qs = queue_scan_open(&conf, queue, why);
    const char *id;

    assert_non_null(qs);
    while ((id = queue_scan_next(qs, path)) != NULL) {
        buf_sprintf(out, "%s=%s", id, buf_str(path));
        argv_add(found, buf_str(out));
    }
    queue_scan_close(qs);
    qsort(found->argv, (size_t) found->argc, sizeof(char *), by_text);
    buf_reset(out);
    for (int i = 0; i < found->argc; i++)
        buf_sprintf_append(out, "%s%s", i ? " " : "", found->argv[i]);
    argv_free(found);
    buf_free(why);
    buf_free(path);
    return buf_export(out);
}

/* test_hashed - files at depth 2, a misplaced one, junk skipped */
static void
test_hashed(void **state)
{
    char   *got;

    touch("deferred/");
    touch("deferred/B/");
    touch("deferred/B/D/");
    touch("deferred/B/D/BD588A740D4");
    touch("deferred/3/");
    touch("deferred/3/A/");
    touch("deferred/3/A/3A1B2C3D4E5");
    touch("deferred/3/A/12345.678.1");          /* temporary name */
    touch("deferred/C1234567890");              /* misplaced: depth 0 */
    touch("deferred/3/A/.hidden");
    got = scan("deferred");
    assert_string_equal(got, "3A1B2C3D4E5=deferred/3/A/3A1B2C3D4E5 "
                        "BD588A740D4=deferred/B/D/BD588A740D4 "
                        "C1234567890=deferred/C1234567890");
    free(got);
}

/* test_flat - a queue that is not hashed: no subdirectory is entered;
 * a symbolic link named like an id is reported, not followed */
static void
test_flat(void **state)
{
    char   *got;

    touch("incoming/");
    touch("incoming/A/");
    touch("incoming/A/AAAA1111");
    touch("incoming/4jhlxz3VH0z1bcTg");
    assert_int_equal(symlink("/tmp", "incoming/B"), 0);
    got = scan("incoming");
    assert_string_equal(got, "4jhlxz3VH0z1bcTg=incoming/4jhlxz3VH0z1bcTg "
                        "B=incoming/B");
    free(got);
}

/* test_symlink_not_followed - a link in place of a hash directory */
static void
test_symlink_not_followed(void **state)
{
    char   *got;

    touch("deferred/");
    touch("elsewhere/");
    touch("elsewhere/ABCDEF123");
    assert_int_equal(symlink("../elsewhere", "deferred/E"), 0);
    got = scan("deferred");
    assert_string_equal(got, "E=deferred/E");
    free(got);
}

/* test_missing_queue - an error, not a crash */
static void
test_missing_queue(void **state)
{
    BUF    *why = buf_alloc(10);

    assert_null(queue_scan_open(&conf, "hold", why));
    assert_non_null(strstr(buf_str(why), "hold"));
    buf_free(why);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_hashed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flat, setup, teardown),
        cmocka_unit_test_setup_teardown(test_symlink_not_followed, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_missing_queue, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
