/* test_queue_file - unit tests for the queue file walk, writer and
 * quarantine.
 *
 * tests/fixtures/queue/ holds files written by Debian's Postfix 3.7:
 * BD588A740D4 (cleanup, short id, one recipient marked done, one to do),
 * 4jhlxz3VH0z1bcTg (cleanup, long id, a 5000-byte line as 'L' records,
 * a delay warning time) and BEA11A74072 (postdrop's maildrop form: no
 * size record). Damaged files are made from them byte by byte. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "mail_queue.h"
#include "msg_output.h"
#include "mymalloc.h"
#include "queue_file.h"
#include "rec_stream.h"
#include "rec_type.h"

#define MAXLEN  100000

static char tmpdir[64];
static char path[128];
static MAIL_QUEUE_CONF conf;
static BUF *why;
#include "msg_capture.h"

/* setup - a queue directory for written and damaged files */
static int
setup(void **state)
{
    char    dir[128];
    const char *queues[] = {"incoming", "active", "corrupt"};

    snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_queue_file.XXXXXX");
    if (mkdtemp(tmpdir) == NULL)
        return -1;
    for (int i = 0; i < 3; i++) {
        snprintf(dir, sizeof(dir), "%s/%s", tmpdir, queues[i]);
        if (mkdir(dir, 0700) < 0)
            return -1;
    }
    snprintf(path, sizeof(path), "%s/file", tmpdir);
    conf.dir = tmpdir;
    conf.hash_names = "deferred, defer";
    conf.hash_depth = 1;
    conf.long_ids = true;
    why = buf_alloc(10);
    logged = buf_alloc(10);
    return 0;
}

/* teardown - remove the directory */
static int
teardown(void **state)
{
    char    cmd[128];

    buf_free(why);
    buf_free(logged);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* fixture - the bytes of a fixture file (caller frees), size in *lenp */
static unsigned char *
fixture(const char *name, size_t *lenp)
{
    char    fpath[1024], src[1024];
    struct stat st;
    unsigned char *data;
    int     fd;

    snprintf(fpath, sizeof(fpath), "tests/fixtures/queue/%s", name);
    if (access(fpath, R_OK) != 0) {
        snprintf(src, sizeof(src), "%s", __FILE__);
        snprintf(fpath, sizeof(fpath), "%s/../fixtures/queue/%s",
                 dirname(src), name);
    }
    assert_true((fd = open(fpath, O_RDONLY)) >= 0);
    assert_int_equal(fstat(fd, &st), 0);
    data = mymalloc(st.st_size + 1);
    assert_int_equal(read(fd, data, st.st_size), st.st_size);
    close(fd);
    *lenp = st.st_size;
    return data;
}

/* put_file - write bytes to the scratch file; an fd open on it */
static int
put_file(const void *data, size_t len)
{
    int     fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);

    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t) len);
    return fd;
}

/* walk_bytes - walk a file made of these bytes */
static int
walk_bytes(const void *data, size_t len, size_t maxlen,
           QUEUE_FILE_INFO *info)
{
    int     fd = put_file(data, len);
    int     status = queue_file_walk(fd, maxlen, NULL, NULL, info, why);

    close(fd);
    return status;
}

/* Callback state: the record types seen, in order. */
typedef struct SEEN {
    char    types[64];
    int     count;
    off_t   rcpt_offset;                /* last 'R' */
    int     stop_at;                    /* type that ends the walk */
} SEEN;

/* seen_cb - remember each record type */
static int
seen_cb(int type, const char *data, size_t len, off_t offset,
        REC_SECTION section, void *ctx)
{
    SEEN   *sp = ctx;

    if (sp->count < (int) sizeof(sp->types) - 1)
        sp->types[sp->count++] = (char) type;
    if (type == REC_TYPE_RCPT)
        sp->rcpt_offset = offset;
    assert_true(rec_type_allowed(type, section));
    return type == sp->stop_at ? 42 : 0;
}

