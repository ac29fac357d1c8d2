/* test_hbc - unit tests for hbc (header and body checks): every action
 * word and its text, the REJECT reply, each warning for a bad result,
 * the table for each header class, one lookup per header when all
 * parameters name the same table, table failures, and the log line of
 * each action. Expected texts are lines that Debian's Postfix 3.7
 * cleanup logged for the same table results (docs/content-checks.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "table_fixture.h"
#include "hbc.h"

/* The SMTP and local submissions that the observed lines came from. */
static const HBC_LOG_CTX smtp_ctx = {
    .client = "localhost[127.0.0.1]",
    .sender = "a@example.org",
    .recipient = "b@example.org",
    .proto = "ESMTP",
    .helo = "client.example",
};
static const HBC_LOG_CTX local_ctx = {
    .sender = "root@mx.example.test",
    .recipient = "bob@example.org",
};

#define SMTP_FROM "from localhost[127.0.0.1]; from=<a@example.org> " \
        "to=<b@example.org> proto=ESMTP helo=<client.example>"

static HBC_ACTION *act;

/* setup - fixture plus an action */
static int
setup(void **state)
{
    act = hbc_action_alloc();
    return fixture_setup(state);
}

/* teardown - free both */
static int
teardown(void **state)
{
    hbc_action_free(act);
    return fixture_teardown(state);
}

#define HBC_TEST(test) cmocka_unit_test_setup_teardown(test, setup, teardown)

/* parse - parse a header_checks result; returns hbc_parse's status */
static int
parse(const char *value, int what)
{
    buf_reset(fixture_why);
    return hbc_parse(value, "header_checks", what, act, fixture_why);
}

/* expect_action - parsing value gives code and text, no warning */
static void
expect_action(const char *value, HBC_CODE code, const char *text)
{
    if (parse(value, HBC_WHAT_HEADER) != 0)
        fail_msg("\"%s\": %s", value, buf_str(fixture_why));
    assert_int_equal(act->code, code);
    assert_string_equal(buf_str(act->text), text);
    assert_int_equal(buf_len(fixture_why), 0);
}

/* test_actions - every action word, any case; optional text kept, text
 * of DUNNO, OK and IGNORE dropped */
static void
test_actions(void **state)
{
    expect_action("DUNNO", HBC_DUNNO, "");
    expect_action("dunno with text", HBC_DUNNO, "");
    expect_action("OK", HBC_DUNNO, "");
    expect_action("ok with text", HBC_DUNNO, "");
    expect_action("IGNORE", HBC_IGNORE, "");
    expect_action("Ignore with text", HBC_IGNORE, "");
    expect_action("WARN", HBC_WARN, "");
    expect_action("warn some text", HBC_WARN, "some text");
    expect_action("INFO", HBC_INFO, "");
    expect_action("INFO    lead spaces", HBC_INFO, "lead spaces");
    expect_action("HOLD", HBC_HOLD, "");
    expect_action("HOLD 5.7.1 with code", HBC_HOLD, "5.7.1 with code");
    expect_action("DISCARD", HBC_DISCARD, "");
    expect_action("discard discard text", HBC_DISCARD, "discard text");
    expect_action("STRIP", HBC_STRIP, "");
    expect_action("STRIP strip text", HBC_STRIP, "strip text");
    expect_action("PASS", HBC_PASS, "");
    expect_action("Pass pass text", HBC_PASS, "pass text");
    expect_action("REPLACE X-Replaced: yes", HBC_REPLACE, "X-Replaced: yes");
    expect_action("PREPEND X-Prepended: yes", HBC_PREPEND,
                  "X-Prepended: yes");
    expect_action("REDIRECT red@example.org", HBC_REDIRECT,
                  "red@example.org");
    expect_action("FILTER smtp:[127.0.0.1]:10026", HBC_FILTER,
                  "smtp:[127.0.0.1]:10026");
    expect_action("BCC bcc@example.org", HBC_BCC, "bcc@example.org");
    expect_action("REJECT\ttab text", HBC_REJECT, "5.7.1 tab text");
}

/* test_arguments - what Postfix accepts as arguments: an address needs
 * only an '@', a filter only a ':', a header "name:" with printable
 * ASCII name and optional white space before the colon */
