/* test_dict_rules - unit tests for dict_rules, the rule list with nested
 * if/endif blocks under the pattern tables: keyword and "!" parsing, the
 * lookup walk (blocks skipped, undecidable rules passed over), the warnings
 * for unbalanced blocks, and reading a file (including a read error). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "table_fixture.h"
#include "dict_rules.h"

/* A toy rule: fires when the key (an int) is in [low, high]. */
typedef struct TOY_RULE {
    DICT_RULE_HEAD head;
    int     low;
    int     high;
    int     id;
} TOY_RULE;

/* toy_match - key in range; a rule with low < 0 cannot decide */
static int
toy_match(const void *ptr, void *ctx)
{
    const TOY_RULE *rule = ptr;
    int     key = *(int *) ctx;

    if (rule->low < 0)
        return -1;
    return key >= rule->low && key <= rule->high;
}

/* toy_add - append a rule */
static void
toy_add(DICT_RULES *rules, int is_if, int negate, int low, int high, int id)
{
    TOY_RULE rule = {{is_if, negate, id, 0}, low, high, id};

    dict_rules_add(rules, &rule);
}

/* toy_lookup - id of the rule that fires for key, 0 for none */
static int
toy_lookup(const DICT_RULES *rules, int key)
{
    const TOY_RULE *rule = dict_rules_match(rules, toy_match, &key);

    return rule ? rule->id : 0;
}

/* test_keyword - "if"/"endif" in any case, not followed by a letter or
 * digit; the pointer moves past the blanks after the keyword */
static void
test_keyword(void **state)
{
    char    line1[] = "if  /x/";
    char    line2[] = "ENDIF";
    char    line3[] = "if/x/";
    char    line4[] = "iffy /x/";
    char    line5[] = "endif2";
    char   *cp;

    cp = line1;
    assert_int_equal(dict_rules_keyword(&cp), DICT_RULES_KW_IF);
    assert_string_equal(cp, "/x/");
    cp = line2;
    assert_int_equal(dict_rules_keyword(&cp), DICT_RULES_KW_ENDIF);
    assert_string_equal(cp, "");
    cp = line3;
    assert_int_equal(dict_rules_keyword(&cp), DICT_RULES_KW_IF);
    assert_string_equal(cp, "/x/");
    cp = line4;
    assert_int_equal(dict_rules_keyword(&cp), DICT_RULES_KW_NONE);
    assert_ptr_equal(cp, line4);
    cp = line5;
    assert_int_equal(dict_rules_keyword(&cp), DICT_RULES_KW_NONE);
}

/* test_negation - each "!" toggles; blanks after each are skipped */
static void
test_negation(void **state)
{
    char    line1[] = "!/x/";
    char    line2[] = "! ! /x/";
    char    line3[] = "!!!\t/x/";
    char    line4[] = "/x/";
    char   *cp;

    cp = line1;
    assert_true(dict_rules_negation(&cp));
    assert_string_equal(cp, "/x/");
    cp = line2;
    assert_false(dict_rules_negation(&cp));
    assert_string_equal(cp, "/x/");
    cp = line3;
    assert_true(dict_rules_negation(&cp));
    assert_string_equal(cp, "/x/");
    cp = line4;
    assert_false(dict_rules_negation(&cp));
    assert_string_equal(cp, "/x/");
}

/* test_walk - order, negation, nested blocks, undecidable rules */
static void
test_walk(void **state)
{
    DICT_RULES *rules = dict_rules_alloc("toy", sizeof(TOY_RULE));

    toy_add(rules, 1, 0, 10, 99, 1);            /* if 10..99 */
    toy_add(rules, 1, 1, 20, 29, 2);            /* if !20..29 */
    toy_add(rules, 0, 0, 10, 15, 3);
    assert_int_equal(dict_rules_endif(rules, 4), 0);
    toy_add(rules, 1, 0, -1, -1, 5);            /* undecidable if */
    toy_add(rules, 0, 0, 0, 1000, 6);
    assert_int_equal(dict_rules_endif(rules, 7), 0);
    toy_add(rules, 1, 1, -1, -1, 8);            /* undecidable if ! */
    toy_add(rules, 0, 0, 0, 1000, 9);
    assert_int_equal(dict_rules_endif(rules, 10), 0);
    toy_add(rules, 0, 1, -1, -1, 11);           /* undecidable ! rule */
    toy_add(rules, 0, 0, 20, 25, 12);
    assert_int_equal(dict_rules_endif(rules, 13), 0);
    toy_add(rules, 0, 1, 0, 99, 14);            /* outside 0..99 */
    dict_rules_finish(rules);

    assert_int_equal(dict_rules_count(rules), 10);
    assert_int_equal(toy_lookup(rules, 12), 3);
    assert_int_equal(toy_lookup(rules, 22), 12);
    assert_int_equal(toy_lookup(rules, 30), 0);
    assert_int_equal(toy_lookup(rules, 5), 0);
    assert_int_equal(toy_lookup(rules, 100), 14);
    dict_rules_free(rules);
}