/* test_postfix_cleanup_file - a file from Postfix's cleanup reads clean */
static void
test_postfix_cleanup_file(void **state)
{
    size_t  len;
    unsigned char *data = fixture("BD588A740D4", &len);
    QUEUE_FILE_INFO info;

    assert_int_equal(walk_bytes(data, len, MAXLEN, &info), QUEUE_FILE_OK);
    assert_true(info.has_size);
    assert_int_equal(info.size.msg_size, 313);
    assert_int_equal(info.size.data_offset, 767);
    assert_int_equal(info.size.rcpt_count, 2);
    assert_int_equal(info.size.qmgr_flags, 0);
    assert_int_equal(info.size.cont_length, 313);
    assert_int_equal(info.size.smtputf8, 0);
    assert_int_equal(info.arrival.tv_sec, 1796515093);
    assert_int_equal(info.arrival.tv_usec, 774959);
    assert_int_equal(info.rcpt_todo, 1);
    assert_int_equal(info.rcpt_done, 1);
    assert_int_equal(info.data_offset, 767);
    assert_int_equal(info.xtra_offset, 1080);
    assert_int_equal(info.end_offset, 1082);
    assert_int_equal(info.xtra_offset - info.data_offset,
                     info.size.msg_size);
    myfree(data);
}

/* test_envelope_walk - queue_file_walk_envelope() reads the envelope and
 * the extracted records, no content, and finds the same facts */
static void
test_envelope_walk(void **state)
{
    size_t  len;
    unsigned char *data = fixture("BD588A740D4", &len);
    QUEUE_FILE_INFO whole, envelope;
    SEEN    all = {.stop_at = -1}, some = {.stop_at = -1};
    int     fd = put_file(data, len);
    const char *m;

    assert_int_equal(queue_file_walk(fd, MAXLEN, seen_cb, &all, &whole, why),
                     QUEUE_FILE_OK);
    assert_int_equal(queue_file_walk_envelope(fd, MAXLEN, seen_cb, &some,
                                              &envelope, why),
                     QUEUE_FILE_OK);
    close(fd);
    assert_memory_equal(&whole, &envelope, sizeof(whole));
    m = strchr(some.types, REC_TYPE_MESG);
    assert_non_null(m);
    assert_int_equal(m[1], REC_TYPE_XTRA);
    assert_true(strlen(all.types) > strlen(some.types));
    assert_int_equal(strncmp(all.types, some.types,
                             (size_t) (m - some.types) + 1), 0);
    assert_string_equal(strrchr(all.types, REC_TYPE_XTRA),
                        strrchr(some.types, REC_TYPE_XTRA));
    /* A content size that does not lead to 'X' is damage: into the
     * middle of a record, or onto another record. */
    assert_memory_equal(data + 2 + 12, "313", 3);
    memcpy(data + 2 + 12, "300", 3);
    fd = put_file(data, len);
    assert_int_equal(queue_file_walk_envelope(fd, MAXLEN, NULL, NULL, NULL,
                                              why), QUEUE_FILE_CORRUPT);
    close(fd);
    memcpy(data + 2 + 12, "  0", 3);
    fd = put_file(data, len);
    assert_int_equal(queue_file_walk_envelope(fd, MAXLEN, NULL, NULL, NULL,
                                              why), QUEUE_FILE_CORRUPT);
    close(fd);
    assert_string_equal(buf_str(why), "size record content size does not "
                        "lead to the extracted records at offset 767");
    myfree(data);
}