static void
test_arguments(void **state)
{
    expect_action("REDIRECT foo@", HBC_REDIRECT, "foo@");
    expect_action("REDIRECT @bar", HBC_REDIRECT, "@bar");
    expect_action("REDIRECT a@b c@d", HBC_REDIRECT, "a@b c@d");
    expect_action("BCC foo@", HBC_BCC, "foo@");
    expect_action("BCC a@b c@d", HBC_BCC, "a@b c@d");
    expect_action("FILTER smtp:", HBC_FILTER, "smtp:");
    expect_action("FILTER :dest", HBC_FILTER, ":dest");
    expect_action("FILTER :", HBC_FILTER, ":");
    expect_action("FILTER a:b c", HBC_FILTER, "a:b c");
    expect_action("PREPEND X-A:", HBC_PREPEND, "X-A:");
    expect_action("PREPEND X-A :v", HBC_PREPEND, "X-A :v");
    expect_action("REPLACE X-A\t: v", HBC_REPLACE, "X-A\t: v");
    /* Body lines need no header label. */
    assert_int_equal(parse("PREPEND not a header here", HBC_WHAT_BODY), 0);
    assert_int_equal(act->code, HBC_PREPEND);
    assert_string_equal(buf_str(act->text), "not a header here");
    assert_int_equal(parse("REPLACE replaced body line", HBC_WHAT_BODY), 0);
    assert_int_equal(act->code, HBC_REPLACE);
}

/* expect_reject - REJECT with this text gives this reply */
static void
expect_reject(const char *value, const char *reply, bool defer)
{
    expect_action(value, HBC_REJECT, reply);
    assert_int_equal(act->defer, defer);
}

/* test_reject_reply - the default reply, enhanced codes in front of the
 * text, and what is not taken for a code (SMTP codes among them) */
static void
test_reject_reply(void **state)
{
    expect_reject("REJECT", "5.7.1 message content rejected", false);
    expect_reject("reject no thanks", "5.7.1 no thanks", false);
    expect_reject("REJECT    many spaces", "5.7.1 many spaces", false);
    expect_reject("REJECT 5.7.9 only enhanced", "5.7.9 only enhanced",
                  false);
    expect_reject("REJECT 5.7.1    spaced", "5.7.1 spaced", false);
    expect_reject("REJECT 5.7.1\ttabbed", "5.7.1 tabbed", false);
    expect_reject("REJECT 5.999.999 big", "5.999.999 big", false);
    expect_reject("REJECT 5.07.1 lead zero", "5.07.1 lead zero", false);
    expect_reject("REJECT 5.7.9", "5.7.9 ", false);
    expect_reject("REJECT 4.7.1 temp text", "4.7.1 temp text", true);
    expect_reject("REJECT 4.7.1", "4.7.1 ", true);
    expect_reject("REJECT 550 5.7.0 no thanks",
                  "5.7.1 550 5.7.0 no thanks", false);
    expect_reject("REJECT 450 4.7.0 later please",
                  "5.7.1 450 4.7.0 later please", false);
    expect_reject("REJECT 554 only code", "5.7.1 554 only code", false);
    expect_reject("REJECT 3.7.3 three", "5.7.1 3.7.3 three", false);
    expect_reject("REJECT 6.7.1 six", "5.7.1 6.7.1 six", false);
    expect_reject("REJECT 5.7 short", "5.7.1 5.7 short", false);
    expect_reject("REJECT 5.7.1text", "5.7.1 5.7.1text", false);
    expect_reject("REJECT 5.7.3, comma", "5.7.1 5.7.3, comma", false);
    expect_reject("REJECT 5..3 x", "5.7.1 5..3 x", false);
    expect_reject("REJECT 55.7.3 x", "5.7.1 55.7.3 x", false);
    expect_reject("REJECT 5.1000.1 bigsub", "5.7.1 5.1000.1 bigsub", false);
    expect_reject("REJECT 5.7.1000 bigdet", "5.7.1 5.7.1000 bigdet", false);
}

