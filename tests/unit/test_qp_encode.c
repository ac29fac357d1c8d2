/* test_qp_encode - unit tests for quoted-printable encoding: the exact
 * lines Postfix 3.7's smtp(8) wrote for the same input (observed through
 * a peer without 8BITMIME), the 76-byte bound, trailing white space,
 * control bytes and CR, pieces of one line, and a round trip. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "qp_encode.h"

#define E_ACUTE "\xc3\xa9"

/* collect - qp_encode output: lines joined by '\n' */
static void
collect(void *ctx, const char *line, size_t len)
{
    buf_append(ctx, line, len);
    buf_addch(ctx, '\n');
}

/* encode_lines - encode each input line whole; the output lines */
static char *
encode_lines(const char *const *lines, size_t count)
{
    BUF    *out = buf_alloc(0);
    QP_ENCODER *qp = qp_encoder_create(collect, out);

    for (size_t i = 0; i < count; i++)
        qp_encode(qp, lines[i], strlen(lines[i]), true);
    qp_encoder_free(qp);
    return buf_export(out);
}

/* check - one input line gives the expected output lines */
static void
check(const char *in, const char *want)
{
    char   *got = encode_lines(&in, 1);

    assert_string_equal(got, want);
    free(got);
}

/* test_bytes - what is encoded: 8-bit, '=', controls, CR; not '.' */
static void
test_bytes(void **state)
{
    check("caf" E_ACUTE " = " E_ACUTE, "caf=C3=A9 =3D =C3=A9\n");
    check(".dot line " E_ACUTE, ".dot line =C3=A9\n");
    check("\x01" "ctl", "=01ctl\n");
    check("cr\rlf", "cr=0Dlf\n");
    check("\x7f~!", "=7F~!\n");
    check("in\tside", "in\tside\n");
    check("", "\n");
}

/* test_trailing_space - a space or tab at the end of a line only */
static void
test_trailing_space(void **state)
{
    check("soft  ", "soft =20\n");
    check("tab\t", "tab=09\n");
    check("  ", " =20\n");
    check("\t", "=09\n");
}

/* test_postfix_lines - soft breaks exactly where Postfix put them */
static void
test_postfix_lines(void **state)
{
    BUF    *in = buf_alloc(0);
    char    x72[73], y80[81], c73[75], src[80];

    buf_strcpy(in, "Long ");
    for (int i = 0; i < 30; i++)
        buf_strcat(in, E_ACUTE);
    buf_strcat(in, " line with = sign and trailing space ");
    check(buf_str(in),
          "Long =C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9"
          "=C3=A9=C3=\n"
          "=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9"
          "=C3=A9=C3=A9=\n"
          "=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9 line with =3D sign and "
          "trailing spac=\n"
          "e=20\n");
    memset(x72, 'x', 72);
    x72[72] = 0;
    snprintf(src, sizeof(src), "%s" E_ACUTE, x72);
    buf_sprintf(in, "%s=C3=\n=A9\n", x72);
    check(src, buf_str(in));
    memset(y80, 'y', 80);
    y80[80] = 0;
    check(y80, "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"
          "yyyyyyyyy=\nyyyyyyy\n");
    /* 73 bytes and a space: the break comes before the space. */
    memset(c73, 'c', 73);
    c73[73] = ' ';
    c73[74] = 0;
    buf_sprintf(in, "%.73s=\n=20\n", c73);
    check(c73, buf_str(in));
    /* 72 bytes and a space: "=20" makes 75, still one line. */
    c73[72] = ' ';
    c73[73] = 0;
    buf_sprintf(in, "%.72s=20\n", c73);
    check(c73, buf_str(in));
    buf_free(in);
}

/* qp_decode - decode the test's output lines again */
static void
qp_decode(BUF *out, const char *text)
{
    for (const char *cp = text; *cp; cp++) {
        if (*cp == '=' && cp[1] == '\n') {
            cp++;                               /* soft break */
        } else if (*cp == '=') {
            char    hex[3] = {cp[1], cp[2], 0};

            buf_addch(out, (int) strtol(hex, NULL, 16));
            cp += 2;
        } else {
            buf_addch(out, *cp);
        }
    }
}

/* test_bound_and_round_trip - random lines: no output line longer than
 * 76 bytes, only printable ASCII, and decoding gives the input back */
static void
test_bound_and_round_trip(void **state)
{
    BUF    *in = buf_alloc(0), *dec = buf_alloc(0);
    char   *out, *line;
    const char *lines[1];

    srand(7);
    for (int round = 0; round < 500; round++) {
        buf_reset(in);
        for (int n = rand() % 300; n > 0; n--)
            buf_addch(in, rand() % 5 ? 'a' + rand() % 26 : rand() % 256);
        if (memchr(buf_str(in), 0, buf_len(in)) || strchr(buf_str(in), '\n'))
            continue;
        lines[0] = buf_str(in);
        out = encode_lines(lines, 1);
        for (line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
            assert_true(strlen(line) <= 76);
            for (char *cp = line; *cp; cp++)
                assert_true((*cp >= 32 && *cp <= 126) || *cp == '\t');
        }
        free(out);
        out = encode_lines(lines, 1);
        buf_reset(dec);
        qp_decode(dec, out);
        buf_addch(in, '\n');
        assert_int_equal(buf_len(dec), buf_len(in));
        assert_memory_equal(buf_str(dec), buf_str(in), buf_len(in));
        free(out);
    }
    buf_free(in);
    buf_free(dec);
}

/* test_pieces - a line in several pieces encodes as the whole line */
static void
test_pieces(void **state)
{
    BUF    *out = buf_alloc(0);
    QP_ENCODER *qp = qp_encoder_create(collect, out);
    char    src[200];
    char   *want;
    const char *line = src;

    for (int i = 0; i < 199; i++)
        src[i] = i % 7 ? 'a' + i % 26 : (char) 0xe9;
    src[199] = 0;
    for (size_t i = 0; i < 199; i += 13)
        qp_encode(qp, src + i, i + 13 > 199 ? 199 - i : 13, false);
    qp_encode(qp, "", 0, true);
    want = encode_lines(&line, 1);
    assert_string_equal(buf_str(out), want);
    free(want);
    qp_encoder_free(qp);
    buf_free(out);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bytes),
        cmocka_unit_test(test_trailing_space),
        cmocka_unit_test(test_postfix_lines),
        cmocka_unit_test(test_bound_and_round_trip),
        cmocka_unit_test(test_pieces),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