/* test_postfix_long_lines - 'L' records and a long queue id file */
static void
test_postfix_long_lines(void **state)
{
    size_t  len;
    unsigned char *data = fixture("4jhlxz3VH0z1bcTg", &len);
    QUEUE_FILE_INFO info;
    SEEN    seen = {0};
    int     fd = put_file(data, len);
    int     conts = 0;

    assert_int_equal(queue_file_walk(fd, MAXLEN, seen_cb, &seen, &info,
                                     why), QUEUE_FILE_OK);
    for (int i = 0; i < seen.count; i++)
        conts += seen.types[i] == 'L';
    assert_int_equal(conts, 3);
    assert_int_equal(info.size.msg_size, 5302);
    assert_int_equal(info.size.data_offset, 283);
    assert_int_equal(info.rcpt_todo, 1);
    assert_int_equal(info.arrival.tv_sec, 1796515863);
    /* The 2048-byte pieces are over a 2000-byte limit. */
    assert_int_equal(queue_file_walk(fd, 2000, NULL, NULL, NULL, why),
                     QUEUE_FILE_CORRUPT);
    assert_string_equal(buf_str(why), "record too long: length 2048, "
                        "limit 2000, at offset 552");
    close(fd);
    myfree(data);
}

/* test_postfix_maildrop_file - postdrop writes no size record */
static void
test_postfix_maildrop_file(void **state)
{
    size_t  len;
    unsigned char *data = fixture("BEA11A74072", &len);
    QUEUE_FILE_INFO info;
    SEEN    seen = {0};
    int     fd = put_file(data, len);

    assert_int_equal(queue_file_walk(fd, MAXLEN, seen_cb, &seen, &info,
                                     why), QUEUE_FILE_OK);
    assert_false(info.has_size);
    assert_int_equal(info.rcpt_todo, 2);
    assert_int_equal(info.arrival.tv_usec, 780757);
    assert_string_equal(seen.types, "TAFSVARARMNNNNNXE");
    close(fd);
    myfree(data);
}

/* test_mark_done_postfix - marking a Postfix recipient done, as qmgr does */
static void
test_mark_done_postfix(void **state)
{
    size_t  len;
    unsigned char *data = fixture("BD588A740D4", &len);
    QUEUE_FILE_INFO info;
    SEEN    seen = {0};
    int     fd = put_file(data, len);
    unsigned char byte;

    assert_int_equal(queue_file_walk(fd, MAXLEN, seen_cb, &seen, NULL, why),
                     QUEUE_FILE_OK);
    assert_int_equal(seen.rcpt_offset, 745);
    assert_int_equal(rec_mark_done(fd, seen.rcpt_offset, why), 0);
    assert_int_equal(queue_file_walk(fd, MAXLEN, NULL, NULL, &info, why),
                     QUEUE_FILE_OK);
    assert_int_equal(info.rcpt_todo, 0);
    assert_int_equal(info.rcpt_done, 2);
    assert_int_equal(pread(fd, &byte, 1, 665), 1);
    assert_int_equal(byte, 'D');                /* Postfix's own marking */
    close(fd);
    myfree(data);
}

/* check_damage - bytes that must be found corrupt, with this reason */
static void
check_damage(const void *data, size_t len, const char *reason)
{
    assert_int_equal(walk_bytes(data, len, MAXLEN, NULL),
                     QUEUE_FILE_CORRUPT);
    assert_string_equal(buf_str(why), reason);
}

/* insert_bytes - data[0..at) + insert + data[at..len) (caller frees) */
static unsigned char *
insert_bytes(const unsigned char *data, size_t len, size_t at, const char *insert,
       size_t ins_len, size_t *out_len)
{
    unsigned char *out = mymalloc(len + ins_len);

    memcpy(out, data, at);
    memcpy(out + at, insert, ins_len);
    memcpy(out + at + ins_len, data + at, len - at);
    *out_len = len + ins_len;
    return out;
}