/* test_reject_class2 - a success code is warned about and deferred */
static void
test_reject_class2(void **state)
{
    assert_int_equal(parse("REJECT 2.7.3 two", HBC_WHAT_HEADER), 1);
    assert_int_equal(act->code, HBC_REJECT);
    assert_string_equal(buf_str(act->text), "4.7.3 two");
    assert_true(act->defer);
    assert_string_equal(buf_str(fixture_why),
                        "bad DSN action in 2.7.3 two -- need 4.x.x or 5.x.x");
}

/* expect_bad - value is refused with exactly this warning */
static void
expect_bad(const char *value, int what, const char *warning)
{
    if (parse(value, what) != -1)
        fail_msg("no error for \"%s\"", value);
    assert_int_equal(act->code, HBC_DUNNO);
    assert_string_equal(buf_str(act->text), "");
    assert_string_equal(buf_str(fixture_why), warning);
}

/* test_bad_results - unknown words (DEFER among them) and missing or bad
 * arguments, in Postfix's words */
static void
test_bad_results(void **state)
{
    expect_bad("FROBNICATE now", HBC_WHAT_HEADER,
               "unknown command in header_checks map: FROBNICATE now");
    expect_bad("DEFER", HBC_WHAT_HEADER,
               "unknown command in header_checks map: DEFER");
    expect_bad("DEFER defer text", HBC_WHAT_BODY,
               "unknown command in header_checks map: DEFER defer text");
    expect_bad("REJECTX joined", HBC_WHAT_HEADER,
               "unknown command in header_checks map: REJECTX joined");
    expect_bad("REPLACE", HBC_WHAT_HEADER,
               "REPLACE action without text in header_checks map");
    expect_bad("prepend", HBC_WHAT_BODY,
               "PREPEND action without text in header_checks map");
    expect_bad("REDIRECT", HBC_WHAT_HEADER, "bad REDIRECT target \"\" in "
               "header_checks map -- need user@domain");
    expect_bad("REDIRECT foo", HBC_WHAT_HEADER, "bad REDIRECT target \"foo\" "
               "in header_checks map -- need user@domain");
    expect_bad("BCC", HBC_WHAT_HEADER, "bad BCC address \"\" in "
               "header_checks map -- need user@domain");
    expect_bad("BCC foo", HBC_WHAT_BODY, "bad BCC address \"foo\" in "
               "header_checks map -- need user@domain");
    expect_bad("FILTER", HBC_WHAT_HEADER,
               "missing FILTER command argument in header_checks map");
    expect_bad("FILTER nocolon", HBC_WHAT_HEADER, "bad FILTER command "
               "nocolon in header_checks -- need transport:destination");
    expect_bad("PREPEND not a header", HBC_WHAT_HEADER,
               "bad PREPEND header text \"not a header\" in header_checks "
               "map -- need \"headername: headervalue\"");
    expect_bad("REPLACE not a header", HBC_WHAT_HEADER,
               "bad REPLACE header text \"not a header\" in header_checks "
               "map -- need \"headername: headervalue\"");
    expect_bad("PREPEND :v", HBC_WHAT_HEADER, "bad PREPEND header text "
               "\":v\" in header_checks map -- need \"headername: "
               "headervalue\"");
    expect_bad("PREPEND X A: v", HBC_WHAT_HEADER, "bad PREPEND header text "
               "\"X A: v\" in header_checks map -- need \"headername: "
               "headervalue\"");
    expect_bad("PREPEND X-\xc3\x84: v", HBC_WHAT_HEADER, "bad PREPEND "
               "header text \"X-\xc3\x84: v\" in header_checks map -- need "
               "\"headername: headervalue\"");
    expect_bad("", HBC_WHAT_HEADER, "unknown command in header_checks map: ");
    expect_bad(" REJECT", HBC_WHAT_HEADER,
               "unknown command in header_checks map:  REJECT");
}

/* settings_same - every parameter names the same table */
static HBC_SETTINGS
settings_same(const char *spec)
{
    HBC_SETTINGS settings = {
        .header_checks = spec, .mime_header_checks = spec,
        .nested_header_checks = spec, .body_checks = spec,
        .dict_flags = DICT_FLAG_DEFAULT,
    };

    return settings;
}

/* check - hbc_check_header (class 1-3) or hbc_check_body (class 0),
 * expecting success; returns the action's text */
