/* index_fixture - shared helpers for the unit tests of the indexed table
 * types (test_dict_lmdb.c, test_dict_cdb.c): build an index from source
 * text the way postmap does (dict_build_load, then dict_index_commit),
 * open it for lookups, look at the files in the directory, and the checks
 * that every indexed type must pass (index_check_*).
 *
 * Include after <cmocka.h> and table_fixture.h (the temporary directory,
 * fixture_write, the warning capture). */
#ifndef INDEX_FIXTURE_H
#define INDEX_FIXTURE_H
#include <dirent.h>
#include <sys/stat.h>
#include <sys/time.h>

#include "dict_build.h"
#include "dict_index.h"
#include "dict_src.h"

/* index_writer - open type:path for writing with open_flags */
static FIXTURE_UNUSED DICT *
index_writer(const char *type, const char *path, int open_flags,
             int dict_flags)
{
    return fixture_open_spec(fixture_spec(type, path), open_flags,
                             dict_flags);
}

/* index_commit - publish a writer, expecting success */
static FIXTURE_UNUSED void
index_commit(DICT *dict)
{
    buf_reset(fixture_why);
    if (dict_index_commit(dict, fixture_why) < 0)
        fail_msg("commit: %s", buf_str(fixture_why));
}

/* index_build - write source text to name and build type:path from it as
 * "postmap type:path" does; returns the source path (until the next
 * fixture_write). Warnings start empty. */
static FIXTURE_UNUSED const char *
index_build(const char *type, const char *name, const char *text,
            int dict_flags)
{
    const char *path = fixture_write(name, text);
    DICT_SRC *src;
    DICT   *dict;

    dict = index_writer(type, path, O_RDWR | O_CREAT | O_TRUNC, dict_flags);
    buf_reset(fixture_warnings);
    if ((src = dict_src_open(path, fixture_why)) == NULL)
        fail_msg("%s", buf_str(fixture_why));
    if (dict_build_load(dict, &dict_build_table_source, src, path,
                        fixture_why) < 0)
        fail_msg("%s", buf_str(fixture_why));
    dict_src_close(src);
    index_commit(dict);
    return path;
}

/* index_reader - open type:path for lookups, expecting success */
static FIXTURE_UNUSED DICT *
index_reader(const char *type, const char *path, int dict_flags)
{
    return fixture_open_spec(fixture_spec(type, path), O_RDONLY, dict_flags);
}

/* index_open_error - opening type:path fails; returns the reason */
static FIXTURE_UNUSED const char *
index_open_error(const char *type, const char *path, int open_flags)
{
    return fixture_open_error(fixture_spec(type, path), open_flags);
}

/* index_file - path + suffix (until the next call) */
static FIXTURE_UNUSED const char *
index_file(const char *path, const char *suffix)
{
    static char name[sizeof(fixture_file) + 32];

    snprintf(name, sizeof(name), "%s%s", path, suffix);
    return name;
}

/* index_inode - the inode of path + suffix */
static FIXTURE_UNUSED ino_t
index_inode(const char *path, const char *suffix)
{
    struct stat st;

    if (stat(index_file(path, suffix), &st) < 0)
        fail_msg("stat %s: %m", index_file(path, suffix));
    return st.st_ino;
}

/* index_tmp_files - how many temporary index files the directory holds */
static FIXTURE_UNUSED int
index_tmp_files(void)
{
    DIR    *dir = opendir(fixture_dir);
    struct dirent *dp;
    int     count = 0;
    size_t  len;

    assert_non_null(dir);
    while ((dp = readdir(dir)) != NULL) {
        len = strlen(dp->d_name);
        count += len > 4 && strcmp(dp->d_name + len - 4, ".tmp") == 0;
    }
    closedir(dir);
    return count;
}

/* index_age - set the modification time of path to seconds ago */
static FIXTURE_UNUSED void
index_age(const char *path, int seconds)
{
    struct timeval tv[2];

    gettimeofday(&tv[0], NULL);
    tv[0].tv_sec -= seconds;
    tv[1] = tv[0];
    if (utimes(path, tv) < 0)
        fail_msg("utimes %s: %m", path);
}

/* The checks every indexed type passes; suffix is the index file's. */

/* A source with a duplicate key and a continuation line. */
#define INDEX_SOURCE "Foo bar\nbaz qux quux\nfoo dup\n#c\nnovalue\n  cont\n"

/* index_check_build_lookup - postmap type:name, then lookups as a daemon
 * does them; returns the source path (until the next fixture_write) */
