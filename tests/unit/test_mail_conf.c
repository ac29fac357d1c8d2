/* test_mail_conf - unit tests for mail_conf and mail_params: main.cf
 * parsing, lookups and defaults, expansion, unused names, the parameter
 * table and the loader (bad values end the process: tested in a child). */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "argv.h"
#include "buf.h"
#include "mail_conf.h"
#include "mail_params.h"

static char tmpdir[] = "/tmp/test_mail_conf.XXXXXX";
static char path[300];
static BUF *why;

/* write_main - replace DIR/main.cf with text */
static const char *
write_main(const char *text)
{
    FILE   *fp = fopen(path, "w");

    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    return path;
}

/* setup - a temporary config directory */
static int
setup(void **state)
{
    if (mkdtemp(tmpdir) == NULL)
        return -1;
    snprintf(path, sizeof(path), "%s/main.cf", tmpdir);
    mail_conf_set_dir(tmpdir);
    why = buf_alloc(64);
    return 0;
}

/* teardown - remove the directory */
static int
teardown(void **state)
{
    unlink(path);
    rmdir(tmpdir);
    buf_free(why);
    mail_conf_reset();
    mail_conf_set_dir(NULL);
    return 0;
}

/* reset - each test starts with an empty table */
static int
reset(void **state)
{
    mail_conf_reset();
    buf_reset(why);
    return 0;
}

/* read_ok - parse text as main.cf, expecting success */
static void
read_ok(const char *text)
{
    int     status = mail_conf_read_file(write_main(text), why);

    if (status != 0)
        fail_msg("unexpected error: %s", buf_str(why));
}

/* read_error - parse text as main.cf, expecting "main.cf:LINE: what" */
static void
read_error(const char *text, int line, const char *what)
{
    char    want[400];

    assert_int_equal(mail_conf_read_file(write_main(text), why), -1);
    snprintf(want, sizeof(want), "%s:%d: %s", path, line, what);
    assert_string_equal(buf_str(why), want);
}

/* test_dir - -c DIR, $MAIL_CONFIG, the default */
static void
test_dir(void **state)
{
    char    want[300];

    assert_string_equal(mail_conf_dir(), tmpdir);
    snprintf(want, sizeof(want), "%s/main.cf", tmpdir);
    assert_string_equal(mail_conf_main_path(), want);
    mail_conf_set_dir(NULL);
    setenv("MAIL_CONFIG", "/from/env", 1);
    assert_string_equal(mail_conf_dir(), "/from/env");
    assert_string_equal(mail_conf_main_path(), "/from/env/main.cf");
    unsetenv("MAIL_CONFIG");
    assert_string_equal(mail_conf_dir(), DEF_CONFIG_DIR);
    mail_conf_set_dir(tmpdir);
    assert_string_equal(param_default("config_directory"), tmpdir);
    /* Setting the directory to itself (as a reload does) is safe. */
    mail_conf_set_dir(mail_conf_dir());
    assert_string_equal(mail_conf_dir(), tmpdir);
}

/* test_parse_basic - names, values, white space, lines, comments */
static void
test_parse_basic(void **state)
{
    read_ok("# a comment\n"
            "\n"
            "myhostname = mx.example.com\n"
            "   # indented comment\n"
            "relayhost=[10.0.0.1]:587   \n"
            "empty =\n"
            "spaced   =   a  b  \n"
            "mail_owner = post=fix\n");
    assert_string_equal(mail_conf_lookup("myhostname"), "mx.example.com");
    assert_int_equal(mail_conf_line("myhostname"), 3);
    assert_string_equal(mail_conf_path("myhostname"), path);
    assert_string_equal(mail_conf_lookup("relayhost"), "[10.0.0.1]:587");
    assert_int_equal(mail_conf_line("relayhost"), 5);
    assert_string_equal(mail_conf_lookup("empty"), "");
    assert_string_equal(mail_conf_lookup("spaced"), "a  b");
    assert_string_equal(mail_conf_lookup("mail_owner"), "post=fix");
    assert_null(mail_conf_lookup("nosuch"));
    assert_int_equal(mail_conf_line("nosuch"), 0);
    assert_null(mail_conf_path("nosuch"));
}

