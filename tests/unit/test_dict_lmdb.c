/* test_dict_lmdb - unit tests for the lmdb: and hash: table types and the
 * common indexed-table writer (dict_index.c) and loader (dict_build.c):
 * the file format (NUL-terminated keys and values, as Postfix stores
 * them), both NUL forms on lookup, duplicates with each DICT_FLAG_DUP_*
 * flag, incremental changes published by rename while an old reader
 * keeps its view, the map growing past lmdb_map_size, the errors for a
 * missing or foreign file, and the "older than source" warning. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <lmdb.h>

#include "table_fixture.h"
#include "index_fixture.h"
#include "mail_params.h"

/* raw_get - the stored value of exactly these key bytes in an LMDB file,
 * or NULL; *len gets its length */
static const char *
raw_get(const char *file, const void *key, size_t klen, size_t *len)
{
    static char value[256];
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    MDB_val k = {.mv_size = klen,.mv_data = (void *) key};
    MDB_val v;
    int     rc;

    assert_int_equal(mdb_env_create(&env), 0);
    assert_int_equal(mdb_env_open(env, file, MDB_RDONLY | MDB_NOLOCK
                                  | MDB_NOSUBDIR, 0644), 0);
    assert_int_equal(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), 0);
    assert_int_equal(mdb_dbi_open(txn, NULL, 0, &dbi), 0);
    if ((rc = mdb_get(txn, dbi, &k, &v)) == 0) {
        assert_true(v.mv_size < sizeof(value));
        memcpy(value, v.mv_data, v.mv_size);
        *len = v.mv_size;
    }
    mdb_txn_abort(txn);
    mdb_env_close(env);
    return rc == 0 ? value : NULL;
}

/* test_build_lookup - postmap lmdb:x, then lookups as a daemon does; no
 * lock file is left behind */
static void
test_build_lookup(void **state)
{
    const char *path = index_check_build_lookup("lmdb", "t1");

    assert_int_equal(access(index_file(path, ".lmdb-lock"), F_OK), -1);
}

/* test_file_format - keys and values end with a NUL, as Postfix's */
static void
test_file_format(void **state)
{
    const char *path = index_build("lmdb", "t2", "Key value\n",
                                   DICT_FLAG_DEFAULT);
    size_t  len;

    assert_memory_equal(raw_get(index_file(path, ".lmdb"), "key", 4, &len),
                        "value", 6);
    assert_int_equal(len, 6);
    assert_null(raw_get(index_file(path, ".lmdb"), "key", 3, &len));
    /* -n: no NUL; a reader finds it and remembers the form. */
    path = index_build("lmdb", "t2", "Key value\n",
                       DICT_FLAG_DEFAULT | DICT_FLAG_TRY0NULL);
    assert_memory_equal(raw_get(index_file(path, ".lmdb"), "key", 3, &len),
                        "value", 5);
    assert_int_equal(len, 5);
}

/* test_null_forms - a reader tries both forms and keeps the one found */
static void
test_null_forms(void **state)
{
    const char *path = index_build("lmdb", "t3", "a b\n",
                                   DICT_FLAG_DEFAULT | DICT_FLAG_TRY0NULL);
    DICT   *dict = index_reader("lmdb", path, DICT_FLAG_DEFAULT);

    assert_int_equal(dict->flags & (DICT_FLAG_TRY0NULL | DICT_FLAG_TRY1NULL),
                     DICT_FLAG_TRY0NULL | DICT_FLAG_TRY1NULL);
    fixture_expect(dict, "a", "b");
    assert_int_equal(dict->flags & (DICT_FLAG_TRY0NULL | DICT_FLAG_TRY1NULL),
                     DICT_FLAG_TRY0NULL);
    fixture_expect_seq(dict, "a=b;");
    dict_close(dict);
    /* A reader told -N does not find keys stored without a NUL. */
    dict = index_reader("lmdb", path, DICT_FLAG_DEFAULT | DICT_FLAG_TRY1NULL);
    fixture_expect(dict, "a", NULL);
    dict_close(dict);
}

/* test_duplicates - keep the first (with or without warning) or last */
static void
test_duplicates(void **state)
{
    const char *text = "k first\nk second\nother x\n";
    const char *path;
    DICT   *dict;

    path = index_build("lmdb", "t4", text, DICT_FLAG_FOLD_FIX
                       | DICT_FLAG_DUP_IGNORE);
    assert_int_equal(fixture_warning_count(), 0);
    dict = index_reader("lmdb", path, DICT_FLAG_DEFAULT);
    fixture_expect(dict, "k", "first");
    dict_close(dict);
    path = index_build("lmdb", "t4", text, DICT_FLAG_FOLD_FIX
                       | DICT_FLAG_DUP_REPLACE);
    assert_int_equal(fixture_warning_count(), 0);
    dict = index_reader("lmdb", path, DICT_FLAG_DEFAULT);
    fixture_expect(dict, "k", "second");
    fixture_expect(dict, "other", "x");
    dict_close(dict);
}

