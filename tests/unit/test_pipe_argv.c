/* test_pipe_argv - unit tests for the $name macros of pipe(8)'s argv=:
 * message and recipient macros, one argument per recipient, the h, q
 * and u flags, null_sender, values that hold '$', the conditional
 * forms, an unknown name, and the argument left out when ${user} has no
 * value. The expected vectors are those Postfix 3.7's pipe gave
 * (observed, docs/pipe.md). The module is a part of the pipe program,
 * compiled in here. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "../../src/pipe/pipe_argv.c"

static RECIPIENT rcpts[3];
static DELIVER_REQUEST req;

/* setup - a request with two recipients from an SMTP client */
static int
setup(void **state)
{
    var_recipient_delimiter = "+";
    memset(&req, 0, sizeof(req));
    memset(rcpts, 0, sizeof(rcpts));
    rcpts[0].address = "C+e2@P2.test";
    rcpts[0].orig_addr = "";
    rcpts[1].address = "b+e1@p2.test";
    rcpts[1].orig_addr = "orig@p2.test";
    req.rcpt = rcpts;
    req.rcpt_count = 2;
    req.queue_id = "ABC123";
    req.sender = "s@example.org";
    req.nexthop = "P2.test";
    req.data_size = 283;
    req.client_addr = "127.0.0.1";
    req.client_helo = "client.example.org";
    req.client_name = "localhost";
    req.client_port = "34588";
    req.client_proto = "ESMTP";
    req.sasl_method = "";
    req.sasl_sender = "";
    req.sasl_username = "";
    return 0;
}

/* expand - the argv for template (words split on spaces) and opts,
 * joined with '|' (static); NULL for an error, with the reason in why */
static const char *
expand(const char *template, int opts, const char *null_sender, BUF *why)
{
    static BUF *joined;
    PIPE_ATTR attr;
    ARGV   *args;

    memset(&attr, 0, sizeof(attr));
    attr.opts = opts;
    attr.null_sender = (char *) null_sender;
    attr.argv = argv_split(template, " ");
    args = pipe_argv_expand(&attr, &req, why);
    argv_free(attr.argv);
    if (args == NULL)
        return NULL;
    if (joined == NULL)
        joined = buf_alloc(100);
    buf_reset(joined);
    for (int i = 0; i < args->argc; i++)
        buf_sprintf_append(joined, "%s%s", i ? "|" : "", args->argv[i]);
    argv_free(args);
    return buf_str(joined);
}

/* check - expand without error, compare */
static void
check(const char *template, int opts, const char *want)
{
    BUF    *why = buf_alloc(10);

    assert_string_equal(expand(template, opts, "MAILER-DAEMON", why), want);
    buf_free(why);
}

/* test_message_macros - one argument each, empty ones kept */
static void
test_message_macros(void **state)
{
    check("${sender} $nexthop $(queue_id) ${size} ${client_address} "
          "${client_helo} ${client_hostname} ${client_port} "
          "${client_protocol} ${sasl_method} ${sasl_sender} "
          "${sasl_username} $$x a$${b}",
          0, "s@example.org|P2.test|ABC123|283|127.0.0.1|client.example.org|"
          "localhost|34588|ESMTP||||$x|a${b}");
}

/* test_per_recipient - one argument per recipient, in request order */
static void
test_per_recipient(void **state)
{
    check("-f ${sender} -x{${recipient}}y ${user}+${extension} $mailbox "
          "${domain} ${original_recipient}", 0,
          "-f|s@example.org|-x{C+e2@P2.test}y|-x{b+e1@p2.test}y|C+e2|b+e1|"
          "C+e2|b+e1|P2.test|p2.test|C+e2@P2.test|orig@p2.test");
}

/* test_flags_each - h folds domains, u local parts, q quotes local
 * parts; one flag at a time */
static void
test_flags_each(void **state)
{
    rcpts[1].address = "A B@Example.Test";
    check("${recipient}|${user}", 0,
          "C+e2@P2.test|C|A B@Example.Test|A B");
    check("${recipient} ${user} ${domain} ${nexthop}", PIPE_OPT_FOLD_HOST,
          "C+e2@p2.test|A B@example.test|C|A B|p2.test|example.test|p2.test");
    check("${recipient} ${extension} ${mailbox}", PIPE_OPT_FOLD_USER,
          "c+e2@P2.test|a b@Example.Test|e2||c+e2|a b");
    check("${recipient} ${user}", PIPE_OPT_QUOTE,
          "C+e2@P2.test|\"A B\"@Example.Test|C|A B");
}

/* test_null_sender - null_sender=, quoted by q unless empty */
static void
test_null_sender(void **state)
{
    BUF    *why = buf_alloc(10);

    req.sender = "";
    assert_string_equal(expand("${sender}", 0, "MAILER-DAEMON", why),
                        "MAILER-DAEMON");
    assert_string_equal(expand("-f ${sender} x", PIPE_OPT_QUOTE, "", why),
                        "-f||x");
    assert_string_equal(expand("${sender}", PIPE_OPT_QUOTE, "bo\"unce", why),
                        "\"bo\\\"unce\"");
    req.sender = "\"s x\"@example.org";
    assert_string_equal(expand("${sender}", 0, "", why),
                        "\"s x\"@example.org");
    buf_free(why);
}

/* test_no_second_expansion - a '$' in an address stays */
static void
test_no_second_expansion(void **state)
{
    rcpts[0].address = "$sender${queue_id}@P2.test";
    req.rcpt_count = 1;
    check("${recipient} ${user}", 0,
          "$sender${queue_id}@P2.test|$sender${queue_id}");
}

/* test_empty_user - ""@domain: arguments with ${user} are left out */
static void
test_empty_user(void **state)
{
    rcpts[0].address = "@pdom.test";
    rcpts[1].address = "a@pdom.test";
    check("X${user} [${extension}] ${mailbox}", 0, "Xa|[]|[]||a");
}

/* test_conditional - ${name?text} and ${name:text} */
static void
test_conditional(void **state)
{
    req.rcpt_count = 1;
    check("${extension?+${extension}} ${sasl_method:none}", 0, "+e2|none");
}

/* test_errors - unknown names and bad syntax */
static void
test_errors(void **state)
{
    BUF    *why = buf_alloc(10);

    assert_null(expand("x ${nosuch} y", 0, "", why));
    assert_string_equal(buf_str(why), "unknown macro name: \"nosuch\"");
    assert_null(expand("$myhostname", 0, "", why));
    assert_string_equal(buf_str(why), "unknown macro name: \"myhostname\"");
    assert_null(expand("${recipient", 0, "", why));
    assert_non_null(strstr(buf_str(why), "unbalanced"));
    buf_free(why);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_message_macros, setup),
        cmocka_unit_test_setup(test_per_recipient, setup),
        cmocka_unit_test_setup(test_flags_each, setup),
        cmocka_unit_test_setup(test_null_sender, setup),
        cmocka_unit_test_setup(test_no_second_expansion, setup),
        cmocka_unit_test_setup(test_empty_user, setup),
        cmocka_unit_test_setup(test_conditional, setup),
        cmocka_unit_test_setup(test_errors, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