/* test_parse_continuation - lines starting with white space continue */
static void
test_parse_continuation(void **state)
{
    read_ok("mynetworks = 127.0.0.0/8\n"
            "    10.0.0.0/8,\n"
            "# a comment inside does not end the entry\n"
            "\n"
            "\t192.168.0.0/16\n"
            "myorigin = example.com\n");
    assert_string_equal(mail_conf_lookup("mynetworks"),
                        "127.0.0.0/8 10.0.0.0/8, 192.168.0.0/16");
    assert_int_equal(mail_conf_line("mynetworks"), 1);
    assert_string_equal(mail_conf_lookup("myorigin"), "example.com");
    assert_int_equal(mail_conf_line("myorigin"), 6);
    /* A value may start on the continuation line. */
    read_ok("relayhost =\n  [mail.example]\n");
    assert_string_equal(mail_conf_lookup("relayhost"), "[mail.example]");
}

/* test_parse_last_wins - a repeated name takes the last value */
static void
test_parse_last_wins(void **state)
{
    read_ok("myorigin = first\nmydomain = d\nmyorigin = second\n");
    assert_string_equal(mail_conf_lookup("myorigin"), "second");
    assert_int_equal(mail_conf_line("myorigin"), 3);
}

/* test_parse_errors - each error names the file and the line */
static void
test_parse_errors(void **state)
{
    read_error("myorigin = x\nbroken line\n", 2,
               "missing '=' after parameter name");
    read_error("myorigin\n", 1, "missing '=' after parameter name");
    read_error("# c\n\n  indented = x\n", 3,
               "logical line must not start with white space");
    read_error("a = b\n= value\n", 2, "missing parameter name before '='");
    read_error("a = 1\nb = 2\nc: 3\n   more\nd = 4\n", 3,
               "missing '=' after parameter name");
    /* A file with an error changes nothing. */
    read_ok("myorigin = kept\n");
    read_error("myorigin = lost\nbad\n", 2,
               "missing '=' after parameter name");
    assert_string_equal(mail_conf_lookup("myorigin"), "kept");
    /* A missing file. */
    assert_int_equal(mail_conf_read_file("/nonexistent/main.cf", why), -1);
    assert_non_null(strstr(buf_str(why), "open /nonexistent/main.cf"));
}

/* test_override - -o settings and run-time values */
static void
test_override(void **state)
{
    read_ok("myorigin = file\n");
    assert_int_equal(mail_conf_override("myorigin=override", why), 0);
    assert_string_equal(mail_conf_lookup("myorigin"), "override");
    assert_int_equal(mail_conf_line("myorigin"), 0);
    assert_null(mail_conf_path("myorigin"));
    assert_int_equal(mail_conf_override(" syslog_name = a b ", why), 0);
    assert_string_equal(mail_conf_lookup("syslog_name"), "a b");
    assert_int_equal(mail_conf_override("novalue", why), -1);
    assert_non_null(strstr(buf_str(why), "missing '='"));
    assert_int_equal(mail_conf_override("=x", why), -1);
    mail_conf_update("service_name", "smtp");
    assert_string_equal(mail_conf_lookup("service_name"), "smtp");
}

/* test_defaults - lookup falls back to the table */
static void
test_defaults(void **state)
{
    assert_string_equal(mail_conf_lookup("mail_owner"), "postfix");
    assert_null(mail_conf_lookup_set("mail_owner"));
    read_ok("mail_owner = someone\n");
    assert_string_equal(mail_conf_lookup_set("mail_owner"), "someone");
    assert_string_equal(param_default("mail_owner"), "postfix");
    assert_null(param_default("nosuch"));
    /* Read-only parameters ignore main.cf. */
    read_ok("mail_version = 9.9\n");
    assert_string_equal(mail_conf_lookup("mail_version"), POSTERN_VERSION);
    assert_string_equal(mail_conf_lookup("service_name"), "");
}