/* test_damaged - each kind of damage has its reason */
static void
test_damaged(void **state)
{
    size_t  len, dlen;
    unsigned char *data = fixture("BD588A740D4", &len);
    unsigned char *bad;

    check_damage(data, len - 2, "message rejected: missing end record");
    check_damage(data, 0, "message rejected: missing end record");
    check_damage(data, 150, "unexpected EOF in data, record type 65 "
                 "length 21 at offset 140");
    bad = insert_bytes(data, len, 140, "A\xff\xff\xff\xff\x7f", 6, &dlen);
    check_damage(bad, dlen, "illegal length, record at offset 140");
    myfree(bad);
    bad = insert_bytes(data, len, 140, "A\x80\x80\x80\x80\x80\x80\x01", 8, &dlen);
    check_damage(bad, dlen, "illegal length, record at offset 140");
    myfree(bad);
    bad = mymemdup(data, len);
    bad[140] = '?';
    check_damage(bad, len, "unexpected record type '?' at offset 140");
    bad[140] = 1;
    check_damage(bad, len, "unexpected record type 1 at offset 140");
    bad[140] = 'X';                             /* before 'M' */
    check_damage(bad, len, "unexpected record type 'X' at offset 140");
    bad[140] = 'N';                             /* text in the envelope */
    check_damage(bad, len, "unexpected record type 'N' at offset 140");
    memcpy(bad, data, len);
    bad[767] = 'R';                             /* recipient in content */
    check_damage(bad, len, "unexpected record type 'R' at offset 767");
    memcpy(bad, data, len);
    bad[1082] = 'N';                            /* no 'E': text after 'X' */
    check_damage(bad, len, "unexpected record type 'N' at offset 1082");
    myfree(bad);
    myfree(data);
}

/* test_damaged_fields - malformed size, time, attribute, missing sender */
static void
test_damaged_fields(void **state)
{
    size_t  len, dlen;
    unsigned char *data = fixture("BD588A740D4", &len);
    unsigned char *bad = mymemdup(data, len);

    bad[2 + 30] = '8';                          /* data offset 767 -> 867 */
    check_damage(bad, len, "size record data offset does not match the "
                 "content at offset 765");
    memcpy(bad, data, len);
    bad[5] = 'x';
    check_damage(bad, len, "malformed size record at offset 0");
    memcpy(bad, data, len);
    bad[99] = 'x';                              /* arrival time */
    check_damage(bad, len, "malformed arrival time record at offset 97");
    memcpy(bad, data, len);
    memset(bad + 165, 'x', 21);                /* the attribute loses its = */
    check_damage(bad, len, "malformed attribute record at offset 163");
    memcpy(bad, data, len);
    bad[186] = 'K';                             /* the sender is killed */
    check_damage(bad, len, "missing sender record before end at offset "
                 "1082");
    myfree(bad);
    /* A second size record. */
    bad = insert_bytes(data, len, 97, (const char *) data, 97, &dlen);
    check_damage(bad, dlen, "misplaced size record at offset 97");
    myfree(bad);
    myfree(data);
}

/* build_file - T, S, a pointer, then what tail holds; see test_pointers */
static size_t
build_pointer_file(unsigned char *out, long first, long second)
{
    size_t  n = 0;
    char    ptr[32];

#define ADD(t, s) do { out[n++] = (t); out[n++] = (unsigned char) strlen(s); \
        memcpy(out + n, (s), strlen(s)); n += strlen(s); } while (0)
    ADD('T', "1796515093 0");                   /* 0..13 */
    ADD('S', "a@example.test");                 /* 14..29 */
    snprintf(ptr, sizeof(ptr), "%15ld", first);
    ADD('p', ptr);                              /* 30..46 */
    ADD('M', "");                               /* 47 */
    ADD('N', "hello");                          /* 49 */
    ADD('X', "");                               /* 56 */
    ADD('E', "");                               /* 58 */
    ADD('R', "b@example.test");                 /* 60..75 */
    snprintf(ptr, sizeof(ptr), "%15ld", second);
    ADD('p', ptr);                              /* 76..92 */
#undef ADD
    return n;
}