static const char *
check(HBC_TABLES *tables, int header_class, bool is_mime, const char *line)
{
    int     status;

    buf_reset(fixture_why);
    if (header_class == 0)
        status = hbc_check_body(tables, line, act, fixture_why);
    else
        status = hbc_check_header(tables, header_class, is_mime, line, act,
                                  fixture_why);
    if (status != 0)
        fail_msg("\"%s\": %s", line, buf_str(fixture_why));
    return buf_str(act->text);
}

/* test_table_choice - which table sees which header, as observed with
 * four different tables: MIME headers anywhere and every header of a
 * multipart part in mime_header_checks, the other headers of attached
 * messages in nested_header_checks */
static void
test_table_choice(void **state)
{
    char    specs[4][sizeof(fixture_file) + 16];
    const char *names[] = {"hc", "mhc", "nhc", "bc"};
    HBC_SETTINGS settings = {.dict_flags = DICT_FLAG_DEFAULT};
    HBC_TABLES *tables;
    char    rule[32];

    for (int i = 0; i < 4; i++) {
        snprintf(rule, sizeof(rule), "/./ WARN %s\n", names[i]);
        snprintf(specs[i], sizeof(specs[i]), "regexp:%s",
                 fixture_write(names[i], rule));
    }
    settings.header_checks = specs[0];
    settings.mime_header_checks = specs[1];
    settings.nested_header_checks = specs[2];
    settings.body_checks = specs[3];
    tables = hbc_tables_create(&settings);
    assert_string_equal(check(tables, 1, false, "Subject: x"), "hc");
    assert_int_equal(act->code, HBC_WARN);
    assert_string_equal(check(tables, 1, true, "Content-Type: text/plain"),
                        "mhc");
    assert_string_equal(check(tables, 2, true, "Content-Type: text/plain"),
                        "mhc");
    assert_string_equal(check(tables, 2, false, "X-Part: p"), "mhc");
    assert_string_equal(check(tables, 3, false, "Subject: nested"), "nhc");
    assert_string_equal(check(tables, 3, true, "MIME-Version: 1.0"), "mhc");
    assert_string_equal(check(tables, 0, false, "--boundary"), "bc");
    assert_int_equal(fixture_warning_count(), 0);
    hbc_tables_free(tables);
}

/* test_empty_parameters - an empty parameter means no checks at all: no
 * fallback to header_checks */
static void
test_empty_parameters(void **state)
{
    char    spec[sizeof(fixture_file) + 16];
    HBC_SETTINGS settings = {.dict_flags = DICT_FLAG_DEFAULT};
    HBC_TABLES *tables;

    snprintf(spec, sizeof(spec), "regexp:%s",
             fixture_write("hc", "/./ REJECT\n"));
    settings.header_checks = spec;
    settings.mime_header_checks = "";
    tables = hbc_tables_create(&settings);
    assert_null(tables->mime_header_checks);
    assert_null(tables->nested_header_checks);
    assert_null(tables->body_checks);
    check(tables, 1, true, "Content-Type: text/plain");
    assert_int_equal(act->code, HBC_DUNNO);
    check(tables, 2, false, "X-Part: p");
    assert_int_equal(act->code, HBC_DUNNO);
    check(tables, 3, false, "Subject: nested");
    assert_int_equal(act->code, HBC_DUNNO);
    check(tables, 0, false, "body");
    assert_int_equal(act->code, HBC_DUNNO);
    check(tables, 1, false, "Subject: x");
    assert_int_equal(act->code, HBC_REJECT);
    hbc_tables_free(tables);
}

/* test_one_lookup - with all parameters naming one table (the default
 * for mime_ and nested_header_checks), each line is looked up once, in
 * the table named after its class: a result that is warned about is
 * warned about once, with that table's parameter name */
