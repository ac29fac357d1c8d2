/* test_mail_queue - unit tests for queue names, paths and file life cycle.
 *
 * Paths are compared with where Debian's Postfix 3.7 put the same ids
 * (hash_queue_depth 2: deferred/B/D/BD588A740D4, hold/7/8/4jhlxz3VH0z1bcTg,
 * incoming/0/C/4jhlyq0M5Zz1bc77). Files are made in a temporary queue. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "mail_queue.h"
#include "mail_queue_id.h"
#include "mymalloc.h"
#include "rec_stream.h"

static char tmpdir[64];
static MAIL_QUEUE_CONF conf;
static BUF *path;
static BUF *id;
static BUF *why;

static const char *queues[] = {
    "maildrop", "incoming", "active", "deferred", "hold", "corrupt",
    "bounce", "defer", "trace", "flush", "saved",
};

/* setup - a queue directory with every queue */
static int
setup(void **state)
{
    char    dir[128];

    snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_mail_queue.XXXXXX");
    if (mkdtemp(tmpdir) == NULL)
        return -1;
    for (size_t i = 0; i < sizeof(queues) / sizeof(queues[0]); i++) {
        snprintf(dir, sizeof(dir), "%s/%s", tmpdir, queues[i]);
        if (mkdir(dir, 0700) < 0)
            return -1;
    }
    conf.dir = tmpdir;
    conf.hash_names = "deferred, defer incoming";
    conf.hash_depth = 2;
    conf.long_ids = true;
    path = buf_alloc(10);
    id = buf_alloc(10);
    why = buf_alloc(10);
    return 0;
}