/* test_pointers - pointer records are followed; loops are caught */
static void
test_pointers(void **state)
{
    unsigned char data[200];
    size_t  len;
    SEEN    seen = {0};
    QUEUE_FILE_INFO info;
    int     fd;

    /* Envelope jumps to the recipient after 'E', then back to 'M'. */
    len = build_pointer_file(data, 60, 47);
    fd = put_file(data, len);
    assert_int_equal(queue_file_walk(fd, MAXLEN, seen_cb, &seen, &info, why),
                     QUEUE_FILE_OK);
    assert_string_equal(seen.types, "TSpRpMNXE");
    assert_int_equal(seen.rcpt_offset, 60);
    assert_int_equal(info.rcpt_todo, 1);
    close(fd);
    /* Pointer 0 means no jump: 'E' comes before the recipient. */
    len = build_pointer_file(data, 0, 47);
    assert_int_equal(walk_bytes(data, len, MAXLEN, &info), QUEUE_FILE_OK);
    assert_int_equal(info.rcpt_todo, 0);
    /* A loop: the tail points at itself. */
    len = build_pointer_file(data, 60, 60);
    assert_int_equal(walk_bytes(data, len, MAXLEN, NULL),
                     QUEUE_FILE_CORRUPT);
    assert_non_null(strstr(buf_str(why), "pointer loop"));
    len = build_pointer_file(data, 5000, 47);
    check_damage(data, len, "pointer record past end of file at offset 30");
    len = build_pointer_file(data, 60, 47);
    memcpy(data + 32, "   nonsense    ", 15);
    check_damage(data, len, "malformed pointer record at offset 30");
}

/* test_callback_stop - a callback result ends the walk and is returned */
static void
test_callback_stop(void **state)
{
    size_t  len;
    unsigned char *data = fixture("BD588A740D4", &len);
    SEEN    seen = {.stop_at = 'M'};
    int     fd = put_file(data, len);

    assert_int_equal(queue_file_walk(fd, MAXLEN, seen_cb, &seen, NULL, why),
                     42);
    assert_int_equal(seen.types[seen.count - 1], 'M');
    close(fd);
    myfree(data);
}

/* test_read_error - a directory cannot be read as a queue file */
static void
test_read_error(void **state)
{
    int     fd = open(tmpdir, O_RDONLY | O_DIRECTORY);

    assert_int_equal(queue_file_walk(fd, MAXLEN, NULL, NULL, NULL, why),
                     QUEUE_FILE_READ_ERROR);
    assert_non_null(strstr(buf_str(why), "read queue file: "));
    close(fd);
}

/* test_bit_flips - random damage never crashes the walk */
static void
test_bit_flips(void **state)
{
    size_t  len;
    unsigned char *data = fixture("BD588A740D4", &len);
    unsigned char *bad = mymalloc(len);
    int     status, corrupt = 0;

    srandom(11);
    for (int i = 0; i < 3000; i++) {
        memcpy(bad, data, len);
        for (int j = 0; j < 1 + i % 4; j++)
            bad[random() % len] ^= 1 << (random() % 8);
        status = walk_bytes(bad, i % 7 ? len : random() % len, MAXLEN, NULL);
        assert_true(status == QUEUE_FILE_OK || status == QUEUE_FILE_CORRUPT);
        corrupt += status == QUEUE_FILE_CORRUPT;
    }
    assert_true(corrupt > 100);
    myfree(bad);
    myfree(data);
}

/* write_message - a complete file with the writer */
static void
write_message(QUEUE_FILE_OUT *qf)
{
    struct timeval tv = {1796515093, 749647};
    char    line[3000];

    assert_int_equal(queue_file_out_size(qf), 0);
    assert_int_equal(queue_file_out_time(qf, &tv), 0);
    assert_int_equal(queue_file_out_attr(qf, "rewrite_context", "local"), 0);
    assert_int_equal(queue_file_out_rec(qf, REC_TYPE_FROM, "a@example.test",
                                        14), 0);
    assert_int_equal(queue_file_out_rcpt(qf, "b@example.test",
                                         "b@example.test"), 0);
    assert_int_equal(queue_file_out_rcpt(qf, NULL, "c@example.test"), 0);
    assert_int_equal(queue_file_out_rec(qf, REC_TYPE_MESG, "", 0), 0);
    assert_int_equal(queue_file_out_rec(qf, REC_TYPE_NORM, "Subject: hi",
                                        11), 0);
    assert_int_equal(queue_file_out_rec(qf, REC_TYPE_NORM, "", 0), 0);
    memset(line, 'y', sizeof(line));
    assert_int_equal(queue_file_out_rec(qf, REC_TYPE_CONT, line, 2048), 0);
    assert_int_equal(queue_file_out_rec(qf, REC_TYPE_NORM, line, 952), 0);
    assert_int_equal(queue_file_out_end(qf, 0, 0), 0);
}