static void
test_one_lookup(void **state)
{
    char    spec[sizeof(fixture_file) + 16];
    HBC_SETTINGS settings;
    HBC_TABLES *tables;

    snprintf(spec, sizeof(spec), "regexp:%s",
             fixture_write("hc", "/./ FROB\n"));
    settings = settings_same(spec);
    tables = hbc_tables_create(&settings);
    check(tables, 1, false, "Subject: x");
    check(tables, 1, true, "Content-Type: multipart/mixed");
    check(tables, 2, false, "X-Part: p");
    check(tables, 3, false, "Subject: nested");
    check(tables, 3, true, "Content-Type: text/plain");
    check(tables, 0, false, "body line");
    assert_int_equal(act->code, HBC_DUNNO);
    assert_string_equal(buf_str(fixture_warnings),
                        "unknown command in header_checks map: FROB\n"
                        "unknown command in mime_header_checks map: FROB\n"
                        "unknown command in mime_header_checks map: FROB\n"
                        "unknown command in nested_header_checks map: FROB\n"
                        "unknown command in mime_header_checks map: FROB\n"
                        "unknown command in body_checks map: FROB\n");
    hbc_tables_free(tables);
}

/* test_table_rules - a table with a bad result and a malformed line: the
 * warnings name the line, the other rules keep working, $n works */
static void
test_table_rules(void **state)
{
    char    spec[sizeof(fixture_file) + 16];
    HBC_SETTINGS settings = {.dict_flags = DICT_FLAG_DEFAULT};
    HBC_TABLES *tables;

    snprintf(spec, sizeof(spec), "regexp:%s",
             fixture_write("hc", "/^Subject: bad/ FROBNICATE now\n"
                           "/^Subject: (unclosed/ REJECT\n"
                           "/^Subject: buy (.*)/ REJECT 5.7.0 no $1\n"
                           "/^X-Loop: / DISCARD loop\n"));
    settings.header_checks = spec;
    tables = hbc_tables_create(&settings);
    fixture_warned(2, "");
    buf_reset(fixture_warnings);
    assert_string_equal(check(tables, 1, false, "Subject: buy now"),
                        "5.7.0 no now");
    assert_int_equal(act->code, HBC_REJECT);
    assert_string_equal(check(tables, 1, false, "x-loop: yes"), "loop");
    assert_int_equal(act->code, HBC_DISCARD);
    check(tables, 1, false, "Subject: bad");
    assert_int_equal(act->code, HBC_DUNNO);
    assert_string_equal(buf_str(fixture_warnings), "unknown command in "
                        "header_checks map: FROBNICATE now\n");
    check(tables, 1, false, "Subject: fine");
    assert_int_equal(act->code, HBC_DUNNO);
    hbc_tables_free(tables);
}

/* test_inline_table - exact-string tables work too (keys fold case) */
static void
test_inline_table(void **state)
{
    HBC_SETTINGS settings = {
        .body_checks = "inline:{ {stop here = REJECT 5.7.2 stopped} }",
        .dict_flags = DICT_FLAG_DEFAULT,
    };
    HBC_TABLES *tables = hbc_tables_create(&settings);

    assert_string_equal(check(tables, 0, false, "Stop Here"),
                        "5.7.2 stopped");
    assert_int_equal(act->code, HBC_REJECT);
    check(tables, 0, false, "stop here now");
    assert_int_equal(act->code, HBC_DUNNO);
    check(tables, 0, false, "");
    assert_int_equal(act->code, HBC_DUNNO);
    hbc_tables_free(tables);
}

/* test_lookup_error - a failing table is reported apart, never as "not
 * found", with Postfix's words for the deferral */
static void
test_lookup_error(void **state)
{
    char    missing[sizeof(fixture_dir) + 32];
    HBC_SETTINGS settings = {
        .mime_header_checks = "fail:mime",
        .body_checks = "fail:body",
        .dict_flags = DICT_FLAG_DEFAULT,
    };
    HBC_TABLES *tables;

    snprintf(missing, sizeof(missing), "regexp:%s/missing", fixture_dir);
    settings.header_checks = missing;
    tables = hbc_tables_create(&settings);
    buf_reset(fixture_why);
    assert_int_equal(hbc_check_header(tables, 1, false, "Subject: x", act,
                                      fixture_why), -1);
    assert_string_equal(buf_str(fixture_why), "header_checks map lookup "
                        "problem -- message not accepted, try again later");
    buf_reset(fixture_why);
    assert_int_equal(hbc_check_header(tables, 2, false, "X-Part: p", act,
                                      fixture_why), -1);
    assert_string_equal(buf_str(fixture_why), "mime_header_checks map "
                        "lookup problem -- message not accepted, try again "
                        "later");
    buf_reset(fixture_why);
    assert_int_equal(hbc_check_body(tables, "hello", act, fixture_why), -1);
    assert_string_equal(buf_str(fixture_why), "body_checks map lookup "
                        "problem -- message not accepted, try again later");
    assert_int_equal(act->code, HBC_DUNNO);
    buf_reset(fixture_why);
    assert_int_equal(hbc_check_header(tables, 4, false, "Subject: x", act,
                                      fixture_why), -1);
    assert_string_equal(buf_str(fixture_why),
                        "hbc_check_header: bad header class 4");
    hbc_tables_free(tables);
}

