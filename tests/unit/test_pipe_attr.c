/* test_pipe_attr - unit tests for pipe(8)'s master.cf command attributes:
 * defaults, the flags, user= and who it must not be, size=, eol=
 * escapes, argv= collecting the rest, and Postfix 3.7's words for every
 * problem (observed, docs/pipe.md). The module is a part of the pipe
 * program, compiled in here. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <grp.h>
#include <pwd.h>
#include <string.h>

#include "../../src/pipe/pipe_attr.c"

static BUF *why;
static PIPE_ATTR attr;
static uid_t owner_uid;

/* setup - "nobody" plays mail_owner */
static int
setup(void **state)
{
    struct passwd *pw = getpwnam("nobody");

    why = buf_alloc(100);
    owner_uid = pw ? pw->pw_uid : 65534;
    return 0;
}

/* teardown - free what a test parsed */
static int
teardown(void **state)
{
    pipe_attr_free(&attr);
    buf_free(why);
    return 0;
}

/* parse - the attributes in text (split on spaces); pipe_attr_parse's
 * result */
static int
parse(const char *text)
{
    ARGV   *args = argv_split(text, " ");
    int     status;

    pipe_attr_free(&attr);
    buf_reset(why);
    status = pipe_attr_parse(args->argv, owner_uid, "nobody", &attr, why);
    argv_free(args);
    return status;
}

/* fails - parsing text fails with exactly this reason */
static void
fails(const char *text, const char *reason)
{
    assert_int_equal(parse(text), -1);
    assert_string_equal(buf_str(why), reason);
}

/* test_defaults - only user= and argv=: everything else off */
static void
test_defaults(void **state)
{
    assert_int_equal(parse("user=daemon argv=/bin/cat -u ${user}"), 0);
    assert_int_equal(attr.copy_flags, 0);
    assert_int_equal(attr.opts, 0);
    assert_int_equal(attr.size_limit, 0);
    assert_string_equal(attr.eol, "\n");
    assert_string_equal(attr.null_sender, "MAILER-DAEMON");
    assert_null(attr.directory);
    assert_null(attr.chroot);
    assert_int_equal(attr.argv->argc, 3);
    assert_string_equal(attr.argv->argv[0], "/bin/cat");
    assert_string_equal(attr.argv->argv[2], "${user}");
    assert_int_not_equal(attr.uid, 0);
}

/* test_flags - each letter and what it means */
static void
test_flags(void **state)
{
    assert_int_equal(parse("flags=BDFOR.> user=daemon argv=x"), 0);
    assert_int_equal(attr.copy_flags, MAIL_COPY_BLANK | MAIL_COPY_DELIVERED
                     | MAIL_COPY_FROM | MAIL_COPY_ORIG_RCPT
                     | MAIL_COPY_RETURN | MAIL_COPY_DOT | MAIL_COPY_QUOTE);
    assert_int_equal(attr.opts, 0);
    assert_int_equal(parse("flags=Xhqu user=daemon argv=x"), 0);
    assert_int_equal(attr.copy_flags, 0);
    assert_int_equal(attr.opts, PIPE_OPT_FINAL | PIPE_OPT_FOLD_HOST
                     | PIPE_OPT_QUOTE | PIPE_OPT_FOLD_USER);
    fails("flags=DZ user=daemon argv=x", "unknown flag: Z (ignored)");
}

/* test_user - user=NAME[:GROUP] and the ids it must not have */
static void
test_user(void **state)
{
    struct passwd *pw = getpwnam("daemon");

    assert_non_null(pw);
    assert_int_equal(parse("user=daemon:mail argv=x"), 0);
    assert_int_equal(attr.uid, pw->pw_uid);
    assert_int_equal(attr.gid, getgrnam("mail")->gr_gid);
    fails("user=root argv=x",
          "user= command-line attribute specifies root privileges");
    fails("user=nobody argv=x", "user= command-line attribute specifies "
          "mail system owner nobody");
    fails("user=daemon:root argv=x", "user= command-line attribute "
          "specifies privileged group id 0");
    fails("user=nosuchuser argv=x",
          "get_service_attr: unknown username: nosuchuser");
    fails("user=daemon:nosuchgroup argv=x",
          "get_service_attr: unknown group: nosuchgroup");
    fails("argv=x", "missing user= command-line attribute");
}

/* test_values - size=, eol=, null_sender=, directory=, chroot= */
static void
test_values(void **state)
{
    assert_int_equal(parse("size=1000 eol=\\r\\n null_sender= "
                           "directory=/tmp chroot=/srv user=daemon "
                           "argv=x"), 0);
    assert_int_equal(attr.size_limit, 1000);
    assert_string_equal(attr.eol, "\r\n");
    assert_string_equal(attr.null_sender, "");
    assert_string_equal(attr.directory, "/tmp");
    assert_string_equal(attr.chroot, "/srv");
    assert_int_equal(parse("eol=\\a\\b\\f\\t\\v\\\\\\101\\q user=daemon "
                           "argv=x"), 0);
    assert_string_equal(attr.eol, "\a\b\f\t\v\\Aq");
    fails("size=abc user=daemon argv=x",
          "get_service_attr: bad size= value: abc");
    fails("size=-1 user=daemon argv=x",
          "get_service_attr: bad size= value: -1");
}

/* test_argv - argv= is last and takes every word after it */
static void
test_argv(void **state)
{
    assert_int_equal(parse("user=daemon argv=/bin/x user=root flags=Z"), 0);
    assert_int_equal(attr.argv->argc, 3);
    assert_string_equal(attr.argv->argv[1], "user=root");
    fails("user=daemon", "missing argv= command-line attribute");
    fails("user=daemon argv=", "missing argv= command-line attribute");
    fails("bogus=1 user=daemon argv=x", "unknown attribute name: bogus");
    fails("plainword user=daemon argv=x",
          "unknown attribute name: plainword");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_flags),
        cmocka_unit_test(test_user),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_argv),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