/* test_dynamic_defaults - host, domain, networks, identity */
static void
test_dynamic_defaults(void **state)
{
    char    pid[32];

    assert_true(strlen(param_default("myhostname")) > 0);
    read_ok("myhostname = mx.sub.example.test\n");
    assert_string_equal(param_default("mydomain"), "sub.example.test");
    assert_string_equal(mail_conf_eval("mydomain"), "sub.example.test");
    read_ok("myhostname = nodots\n");
    assert_string_equal(param_default("mydomain"), "localdomain");
    /* A loop through a dynamic default does not hang. */
    read_ok("myhostname = $mydomain\n");
    assert_non_null(param_default("mydomain"));
    assert_non_null(strstr(param_default("mynetworks"),
                           "127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128"));
    snprintf(pid, sizeof(pid), "%ld", (long) getpid());
    assert_string_equal(param_default("process_id"), pid);
    assert_string_equal(param_default("process_name"), "test_mail_conf");
}

/* test_expand - lazy expansion through the table and the defaults */
static void
test_expand(void **state)
{
    BUF    *out = buf_alloc(64);

    read_ok("myorigin = $mydomain\n"
            "myhostname = mx.example.test\n"
            "mydomain = example.com\n"
            "loop = $loop\n"
            "syslog_name = ${multi_instance_name?{$multi_instance_name}"
            ":{postfix}}\n");
    assert_string_equal(mail_conf_eval("myorigin"), "example.com");
    assert_string_equal(mail_conf_eval("mydestination"),
                        "mx.example.test, localhost.example.com, localhost");
    assert_string_equal(mail_conf_eval("syslog_name"), "postfix");
    mail_conf_update("multi_instance_name", "postfix-b");
    assert_string_equal(mail_conf_eval("syslog_name"), "postfix-b");
    assert_int_equal(mail_conf_expand(out, "<$myorigin>", why), 0);
    assert_string_equal(buf_str(out), "<example.com>");
    buf_reset(out);
    assert_int_equal(mail_conf_expand(out, "$loop", why), -1);
    assert_string_equal(buf_str(why),
                        "unreasonable macro call nesting: \"loop\"");
    assert_null(mail_conf_eval("nosuch"));
    buf_free(out);
}

/* test_names - names set in the file or by override, sorted */
static void
test_names(void **state)
{
    const char **names;

    read_ok("zeta = 1\nalpha = 2\nmyorigin = 3\n");
    mail_conf_update("beta", "4");
    names = mail_conf_names();
    assert_string_equal(names[0], "alpha");
    assert_string_equal(names[1], "beta");
    assert_string_equal(names[2], "myorigin");
    assert_string_equal(names[3], "zeta");
    assert_null(names[4]);
    free(names);
}

/* test_unused - unknown names nothing refers to */
static void
test_unused(void **state)
{
    ARGV   *more = argv_alloc(2);
    ARGV   *unused;

    read_ok("myorigin = $my_domain\n"
            "my_domain = example.com\n"
            "lonely = 1\n"
            "mua_client_restrictions = permit\n"
            "cond_used = x\n"
            "other = ${cond_used?{a}}$(paren_used)$$dollar\n"
            "paren_used = y\n"
            "dollar = z\n");
    argv_add(more, "smtpd_client_restrictions=$mua_client_restrictions");
    unused = mail_conf_unused(more);
    /* other is unused too: nothing refers to it. */
    assert_int_equal(unused->argc, 3);
    assert_string_equal(unused->argv[0], "dollar");
    assert_string_equal(unused->argv[1], "lonely");
    assert_string_equal(unused->argv[2], "other");
    argv_free(unused);
    unused = mail_conf_unused(NULL);
    assert_int_equal(unused->argc, 4);
    assert_string_equal(unused->argv[2], "mua_client_restrictions");
    argv_free(unused);
    argv_free(more);
    /* Overrides are never reported. */
    mail_conf_reset();
    mail_conf_update("run_time", "x");
    assert_int_equal(mail_conf_warn_unused(NULL), 0);
}

/* test_table - sorted, unique, every default converts */
static void
test_table(void **state)
{
    assert_true(param_table_size > 10);
    for (int i = 1; i < param_table_size; i++)
        assert_true(strcmp(param_table[i - 1].name, param_table[i].name) < 0);
    for (int i = 0; i < param_table_size; i++)
        assert_ptr_equal(param_info(param_table[i].name), &param_table[i]);
    assert_null(param_info("nosuch"));
    assert_null(param_info(""));
}

