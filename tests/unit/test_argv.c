/* test_argv - unit tests for string arrays and tokenizing. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "argv.h"
#include "mymalloc.h"

/* test_add_insert_delete - array editing keeps the NULL terminator */
static void
test_add_insert_delete(void **state)
{
    ARGV   *ap = argv_alloc(1);
    ARGV   *copy;

    argv_add(ap, "b");
    argv_add(ap, "d");
    argv_insert(ap, 0, "a");
    argv_insert(ap, 2, "c");
    argv_addn(ap, "efgh", 1);
    assert_int_equal(ap->argc, 5);
    assert_string_equal(ap->argv[0], "a");
    assert_string_equal(ap->argv[2], "c");
    assert_string_equal(ap->argv[4], "e");
    assert_null(ap->argv[5]);
    argv_delete(ap, 1, 2);
    assert_int_equal(ap->argc, 3);
    assert_string_equal(ap->argv[1], "d");
    assert_null(ap->argv[3]);
    copy = argv_copy(ap);
    argv_truncate(ap, 1);
    assert_int_equal(ap->argc, 1);
    assert_null(ap->argv[1]);
    assert_int_equal(copy->argc, 3);
    assert_string_equal(copy->argv[2], "e");
    argv_free(ap);
    argv_free(copy);
    argv_free(NULL);
}

/* test_split - empty fields are dropped */
static void
test_split(void **state)
{
    ARGV   *ap = argv_split(", one,two  three,,\tfour ,", LIST_DELIM);

    assert_int_equal(ap->argc, 4);
    assert_string_equal(ap->argv[0], "one");
    assert_string_equal(ap->argv[1], "two");
    assert_string_equal(ap->argv[2], "three");
    assert_string_equal(ap->argv[3], "four");
    assert_null(ap->argv[4]);
    argv_free(ap);
    ap = argv_split(" , ", LIST_DELIM);
    assert_int_equal(ap->argc, 0);
    assert_null(ap->argv[0]);
    argv_free(ap);
}

/* test_mystrtok - tokens in order, then NULL */
static void
test_mystrtok(void **state)
{
    char   *text = mystrdup("  alpha, beta gamma  ");
    char   *cp = text;

    assert_string_equal(mystrtok(&cp, LIST_DELIM), "alpha");
    assert_string_equal(mystrtok(&cp, LIST_DELIM), "beta");
    assert_string_equal(mystrtok(&cp, LIST_DELIM), "gamma");
    assert_null(mystrtok(&cp, LIST_DELIM));
    assert_null(mystrtok(&cp, LIST_DELIM));
    myfree(text);
}

/* test_grouped - "{ ... }" is one token, trimmed, without braces */
static void
test_grouped(void **state)
{
    char   *text = mystrdup("a, { b c, d } ,{x{y}z},e");
    char   *cp = text;
    const char *err;

    assert_string_equal(mystrtok_grouped(&cp, LIST_DELIM, &err), "a");
    assert_null(err);
    assert_string_equal(mystrtok_grouped(&cp, LIST_DELIM, &err), "b c, d");
    assert_null(err);
    assert_string_equal(mystrtok_grouped(&cp, LIST_DELIM, &err), "x{y}z");
    assert_null(err);
    assert_string_equal(mystrtok_grouped(&cp, LIST_DELIM, &err), "e");
    assert_null(mystrtok_grouped(&cp, LIST_DELIM, &err));
    assert_null(err);
    myfree(text);
}

/* test_grouped_errors - unbalanced braces and text after '}' */
static void
test_grouped_errors(void **state)
{
    char   *text = mystrdup("{ open, never closed");
    char   *cp = text;
    const char *err;

    assert_null(mystrtok_grouped(&cp, LIST_DELIM, &err));
    assert_non_null(err);
    assert_non_null(strstr(err, "}"));
    myfree(text);

    text = mystrdup("{a}b, c");
    cp = text;
    assert_null(mystrtok_grouped(&cp, LIST_DELIM, &err));
    assert_non_null(err);
    assert_non_null(strstr(err, "after"));
    myfree(text);

    text = mystrdup("{}, {  }");
    cp = text;
    assert_string_equal(mystrtok_grouped(&cp, LIST_DELIM, &err), "");
    assert_null(err);
    assert_string_equal(mystrtok_grouped(&cp, LIST_DELIM, &err), "");
    myfree(text);
}

/* test_braced - braces anywhere in a token keep its delimiters */
static void
test_braced(void **state)
{
    char   *text = mystrdup(" lmdb:/x, inline:{ a=b, { c = d } },"
                            "unionmap:{static:1, inline:{e=f}} pcre:/y");
    char   *cp = text;
    const char *err;

    assert_string_equal(mystrtok_braced(&cp, LIST_DELIM, &err), "lmdb:/x");
    assert_string_equal(mystrtok_braced(&cp, LIST_DELIM, &err),
                        "inline:{ a=b, { c = d } }");
    assert_string_equal(mystrtok_braced(&cp, LIST_DELIM, &err),
                        "unionmap:{static:1, inline:{e=f}}");
    assert_string_equal(mystrtok_braced(&cp, LIST_DELIM, &err), "pcre:/y");
    assert_null(mystrtok_braced(&cp, LIST_DELIM, &err));
    assert_null(err);
    myfree(text);

    text = mystrdup("inline:{a=b, c");
    cp = text;
    assert_null(mystrtok_braced(&cp, LIST_DELIM, &err));
    assert_string_equal(err, "missing '}'");
    assert_null(mystrtok_braced(&cp, LIST_DELIM, &err));
    myfree(text);

    text = mystrdup("a}, b");
    cp = text;
    assert_null(mystrtok_braced(&cp, LIST_DELIM, &err));
    assert_string_equal(err, "extra '}'");
    myfree(text);
}

/* main - run the tests */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_insert_delete),
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_mystrtok),
        cmocka_unit_test(test_grouped),
        cmocka_unit_test(test_grouped_errors),
        cmocka_unit_test(test_braced),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