/* test_writer - what the writer makes reads back, size record included */
static void
test_writer(void **state)
{
    BUF    *id = buf_alloc(10);
    STREAM *sp = mail_queue_enter(&conf, "incoming", 0600, id, why);
    QUEUE_FILE_OUT qf;
    QUEUE_FILE_INFO info;
    SEEN    seen = {0};
    unsigned char head[2 + QUEUE_FILE_SIZE_LEN];
    int     fd;

    assert_non_null(sp);
    queue_file_out_init(&qf, sp);
    write_message(&qf);
    assert_int_equal(mail_queue_commit(sp, why), 0);

    fd = mail_queue_open(&conf, "incoming", buf_str(id), O_RDONLY, NULL, why);
    assert_true(fd >= 0);
    assert_int_equal(queue_file_walk(fd, MAXLEN, seen_cb, &seen, &info, why),
                     QUEUE_FILE_OK);
    assert_string_equal(seen.types, "CTASORRMNNLNXE");
    assert_int_equal(info.size.data_offset, qf.data_offset);
    assert_int_equal(info.size.msg_size, qf.xtra_offset - qf.data_offset);
    assert_int_equal(info.size.cont_length, info.size.msg_size);
    assert_int_equal(info.size.rcpt_count, 2);
    assert_int_equal(info.rcpt_todo, 2);
    assert_int_equal(info.arrival.tv_usec, 749647);
    /* Postfix's layout: 'C', length 95, six right-aligned 15-wide fields. */
    assert_int_equal(pread(fd, head, sizeof(head), 0), sizeof(head));
    assert_int_equal(head[0], 'C');
    assert_int_equal(head[1], 95);
    assert_memory_equal(head + 2, "           3021", 15);
    assert_int_equal(head[2 + 15], ' ');
    close(fd);
    buf_free(id);
}

/* test_writer_order - records out of section order are refused */
static void
test_writer_order(void **state)
{
    int     fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    STREAM *sp = stream_fdopen(fd);
    QUEUE_FILE_OUT qf;
    struct timeval tv = {1, 0};

    queue_file_out_init(&qf, sp);
    assert_int_equal(queue_file_out_end(&qf, 0, 0), -1);    /* no 'M' */
    assert_int_equal(queue_file_out_time(&qf, &tv), 0);
    assert_int_equal(queue_file_out_size(&qf), -1);         /* not first */
    assert_int_equal(errno, EINVAL);
    assert_int_equal(queue_file_out_attr(&qf, "a=b", "c"), -1);
    assert_int_equal(queue_file_out_attr(&qf, "", "c"), -1);
    assert_int_equal(queue_file_out_rec(&qf, REC_TYPE_NORM, "x", 1), -1);
    assert_int_equal(queue_file_out_rec(&qf, REC_TYPE_END, "", 0), -1);
    assert_int_equal(queue_file_out_rec(&qf, REC_TYPE_FROM, "", 0), 0);
    assert_int_equal(queue_file_out_rec(&qf, REC_TYPE_MESG, "", 0), 0);
    assert_int_equal(queue_file_out_rcpt(&qf, NULL, "late@example.test"),
                     -1);
    assert_int_equal(queue_file_out_rec(&qf, REC_TYPE_NORM, "x", 1), 0);
    /* 'X' is added by the end; no size record to fill in. */
    assert_int_equal(queue_file_out_end(&qf, 0, 0), 0);
    assert_int_equal(queue_file_out_end(&qf, 0, 0), -1);
    assert_int_equal(queue_file_walk(fd, MAXLEN, NULL, NULL, NULL, why),
                     QUEUE_FILE_OK);
    stream_close(sp);
}

