/* test_rec_type - unit tests for record type names and sections.
 *
 * The expected names are what Debian's Postfix 3.7 postcat -v printed for
 * a file holding each byte value as a record type; every other byte value
 * was an unknown_record_type there too. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "rec_type.h"

static const struct {
    int     type;
    const char *name;
} postcat_names[] = {
    {'/', "canceled_recipient"}, {'<', "dsn_return_flags"},
    {'>', "redirect_to"}, {'A', "named_attribute"}, {'C', "message_size"},
    {'D', "done_recipient"}, {'F', "sender_fullname"},
    {'I', "content_inspector"}, {'K', "killed_record"},
    {'L', "content_filter"}, {'N', "regular_text"},
    {'O', "original_recipient"}, {'P', "priority"}, {'R', "recipient"},
    {'S', "sender"}, {'T', "message_arrival_time"},
    {'V', "verp_delimiters"}, {'W', "warning_message_time"},
    {'c', "queue_file_create_time"}, {'e', "errors_to"}, {'f', "flags"},
    {'i', "dsn_envelope_id"}, {'n', "dsn_notify_flags"},
    {'o', "dsn_original_recipient"}, {'p', "pointer_record"},
    {'r', "return_receipt"}, {'w', "padding"},
};

#define NAME_COUNT (sizeof(postcat_names) / sizeof(postcat_names[0]))

/* test_names - postcat's name for every letter it knows, and no more */
static void
test_names(void **state)
{
    for (size_t i = 0; i < NAME_COUNT; i++)
        assert_string_equal(rec_type_name(postcat_names[i].type,
                                          REC_SECT_ENVELOPE),
                            postcat_names[i].name);
    for (int t = 0; t < 256; t++) {
        bool    known = strchr("MXE", t) != NULL && t != 0;

        for (size_t i = 0; i < NAME_COUNT; i++)
            known |= postcat_names[i].type == t;
        if (!known)
            assert_string_equal(rec_type_name(t, REC_SECT_ENVELOPE),
                                "unknown_record_type");
    }
    assert_string_equal(rec_type_name('L', REC_SECT_CONTENT),
                        "unterminated_text");
    assert_string_equal(rec_type_name('L', REC_SECT_EXTRACTED),
                        "content_filter");
    assert_string_equal(rec_type_name('M', REC_SECT_ENVELOPE),
                        "message_content");
}

/* test_sections - what may go where */
static void
test_sections(void **state)
{
    /* postcat accepts these as a queue file's first byte. */
    for (const char *cp = "/<>ACDFIKLMORSTVWcino"; *cp; cp++)
        assert_true(rec_type_allowed(*cp, REC_SECT_ENVELOPE));
    assert_false(rec_type_allowed('N', REC_SECT_ENVELOPE));
    assert_false(rec_type_allowed('X', REC_SECT_ENVELOPE));
    assert_false(rec_type_allowed('E', REC_SECT_ENVELOPE));
    assert_true(rec_type_allowed('N', REC_SECT_CONTENT));
    assert_true(rec_type_allowed('L', REC_SECT_CONTENT));
    assert_true(rec_type_allowed('p', REC_SECT_CONTENT));
    assert_true(rec_type_allowed('X', REC_SECT_CONTENT));
    assert_false(rec_type_allowed('R', REC_SECT_CONTENT));
    assert_false(rec_type_allowed('M', REC_SECT_CONTENT));
    assert_true(rec_type_allowed('R', REC_SECT_EXTRACTED));
    assert_true(rec_type_allowed('e', REC_SECT_EXTRACTED));
    assert_true(rec_type_allowed('E', REC_SECT_EXTRACTED));
    assert_false(rec_type_allowed('S', REC_SECT_EXTRACTED));
    assert_false(rec_type_allowed('C', REC_SECT_EXTRACTED));
    assert_false(rec_type_allowed('N', REC_SECT_EXTRACTED));
    assert_false(rec_type_allowed('R', REC_SECT_DONE));
    assert_false(rec_type_allowed('?', REC_SECT_ENVELOPE));
}

/* test_next_section - markers move on only from their own section */
static void
test_next_section(void **state)
{
    assert_int_equal(rec_type_next_section('M', REC_SECT_ENVELOPE),
                     REC_SECT_CONTENT);
    assert_int_equal(rec_type_next_section('X', REC_SECT_CONTENT),
                     REC_SECT_EXTRACTED);
    assert_int_equal(rec_type_next_section('E', REC_SECT_EXTRACTED),
                     REC_SECT_DONE);
    assert_int_equal(rec_type_next_section('R', REC_SECT_ENVELOPE),
                     REC_SECT_ENVELOPE);
    assert_int_equal(rec_type_next_section('X', REC_SECT_ENVELOPE),
                     REC_SECT_ENVELOPE);
}

/* main - run the tests */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_sections),
        cmocka_unit_test(test_next_section),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