/* A table result, the line it matched, and the line Postfix logged. */
typedef struct LOG_CASE {
    const char *value;
    int     what;
    const char *line;
    const char *want;
} LOG_CASE;

#define H HBC_WHAT_HEADER
#define B HBC_WHAT_BODY

static const LOG_CASE smtp_cases[] = {
    {"REJECT", H, "Subject: reject1", "685A9A72536: reject: header "
     "Subject: reject1 " SMTP_FROM ": 5.7.1 message content rejected"},
    {"REJECT 550 5.7.0 no thanks", H, "Subject: reject3", "6B8E4A72671: "
     "reject: header Subject: reject3 " SMTP_FROM
     ": 5.7.1 550 5.7.0 no thanks"},
    {"REJECT 5.7.9", H, "Subject: r6", "5AF07A727A5: reject: header "
     "Subject: r6 " SMTP_FROM ": 5.7.9 "},
    {"REJECT 2.0.0 success text", H, "Subject: r2", "55724A725AC: reject: "
     "header Subject: r2 " SMTP_FROM ": 4.0.0 success text"},
    {"WARN", H, "Subject: warn1", "720A6A727C9: warning: header Subject: "
     "warn1 " SMTP_FROM},
    {"WARN some text", H, "Subject: warn2", "7368EA727D4: warning: header "
     "Subject: warn2 " SMTP_FROM ": some text"},
    {"INFO", H, "Subject: info1", "74C4DA7282D: info: header Subject: "
     "info1 " SMTP_FROM},
    {"INFO info text", H, "Subject: info2", "762A4A7282E: info: header "
     "Subject: info2 " SMTP_FROM ": info text"},
    {"HOLD", H, "Subject: hold1", "77811A72833: hold: header Subject: "
     "hold1 " SMTP_FROM},
    {"HOLD hold text", H, "Subject: hold2", "788ECA7285F: hold: header "
     "Subject: hold2 " SMTP_FROM ": hold text"},
    {"DISCARD", H, "Subject: discard1", "7922FA72860: discard: header "
     "Subject: discard1 " SMTP_FROM},
    {"DISCARD discard text", H, "Subject: discard2", "79F36A72861: "
     "discard: header Subject: discard2 " SMTP_FROM ": discard text"},
    {"STRIP", H, "Subject: strip1", "7B26AA72862: strip: header Subject: "
     "strip1 " SMTP_FROM},
    {"STRIP strip text", H, "Subject: strip2", "7C8ECA72863: strip: header "
     "Subject: strip2 " SMTP_FROM ": strip text"},
    {"PASS", H, "Subject: pass1", "87121A725F2: pass: header Subject: "
     "pass1 " SMTP_FROM},
    {"PASS pass text", H, "Subject: pass2", "88C20A72793: pass: header "
     "Subject: pass2 " SMTP_FROM ": pass text"},
    {"REPLACE X-Replaced: yes", H, "Subject: replace1", "8A319A7286E: "
     "replace: header Subject: replace1 " SMTP_FROM ": X-Replaced: yes"},
    {"PREPEND X-Prepended: yes", H, "Subject: prepend1", "8E72EA72870: "
     "prepend: header Subject: prepend1 " SMTP_FROM ": X-Prepended: yes"},
    {"REDIRECT red@example.org", H, "Subject: redirect1", "920D4A72873: "
     "redirect: header Subject: redirect1 " SMTP_FROM ": red@example.org"},
    {"FILTER smtp:[127.0.0.1]:10026", H, "Subject: filter1", "95C85A72876: "
     "filter: header Subject: filter1 " SMTP_FROM
     ": smtp:[127.0.0.1]:10026"},
    {"BCC bcc@example.org", H, "Subject: bcc1", "9EB72A7288D: bcc: header "
     "Subject: bcc1 " SMTP_FROM ": bcc@example.org"},
    {"REPLACE X-A\t: v", H, "Subject: p6", "D3C74A722EC: replace: header "
     "Subject: p6 " SMTP_FROM ": X-A?: v"},
    {"REJECT body no", B, "bodyreject", "DCCDCA727D3: reject: body "
     "bodyreject " SMTP_FROM ": 5.7.1 body no"},
    {"PREPEND not a header here", B, "bodyprepend", "DDFECA72912: prepend: "
     "body bodyprepend " SMTP_FROM ": not a header here"},
    {"STRIP", B, "bodystrip", "DDFECA72912: strip: body bodystrip "
     SMTP_FROM},
    {"PASS body pass", B, "bpass", "94CACA720CD: pass: body bpass "
     SMTP_FROM ": body pass"},
};