/* teardown - remove the queue */
static int
teardown(void **state)
{
    char    cmd[128];

    buf_free(path);
    buf_free(id);
    buf_free(why);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* in_tmp - a path under the queue directory */
static const char *
in_tmp(const char *name)
{
    static char buf[2][256];
    static int which;

    which = !which;
    snprintf(buf[which], sizeof(buf[which]), "%s/%s", tmpdir, name);
    return buf[which];
}

/* count_entries - names in a directory, not counting . and .. */
static int
count_entries(const char *dir)
{
    DIR    *dp = opendir(dir);
    struct dirent *de;
    int     n = 0;

    assert_non_null(dp);
    while ((de = readdir(dp)) != NULL)
        n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
    closedir(dp);
    return n;
}

/* test_names - the eleven queues and nothing else */
static void
test_names(void **state)
{
    for (size_t i = 0; i < sizeof(queues) / sizeof(queues[0]); i++)
        assert_true(mail_queue_name_ok(queues[i]));
    assert_false(mail_queue_name_ok("pid"));
    assert_false(mail_queue_name_ok("public"));
    assert_false(mail_queue_name_ok(""));
    assert_false(mail_queue_name_ok("../hold"));
    assert_true(mail_queue_hashed(&conf, "deferred"));
    assert_true(mail_queue_hashed(&conf, "defer"));
    assert_true(mail_queue_hashed(&conf, "incoming"));
    assert_false(mail_queue_hashed(&conf, "hold"));
    assert_false(mail_queue_hashed(&conf, "def"));
}

/* test_paths - hashed and flat paths as Postfix lays them out */
static void
test_paths(void **state)
{
    MAIL_QUEUE_CONF rel = {".", "deferred, defer, hold, incoming", 2, 0};

    assert_int_equal(mail_queue_path(path, &rel, "deferred", "BD588A740D4",
                                     why), 0);
    assert_string_equal(buf_str(path), "deferred/B/D/BD588A740D4");
    assert_int_equal(mail_queue_path(path, &rel, "hold",
                                     "4jhlxz3VH0z1bcTg", why), 0);
    assert_string_equal(buf_str(path), "hold/7/8/4jhlxz3VH0z1bcTg");
    assert_int_equal(mail_queue_path(path, &rel, "incoming",
                                     "4jhlyq0M5Zz1bc77", why), 0);
    assert_string_equal(buf_str(path), "incoming/0/C/4jhlyq0M5Zz1bc77");
    rel.hash_depth = 1;
    assert_int_equal(mail_queue_path(path, &rel, "defer", "BD588A740D4",
                                     why), 0);
    assert_string_equal(buf_str(path), "defer/B/BD588A740D4");
    rel.dir = NULL;
    assert_int_equal(mail_queue_path(path, &rel, "active", "BD588A740D4",
                                     why), 0);
    assert_string_equal(buf_str(path), "active/BD588A740D4");
    assert_int_equal(mail_queue_path(path, &conf, "hold", "BD588A740D4",
                                     why), 0);
    assert_string_equal(buf_str(path), in_tmp("hold/BD588A740D4"));
}

/* test_path_errors - bad queue, bad id, bad depth */
static void
test_path_errors(void **state)
{
    MAIL_QUEUE_CONF bad = conf;

    assert_int_equal(mail_queue_path(path, &conf, "nosuch", "ABCDE1", why),
                     -1);
    assert_string_equal(buf_str(why), "unknown queue name: nosuch");
    assert_int_equal(mail_queue_path(path, &conf, "hold", "../x", why), -1);
    assert_string_equal(buf_str(why), "invalid queue id");
    assert_int_equal(mail_queue_path(path, &conf, "hold", "", why), -1);
    bad.hash_depth = 0;
    assert_int_equal(mail_queue_path(path, &bad, "deferred", "ABCDE1", why),
                     -1);
    assert_string_equal(buf_str(why), "bad hash_queue_depth value: 0");
    bad.hash_depth = 6;
    assert_int_equal(mail_queue_path(path, &bad, "deferred", "ABCDE1", why),
                     -1);
    /* Flat queues do not care about the depth. */
    assert_int_equal(mail_queue_path(path, &bad, "hold", "ABCDE1", why), 0);
}

/* check_entered - the new file is where its id says, 0600, right inode */
static void
check_entered(const char *queue, bool long_form, mode_t mode)
{
    MAIL_QUEUE_ID_INFO info;
    struct stat st;

    assert_int_equal(mail_queue_path(path, &conf, queue, buf_str(id), why),
                     0);
    assert_int_equal(lstat(buf_str(path), &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(st.st_mode & 07777, mode);
    assert_false(mail_queue_ready(&st));
    assert_int_equal(mail_queue_id_decode(buf_str(id), &info), 0);
    assert_int_equal(info.long_form, long_form);
    assert_true(info.inode == (unsigned long long) st.st_ino);
}

/* test_enter - new files in hashed and flat queues, both id forms */
static void
test_enter(void **state)
{
    STREAM *sp;

    sp = mail_queue_enter(&conf, "incoming", MAIL_QUEUE_STAT_NEW, id, why);
    assert_non_null(sp);
    check_entered("incoming", true, 0600);
    stream_close(sp);
    /* Only the hash directory is left at the top of the queue. */
    assert_int_equal(count_entries(in_tmp("incoming")), 1);

    conf.long_ids = false;
    sp = mail_queue_enter(&conf, "hold", MAIL_QUEUE_STAT_NEW, id, why);
    assert_non_null(sp);
    check_entered("hold", false, 0600);
    stream_close(sp);
    assert_int_equal(count_entries(in_tmp("hold")), 1);
    conf.long_ids = true;

    assert_null(mail_queue_enter(&conf, "nosuch", 0600, id, why));
    assert_string_equal(buf_str(why), "unknown queue name: nosuch");
}

/* test_enter_mode - the mode asked for, whatever the umask */
static void
test_enter_mode(void **state)
{
    mode_t  old = umask(077);
    STREAM *sp = mail_queue_enter(&conf, "maildrop", 0644, id, why);

    umask(old);
    assert_non_null(sp);
    check_entered("maildrop", true, 0644);
    assert_int_equal(mail_queue_commit(sp, why), 0);
    assert_int_equal(mail_queue_path(path, &conf, "maildrop", buf_str(id),
                                     why), 0);
    {
        struct stat st;

        assert_int_equal(stat(buf_str(path), &st), 0);
        assert_int_equal(st.st_mode & 07777, 0744);  /* as postdrop's */
        assert_true(mail_queue_ready(&st));
    }
}

/* test_enter_unique - many files at once get distinct ids */
static void
test_enter_unique(void **state)
{
    enum {
    COUNT = 300};
    char  **ids = mymalloc(COUNT * sizeof(*ids));

    for (int i = 0; i < COUNT; i++) {
        STREAM *sp = mail_queue_enter(&conf, "incoming", 0600, id, why);

        assert_non_null(sp);
        ids[i] = mystrdup(buf_str(id));
        stream_close(sp);
        for (int j = 0; j < i; j++)
            assert_string_not_equal(ids[i], ids[j]);
    }
    for (int i = 0; i < COUNT; i++)
        myfree(ids[i]);
    myfree(ids);
}

/* test_enter_fails - a queue directory that is missing */
static void
test_enter_fails(void **state)
{
    assert_int_equal(rmdir(in_tmp("trace")), 0);
    assert_null(mail_queue_enter(&conf, "trace", 0600, id, why));
    assert_non_null(strstr(buf_str(why), "No such file or directory"));
}

/* test_commit - 0600 while written, 0700 when committed */
static void
test_commit(void **state)
{
    STREAM *sp = mail_queue_enter(&conf, "incoming", 0600, id, why);
    struct stat st;

    assert_non_null(sp);
    assert_int_equal(rec_puts(sp, 'T', "1 0"), 0);
    assert_int_equal(mail_queue_commit(sp, why), 0);
    assert_int_equal(mail_queue_path(path, &conf, "incoming", buf_str(id),
                                     why), 0);
    assert_int_equal(stat(buf_str(path), &st), 0);
    assert_int_equal(st.st_mode & 07777, 0700);
    assert_int_equal(st.st_size, 5);
    assert_true(mail_queue_ready(&st));
}

/* test_commit_errors - a write error is reported, with errno */
static void
test_commit_errors(void **state)
{
    int     fd = open("/dev/full", O_WRONLY | O_CLOEXEC);
    STREAM *sp;

    assert_true(fd >= 0);
    sp = stream_fdopen(fd);
    assert_int_equal(stream_write(sp, "data", 4), 0);
    errno = 0;
    assert_int_equal(mail_queue_commit(sp, why), -1);
    assert_int_equal(errno, ENOSPC);
    assert_string_equal(buf_str(why), "write queue file: "
                        "No space left on device");

    /* Read-only descriptor: the flush fails (EBADF). */
    fd = open(in_tmp("hold"), O_RDONLY | O_DIRECTORY);
    assert_true(fd >= 0);
    sp = stream_fdopen(fd);
    assert_int_equal(stream_write(sp, "data", 4), 0);
    assert_int_equal(mail_queue_commit(sp, why), -1);
    assert_non_null(strstr(buf_str(why), "write queue file: "));
}

/* test_rename - move between queues, into hash directories, no clobber */
static void
test_rename(void **state)
{
    STREAM *sp = mail_queue_enter(&conf, "incoming", 0600, id, why);
    struct stat st;
    char   *name;

    assert_non_null(sp);
    assert_int_equal(mail_queue_commit(sp, why), 0);
    name = mystrdup(buf_str(id));
    assert_int_equal(mail_queue_rename(&conf, name, "incoming", "active",
                                       why), 0);
    assert_int_equal(mail_queue_path(path, &conf, "active", name, why), 0);
    assert_int_equal(stat(buf_str(path), &st), 0);
    /* deferred is hashed: its subdirectories appear on demand. */
    assert_int_equal(mail_queue_rename(&conf, name, "active", "deferred",
                                       why), 0);
    assert_int_equal(mail_queue_path(path, &conf, "deferred", name, why), 0);
    assert_int_equal(stat(buf_str(path), &st), 0);
    assert_int_equal(st.st_mode & 07777, 0700);

    /* Missing source. */
    assert_int_equal(mail_queue_rename(&conf, name, "active", "hold", why),
                     -1);
    assert_int_equal(errno, ENOENT);
    /* Never replaces a file. */
    assert_int_equal(mail_queue_path(path, &conf, "hold", name, why), 0);
    close(open(buf_str(path), O_CREAT | O_WRONLY, 0600));
    assert_int_equal(mail_queue_rename(&conf, name, "deferred", "hold",
                                       why), -1);
    assert_int_equal(errno, EEXIST);
    assert_int_equal(mail_queue_path(path, &conf, "deferred", name, why), 0);
    assert_int_equal(stat(buf_str(path), &st), 0);
    /* Bad names. */
    assert_int_equal(mail_queue_rename(&conf, "../x", "hold", "active", why),
                     -1);
    assert_int_equal(mail_queue_rename(&conf, name, "hold", "nosuch", why),
                     -1);
    myfree(name);
}

/* test_remove - delete, then ENOENT */
static void
test_remove(void **state)
{
    STREAM *sp = mail_queue_enter(&conf, "deferred", 0600, id, why);

    assert_non_null(sp);
    stream_close(sp);
    assert_int_equal(mail_queue_remove(&conf, "deferred", buf_str(id), why),
                     0);
    assert_int_equal(mail_queue_remove(&conf, "deferred", buf_str(id), why),
                     -1);
    assert_int_equal(errno, ENOENT);
    assert_non_null(strstr(buf_str(why), "No such file or directory"));
    assert_int_equal(mail_queue_remove(&conf, "deferred", "../../x", why),
                     -1);
}

/* test_open - regular files only, never through a symlink */
static void
test_open(void **state)
{
    struct stat st;
    int     fd;

    close(open(in_tmp("hold/ABCDE1"), O_CREAT | O_WRONLY, 0700));
    fd = mail_queue_open(&conf, "hold", "ABCDE1", O_RDWR, &st, why);
    assert_true(fd >= 0);
    assert_true(mail_queue_ready(&st));
    close(fd);

    assert_int_equal(symlink(in_tmp("hold/ABCDE1"), in_tmp("hold/ABCDE2")),
                     0);
    assert_int_equal(mail_queue_open(&conf, "hold", "ABCDE2", O_RDONLY, NULL,
                                     why), -1);
    assert_int_equal(mkdir(in_tmp("hold/ABCDE3"), 0700), 0);
    assert_int_equal(mail_queue_open(&conf, "hold", "ABCDE3", O_RDONLY, &st,
                                     why), -1);
    assert_non_null(strstr(buf_str(why), "not a regular file"));
    assert_int_equal(mail_queue_open(&conf, "hold", "ABCDE9", O_RDONLY, NULL,
                                     why), -1);
    assert_int_equal(errno, ENOENT);
    assert_int_equal(lstat(in_tmp("hold/ABCDE3"), &st), 0);
    assert_false(mail_queue_ready(&st));
}

/* main - run the tests */
int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_names),
        T(test_paths),
        T(test_path_errors),
        T(test_enter),
        T(test_enter_mode),
        T(test_enter_unique),
        T(test_enter_fails),
        T(test_commit),
        T(test_commit_errors),
        T(test_rename),
        T(test_remove),
        T(test_open),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