/* test_unbalanced - endif without if, and ifs left open (innermost first) */
static void
test_unbalanced(void **state)
{
    DICT_RULES *rules = dict_rules_alloc("toy.cf", sizeof(TOY_RULE));
    const char *text;

    buf_reset(fixture_warnings);
    assert_int_equal(dict_rules_endif(rules, 1), -1);
    toy_add(rules, 1, 0, 0, 9, 2);
    toy_add(rules, 1, 0, 0, 5, 3);
    toy_add(rules, 0, 0, 0, 9, 4);
    dict_rules_finish(rules);
    text = buf_str(fixture_warnings);
    assert_string_equal(text,
                        "toy.cf:1: ignoring ENDIF without matching IF\n"
                        "toy.cf:3: IF has no matching ENDIF\n"
                        "toy.cf:2: IF has no matching ENDIF\n");
    /* The open blocks end at the end of the file. */
    assert_int_equal(toy_lookup(rules, 4), 4);
    assert_int_equal(toy_lookup(rules, 7), 0);
    dict_rules_free(rules);
}

/* toy_line - remember each line */
static void
toy_line(void *ctx, int lineno, char *line, BUF *scratch)
{
    buf_sprintf_append(ctx, "%d:%s|", lineno, line);
}

/* load - read a table through dict_rules_load; the lines seen, or NULL
 * with the error in fixture_why */
static const char *
load(const char *name, int open_flags)
{
    static BUF *seen;
    DICT_RULES *rules = dict_rules_alloc(name, sizeof(TOY_RULE));
    int     status;

    if (seen == NULL)
        seen = buf_alloc(64);
    buf_reset(seen);
    buf_reset(fixture_why);
    status = dict_rules_load(rules, "toy", name, open_flags, toy_line, seen,
                             fixture_why);
    dict_rules_free(rules);
    return status == 0 ? buf_str(seen) : NULL;
}

/* test_load_file - logical lines with their numbers; errors */
static void
test_load_file(void **state)
{
    const char *path = fixture_write("lines", "# c\none\n  two\n\nthree\n");
    char    want[sizeof(fixture_file) + 64];

    assert_false(dict_rules_inline(path));
    assert_string_equal(load(path, O_RDONLY), "2:one  two|5:three|");

    /* Reading a directory fails after the open succeeds. */
    assert_null(load(fixture_dir, O_RDONLY));
    snprintf(want, sizeof(want), "read %s: %s", fixture_dir, strerror(EISDIR));
    assert_string_equal(buf_str(fixture_why), want);

    assert_null(load("/nonexistent/table", O_RDONLY));
    snprintf(want, sizeof(want), "open /nonexistent/table: %s",
             strerror(ENOENT));
    assert_string_equal(buf_str(fixture_why), want);

    assert_null(load(path, O_WRONLY));
    snprintf(want, sizeof(want), "toy:%s map requires O_RDONLY access mode",
             path);
    assert_string_equal(buf_str(fixture_why), want);
}

/* test_load_inline - "{ rule }, { rule }": one line per group, numbered
 * from 1; braces nest; empty groups and comments are skipped as in files */
static void
test_load_inline(void **state)
{
    assert_true(dict_rules_inline("{/a/ b}"));
    assert_string_equal(load("{/a/ b}, {/c/ d}", O_RDONLY),
                        "1:/a/ b|2:/c/ d|");
    assert_string_equal(load("{ one } {} { # note }, {x {y}}", O_RDONLY),
                        "1:one|4:x {y}|");
    assert_null(load("{/a/ b} x", O_RDONLY));
    assert_string_equal(buf_str(fixture_why),
                        "toy:{{/a/ b} x}: expected \"{ rule }\" at \"x\"");
    assert_null(load("{/a/ b", O_RDONLY));
    assert_string_equal(buf_str(fixture_why),
                        "toy:{{/a/ b}: missing '}' at \"\"");
    assert_null(load("{a}b", O_RDONLY));
    assert_string_equal(buf_str(fixture_why),
                        "toy:{{a}b}: text after '}' at \"b\"");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keyword),
        cmocka_unit_test(test_negation),
        cmocka_unit_test(test_walk),
        cmocka_unit_test(test_unbalanced),
        cmocka_unit_test(test_load_file),
        cmocka_unit_test(test_load_inline),
    };

    return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
