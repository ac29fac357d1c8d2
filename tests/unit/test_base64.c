/* test_base64 - unit tests for base64 encoding and strict decoding. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "base64.h"
#include "buf.h"

/* test_vectors - RFC 4648 section 10 test vectors both ways */
static void
test_vectors(void **state)
{
    static const char *const vec[][2] = {
        {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
    };
    BUF    *bp = buf_alloc(0);

    for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
        buf_reset(bp);
        base64_encode(bp, vec[i][0], strlen(vec[i][0]));
        assert_string_equal(buf_str(bp), vec[i][1]);
        assert_int_equal(buf_len(bp), base64_encoded_len(strlen(vec[i][0])));
        buf_reset(bp);
        assert_int_equal(base64_decode(bp, vec[i][1], strlen(vec[i][1])), 0);
        assert_string_equal(buf_str(bp), vec[i][0]);
    }
    buf_free(bp);
}

/* test_binary - every byte value survives a round trip; output appends */
static void
test_binary(void **state)
{
    unsigned char all[256];
    BUF    *enc = buf_alloc(0), *dec = buf_alloc(0);

    for (int i = 0; i < 256; i++)
        all[i] = (unsigned char) i;
    for (size_t len = 0; len <= sizeof(all); len += 1 + len / 8) {
        buf_reset(enc);
        buf_strcpy(dec, "pre");
        base64_encode(enc, all, len);
        assert_int_equal(base64_decode(dec, buf_str(enc), buf_len(enc)), 0);
        assert_int_equal(buf_len(dec), 3 + len);
        assert_memory_equal(buf_str(dec), "pre", 3);
        assert_memory_equal(buf_str(dec) + 3, all, len);
    }
    buf_free(enc);
    buf_free(dec);
}

/* test_strict - non-canonical or malformed input is refused, untouched */
static void
test_strict(void **state)
{
    static const char *const bad[] = {
        "Zg", "Zg=", "Zm9", "Z===", "====", "Zg==Zg==", "Zm=v", "Zm9v\n",
        "Zm 9v", "Zh==", "Zm9=", "Zm9v!A==", "Zm9-", "Zm9_",
    };
    BUF    *bp = buf_alloc(0);

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        buf_strcpy(bp, "keep");
        assert_int_equal(base64_decode(bp, bad[i], strlen(bad[i])), -1);
        assert_string_equal(buf_str(bp), "keep");
        assert_int_equal(buf_len(bp), 4);
    }
    /* NUL inside the counted text is just a bad character. */
    assert_int_equal(base64_decode(bp, "Zm\0v", 4), -1);
    buf_free(bp);
}

/* main - run the tests */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_binary),
        cmocka_unit_test(test_strict),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
