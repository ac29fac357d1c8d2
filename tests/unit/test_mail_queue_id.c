/* test_mail_queue_id - unit tests for queue ids.
 *
 * The expected ids are names Debian's Postfix 3.7 gave its queue files,
 * with the time and inode of the same files: long "4jhlxz3VH0z1bcTg",
 * short "BC3E1A7422E". */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mail_queue_id.h"
#include "mymalloc.h"

/* make_id - an id for (sec, usec, ino) */
static void
make_id(BUF *id, bool long_form, long sec, long usec, unsigned long long ino)
{
    struct timeval tv;

    tv.tv_sec = sec;
    tv.tv_usec = usec;
    mail_queue_id_make(id, long_form, &tv, ino);
}

/* test_postfix_long - the long form matches files Postfix named */
static void
test_postfix_long(void **state)
{
    BUF    *id = buf_alloc(10);
    MAIL_QUEUE_ID_INFO info;

    make_id(id, true, 1796515863, 492908, 10961924);
    assert_string_equal(buf_str(id), "4jhlxz3VH0z1bcTg");
    make_id(id, true, 1796515863, 963022, 10961113);
    assert_string_equal(buf_str(id), "4jhlxz6r7fz1bc9m");

    assert_int_equal(mail_queue_id_decode("4jhlyq0M5Zz1bc77", &info), 0);
    assert_true(info.long_form);
    make_id(id, true, info.seconds, info.usec, info.inode);
    assert_string_equal(buf_str(id), "4jhlyq0M5Zz1bc77");
    assert_int_equal(mail_queue_id_decode("4jhlxz3VH0z1bcTg", &info), 0);
    assert_int_equal(info.seconds, 1796515863);
    assert_int_equal(info.usec, 492908);
    assert_int_equal(info.inode, 10961924);
    buf_free(id);
}

/* test_postfix_short - the short form: 5 hex digits of usec, hex inode */
static void
test_postfix_short(void **state)
{
    BUF    *id = buf_alloc(10);
    MAIL_QUEUE_ID_INFO info;

    make_id(id, false, 1796515093, 771041, 10961454);
    assert_string_equal(buf_str(id), "BC3E1A7422E");
    make_id(id, false, 1, 12345, 0x10);
    assert_string_equal(buf_str(id), "0303910");

    assert_int_equal(mail_queue_id_decode("BD588A740D4", &info), 0);
    assert_false(info.long_form);
    assert_int_equal(info.seconds, -1);
    assert_int_equal(info.usec, 775560);
    assert_int_equal(info.inode, 10961108);
    buf_free(id);
}

/* test_round_trip - decode(make(x)) == x in both forms */
static void
test_round_trip(void **state)
{
    BUF    *id = buf_alloc(10);
    MAIL_QUEUE_ID_INFO info;
    unsigned long long inodes[] = {0, 1, 50, 51, 52, 4096, 0xffffffffULL,
        ~0ULL};

    srandom(4);
    for (int i = 0; i < 1000; i++) {
        long    sec = random() % 3000000000L;
        long    usec = random() % 1000000;
        unsigned long long ino = i < 8 ? inodes[i]
            : ((unsigned long long) random() << 20) ^ random();

        make_id(id, true, sec, usec, ino);
        assert_true(mail_queue_id_ok(buf_str(id)));
        assert_int_equal(mail_queue_id_decode(buf_str(id), &info), 0);
        assert_true(info.long_form);
        assert_int_equal(info.seconds, sec);
        assert_int_equal(info.usec, usec);
        assert_true(info.inode == ino);

        make_id(id, false, sec, usec, ino);
        assert_true(mail_queue_id_ok(buf_str(id)));
        assert_int_equal(mail_queue_id_decode(buf_str(id), &info), 0);
        assert_false(info.long_form);
        assert_int_equal(info.usec, usec);
        assert_true(info.inode == ino);
    }
    buf_free(id);
}

/* cmp_str - qsort on strings */
static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