/* test_size_parse - size records with 6, 5 and 3 fields */
static void
test_size_parse(void **state)
{
    QUEUE_FILE_SIZE size = {1, 2, 3, 4, 5, 6};
    BUF    *bp = buf_alloc(10);

    queue_file_size_format(bp, &size);
    assert_int_equal(buf_len(bp), QUEUE_FILE_SIZE_LEN);
    memset(&size, 0, sizeof(size));
    assert_int_equal(queue_file_size_parse(buf_str(bp), buf_len(bp), &size),
                     0);
    assert_int_equal(size.smtputf8, 6);
    assert_int_equal(queue_file_size_parse("332 182 1 0 332", 15, &size), 0);
    assert_int_equal(size.cont_length, 332);
    assert_int_equal(size.smtputf8, 0);
    assert_int_equal(queue_file_size_parse("10 20 1", 7, &size), 0);
    assert_int_equal(size.cont_length, 10);
    assert_int_equal(queue_file_size_parse("10 20", 5, &size), -1);
    assert_int_equal(queue_file_size_parse("1 2 3 4 5 6 7", 13, &size), -1);
    assert_int_equal(queue_file_size_parse("1 2 -3", 6, &size), -1);
    assert_int_equal(queue_file_size_parse("99999999999999999999 1 1", 24,
                                           &size), -1);
    buf_free(bp);
}

/* test_corrupt - a damaged file goes to corrupt/ with Postfix's words */
static void
test_corrupt(void **state)
{
    BUF    *id = buf_alloc(10);
    STREAM *sp = mail_queue_enter(&conf, "incoming", 0600, id, why);
    BUF    *want = buf_alloc(10);
    BUF    *where = buf_alloc(10);
    struct stat st;
    int     fd;

    assert_non_null(sp);
    assert_int_equal(rec_puts(sp, 'T', "1 0"), 0);
    assert_int_equal(mail_queue_commit(sp, why), 0);
    fd = mail_queue_open(&conf, "incoming", buf_str(id), O_RDONLY, NULL, why);
    assert_int_equal(queue_file_walk(fd, MAXLEN, NULL, NULL, NULL, why),
                     QUEUE_FILE_CORRUPT);
    close(fd);

    msg_output_reset();
    msg_output_add(capture);
    assert_int_equal(queue_file_corrupt(&conf, "incoming", buf_str(id),
                                        buf_str(why), why), 0);
    buf_sprintf(want, "warning: %s: message rejected: missing end record\n"
                "warning: saving corrupt file \"%s\" from queue "
                "\"incoming\" to queue \"corrupt\"\n",
                buf_str(id), buf_str(id));
    assert_string_equal(buf_str(logged), buf_str(want));
    assert_int_equal(mail_queue_path(where, &conf, "corrupt", buf_str(id),
                                     why), 0);
    assert_int_equal(stat(buf_str(where), &st), 0);
    /* Gone already: the move fails, the reason is still logged. */
    buf_reset(logged);
    assert_int_equal(queue_file_corrupt(&conf, "incoming", buf_str(id),
                                        "x", why), -1);
    assert_non_null(strstr(buf_str(why), "No such file or directory"));
    assert_int_equal(queue_file_corrupt(&conf, "incoming", "../x", "x", why),
                     -1);
    msg_output_reset();
    buf_free(id);
    buf_free(want);
    buf_free(where);
}

/* main - run the tests */
int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_postfix_cleanup_file),
        T(test_envelope_walk),
        T(test_postfix_long_lines),
        T(test_postfix_maildrop_file),
        T(test_mark_done_postfix),
        T(test_damaged),
        T(test_damaged_fields),
        T(test_pointers),
        T(test_callback_stop),
        T(test_read_error),
        T(test_bit_flips),
        T(test_writer),
        T(test_writer_order),
        T(test_size_parse),
        T(test_corrupt),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
