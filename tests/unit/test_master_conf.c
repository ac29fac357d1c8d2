/* test_master_conf - unit tests for master_conf: Postfix's stock master.cf
 * (tests/fixtures/master.cf) column by column, the -o forms, and the
 * "master.cf:LINE: ..." error of each kind of typo. */
#include <libgen.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "buf.h"
#include "master_conf.h"

static BUF *why;

/* fixture_path - tests/fixtures/master.cf from the source tree */
static const char *
fixture_path(void)
{
    static char path[1024];
    char    src[1024];

    if (access("tests/fixtures/master.cf", R_OK) == 0)
        return "tests/fixtures/master.cf";
    snprintf(src, sizeof(src), "%s", __FILE__);
    snprintf(path, sizeof(path), "%s/../fixtures/master.cf", dirname(src));
    return path;
}

/* setup - the error buffer */
static int
setup(void **state)
{
    why = buf_alloc(64);
    return 0;
}

/* teardown - free it */
static int
teardown(void **state)
{
    buf_free(why);
    return 0;
}

/* parse_ok - parse text, expecting success */
static MASTER_CONF *
parse_ok(const char *text)
{
    MASTER_CONF *conf = master_conf_parse(text, "master.cf", why);

    if (conf == NULL)
        fail_msg("unexpected error: %s", buf_str(why));
    return conf;
}

/* parse_error - parse text, expecting exactly this error */
static void
parse_error(const char *text, const char *want)
{
    MASTER_CONF *conf;

    buf_reset(why);
    conf = master_conf_parse(text, "master.cf", why);
    if (conf != NULL)
        fail_msg("no error for: %s", text);
    assert_string_equal(buf_str(why), want);
}

/* test_fixture_entries - every active service, in order, no comments */
static void
test_fixture_entries(void **state)
{
    static const char *const names[] = {
        "smtp/inet", "submission/inet", "smtps/inet", "pickup/unix",
        "cleanup/unix", "qmgr/unix", "tlsmgr/unix", "rewrite/unix",
        "bounce/unix", "defer/unix", "trace/unix", "verify/unix",
        "flush/unix", "proxymap/unix", "proxywrite/unix", "smtp/unix",
        "relay/unix", "showq/unix", "error/unix", "retry/unix",
        "discard/unix", "local/unix", "virtual/unix", "lmtp/unix",
        "anvil/unix", "scache/unix", "postlog/unix-dgram",
    };
    static const int lines[] = {
        1, 6, 18, 30, 31, 32, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44,
        47, 48, 49, 50, 51, 52, 53, 54, 55, 56,
    };
    MASTER_CONF *conf = master_conf_read(fixture_path(), why);
    char    got[100];

    if (conf == NULL)
        fail_msg("%s", buf_str(why));
    assert_int_equal(conf->count, 27);
    for (int i = 0; i < conf->count; i++) {
        snprintf(got, sizeof(got), "%s/%s", conf->ents[i]->name,
                 conf->ents[i]->field[MASTER_FIELD_TYPE]);
        assert_string_equal(got, names[i]);
        assert_int_equal(conf->ents[i]->line, lines[i]);
    }
    master_conf_free(conf);
}

/* test_fixture_columns - each column of a few entries */
static void
test_fixture_columns(void **state)
{
    MASTER_CONF *conf = master_conf_read(fixture_path(), why);
    MASTER_ENT *ent;

    assert_non_null(conf);
    ent = master_conf_find(conf, "smtp", "inet");
    assert_non_null(ent);
    assert_int_equal(ent->type, MASTER_TYPE_INET);
    assert_false(ent->private_);
    assert_true(ent->unpriv);
    assert_false(ent->chroot);
    assert_int_equal(ent->wakeup, 0);
    assert_false(ent->wakeup_if_used);
    assert_int_equal(ent->maxproc, -1);
    assert_int_equal(ent->args->argc, 1);
    assert_string_equal(ent->args->argv[0], "smtpd");
    assert_int_equal(ent->overrides->argc, 0);
    assert_string_equal(ent->field[MASTER_FIELD_PRIVATE], "n");
    assert_string_equal(ent->field[MASTER_FIELD_UNPRIV], "-");
    assert_string_equal(ent->field[MASTER_FIELD_MAXPROC], "-");
    assert_string_equal(ent->field[MASTER_FIELD_COMMAND], "smtpd");

    ent = master_conf_find(conf, "smtp", "unix");
    assert_non_null(ent);
    assert_int_equal(ent->type, MASTER_TYPE_UNIX);
    assert_true(ent->private_);
    assert_string_equal(ent->args->argv[0], "smtp");

    ent = master_conf_find(conf, "pickup", "unix");
    assert_int_equal(ent->wakeup, 60);
    assert_false(ent->wakeup_if_used);
    assert_int_equal(ent->maxproc, 1);
    assert_false(ent->private_);

    ent = master_conf_find(conf, "tlsmgr", "unix");
    assert_int_equal(ent->wakeup, 1000);
    assert_true(ent->wakeup_if_used);
    assert_string_equal(ent->field[MASTER_FIELD_WAKEUP], "1000?");

    ent = master_conf_find(conf, "flush", "unix");
    assert_int_equal(ent->wakeup, 1000);
    assert_true(ent->wakeup_if_used);
    assert_int_equal(ent->maxproc, 0);

    ent = master_conf_find(conf, "cleanup", "unix");
    assert_int_equal(ent->maxproc, 0);

    ent = master_conf_find(conf, "local", "unix");
    assert_false(ent->unpriv);
    assert_string_equal(ent->field[MASTER_FIELD_UNPRIV], "n");

    ent = master_conf_find(conf, "rewrite", "unix");
    assert_string_equal(ent->args->argv[0], "trivial-rewrite");

    ent = master_conf_find(conf, "postlog", "unix-dgram");
    assert_non_null(ent);
    assert_int_equal(ent->type, MASTER_TYPE_UNIX_DGRAM);
    assert_false(ent->private_);
    assert_int_equal(ent->maxproc, 1);
    assert_string_equal(ent->args->argv[0], "postlogd");

    assert_null(master_conf_find(conf, "smtp", "fifo"));
    assert_null(master_conf_find(conf, "postscreen", "inet"));
    master_conf_free(conf);
}