/* test_sortable - long ids sort by creation time, then inode */
static void
test_sortable(void **state)
{
    enum {
    COUNT = 5000};
    char  **ids = mymalloc(COUNT * sizeof(*ids));
    char  **sorted = mymalloc(COUNT * sizeof(*sorted));
    BUF    *id = buf_alloc(10);
    long    sec = 1000000000L, usec = 0;

    srandom(7);
    for (int i = 0; i < COUNT; i++) {
        /* Mostly the same second, sometimes the same microsecond. */
        switch (random() % 4) {
        case 0:
            sec += 1 + random() % 100000;
            usec = random() % 1000;
            break;
        case 1:
            usec += 1 + random() % 1000;
            break;
        default:
            break;
        }
        if (usec >= 1000000) {
            sec += 1;
            usec -= 1000000;
        }
        /* Within one microsecond, larger inodes come later. */
        make_id(id, true, sec, usec, 1000 + i);
        ids[i] = mystrdup(buf_str(id));
        sorted[i] = ids[i];
    }
    qsort(sorted, COUNT, sizeof(*sorted), cmp_str);
    for (int i = 0; i < COUNT; i++)
        assert_ptr_equal(sorted[i], ids[i]);
    for (int i = 0; i < COUNT; i++)
        myfree(ids[i]);
    myfree(ids);
    myfree(sorted);
    buf_free(id);
}

/* test_valid - letters and digits only, bounded length */
static void
test_valid(void **state)
{
    char    max[MAIL_QUEUE_ID_MAX + 2];

    assert_true(mail_queue_id_ok("BC3E1A7422E"));
    assert_true(mail_queue_id_ok("4jhlxz3VH0z1bcTg"));
    assert_false(mail_queue_id_ok(""));
    assert_false(mail_queue_id_ok("../etc"));
    assert_false(mail_queue_id_ok("a/b"));
    assert_false(mail_queue_id_ok("50693.12882"));
    assert_false(mail_queue_id_ok("ABC "));
    assert_false(mail_queue_id_ok("ABC\n"));
    memset(max, 'A', MAIL_QUEUE_ID_MAX);
    max[MAIL_QUEUE_ID_MAX] = 0;
    assert_true(mail_queue_id_ok(max));
    max[MAIL_QUEUE_ID_MAX] = 'A';
    max[MAIL_QUEUE_ID_MAX + 1] = 0;
    assert_false(mail_queue_id_ok(max));
}

/* test_decode_rejects - strings in neither form */
static void
test_decode_rejects(void **state)
{
    MAIL_QUEUE_ID_INFO info;

    assert_int_equal(mail_queue_id_decode("ABCDE", &info), -1);  /* no ino */
    assert_int_equal(mail_queue_id_decode("GHIJK12", &info), -1);
    assert_int_equal(mail_queue_id_decode("abcde12", &info), -1);
    assert_int_equal(mail_queue_id_decode("FFFFF12", &info), -1); /* usec */
    assert_int_equal(mail_queue_id_decode("4jhlxz3VHz1bcTg", &info), -1);
    assert_int_equal(mail_queue_id_decode("4jhlxz3VH0z", &info), -1);
    assert_int_equal(mail_queue_id_decode("4jhlxa3VH0z1bcTg", &info), -1);
    assert_int_equal(mail_queue_id_decode("4jhlxzzzzzz1bcTg", &info), -1);
    assert_int_equal(mail_queue_id_decode("zzzzzzzzzzzzzzzzzz0z1", &info),
                     -1);                       /* seconds overflow */
    assert_int_equal(mail_queue_id_decode("a/b", &info), -1);
}

/* test_hash - the hex microseconds name the hash directories */
static void
test_hash(void **state)
{
    char    hash[MAIL_QUEUE_ID_MAX + 1];

    /* As Postfix placed them: hold/7/8/, incoming/0/C/, hold/B/C/ */
    assert_string_equal(mail_queue_id_hash("4jhlxz3VH0z1bcTg", hash),
                        "7856C");
    assert_string_equal(mail_queue_id_hash("4jhlyq0M5Zz1bc77", hash),
                        "0C9D2");
    assert_string_equal(mail_queue_id_hash("BC3E1A7422E", hash), "BC3E1");
    assert_string_equal(mail_queue_id_hash("hello", hash), "hello");
    assert_null(mail_queue_id_hash("../x", hash));
}

/* main - run the tests */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_postfix_long),
        cmocka_unit_test(test_postfix_short),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_sortable),
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_decode_rejects),
        cmocka_unit_test(test_hash),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