/* test_log_smtp - parse each observed result and log it: the same line
 * as Postfix, byte for byte */
static void
test_log_smtp(void **state)
{
    BUF    *out = buf_alloc(100);
    char    queue_id[16];

    for (size_t i = 0; i < sizeof(smtp_cases) / sizeof(smtp_cases[0]); i++) {
        const LOG_CASE *lc = smtp_cases + i;

        assert_true(parse(lc->value, lc->what) >= 0);
        snprintf(queue_id, sizeof(queue_id), "%.*s",
                 (int) strcspn(lc->want, ":"), lc->want);
        hbc_log(out, queue_id, hbc_log_word(act->code), lc->what, lc->line,
                &smtp_ctx, buf_str(act->text));
        assert_string_equal(buf_str(out), lc->want);
    }
    buf_free(out);
}

/* test_log_context - local submission ("from local", no proto or helo),
 * no recipient yet (sendmail -t), the null sender, plain SMTP */
static void
test_log_context(void **state)
{
    BUF    *out = buf_alloc(100);
    HBC_LOG_CTX ctx = local_ctx;

    hbc_log(out, "1E571A729A4", "warning", H, "Subject: w1", &ctx, "");
    assert_string_equal(buf_str(out), "1E571A729A4: warning: header "
                        "Subject: w1 from local; from=<root@mx.example.test> "
                        "to=<bob@example.org>");
    hbc_log(out, "27804A729AA", "reject", H, "Subject: r1", &ctx,
            "5.7.1 message content rejected");
    assert_string_equal(buf_str(out), "27804A729AA: reject: header "
                        "Subject: r1 from local; from=<root@mx.example.test> "
                        "to=<bob@example.org>: 5.7.1 message content "
                        "rejected");
    ctx.recipient = NULL;
    hbc_log(out, "26579A729A9", "info", H,
            "To: carol@example.org, dave@example.org", &ctx, NULL);
    assert_string_equal(buf_str(out), "26579A729A9: info: header To: "
                        "carol@example.org, dave@example.org from local; "
                        "from=<root@mx.example.test>");
    ctx.sender = "";
    ctx.recipient = "y@example.org";
    hbc_log(out, "251B3A727D3", "warning", H, "Subject: w3", &ctx, NULL);
    assert_string_equal(buf_str(out), "251B3A727D3: warning: header "
                        "Subject: w3 from local; from=<> to=<y@example.org>");
    ctx = smtp_ctx;
    ctx.helo = NULL;
    ctx.proto = "SMTP";
    hbc_log(out, "CA45EA720F0", "warning", H, "Subject: w2", &ctx, NULL);
    assert_string_equal(buf_str(out), "CA45EA720F0: warning: header "
                        "Subject: w2 from localhost[127.0.0.1]; "
                        "from=<a@example.org> to=<b@example.org> proto=SMTP");
    buf_free(out);
}