/* test_fixture_overrides - the active -o lines of the stock file */
static void
test_fixture_overrides(void **state)
{
    MASTER_CONF *conf = master_conf_read(fixture_path(), why);
    MASTER_ENT *ent;

    assert_non_null(conf);
    /* Commented -o lines sit between the entry and its continuation. */
    ent = master_conf_find(conf, "submission", "inet");
    assert_int_equal(ent->overrides->argc, 1);
    assert_string_equal(ent->overrides->argv[0],
                        "smtpd_relay_restrictions=permit");
    assert_int_equal(ent->args->argc, 1);
    assert_string_equal(ent->field[MASTER_FIELD_COMMAND],
                        "smtpd -o smtpd_relay_restrictions=permit");

    ent = master_conf_find(conf, "relay", "unix");
    assert_int_equal(ent->overrides->argc, 1);
    assert_string_equal(ent->overrides->argv[0],
                        "syslog_name=postfix/$service_name");

    ent = master_conf_find(conf, "smtps", "inet");
    assert_int_equal(ent->overrides->argc, 0);
    master_conf_free(conf);
}

/* test_option_forms - -o name=value, -oname=value, -o { ... } */
static void
test_option_forms(void **state)
{
    MASTER_CONF *conf;
    MASTER_ENT *ent;

    conf = parse_ok("a unix - - n - - cmd -o x=1 -oy=2 -o { z = a b }\n"
                    "  -o {w=}\n"
                    "  -o\n"
                    "  { v = split }\n"
                    "  -v -o last=yes arg -o notanoption=1 { grouped arg }\n");
    ent = conf->ents[0];
    assert_int_equal(ent->overrides->argc, 6);
    assert_string_equal(ent->overrides->argv[0], "x=1");
    assert_string_equal(ent->overrides->argv[1], "y=2");
    assert_string_equal(ent->overrides->argv[2], "z=a b");
    assert_string_equal(ent->overrides->argv[3], "w=");
    assert_string_equal(ent->overrides->argv[4], "v=split");
    assert_string_equal(ent->overrides->argv[5], "last=yes");
    assert_int_equal(ent->args->argc, 6);
    assert_string_equal(ent->args->argv[0], "cmd");
    assert_string_equal(ent->args->argv[1], "-v");
    assert_string_equal(ent->args->argv[2], "arg");
    assert_string_equal(ent->args->argv[3], "-o");
    assert_string_equal(ent->args->argv[4], "notanoption=1");
    assert_string_equal(ent->args->argv[5], "grouped arg");
    assert_string_equal(ent->field[MASTER_FIELD_COMMAND],
                        "cmd -o x=1 -oy=2 -o { z = a b } -o { w= } -o "
                        "{ v = split } -v -o last=yes arg -o notanoption=1 "
                        "{ grouped arg }");
    master_conf_free(conf);
}

