/* test_dict_cdb - unit tests for the cdb: table type: the file format
 * (keys and values without a NUL, as Postfix's cdb tables), -N, lookups
 * with folding, entries listed in the order they were added, incremental
 * changes, errors for a missing or foreign file, and the removal of an
 * unpublished temporary file by dict_index_cleanup (what a fatal error or
 * a signal runs) without harm to the published index. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <cdb.h>

#include "table_fixture.h"
#include "index_fixture.h"

/* raw_find - the stored value of exactly these key bytes, or NULL */
static const char *
raw_find(const char *file, const void *key, size_t klen, size_t *len)
{
    static char value[256];
    struct cdb cdb;
    int     fd = open(file, O_RDONLY);
    int     found;

    assert_true(fd >= 0);
    assert_int_equal(cdb_init(&cdb, fd), 0);
    if ((found = cdb_find(&cdb, key, klen)) > 0) {
        *len = cdb_datalen(&cdb);
        assert_true(*len < sizeof(value));
        assert_int_equal(cdb_read(&cdb, value, *len, cdb_datapos(&cdb)), 0);
    }
    cdb_free(&cdb);
    close(fd);
    return found > 0 ? value : NULL;
}

/* test_build_lookup - postmap cdb:x, then lookups */
static void
test_build_lookup(void **state)
{
    index_check_build_lookup("cdb", "c1");
}

/* test_file_format - no NUL by default; -N adds one */
static void
test_file_format(void **state)
{
    const char *path = index_build("cdb", "c2", "Key value\n",
                                   DICT_FLAG_DEFAULT);
    DICT   *dict;
    size_t  len;

    assert_memory_equal(raw_find(index_file(path, ".cdb"), "key", 3, &len),
                        "value", 5);
    assert_int_equal(len, 5);
    path = index_build("cdb", "c2", "Key value\n",
                       DICT_FLAG_DEFAULT | DICT_FLAG_TRY1NULL);
    assert_memory_equal(raw_find(index_file(path, ".cdb"), "key", 4, &len),
                        "value", 6);
    dict = index_reader("cdb", path, DICT_FLAG_DEFAULT);
    fixture_expect(dict, "key", "value");
    fixture_expect_seq(dict, "key=value;");
    dict_close(dict);
}

/* test_sequence_order - entries come back in the order of the source */
static void
test_sequence_order(void **state)
{
    const char *path = index_build("cdb", "c3", "z 1\na 2\nm 3\n",
                                   DICT_FLAG_DEFAULT);
    DICT   *dict = index_reader("cdb", path, DICT_FLAG_DEFAULT);

    fixture_expect_seq(dict, "z=1;a=2;m=3;");
    dict_close(dict);
}

/* test_incremental - add, replace, delete into a new file */
static void
test_incremental(void **state)
{
    index_check_incremental("cdb", ".cdb", "c4");
}

/* test_errors - missing and foreign files */
static void
test_errors(void **state)
{
    char    path[sizeof(fixture_file)];

    /* fixture_write() reuses its buffer: keep a copy of the name. */
    snprintf(path, sizeof(path), "%s", index_check_missing("cdb", ".cdb",
                                                           "c5"));
    fixture_write("c5.cdb", "too short for a cdb file");
    assert_non_null(strstr(index_open_error("cdb", path, O_RDONLY),
                           ".cdb: not a cdb file; rebuild it with postmap"));
    assert_non_null(strstr(index_open_error("cdb", path, O_RDWR),
                           "not a cdb file"));
    assert_int_equal(index_tmp_files(), 0);
}

/* test_cleanup - the temporary file goes, the published index stays */
static void
test_cleanup(void **state)
{
    const char *path = index_build("cdb", "c6", "a 1\n", DICT_FLAG_DEFAULT);
    DICT   *wr = index_writer("cdb", path, O_RDWR | O_CREAT | O_TRUNC,
                              DICT_FLAG_DEFAULT);
    DICT   *dict;

    assert_int_equal(dict_put(wr, "a", "2"), 0);
    assert_int_equal(index_tmp_files(), 1);
    dict_index_cleanup();
    assert_int_equal(index_tmp_files(), 0);
    buf_reset(fixture_why);
    assert_int_equal(dict_index_commit(wr, fixture_why), -1);
    assert_non_null(strstr(buf_str(fixture_why), "rename"));
    dict = index_reader("cdb", path, DICT_FLAG_DEFAULT);
    fixture_expect(dict, "a", "1");
    dict_close(dict);
}

/* test_empty_key - cdb stores an empty key */
static void
test_empty_key(void **state)
{
    index_check_empty_key("cdb", "c7");
}

/* test_older_than_source - the shared stale-index warning */
static void
test_older_than_source(void **state)
{
    index_check_older_than_source("cdb", ".cdb", "c8");
}

/* main - run the tests */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_build_lookup),
        cmocka_unit_test(test_file_format),
        cmocka_unit_test(test_sequence_order),
        cmocka_unit_test(test_incremental),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_cleanup),
        cmocka_unit_test(test_empty_key),
        cmocka_unit_test(test_older_than_source),
    };

    return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
