/* test_mail_submit_clnt - unit tests for the submitting side of the
 * postdrop protocol (src/maps/mail_submit_clnt.c).
 *
 * Stand-ins for postdrop are small shell scripts in a scratch directory:
 * one that takes the message (reads as many bytes as the test sends, as
 * postdrop reads up to the end record, and keeps them), one that refuses
 * it with a reason, one that does not speak the protocol, one that sees
 * its input end, and a path that does not exist. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mail_submit.h"
#include "mymalloc.h"
#include "rec_stream.h"
#include "rec_type.h"

static char dir[] = "/tmp/test_mail_submit.XXXXXX";

#define GREETING "printf 'protocol\\000postdrop_protocol\\000queue_id\\000" \
                 "ABC123\\000\\000'\n"

/* script - write an executable shell script dir/name; its path */
static char *
script(const char *name, const char *body)
{
    BUF    *path = buf_alloc(100);
    FILE   *fp;

    buf_sprintf(path, "%s/%s", dir, name);
    assert_non_null(fp = fopen(buf_str(path), "w"));
    fprintf(fp, "#!/bin/sh\n%s", body);
    assert_int_equal(fclose(fp), 0);
    assert_int_equal(chmod(buf_str(path), 0755), 0);
    return buf_export(path);
}

/* setup - the scratch directory and the stand-ins */
static int
setup(void **unused)
{
    assert_non_null(mkdtemp(dir));
    return 0;
}

/* teardown - remove the scratch directory */
static int
teardown(void **unused)
{
    BUF    *cmd = buf_alloc(100);

    buf_sprintf(cmd, "rm -rf %s", dir);
    assert_int_equal(system(buf_str(cmd)), 0);
    buf_free(cmd);
    return 0;
}

/* test_queued - greeting, records, "status=0": 0, and the records
 * arrive as sent */
static void
test_queued(void **unused)
{
    char   *ok = script("ok", GREETING "head -c 7 > \"$0.in\"\n"
                        "printf 'status\\0000\\000reason\\000\\000\\000'\n");
    BUF    *why = buf_alloc(10);
    BUF    *path = buf_alloc(100);
    MAIL_SUBMIT *ms = mail_submit_open(ok, why);
    struct stat st;

    assert_non_null(ms);
    assert_string_equal(mail_submit_queue_id(ms), "ABC123");
    assert_int_equal(rec_puts(mail_submit_stream(ms), REC_TYPE_FROM, "a@b"),
                     0);
    assert_int_equal(rec_put(mail_submit_stream(ms), REC_TYPE_END, "", 0), 0);
    assert_int_equal(mail_submit_close(ms, why), 0);
    buf_sprintf(path, "%s.in", ok);
    assert_int_equal(stat(buf_str(path), &st), 0);
    assert_int_equal(st.st_size, 5 + 2);        /* S\3a@b E\0 */
    buf_free(path);
    buf_free(why);
    myfree(ok);
}

/* test_refused - "status=1, reason=...": -1 with the reason */
static void
test_refused(void **unused)
{
    char   *no = script("no", GREETING
                        "printf 'status\\0001\\000reason\\000File too large"
                        "\\000\\000'\nexit 1\n");
    BUF    *why = buf_alloc(10);
    MAIL_SUBMIT *ms = mail_submit_open(no, why);

    assert_non_null(ms);
    assert_int_equal(mail_submit_close(ms, why), -1);
    assert_string_equal(buf_str(why), "File too large");
    buf_free(why);
    myfree(no);
}

/* test_broken - no protocol, no program: NULL with the reason */
static void
test_broken(void **unused)
{
    char   *bad = script("bad", "echo hello\nexit 3\n");
    BUF    *why = buf_alloc(10);
    BUF    *missing = buf_alloc(100);

    assert_null(mail_submit_open(bad, why));
    assert_string_equal(buf_str(why), "postdrop did not accept the message "
                        "(exit status 3)");
    buf_sprintf(missing, "%s/missing", dir);
    assert_null(mail_submit_open(buf_str(missing), why));
    assert_string_equal(buf_str(why), "postdrop did not accept the message "
                        "(exit status 1)");
    buf_free(missing);
    buf_free(why);
    myfree(bad);
}

/* test_abort - giving up: the stand-in sees the end of its input */
static void
test_abort(void **unused)
{
    char   *ok = script("eof", GREETING "cat > \"$0.in\"\n");
    BUF    *why = buf_alloc(10);
    MAIL_SUBMIT *ms = mail_submit_open(ok, why);

    assert_non_null(ms);
    mail_submit_abort(ms);
    buf_free(why);
    myfree(ok);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_queued),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_broken),
        cmocka_unit_test(test_abort),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