/* test_log_truncate - the line shows at most 200 bytes of the text */
static void
test_log_truncate(void **state)
{
    BUF    *out = buf_alloc(100);
    BUF    *line = buf_alloc(300);
    BUF    *want = buf_alloc(300);

    buf_strcpy(line, "Subject: long2 ");
    for (int i = 0; i < 195; i++)
        buf_addch(line, 'y');
    buf_strcpy(want, "D7520A7215B: warning: header ");
    buf_append(want, buf_str(line), 200);
    buf_strcat(want, " " SMTP_FROM);
    hbc_log(out, "D7520A7215B", "warning", H, buf_str(line), &smtp_ctx, "");
    assert_string_equal(buf_str(out), buf_str(want));
    buf_free(out);
    buf_free(line);
    buf_free(want);
}

/* test_log_printable - control characters and bytes outside UTF-8
 * sequences become '?'; a lead byte 0xc2-0xfe with continuation bytes
 * stays, as Postfix 3.7 logged them */
static void
test_log_printable(void **state)
{
    static const char *const cases[][2] = {
        {"a\001b\177c\033d", "a?b?c?d"},
        {"first\n second\n\tthird", "first? second??third"},
        {"caf\xe9 na\xc3\xafve", "caf? na\xc3\xafve"},
        {"A\xc0\x80" "B", "A??B"},
        {"A\xc1\xbf" "B", "A??B"},
        {"A\xed\xa0\x80" "B", "A\xed\xa0\x80" "B"},
        {"A\xf8\x88\x80\x80\x80" "B", "A\xf8\x88\x80\x80\x80" "B"},
        {"A\xc2\x80\x80\x80" "B", "A\xc2\x80\x80\x80" "B"},
        {"A\xe2\x82" "B", "A\xe2\x82" "B"},
        {"A\xfe\x80" "B", "A\xfe\x80" "B"},
        {"A\xff\x80" "B", "A??B"},
        {"A\x80" "B", "A?B"},
        {"A\xe2" "B\x82", "A?B?"},
        {"A\xc3", "A?"},
        {"A\xc3 B", "A? B"},
    };
    BUF    *out = buf_alloc(100);
    BUF    *want = buf_alloc(100);

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        hbc_log(out, "Q", "warning", H, cases[i][0], &local_ctx, NULL);
        buf_sprintf(want, "Q: warning: header %s from local; "
                    "from=<root@mx.example.test> to=<bob@example.org>",
                    cases[i][1]);
        assert_string_equal(buf_str(out), buf_str(want));
    }
    buf_free(out);
    buf_free(want);
}

/* test_log_action - what cleanup logs, at info level, and the actions
 * that log nothing */
static void
test_log_action(void **state)
{
    assert_int_equal(parse("WARN some text", H), 0);
    hbc_log_action("7368EA727D4", act, H, "Subject: warn2", &smtp_ctx);
    assert_string_equal(buf_str(fixture_log), "7368EA727D4: warning: header "
                        "Subject: warn2 " SMTP_FROM ": some text\n");
    buf_reset(fixture_log);
    assert_int_equal(parse("IGNORE with text", H), 0);
    hbc_log_action("7F753A720D7", act, H, "Subject: ignore2", &smtp_ctx);
    assert_int_equal(parse("DUNNO with text", H), 0);
    hbc_log_action("82499A720E0", act, H, "Subject: dunno2", &smtp_ctx);
    assert_int_equal(parse("OK", H), 0);
    hbc_log_action("8422FA7217A", act, H, "Subject: ok1", &smtp_ctx);
    assert_string_equal(buf_str(fixture_log), "");
    assert_null(hbc_log_word(HBC_IGNORE));
    assert_string_equal(hbc_log_word(HBC_WARN), "warning");
    assert_string_equal(hbc_log_word(HBC_BCC), "bcc");
}

/* main - run the tests */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        HBC_TEST(test_actions),
        HBC_TEST(test_arguments),
        HBC_TEST(test_reject_reply),
        HBC_TEST(test_reject_class2),
        HBC_TEST(test_bad_results),
        HBC_TEST(test_table_choice),
        HBC_TEST(test_empty_parameters),
        HBC_TEST(test_one_lookup),
        HBC_TEST(test_table_rules),
        HBC_TEST(test_inline_table),
        HBC_TEST(test_lookup_error),
        HBC_TEST(test_log_smtp),
        HBC_TEST(test_log_context),
        HBC_TEST(test_log_truncate),
        HBC_TEST(test_log_printable),
        HBC_TEST(test_log_action),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