/* test_writer_put - the writer's own duplicate message, and lookups */
static void
test_writer_put(void **state)
{
    const char *path = fixture_write("t5", "");
    DICT   *dict = index_writer("lmdb", path, O_RDWR | O_CREAT | O_TRUNC,
                                DICT_FLAG_DEFAULT);
    char    want[sizeof(fixture_file) + 64];

    buf_reset(fixture_warnings);
    assert_int_equal(dict_put(dict, "K", "v1"), 0);
    assert_int_equal(dict_put(dict, "k", "v2"), 1);
    snprintf(want, sizeof(want), "lmdb:%s: duplicate entry: \"k\"\n", path);
    assert_string_equal(buf_str(fixture_warnings), want);
    fixture_expect(dict, "K", "v1");
    assert_int_equal(dict_del(dict, "k"), 0);
    assert_int_equal(dict_del(dict, "k"), 1);
    fixture_expect(dict, "k", NULL);
    assert_int_equal(dict_put(dict, "k", "v3"), 0);
    assert_int_equal(index_tmp_files(), 1);
    index_commit(dict);
    assert_int_equal(index_tmp_files(), 0);
    dict = index_reader("lmdb", path, DICT_FLAG_DEFAULT);
    fixture_expect(dict, "k", "v3");
    dict_close(dict);
}

/* test_incremental - changes go to a new file; an old reader keeps the
 * old contents, a new reader sees the new ones */
static void
test_incremental(void **state)
{
    index_check_incremental("lmdb", ".lmdb", "t6");
}

/* test_unchanged - a writer that changed nothing publishes nothing */
static void
test_unchanged(void **state)
{
    const char *path = index_build("lmdb", "t7", "a 1\n", DICT_FLAG_DEFAULT);
    ino_t   before = index_inode(path, ".lmdb");
    DICT   *wr = index_writer("lmdb", path, O_RDWR, DICT_FLAG_DEFAULT);

    assert_int_equal(dict_del(wr, "nope"), 1);
    index_commit(wr);
    assert_int_equal(index_inode(path, ".lmdb"), before);
    assert_int_equal(index_tmp_files(), 0);
}

/* test_missing - Postfix's wording for a missing index */
static void
test_missing(void **state)
{
    index_check_missing("lmdb", ".lmdb", "t8");
}

/* test_foreign_file - a Berkeley DB (or any other) file at NAME.db is an
 * error with advice, never a crash; so are empty and short files */
static void
test_foreign_file(void **state)
{
    static char junk[16384];
    char    path[sizeof(fixture_file)];
    char    db[sizeof(fixture_file) + 8];
    FILE   *fp;
    DICT   *dict;

    /* fixture_write() reuses its buffer: keep a copy of the name. */
    snprintf(path, sizeof(path), "%s", fixture_write("t9", "a b\n"));
    snprintf(db, sizeof(db), "%s.db", path);
    memset(junk, 0x61, sizeof(junk));
    memcpy(junk + 12, "\x61\x15\x06\x00", 4);   /* BDB hash magic */
    assert_non_null(fp = fopen(db, "w"));
    assert_int_equal(fwrite(junk, 1, sizeof(junk), fp), sizeof(junk));
    assert_int_equal(fclose(fp), 0);
    assert_non_null(strstr(index_open_error("hash", path, O_RDONLY),
                           ".db: not an LMDB file; rebuild it with postmap"));
    assert_non_null(strstr(index_open_error("hash", path, O_RDWR),
                           "not an LMDB file"));
    fixture_write("t9.db", "");
    assert_non_null(strstr(index_open_error("hash", path, O_RDONLY),
                           "not an LMDB file"));
    fixture_write("t9.db", "short");
    assert_non_null(strstr(index_open_error("hash", path, O_RDONLY),
                           "not an LMDB file"));
    assert_int_equal(index_tmp_files(), 0);
    /* A full rebuild replaces the foreign file. */
    index_build("hash", "t9", "a b\n", DICT_FLAG_DEFAULT);
    dict = index_reader("hash", path, DICT_FLAG_DEFAULT);
    fixture_expect(dict, "a", "b");
    dict_close(dict);
}

/* test_older_than_source - warn when the source changed after the build
 * and more than 100 seconds ago */
static void
test_older_than_source(void **state)
{
    index_check_older_than_source("lmdb", ".lmdb", "t10");
}