static FIXTURE_UNUSED const char *
index_check_build_lookup(const char *type, const char *name)
{
    const char *path = index_build(type, name, INDEX_SOURCE,
                                   DICT_FLAG_DEFAULT);
    DICT   *dict;

    fixture_warned(3, "duplicate entry: \"foo\"");
    assert_int_equal(fixture_warning_count(), 1);
    assert_int_equal(index_tmp_files(), 0);
    dict = index_reader(type, path, DICT_FLAG_DEFAULT);
    assert_true(dict->flags & DICT_FLAG_FIXED);
    fixture_expect(dict, "foo", "bar");
    fixture_expect(dict, "FOO", "bar");
    fixture_expect(dict, "baz", "qux quux");
    fixture_expect(dict, "novalue", "cont");
    fixture_expect(dict, "nope", NULL);
    fixture_expect(dict, "", NULL);
    dict_close(dict);
    return path;
}

/* index_check_incremental - add, replace and delete go to a new file; an
 * old reader keeps the old contents, a new reader sees the new ones */
static FIXTURE_UNUSED void
index_check_incremental(const char *type, const char *suffix,
                        const char *name)
{
    const char *path = index_build(type, name, "a 1\nb 2\n",
                                   DICT_FLAG_DEFAULT);
    ino_t   before = index_inode(path, suffix);
    DICT   *old = index_reader(type, path, DICT_FLAG_DEFAULT);
    DICT   *wr = index_writer(type, path, O_RDWR, DICT_FLAG_DEFAULT
                              | DICT_FLAG_DUP_REPLACE);
    DICT   *now;

    fixture_expect(wr, "a", "1");
    assert_int_equal(dict_put(wr, "b", "two"), 0);
    assert_int_equal(dict_put(wr, "c", "3"), 0);
    assert_int_equal(dict_del(wr, "a"), 0);
    assert_int_equal(dict_changed(old), 0);
    index_commit(wr);
    assert_true(index_inode(path, suffix) != before);
    assert_int_equal(dict_changed(old), 1);
    fixture_expect(old, "a", "1");
    fixture_expect(old, "c", NULL);
    now = index_reader(type, path, DICT_FLAG_DEFAULT);
    fixture_expect_seq(now, "b=two;c=3;");
    dict_close(now);
    dict_close(old);
}

/* index_check_empty_key - "" is stored and found; returns the source
 * path (until the next fixture_write) */
static FIXTURE_UNUSED const char *
index_check_empty_key(const char *type, const char *name)
{
    const char *path = fixture_write(name, "");
    DICT   *dict = index_writer(type, path, O_RDWR | O_CREAT | O_TRUNC,
                                DICT_FLAG_DEFAULT);

    assert_int_equal(dict_put(dict, "", "empty"), 0);
    index_commit(dict);
    dict = index_reader(type, path, DICT_FLAG_DEFAULT);
    fixture_expect(dict, "", "empty");
    dict_close(dict);
    return path;
}

/* index_check_missing - Postfix's wording for a missing index, for
 * reading and for writing; returns the source path (until the next
 * fixture_write) */
static FIXTURE_UNUSED const char *
index_check_missing(const char *type, const char *suffix, const char *name)
{
    const char *path = fixture_write(name, "a b\n");
    char    want[sizeof(fixture_file) + 64];

    snprintf(want, sizeof(want),
             "open database %s%s: No such file or directory", path, suffix);
    assert_string_equal(index_open_error(type, path, O_RDONLY), want);
    assert_string_equal(index_open_error(type, path, O_RDWR), want);
    assert_int_equal(index_tmp_files(), 0);
    return path;
}

/* index_check_older_than_source - warn when the source changed after the
 * build and more than 100 seconds ago */
static FIXTURE_UNUSED void
index_check_older_than_source(const char *type, const char *suffix,
                              const char *name)
{
    const char *path = index_build(type, name, "a b\n", DICT_FLAG_DEFAULT);
    char    want[2 * sizeof(fixture_file) + 64];

    index_age(index_file(path, suffix), 300);
    index_age(path, 200);
    buf_reset(fixture_warnings);
    dict_close(index_reader(type, path, DICT_FLAG_DEFAULT));
    snprintf(want, sizeof(want), "database %s%s is older than source "
             "file %s\n", path, suffix, path);
    assert_string_equal(buf_str(fixture_warnings), want);
    index_age(path, 50);
    buf_reset(fixture_warnings);
    dict_close(index_reader(type, path, DICT_FLAG_DEFAULT));
    assert_string_equal(buf_str(fixture_warnings), "");
}

#endif