/* test_params_init - converted, expanded values; bare times */
static void
test_params_init(void **state)
{
    read_ok("myhostname = mx.example.test\n"
            "myorigin = $mydomain\n"
            "default_process_limit = 7\n"
            "daemon_timeout = 2h\n"
            "ipc_idle = 10\n"
            "syslog_name = raw $$ text\n");
    mail_conf_update("service_name", "smtp");
    mail_params_init();
    assert_string_equal(var_myhostname, "mx.example.test");
    assert_string_equal(var_mydomain, "example.test");
    assert_string_equal(var_myorigin, "example.test");
    assert_string_equal(var_mydestination,
                        "mx.example.test, localhost.example.test, localhost");
    assert_int_equal(var_default_process_limit, 7);
    assert_int_equal(var_daemon_timeout, 7200);
    assert_int_equal(var_ipc_idle, 10);
    assert_int_equal(var_max_idle, 100);
    assert_string_equal(var_syslog_name, "raw $ text");
    assert_string_equal(var_service_name, "smtp");
    assert_string_equal(var_config_directory, tmpdir);
    /* A second run replaces the values. */
    mail_conf_update("max_idle", "1m");
    mail_params_init();
    assert_int_equal(var_max_idle, 60);
}

/* init_in_child - run mail_params_init in a child; return its stderr */
static int
init_in_child(const char *text, BUF *err)
{
    int     pfd[2];
    int     status;
    char    chunk[512];
    ssize_t got;
    pid_t   pid;

    read_ok(text);
    assert_int_equal(pipe(pfd), 0);
    if ((pid = fork()) == 0) {
        dup2(pfd[1], 2);
        close(pfd[0]);
        mail_params_init();
        _exit(0);
    }
    close(pfd[1]);
    buf_reset(err);
    while ((got = read(pfd[0], chunk, sizeof(chunk))) > 0)
        buf_append(err, chunk, (size_t) got);
    close(pfd[0]);
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* test_params_bad - each bad value ends the process naming main.cf:LINE */
static void
test_params_bad(void **state)
{
    static const struct {
        const char *text;
        const char *want;
    } cases[] = {
        {"a = 1\ndefault_process_limit = abc\n",
        ":2: bad numerical configuration: default_process_limit = abc"},
        {"daemon_timeout = 5x\n",
        ":1: bad time configuration: daemon_timeout = 5x"},
        {"default_process_limit = 0\n",
        ":1: invalid default_process_limit parameter value 0 < 1"},
        {"\n\nmax_use = 99999999999\n",
        ":3: bad numerical configuration: max_use = 99999999999"},
        {"x = $x\nmyorigin = $x\n",
        ":2: myorigin = $x: unreasonable macro call nesting: \"x\""},
    };
    BUF    *err = buf_alloc(256);

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        mail_conf_reset();
        assert_int_equal(init_in_child(cases[i].text, err), 1);
        if (strstr(buf_str(err), cases[i].want) == NULL
            || strstr(buf_str(err), path) == NULL)
            fail_msg("case %zu: got \"%s\", want \"%s\"", i, buf_str(err),
                     cases[i].want);
    }
    mail_conf_reset();
    assert_int_equal(init_in_child("max_use = 5\n", err), 0);
    buf_free(err);
}

/* main - run the tests */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_dir, reset),
        cmocka_unit_test_setup(test_parse_basic, reset),
        cmocka_unit_test_setup(test_parse_continuation, reset),
        cmocka_unit_test_setup(test_parse_last_wins, reset),
        cmocka_unit_test_setup(test_parse_errors, reset),
        cmocka_unit_test_setup(test_override, reset),
        cmocka_unit_test_setup(test_defaults, reset),
        cmocka_unit_test_setup(test_dynamic_defaults, reset),
        cmocka_unit_test_setup(test_expand, reset),
        cmocka_unit_test_setup(test_names, reset),
        cmocka_unit_test_setup(test_unused, reset),
        cmocka_unit_test_setup(test_table, reset),
        cmocka_unit_test_setup(test_params_init, reset),
        cmocka_unit_test_setup(test_params_bad, reset),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
