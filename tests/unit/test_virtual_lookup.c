/* test_virtual_lookup - unit tests for virtual(8)'s table lookups: the
 * search order (user+ext@domain, user@domain, @domain), the mailbox path
 * under virtual_mailbox_base, the uid and gid checks (never root, never
 * below virtual_minimum_uid) and Postfix 3.7's warnings (observed,
 * docs/virtual.md). The module is a part of the virtual program,
 * compiled in here with inline: tables. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "../../src/virtual/virtual_lookup.c"
#include "msg_output.h"

VIRTUAL_CONF virtual_conf;
#include "msg_capture.h"

/* setup - the tables of the observation (docs/virtual.md) */
static int
setup(void **state)
{
    var_recipient_delimiter = "+";
    var_parent_domain_matches_subdomains = "";
    var_virtual_mailbox_base = "/var/vmail";
    var_virtual_minimum_uid = 100;
    virtual_conf.mailbox_maps = maps_create("virtual_mailbox_maps",
        "inline:{ u1@virt.test=virt.test/u1/, u2@virt.test=virt.test/u2, "
        "u3+ext@virt.test=virt.test/u3ext, u3@virt.test=virt.test/u3, "
        "low@virt.test=x, zero@virt.test=x, nouid@virt.test=x, "
        "nogid@virt.test=x, badu@virt.test=x, abs@virt.test=/abs, "
        "@other.test=other.test/catchall }", DICT_FLAG_DEFAULT);
    virtual_conf.uid_maps = maps_create("virtual_uid_maps",
        "inline:{ u1@virt.test=5001, u2@virt.test=5002, u3@virt.test=5003, "
        "low@virt.test=50, zero@virt.test=0, nogid@virt.test=5005, "
        "badu@virt.test=abc, abs@virt.test=5006, @other.test=5004 }",
        DICT_FLAG_DEFAULT);
    virtual_conf.gid_maps = maps_create("virtual_gid_maps",
        "inline:{ @virt.test=5000, @other.test=5000, "
        "nogid@virt.test=0 }", DICT_FLAG_DEFAULT);
    logged = buf_alloc(100);
    msg_output_add(capture);
    return 0;
}

/* teardown - close the tables */
static int
teardown(void **state)
{
    msg_output_remove(capture);
    buf_free(logged);
    maps_free(virtual_conf.mailbox_maps);
    maps_free(virtual_conf.uid_maps);
    maps_free(virtual_conf.gid_maps);
    return 0;
}

/* found - address has this path and these ids */
static void
found(const char *address, const char *path, uid_t uid, gid_t gid)
{
    VIRTUAL_USER usr;

    assert_int_equal(virtual_lookup(address, &usr), VIRTUAL_FOUND);
    assert_string_equal(usr.path, path);
    assert_int_equal(usr.uid, uid);
    assert_int_equal(usr.gid, gid);
    virtual_user_free(&usr);
}

/* refused - address is a configuration error with this warning */
static void
refused(const char *address, const char *warning)
{
    VIRTUAL_USER usr;

    buf_reset(logged);
    assert_int_equal(virtual_lookup(address, &usr), VIRTUAL_ERROR);
    assert_null(usr.path);
    assert_string_equal(buf_str(logged), warning);
}

/* test_order - extension first, then without, then the catch-all */
static void
test_order(void **state)
{
    VIRTUAL_USER usr;

    found("u1@virt.test", "/var/vmail/virt.test/u1/", 5001, 5000);
    found("u2@virt.test", "/var/vmail/virt.test/u2", 5002, 5000);
    found("u3+ext@virt.test", "/var/vmail/virt.test/u3ext", 5003, 5000);
    found("u3+foo@virt.test", "/var/vmail/virt.test/u3", 5003, 5000);
    found("anyone@other.test", "/var/vmail/other.test/catchall", 5004,
          5000);
    found("abs@virt.test", "/var/vmail//abs", 5006, 5000);
    assert_int_equal(virtual_lookup("nosuch@virt.test", &usr),
                     VIRTUAL_UNKNOWN);
    assert_int_equal(virtual_lookup("u1", &usr), VIRTUAL_UNKNOWN);
}

/* test_ids - Postfix's warnings for uids and gids it will not use */
static void
test_ids(void **state)
{
    refused("low@virt.test", "warning: recipient low@virt.test: bad uid 50 "
            "in virtual_uid_maps\n");
    refused("zero@virt.test", "warning: recipient zero@virt.test: bad uid 0 "
            "in virtual_uid_maps\n");
    refused("badu@virt.test", "warning: recipient badu@virt.test: bad uid "
            "abc in virtual_uid_maps\n");
    refused("nouid@virt.test", "warning: recipient nouid@virt.test: not "
            "found in virtual_uid_maps\n");
    refused("nogid@virt.test", "warning: recipient nogid@virt.test: bad gid "
            "0 in virtual_gid_maps\n");
    var_virtual_minimum_uid = 5003;
    refused("u2@virt.test", "warning: recipient u2@virt.test: bad uid 5002 "
            "in virtual_uid_maps\n");
    found("u3@virt.test", "/var/vmail/virt.test/u3", 5003, 5000);
    var_virtual_minimum_uid = 100;
}

/* test_failing_table - a mailbox table that fails is an error */
static void
test_failing_table(void **state)
{
    MAPS   *saved = virtual_conf.mailbox_maps;
    VIRTUAL_USER usr;

    virtual_conf.mailbox_maps = maps_create("virtual_mailbox_maps",
                                            "lmdb:/nonexistent/postern/vm",
                                            DICT_FLAG_DEFAULT);
    buf_reset(logged);
    assert_int_equal(virtual_lookup("u1@virt.test", &usr), VIRTUAL_ERROR);
    assert_null(usr.path);
    assert_non_null(strstr(buf_str(logged), "warning: table "
                           "virtual_mailbox_maps: lookup u1@virt.test: "
                           "table lookup failed\n"));
    maps_free(virtual_conf.mailbox_maps);
    virtual_conf.mailbox_maps = saved;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order),
        cmocka_unit_test(test_ids),
        cmocka_unit_test(test_failing_table),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