/* test_service_names - inet host:port forms and the other types */
static void
test_service_names(void **state)
{
    MASTER_CONF *conf;

    conf = parse_ok("127.0.0.1:smtp inet n - n - - smtpd\n"
                    "[::1]:2525 inet n - n - - smtpd\n"
                    "2526 inet n - n - - smtpd\n"
                    "private/x unix - - n - - x\n"
                    "pipe fifo n - n 60 1 pickup\n"
                    "smtpd pass - - n - - smtpd\n"
                    "smtp unix - - n - - smtp\n");
    assert_int_equal(conf->count, 7);
    assert_string_equal(conf->ents[0]->name, "127.0.0.1:smtp");
    assert_string_equal(conf->ents[1]->name, "[::1]:2525");
    assert_int_equal(conf->ents[4]->type, MASTER_TYPE_FIFO);
    assert_int_equal(conf->ents[5]->type, MASTER_TYPE_PASS);
    assert_non_null(master_conf_find(conf, "[::1]:2525", "inet"));
    master_conf_free(conf);
    conf = parse_ok("");
    assert_int_equal(conf->count, 0);
    master_conf_free(conf);
    conf = parse_ok("# only\n\n   # comments\n");
    assert_int_equal(conf->count, 0);
    master_conf_free(conf);
    /* No final newline, CRLF line ends. */
    conf = parse_ok("a unix - - n - - a\r\nb unix - - n - - b -o x=y");
    assert_int_equal(conf->count, 2);
    assert_string_equal(conf->ents[0]->args->argv[0], "a");
    assert_string_equal(conf->ents[1]->overrides->argv[0], "x=y");
    master_conf_free(conf);
}

/* test_errors - each typo gives master.cf:LINE: with the right line */
static void
test_errors(void **state)
{
    parse_error("smtp inet n - n - - smtpd\n"
                "pickup unix x - n 60 1 pickup\n",
                "master.cf:2: field \"private\": bad value: \"x\"");
    parse_error("a unix - yes n - - a\n",
                "master.cf:1: field \"unprivileged\": bad value: \"yes\"");
    parse_error("a unix - - Y - - a\n",
                "master.cf:1: field \"chroot\": bad value: \"Y\"");
    parse_error("# c\na unix - - n 1x - a\n",
                "master.cf:2: field \"wakeup\": bad value: \"1x\"");
    parse_error("a unix - - n ? - a\n",
                "master.cf:1: field \"wakeup\": bad value: \"?\"");
    parse_error("a unix - - n -5 - a\n",
                "master.cf:1: field \"wakeup\": bad value: \"-5\"");
    parse_error("a unix - - n - 1? a\n",
                "master.cf:1: field \"process_limit\": bad value: \"1?\"");
    parse_error("a unix - - n - many a\n",
                "master.cf:1: field \"process_limit\": bad value: \"many\"");
    parse_error("\n\na socket - - n - - a\n",
                "master.cf:3: field \"type\": unknown service type: "
                "\"socket\"");
    parse_error("a unix - - n - -\n",
                "master.cf:1: too few fields: expected at least 8, found 7");
    parse_error("a unix - - n\n  - -\n",
                "master.cf:1: too few fields: expected at least 8, found 7");
    parse_error("a unix - - n - - a\n  -o\n",
                "master.cf:2: -o without parameter setting");
    parse_error("a unix - - n - - a\n  -o\n  -o x=1\n",
                "master.cf:2: -o without parameter setting");
    parse_error("a unix - - n - - a\n#\n  -o x=1\n  -o novalue\n",
                "master.cf:4: -o \"novalue\": missing '='");
    parse_error("a unix - - n - - a -o =v\n",
                "master.cf:1: -o \"=v\": missing parameter name");
    parse_error("a unix - - n - - a\n  -o { x = 1\n",
                "master.cf:2: missing '}' in \"{ x = 1\"");
    parse_error("a unix - - n - - a -o {x=1}y\n",
                "master.cf:1: text after '}' in \"{x=1}y\"");
    parse_error("  -o x=y\na unix - - n - - a\n",
                "master.cf:1: continuation line without a preceding entry");
    parse_error("a unix - - n - - a\nb unix - - n - - b\na unix - - n - - c\n",
                "master.cf:3: duplicate service: \"a/unix\" "
                "(first defined at line 1)");
    parse_error("::1:25 inet n - n - - smtpd\n",
                "master.cf:1: field \"service\": bad value: \"::1:25\"");
    parse_error("host: inet n - n - - smtpd\n",
                "master.cf:1: field \"service\": bad value: \"host:\"");
    parse_error("[::1]25 inet n - n - - smtpd\n",
                "master.cf:1: field \"service\": bad value: \"[::1]25\"");
    /* A typo in the middle of the stock file. */
    parse_error("smtp      inet  n       -       n       -       -       "
                "smtpd\n"
                "#smtp      inet  n       -       n       -       1       "
                "postscreen\n"
                "pickup    unix  n       -       n       60      1       "
                "pickup\n"
                "cleanup   unix  n       -       n       -       0       "
                "cleanup\n"
                "qmgr      unix  n       -       n       3OO     1       "
                "qmgr\n",
                "master.cf:5: field \"wakeup\": bad value: \"3OO\"");
}

/* test_read_missing - a missing file */
static void
test_read_missing(void **state)
{
    buf_reset(why);
    assert_null(master_conf_read("/nonexistent/master.cf", why));
    assert_non_null(strstr(buf_str(why), "open /nonexistent/master.cf"));
}

/* main - run the tests */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture_entries),
        cmocka_unit_test(test_fixture_columns),
        cmocka_unit_test(test_fixture_overrides),
        cmocka_unit_test(test_option_forms),
        cmocka_unit_test(test_service_names),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_read_missing),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