/* test_map_grows - entries far larger than lmdb_map_size still fit */
static void
test_map_grows(void **state)
{
    const char *path = fixture_write("t11", "");
    long    saved = var_lmdb_map_size;
    static char value[2100];
    char    key[32];
    DICT   *dict;

    var_lmdb_map_size = 1024 * 1024;
    memset(value, 'v', sizeof(value) - 1);
    dict = index_writer("lmdb", path, O_RDWR | O_CREAT | O_TRUNC,
                        DICT_FLAG_DEFAULT);
    for (int i = 0; i < 3000; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        assert_int_equal(dict_put(dict, key, value), 0);
    }
    index_commit(dict);
    var_lmdb_map_size = saved;
    dict = index_reader("lmdb", path, DICT_FLAG_DEFAULT);
    fixture_expect(dict, "k2999", value);
    fixture_expect(dict, "k0", value);
    dict_close(dict);
}

/* test_long_key - a key LMDB cannot store is reported and skipped */
static void
test_long_key(void **state)
{
    static char text[1024];
    const char *path;
    DICT   *dict;

    memset(text, 'k', 600);
    strcpy(text + 600, " long\nshort value\n");
    path = index_build("lmdb", "t12", text, DICT_FLAG_DEFAULT);
    fixture_warned(1, "lmdb:");
    assert_non_null(strstr(buf_str(fixture_warnings),
                           "cannot store key"));
    dict = index_reader("lmdb", path, DICT_FLAG_DEFAULT);
    fixture_expect(dict, "short", "value");
    text[600] = 0;
    fixture_expect(dict, text, NULL);
    dict_close(dict);
}

/* test_hash_type - hash: is the same thing in NAME.db */
static void
test_hash_type(void **state)
{
    const char *path = index_build("hash", "t13", "a b\n", DICT_FLAG_DEFAULT);
    DICT   *dict;
    size_t  len;

    assert_non_null(raw_get(index_file(path, ".db"), "a", 2, &len));
    assert_int_equal(access(index_file(path, ".lmdb"), F_OK), -1);
    dict = index_reader("hash", path, DICT_FLAG_DEFAULT);
    assert_string_equal(dict->type->name, "hash");
    fixture_expect(dict, "A", "b");
    dict_close(dict);
}

/* test_keeps_mode - a rebuilt index keeps the old index's permissions */
static void
test_keeps_mode(void **state)
{
    const char *path = index_build("lmdb", "t14", "a b\n", DICT_FLAG_DEFAULT);
    struct stat st;

    assert_int_equal(chmod(index_file(path, ".lmdb"), 0640), 0);
    index_build("lmdb", "t14", "a c\n", DICT_FLAG_DEFAULT);
    assert_int_equal(stat(index_file(path, ".lmdb"), &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640);
}

/* test_lock_file_removed - Postfix's lock file of the old index goes */
static void
test_lock_file_removed(void **state)
{
    const char *path = fixture_write("t15", "a b\n");
    char    lock[sizeof(fixture_file) + 16];

    snprintf(lock, sizeof(lock), "%s.lmdb-lock", path);
    fixture_write("t15.lmdb-lock", "stale");
    index_build("lmdb", "t15", "a b\n", DICT_FLAG_DEFAULT);
    assert_int_equal(access(lock, F_OK), -1);
}

/* test_empty_key - "" is stored with its NUL, refused without one */
static void
test_empty_key(void **state)
{
    const char *path = index_check_empty_key("lmdb", "t16");
    DICT   *dict;

    dict = index_writer("lmdb", path, O_RDWR | O_CREAT | O_TRUNC,
                        DICT_FLAG_DEFAULT | DICT_FLAG_TRY0NULL);
    assert_int_equal(dict_put(dict, "", "empty"), -1);
    assert_int_equal(dict->error, DICT_ERR_CONFIG);
    index_commit(dict);
}

/* main - run the tests */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_build_lookup),
        cmocka_unit_test(test_file_format),
        cmocka_unit_test(test_null_forms),
        cmocka_unit_test(test_duplicates),
        cmocka_unit_test(test_writer_put),
        cmocka_unit_test(test_incremental),
        cmocka_unit_test(test_unchanged),
        cmocka_unit_test(test_missing),
        cmocka_unit_test(test_foreign_file),
        cmocka_unit_test(test_older_than_source),
        cmocka_unit_test(test_map_grows),
        cmocka_unit_test(test_long_key),
        cmocka_unit_test(test_hash_type),
        cmocka_unit_test(test_keeps_mode),
        cmocka_unit_test(test_lock_file_removed),
        cmocka_unit_test(test_empty_key),
    };

    return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
