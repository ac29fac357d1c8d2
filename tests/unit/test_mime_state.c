/* test_mime_state - unit tests for mime_state: every callback is written
 * to a log, one line per call, and the log of a whole message is compared
 * with the expected sequence. The cases follow what Postfix 3.7's cleanup
 * was observed to do (header_checks, mime_header_checks,
 * nested_header_checks and body_checks tell the classes apart; strict_*
 * settings show the errors).
 *
 * Log lines:  h<class>[<known name>]<header>#<record>   head_out
 *             E                                         head_end
 *             b<N|L>:<text>#<record>                    body_out
 *             Z                                         body_end
 *             !<code>:<text>                            err_print
 *             P<class>:<type>/<subtype>:<enc>[:nested]  part_fn, a header
 *                                                       block ended
 *             B                                         part_fn, the last
 *                                                       body line was a
 *                                                       boundary
 * A newline inside a header is written as "\n" (backslash, n). The
 * offset passed to head_out and body_out is logged as the number of the
 * record (from 0) that starts there, the first one if several do (empty
 * 'L' records), or "?" if none does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "mime_state.h"
#include "rec_type.h"

static BUF *log_buf;

#define MAX_RECS 64
static off_t rec_start[MAX_RECS];       /* where each record starts */
static int rec_count;

/* log_offset - the record that starts at an offset */
static void
log_offset(off_t offset)
{
    for (int i = 0; i < rec_count; i++) {
        if (rec_start[i] == offset) {
            buf_sprintf_append(log_buf, "#%d\n", i);
            return;
        }
    }
    buf_strcat(log_buf, "#?\n");
}

/* log_text - append text, newlines escaped */
static void
log_text(const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\n')
            buf_strcat(log_buf, "\\n");
        else
            buf_addch(log_buf, text[i]);
    }
}

/* head_out - log a header */
static void
head_out(void *ctx, int header_class, const HEADER_OPTS *opts, BUF *header,
         off_t offset)
{
    buf_sprintf_append(log_buf, "h%d[%s]", header_class,
                       opts ? opts->name : "");
    log_text(buf_str(header), buf_len(header));
    log_offset(offset);
    /* The callee may change the header; the parser must not care. */
    buf_strcpy(header, "X-Changed: by the callee");
}

/* head_end - log the end of the primary headers */
static void
head_end(void *ctx)
{
    buf_strcat(log_buf, "E\n");
}

/* body_out - log a body record */
static void
body_out(void *ctx, int rec_type, const char *text, size_t len,
         off_t offset)
{
    buf_sprintf_append(log_buf, "b%c:", rec_type);
    log_text(text, len);
    log_offset(offset);
}

/* body_end - log the end */
static void
body_end(void *ctx)
{
    buf_strcat(log_buf, "Z\n");
}

/* err_print - log an error */
static void
err_print(void *ctx, int err_code, const char *text, size_t len)
{
    buf_sprintf_append(log_buf, "!%d:", err_code);
    log_text(text, len);
    buf_addch(log_buf, '\n');
}

/* part_fn - log the structure (when log_parts is set) */
static void
part_fn(void *ctx, int event, const MIME_PART *part)
{
    if (event == MIME_PART_BOUNDARY) {
        buf_strcat(log_buf, "B\n");
        return;
    }
    assert_int_equal(event, MIME_PART_HEAD_END);
    buf_sprintf_append(log_buf, "P%d:%s/%s:%d%s\n", part->header_class,
                       part->type, part->subtype, part->encoding,
                       part->nested ? ":nested" : "");
}

static int log_parts;                   /* run_limits sets part_fn */

static const MIME_LIMITS default_limits = {102400, 100, 2048};

static int last_errs;                   /* what the last update returned */

/* run_limits - feed records ("N..." or "L...", then END) to a parser;
 * the log */
static const char *
run_limits(int options, const MIME_LIMITS *limits, const char *const *recs)
{
    MIME_STATE *ms = mime_state_alloc(options, limits, head_out, head_end,
                                      body_out, body_end, err_print, NULL);

    off_t   offset = 0;

    if (log_parts)
        mime_state_set_part_fn(ms, part_fn);
    buf_reset(log_buf);
    for (rec_count = 0; recs[rec_count]; rec_count++) {
        assert_true(rec_count < MAX_RECS);
        rec_start[rec_count] = offset;
        offset += strlen(recs[rec_count] + 1) + (recs[rec_count][0] == 'N');
    }
    for (; *recs; recs++)
        mime_state_update(ms, (*recs)[0], *recs + 1, strlen(*recs + 1));
    last_errs = mime_state_update(ms, REC_TYPE_END, "", 0);
    /* Records after the end change nothing. */
    assert_int_equal(mime_state_update(ms, REC_TYPE_NORM, "late", 4),
                     last_errs);
    mime_state_free(ms);
    return buf_str(log_buf);
}

/* run - the same with the default limits */
static const char *
run(int options, const char *const *recs)
{
    return run_limits(options, &default_limits, recs);
}

#define RECS(...) ((const char *const []) { __VA_ARGS__, NULL })

/* test_simple - headers, the empty line, body lines */
static void
test_simple(void **state)
{
    assert_string_equal(run(0, RECS("NSubject: hi", "NX-Foo: bar", "N",
                                     "Nbody 1", "Nbody 2")),
                        "h1[Subject]Subject: hi#0\n"
                        "h1[]X-Foo: bar#1\n"
                        "E\n"
                        "bN:#2\n"
                        "bN:body 1#3\n"
                        "bN:body 2#4\n"
                        "Z\n");
    assert_int_equal(last_errs, 0);
}

/* test_folded - continuation lines join with "\n" (also lines of white
 * space only); white space before the ':' goes (Postfix writes
 * "X-Sp:value") */
static void
test_folded(void **state)
{
    assert_string_equal(run(0, RECS("NTo: a@x,", "N\tb@y,", "N  c@z",
                                    "NX-Sp  :value", "NX-T\t:\tv",
                                    "N", "Nbody")),
                        "h1[To]To: a@x,\\n\tb@y,\\n  c@z#0\n"
                        "h1[]X-Sp:value#3\n"
                        "h1[]X-T:\tv#4\n"
                        "E\n"
                        "bN:#5\n"
                        "bN:body#6\n"
                        "Z\n");
    /* A line of white space only continues a header too. */
    assert_string_equal(run(0, RECS("NSubject: x", "N ", "N\t",
                                    "NX-After: 1")),
                        "h1[Subject]Subject: x\\n \\n\t#0\n"
                        "h1[]X-After: 1#3\nE\nZ\n");
}

/* test_split_header - a header name and value in several 'L' records */
static void
test_split_header(void **state)
{
    assert_string_equal(run(0, RECS("LSu", "L", "Lbj", "Lect", "L: h",
                                    "Ni", "L  con", "Ntinued", "L", "N",
                                    "Nbody")),
                        "h1[Subject]Subject: hi\\n  continued#0\n"
                        "E\n"
                        "bL:#8\n"
                        "bN:#8\n"
                        "bN:body#10\n"
                        "Z\n");
    /* A name that turns out to be no header: its pieces go to the body
     * as they came, and the header block ends there. */
    assert_string_equal(run(0, RECS("NA: 1", "LNot", "L-a-", "Lhead",
                                    "Ler", "N line", "NB: 2")),
                        "h1[]A: 1#0\n"
                        "E\n"
                        "bL:Not#1\n"
                        "bL:-a-#2\n"
                        "bL:head#3\n"
                        "bL:er#4\n"
                        "bN: line#5\n"
                        "bN:B: 2#6\n"
                        "Z\n");
    /* The same at the end of the content. */
    assert_string_equal(run(0, RECS("NA: 1", "LName", "L  ")),
                        "h1[]A: 1#0\nE\nbL:Name#1\nbL:  #2\nZ\n");
}

/* test_truncate - a header longer than header_size_limit is cut at the
 * limit (line breaks count), the rest of its lines are dropped */
static void
test_truncate(void **state)
{
    static const MIME_LIMITS limits = {20, 100, 2048};
    const char *const *recs = RECS("NSubject: 0123456", "N 789abcdef",
                                   "N more", "NX-Next: x", "N", "Nbody");

    assert_string_equal(run_limits(0, &limits, recs),
                        "h1[Subject]Subject: 0123456\\n 78#0\n"
                        "h1[]X-Next: x#3\n"
                        "E\n"
                        "bN:#4\n"
                        "bN:body#5\n"
                        "Z\n");
    assert_int_equal(last_errs, 0);
    assert_string_equal(run_limits(MIME_OPT_REPORT_TRUNC_HEADER, &limits,
                                   recs),
                        "!2:Subject: 0123456\\n 78\n"
                        "h1[Subject]Subject: 0123456\\n 78#0\n"
                        "h1[]X-Next: x#3\n"
                        "E\n"
                        "bN:#4\n"
                        "bN:body#5\n"
                        "Z\n");
    assert_int_equal(last_errs, MIME_ERR_TRUNC_HEADER);
    /* Cut inside one long record, and in 'L' pieces; a line break is
     * only added when something fits after it. */
    assert_string_equal(run_limits(MIME_OPT_REPORT_TRUNC_HEADER, &limits,
                                   RECS("LX-Long: 0123", "L456789abcdef",
                                        "Nghijkl", "N cont")),
                        "!2:X-Long: 0123456789ab\n"
                        "h1[]X-Long: 0123456789ab#0\nE\nZ\n");
    assert_string_equal(run_limits(0, &limits,
                                   RECS("NX-Long: 0123456789", "N ab")),
                        "h1[]X-Long: 0123456789\\n #0\nE\nZ\n");
}

/* test_no_blank_line - the header block ends at a line that is no header
 * (that line is the first body line) */
static void
test_no_blank_line(void **state)
{
    assert_string_equal(run(0, RECS("NSubject: hi", "Nnot a header",
                                    "NX-B: 2")),
                        "h1[Subject]Subject: hi#0\n"
                        "E\n"
                        "bN:not a header#1\n"
                        "bN:X-B: 2#2\n"
                        "Z\n");
    /* A folded line before any header, an 8-bit name. */
    assert_string_equal(run(0, RECS("N folded", "NSubject: hi")),
                        "E\nbN: folded#0\nbN:Subject: hi#1\nZ\n");
    assert_string_equal(run(0, RECS("NX\xc3\xa9: y")),
                        "E\nbN:X\xc3\xa9: y#0\nZ\n");
    assert_string_equal(run(0, RECS("N", "NSubject: hi")),
                        "E\nbN:#0\nbN:Subject: hi#1\nZ\n");
}

/* test_empty - no content at all; headers and no body */
static void
test_empty(void **state)
{
    static const char *const none[] = {NULL};

    assert_string_equal(run(0, none), "E\nZ\n");
    assert_string_equal(run(0, RECS("NSubject: hi", "NX-A: 1")),
                        "h1[Subject]Subject: hi#0\nh1[]X-A: 1#1\nE\nZ\n");
    assert_string_equal(run(0, RECS("LSubject: no newline")),
                        "h1[Subject]Subject: no newline#0\nE\nZ\n");
}

/* A multipart message with two parts, preamble and epilogue. */
#define TWO_PARTS \
    "NContent-Type: multipart/mixed; boundary=\"b1\"", "N", \
    "Npreamble", "N--b1", "NContent-Type: text/plain", "NX-Part: 1", \
    "N", "Npart one", "N--b1   ", "NX-Part: 2", "N", "Npart two", \
    "N--b1--", "Nepilogue", "N--b1", "NX-After: close"

/* test_multipart - two body parts */
static void
test_multipart(void **state)
{
    assert_string_equal(run(0, RECS(TWO_PARTS)),
                        "h1[Content-Type]Content-Type: multipart/mixed;"
                        " boundary=\"b1\"#0\n"
                        "E\n"
                        "bN:#1\n"
                        "bN:preamble#2\n"
                        "bN:--b1#3\n"
                        "h2[Content-Type]Content-Type: text/plain#4\n"
                        "h2[]X-Part: 1#5\n"
                        "bN:#6\n"
                        "bN:part one#7\n"
                        "bN:--b1   #8\n"
                        "h2[]X-Part: 2#9\n"
                        "bN:#10\n"
                        "bN:part two#11\n"
                        "bN:--b1--#12\n"
                        "bN:epilogue#13\n"
                        "bN:--b1#14\n"
                        "bN:X-After: close#15\n"
                        "Z\n");
}

/* test_nested_multipart - the innermost boundary wins; an outer one pops
 * the inner ones; a boundary is a prefix ("--b2" matches "b") */
static void
test_nested_multipart(void **state)
{
    assert_string_equal(run(0, RECS("NContent-Type: multipart/mixed;"
                                    " boundary=b", "N",
                                    "N--b",
                                    "NContent-Type: multipart/alternative;"
                                    " boundary=\"b2\"",
                                    "N", "N--b2", "NX-L: 2a", "N", "Na",
                                    "N--b2--", "NX-Epilogue: 1",
                                    "N--b2", "NX-L: 1b",
                                    "N--b--", "NX-After: 1")),
                        "h1[Content-Type]Content-Type: multipart/mixed;"
                        " boundary=b#0\n"
                        "E\n"
                        "bN:#1\n"
                        "bN:--b#2\n"
                        "h2[Content-Type]Content-Type: multipart/"
                        "alternative; boundary=\"b2\"#3\n"
                        "bN:#4\n"
                        "bN:--b2#5\n"
                        "h2[]X-L: 2a#6\n"
                        "bN:#7\n"
                        "bN:a#8\n"
                        "bN:--b2--#9\n"
                        "bN:X-Epilogue: 1#10\n"
                        "bN:--b2#11\n"
                        "h2[]X-L: 1b#12\n"
                        "bN:--b--#13\n"
                        "bN:X-After: 1#14\n"
                        "Z\n");
}

/* test_message - an attached message/rfc822: its headers are nested,
 * its MIME headers too; the outer boundary ends it */
static void
test_message(void **state)
{
    assert_string_equal(run(0, RECS("NContent-Type: multipart/mixed;"
                                    " boundary=b", "N", "N--b",
                                    "NContent-Type: Message/RFC822", "N",
                                    "NFrom: n@x", "NContent-Type: multipart"
                                    "/mixed; boundary=nb", "N",
                                    "N--nb", "NX-NP: 1", "N",
                                    "NSubject: body", "N--b", "N",
                                    "NSubject: text")),
                        "h1[Content-Type]Content-Type: multipart/mixed;"
                        " boundary=b#0\n"
                        "E\n"
                        "bN:#1\n"
                        "bN:--b#2\n"
                        "h2[Content-Type]Content-Type: Message/RFC822#3\n"
                        "bN:#4\n"
                        "h3[From]From: n@x#5\n"
                        "h3[Content-Type]Content-Type: multipart/mixed;"
                        " boundary=nb#6\n"
                        "bN:#7\n"
                        "bN:--nb#8\n"
                        "h2[]X-NP: 1#9\n"
                        "bN:#10\n"
                        "bN:Subject: body#11\n"
                        "bN:--b#12\n"
                        "bN:#13\n"
                        "bN:Subject: text#14\n"
                        "Z\n");
    /* The message's own type; message/global too; other message types,
     * and a part header block that ends with a body line, do not start
     * nested headers. */
    assert_string_equal(run(0, RECS("NContent-Type: message/global", "N",
                                    "NSubject: n1", "N", "Nbody")),
                        "h1[Content-Type]Content-Type: message/global#0\n"
                        "E\nbN:#1\nh3[Subject]Subject: n1#2\n"
                        "bN:#3\nbN:body#4\nZ\n");
    assert_string_equal(run(0, RECS("NContent-Type: message/partial", "N",
                                    "NSubject: n1")),
                        "h1[Content-Type]Content-Type: message/partial#0\n"
                        "E\nbN:#1\nbN:Subject: n1#2\nZ\n");
    assert_string_equal(run(0, RECS("NContent-Type: message/rfc822",
                                    "Nbody", "NSubject: n1")),
                        "h1[Content-Type]Content-Type: message/rfc822#0\n"
                        "E\nbN:body#1\nbN:Subject: n1#2\nZ\n");
}

/* test_recurse_all - MIME_OPT_RECURSE_ALL_MESSAGE looks into every
 * message type */
static void
test_recurse_all(void **state)
{
    assert_string_equal(run(MIME_OPT_RECURSE_ALL_MESSAGE,
                            RECS("NContent-Type: message/delivery-status",
                                 "N", "NReporting-MTA: dns; x")),
                        "h1[Content-Type]Content-Type: message/"
                        "delivery-status#0\n"
                        "E\nbN:#1\nh3[]Reporting-MTA: dns; x#2\nZ\n");
}

/* test_digest - parts of multipart/digest are messages by default */
static void
test_digest(void **state)
{
    assert_string_equal(run(0, RECS("NContent-Type: multipart/digest;"
                                    " boundary=d", "N", "N--d", "N",
                                    "NSubject: d1", "N", "Nbody", "N--d",
                                    "NContent-Type: text/plain", "N",
                                    "NSubject: text")),
                        "h1[Content-Type]Content-Type: multipart/digest;"
                        " boundary=d#0\n"
                        "E\nbN:#1\nbN:--d#2\nbN:#3\n"
                        "h3[Subject]Subject: d1#4\nbN:#5\nbN:body#6\n"
                        "bN:--d#7\n"
                        "h2[Content-Type]Content-Type: text/plain#8\n"
                        "bN:#9\nbN:Subject: text#10\nZ\n");
}

/* parts - which header lines of a multipart with this Content-Type value
 * became part headers: "b" after "--b", "c" after "--c", "bc" after
 * "--b c" */
static const char *
parts(const char *content_type)
{
    static char result[16];
    char    header[200];
    const char *log;

    snprintf(header, sizeof(header), "NContent-Type: %s", content_type);
    log = run(0, RECS(header, "N", "Npre", "N--b", "NX-P: b", "N", "N--c",
                      "NX-P: c", "N", "N--b c", "NX-P: bc"));
    result[0] = 0;
    if (strstr(log, "h2[]X-P: b#"))
        strcat(result, "b,");
    if (strstr(log, "h2[]X-P: c#"))
        strcat(result, "c,");
    if (strstr(log, "h2[]X-P: bc#"))
        strcat(result, "bc,");
    return result;
}

/* test_content_type - parameter syntax as Postfix 3.7 reads it */
static void
test_content_type(void **state)
{
    assert_string_equal(parts("multipart/mixed; boundary=b"), "b,bc,");
    assert_string_equal(parts("multipart; boundary=b"), "b,bc,");
    assert_string_equal(parts("MultiPart/Mixed;BOUNDARY=b"), "b,bc,");
    assert_string_equal(parts("multipart/mixed; boundary=\"b c\""), "bc,");
    assert_string_equal(parts("multipart/mixed; boundary=b c"), "b,bc,");
    assert_string_equal(parts("multipart/mixed; x=\"a;boundary=c\";"
                              " boundary=b"), "b,bc,");
    assert_string_equal(parts("multipart/mixed; (c) boundary (c) = (c)"
                              " \"b\" (c)"), "b,bc,");
    assert_string_equal(parts("multipart/ ; foo; boundary=b;"), "b,bc,");
    assert_string_equal(parts("multipart/mixed; boundary=b=c"), "b,bc,");
    assert_string_equal(parts("multipart/mixed; boundary=\"b"), "b,bc,");
    /* Every boundary parameter is pushed: b then c, or c then b. */
    assert_string_equal(parts("multipart/mixed; boundary=b; boundary=c"),
                        "b,bc,");
    assert_string_equal(parts("multipart/mixed; boundary=c; boundary=b"),
                        "b,c,");
    /* No boundary. */
    assert_string_equal(parts("multipart/mixed"), "");
    assert_string_equal(parts("multipart/mixed boundary=b"), "");
    assert_string_equal(parts("multipart/mixed; boundary=\"\""), "");
    assert_string_equal(parts("multipart/mixed; boundary="), "");
    assert_string_equal(parts("multipart/mixed; boundary==b"), "");
    assert_string_equal(parts("multipart/mixed; boundary*=b"), "");
    assert_string_equal(parts("text/plain; boundary=b"), "");
    assert_string_equal(parts("/mixed; boundary=b"), "");
    assert_string_equal(parts("\"multipart\"/mixed; boundary=b"), "");
}

/* test_boundary_pieces - a boundary line in 'L' pieces, a longer line
 * that starts with the boundary, the length limit */
static void
test_boundary_pieces(void **state)
{
    static const MIME_LIMITS limits = {102400, 100, 5};

    assert_string_equal(run(0, RECS("NContent-Type: multipart/mixed;"
                                    " boundary=boundary", "N",
                                    "L-", "L-bou", "L", "Lnda", "Nry",
                                    "NX-P: 1", "L--boundary", "L-", "N-",
                                    "NX-After: 1")),
                        "h1[Content-Type]Content-Type: multipart/mixed;"
                        " boundary=boundary#0\n"
                        "E\nbN:#1\n"
                        "bL:-#2\nbL:-bou#3\nbL:#4\nbL:nda#4\nbN:ry#6\n"
                        "h2[]X-P: 1#7\n"
                        "bL:--boundary#8\nbL:-#9\nbN:-#10\n"
                        "bN:X-After: 1#11\nZ\n");
    /* Cut to mime_boundary_length_limit: the first 5 bytes decide. */
    assert_string_equal(run_limits(0, &limits,
                                   RECS("NContent-Type: multipart/mixed;"
                                        " boundary=abcdefgh", "N",
                                        "N--abcdeXYZ", "NX-P: 1", "N",
                                        "N--abcd", "NX-Q: 2",
                                        "N--abcde--", "NX-R: 3")),
                        "h1[Content-Type]Content-Type: multipart/mixed;"
                        " boundary=abcdefgh#0\n"
                        "E\nbN:#1\nbN:--abcdeXYZ#2\nh2[]X-P: 1#3\n"
                        "bN:#4\nbN:--abcd#5\nbN:X-Q: 2#6\n"
                        "bN:--abcde--#7\nbN:X-R: 3#8\nZ\n");
}

/* deep - a multipart nested n deep, one part at the bottom */
static const char *const *
deep(int n)
{
    static char lines[40][80];
    static const char *recs[45];
    int     count = 0;

    for (int i = 1; i <= n && i < 10; i++) {
        snprintf(lines[count], 80, "NContent-Type: multipart/mixed;"
                 " boundary=l%d", i);
        recs[count] = lines[count];
        count++;
        recs[count++] = "N";
        snprintf(lines[count], 80, "N--l%d", i);
        recs[count] = lines[count];
        count++;
    }
    recs[count++] = "NX-Deep: 1";
    recs[count] = NULL;
    return recs;
}

/* test_nesting - Postfix 3.7 accepts mime_nesting_limit + 2 nested
 * multiparts; the next one is an error and stays body; an attached
 * message costs nothing */
static void
test_nesting(void **state)
{
    static const MIME_LIMITS limits = {102400, 1, 2048};
    const char *log;

    log = run_limits(MIME_OPT_REPORT_NESTING, &limits, deep(3));
    assert_int_equal(last_errs, 0);
    assert_non_null(strstr(log, "h2[]X-Deep: 1#9"));
    log = run_limits(MIME_OPT_REPORT_NESTING, &limits, deep(4));
    assert_int_equal(last_errs, MIME_ERR_NESTING);
    assert_non_null(strstr(log, "bN:--l3#8\n"
                           "!1:Content-Type: multipart/mixed; boundary=l4\n"
                           "h2[Content-Type]Content-Type: multipart/mixed;"
                           " boundary=l4#9\n"
                           "bN:#10\nbN:--l4#11\nbN:X-Deep: 1#12\nZ\n"));
    /* Not reported without the option, but still refused. */
    log = run_limits(0, &limits, deep(4));
    assert_int_equal(last_errs, 0);
    assert_non_null(strstr(log, "bN:X-Deep: 1#12"));
    /* Messages in messages. */
    log = run_limits(MIME_OPT_REPORT_NESTING, &limits,
                     RECS("NContent-Type: message/rfc822", "N",
                          "NContent-Type: message/rfc822", "N",
                          "NContent-Type: message/rfc822", "N",
                          "NContent-Type: message/rfc822", "N",
                          "NX-Deep: 1"));
    assert_int_equal(last_errs, 0);
    assert_non_null(strstr(log, "h3[]X-Deep: 1#8"));
}

/* test_8bit_header - any header class; only with the option */
static void
test_8bit_header(void **state)
{
    const char *const *recs = RECS("NSubject: ok", "NX-F: a",
                                   "N caf\xc3\xa9", "NX-G: \xc3\xa9", "N",
                                   "N\xc3\xa9");

    assert_string_equal(run(0, recs),
                        "h1[Subject]Subject: ok#0\n"
                        "h1[]X-F: a\\n caf\xc3\xa9#1\n"
                        "h1[]X-G: \xc3\xa9#3\n"
                        "E\nbN:#4\nbN:\xc3\xa9#5\nZ\n");
    assert_string_equal(run(MIME_OPT_REPORT_8BIT_IN_HEADER, recs),
                        "h1[Subject]Subject: ok#0\n"
                        "!4:X-F: a\\n caf\xc3\xa9\n"
                        "h1[]X-F: a\\n caf\xc3\xa9#1\n"
                        "h1[]X-G: \xc3\xa9#3\n"
                        "E\nbN:#4\nbN:\xc3\xa9#5\nZ\n");
    assert_int_equal(last_errs, MIME_ERR_8BIT_IN_HEADER);
    run(MIME_OPT_REPORT_8BIT_IN_HEADER,
        RECS("NContent-Type: multipart/mixed; boundary=b", "N", "N--b",
             "NX-P: caf\xc3\xa9"));
    assert_int_equal(last_errs, MIME_ERR_8BIT_IN_HEADER);
}

/* body_8bit - the errors of a message with an 8-bit body line */
static int
body_8bit(const char *const *recs)
{
    run(MIME_OPT_REPORT_8BIT_IN_7BIT_BODY, recs);
    return last_errs;
}

/* test_8bit_body - 7bit (the default, explicit or after an unknown
 * value) is checked; 8bit, binary, quoted-printable and base64 are not;
 * preamble and epilogue count as 7bit; each part has its own encoding */
static void
test_8bit_body(void **state)
{
    const int err = MIME_ERR_8BIT_IN_7BIT_BODY;

    assert_string_equal(run(MIME_OPT_REPORT_8BIT_IN_7BIT_BODY,
                            RECS("NSubject: b", "N", "Nline1",
                                 "Ncaf\xc3\xa9", "N\xc3\xa9")),
                        "h1[Subject]Subject: b#0\nE\nbN:#1\n"
                        "bN:line1#2\n!8:caf\xc3\xa9\nbN:caf\xc3\xa9#3\n"
                        "bN:\xc3\xa9#4\nZ\n");
    assert_int_equal(body_8bit(RECS("N", "N\xc3\xa9")), err);
    run(0, RECS("N", "N\xc3\xa9"));
    assert_int_equal(last_errs, 0);
    assert_int_equal(body_8bit(RECS("NContent-Transfer-Encoding: 7bit",
                                    "N", "N\xc3\xa9")), err);
    assert_int_equal(body_8bit(RECS("NContent-Transfer-Encoding: x-bogus",
                                    "N", "N\xc3\xa9")), err);
    assert_int_equal(body_8bit(RECS("NContent-Transfer-Encoding: \"8bit\"",
                                    "N", "N\xc3\xa9")), err);
    assert_int_equal(body_8bit(RECS("NContent-Transfer-Encoding: 8BIT (c)",
                                    "N", "N\xc3\xa9")), 0);
    assert_int_equal(body_8bit(RECS("NContent-Transfer-Encoding: 8bit",
                                    "NContent-Transfer-Encoding: bogus",
                                    "N", "N\xc3\xa9")), 0);
    assert_int_equal(body_8bit(RECS("NContent-Transfer-Encoding: binary",
                                    "N", "N\xc3\xa9")), 0);
    assert_int_equal(body_8bit(RECS("NContent-Transfer-Encoding: base64",
                                    "N", "N\xc3\xa9")), 0);
    assert_int_equal(body_8bit(RECS("NContent-Transfer-Encoding: "
                                    "quoted-printable", "N", "N\xc3\xa9")),
                     0);
#define MP8 "NContent-Type: multipart/mixed; boundary=b", \
        "NContent-Transfer-Encoding: 8bit", "N"
    assert_int_equal(body_8bit(RECS(MP8, "Npre\xc3\xa9")), err);
    assert_int_equal(body_8bit(RECS(MP8, "N--b", "N", "N\xc3\xa9")), err);
    assert_int_equal(body_8bit(RECS(MP8, "N--b",
                                    "NContent-Transfer-Encoding: 8bit",
                                    "N", "N\xc3\xa9", "N--b", "N", "Nok")),
                     0);
    assert_int_equal(body_8bit(RECS(MP8, "N--b",
                                    "NContent-Transfer-Encoding: 8bit",
                                    "N", "N\xc3\xa9", "N--b--",
                                    "Nepi\xc3\xa9")), err);
    /* An attached message has its own encoding. */
    assert_int_equal(body_8bit(RECS("NContent-Type: message/rfc822",
                                    "NContent-Transfer-Encoding: 8bit",
                                    "N", "NSubject: n", "N",
                                    "N\xc3\xa9")), err);
    assert_int_equal(body_8bit(RECS("NContent-Type: message/rfc822", "N",
                                    "NContent-Transfer-Encoding: 8bit",
                                    "N", "N\xc3\xa9")), 0);
}

/* domain_errs - the errors of a part with a type and an encoding */
static int
domain_errs(const char *type, const char *encoding)
{
    char    ct[100];
    char    cte[100];

    snprintf(ct, sizeof(ct), "NContent-Type: %s", type);
    snprintf(cte, sizeof(cte), "NContent-Transfer-Encoding: %s", encoding);
    run(MIME_OPT_REPORT_ENCODING_DOMAIN, RECS(cte, ct, "N", "NSubject: x"));
    return last_errs;
}

/* test_encoding_domain - multipart and message/rfc822 take only 7bit,
 * 8bit and binary; the error text is the encoding, after the last header
 * of the block */
static void
test_encoding_domain(void **state)
{
    const int err = MIME_ERR_ENCODING_DOMAIN;

    assert_string_equal(run(MIME_OPT_REPORT_ENCODING_DOMAIN,
                            RECS("NContent-Type: message/rfc822",
                                 "NContent-Transfer-Encoding: base64",
                                 "N", "NSubject: n")),
                        "h1[Content-Type]Content-Type: message/rfc822#0\n"
                        "h1[Content-Transfer-Encoding]Content-Transfer-"
                        "Encoding: base64#1\n"
                        "!16:base64\nE\nbN:#2\nh3[Subject]Subject: n#3\n"
                        "Z\n");
    assert_int_equal(domain_errs("multipart/mixed; boundary=b", "base64"),
                     err);
    assert_int_equal(domain_errs("multipart/mixed", "Quoted-Printable"),
                     err);
    assert_int_equal(domain_errs("message/rfc822", "quoted-printable"), err);
    assert_int_equal(domain_errs("multipart/mixed", "7bit"), 0);
    assert_int_equal(domain_errs("multipart/mixed", "8bit"), 0);
    assert_int_equal(domain_errs("message/rfc822", "binary"), 0);
    assert_int_equal(domain_errs("message/rfc822", "bogus"), 0);
    assert_int_equal(domain_errs("message/global", "base64"), 0);
    assert_int_equal(domain_errs("message/partial", "base64"), 0);
    assert_int_equal(domain_errs("text/plain", "base64"), 0);
    run(0, RECS("NContent-Type: multipart/mixed",
                "NContent-Transfer-Encoding: base64"));
    assert_int_equal(last_errs, 0);
}

/* test_disable_mime - with MIME off everything after the primary headers
 * is body, and nothing 8-bit is reported */
static void
test_disable_mime(void **state)
{
    static const MIME_LIMITS limits = {20, 100, 2048};
    const int all = MIME_OPT_DISABLE_MIME | MIME_OPT_REPORT_8BIT_IN_HEADER
    | MIME_OPT_REPORT_8BIT_IN_7BIT_BODY | MIME_OPT_REPORT_ENCODING_DOMAIN
    | MIME_OPT_REPORT_NESTING;

    assert_string_equal(run(all, RECS("NSubject: caf\xc3\xa9",
                                      "NX-Sp : v",
                                      "NContent-Type: multipart/mixed;"
                                      " boundary=b",
                                      "NContent-Transfer-Encoding: base64",
                                      "N", "N--b", "NX-P: 1", "N",
                                      "Ncaf\xc3\xa9")),
                        "h1[Subject]Subject: caf\xc3\xa9#0\n"
                        "h1[]X-Sp: v#1\n"
                        "h1[Content-Type]Content-Type: multipart/mixed;"
                        " boundary=b#2\n"
                        "h1[Content-Transfer-Encoding]Content-Transfer-"
                        "Encoding: base64#3\n"
                        "E\nbN:#4\nbN:--b#5\nbN:X-P: 1#6\nbN:#7\n"
                        "bN:caf\xc3\xa9#8\nZ\n");
    assert_int_equal(last_errs, 0);
    /* Truncation is still reported. */
    run_limits(all | MIME_OPT_REPORT_TRUNC_HEADER, &limits,
               RECS("NSubject: a very long subject"));
    assert_int_equal(last_errs, MIME_ERR_TRUNC_HEADER);
}

/* test_errors_once - one report per code; the return value ORs them */
static void
test_errors_once(void **state)
{
    const char *log;

    log = run(MIME_OPT_REPORT_8BIT_IN_HEADER
              | MIME_OPT_REPORT_8BIT_IN_7BIT_BODY,
              RECS("NX-A: \xc3\xa9", "NX-B: \xc3\xa9", "N", "N\xc3\xa9",
                   "N\xc3\xa9"));
    assert_string_equal(log, "!4:X-A: \xc3\xa9\nh1[]X-A: \xc3\xa9#0\n"
                        "h1[]X-B: \xc3\xa9#1\nE\nbN:#2\n"
                        "!8:\xc3\xa9\nbN:\xc3\xa9#3\nbN:\xc3\xa9#4\nZ\n");
    assert_int_equal(last_errs,
                     MIME_ERR_8BIT_IN_HEADER | MIME_ERR_8BIT_IN_7BIT_BODY);
}

/* test_error_text - Postfix's wording */
static void
test_error_text(void **state)
{
    assert_string_equal(mime_state_error(MIME_ERR_NESTING),
                        "MIME nesting exceeds safety limit");
    assert_string_equal(mime_state_error(MIME_ERR_TRUNC_HEADER),
                        "message header length exceeds safety limit");
    assert_string_equal(mime_state_error(MIME_ERR_8BIT_IN_HEADER),
                        "improper use of 8-bit data in message header");
    assert_string_equal(mime_state_error(MIME_ERR_8BIT_IN_7BIT_BODY),
                        "improper use of 8-bit data in message body");
    assert_string_equal(mime_state_error(MIME_ERR_ENCODING_DOMAIN),
                        "invalid message/* or multipart/* encoding domain");
    assert_string_equal(mime_state_error(MIME_ERR_8BIT_IN_HEADER
                                         | MIME_ERR_ENCODING_DOMAIN),
                        "improper use of 8-bit data in message header");
    assert_string_equal(mime_state_error(0), "unknown MIME error");
}

/* test_null_callbacks - every callback may be NULL */
static void
test_null_callbacks(void **state)
{
    MIME_STATE *ms = mime_state_alloc(MIME_OPT_REPORT_8BIT_IN_HEADER,
                                      &default_limits, NULL, NULL, NULL,
                                      NULL, NULL, NULL);

    mime_state_update(ms, REC_TYPE_NORM, "X: \xc3\xa9", 5);
    mime_state_update(ms, REC_TYPE_NORM, "", 0);
    mime_state_update(ms, REC_TYPE_CONT, "body", 4);
    assert_int_equal(mime_state_update(ms, REC_TYPE_END, "", 0),
                     MIME_ERR_8BIT_IN_HEADER);
    mime_state_free(ms);
}

/* test_parts - each header block's type, subtype (lower case) and
 * encoding at its end, before the line that ends it; boundaries right
 * after their line; a digest part defaults to message/rfc822 */
static void
test_parts(void **state)
{
    log_parts = 1;
    assert_string_equal(run(0, RECS("NContent-Type: Multipart/Mixed;"
                                    " boundary=b",
                                    "NContent-Transfer-Encoding: 8BIT", "N",
                                    "N--b", "NContent-Type: TEXT/Plain",
                                    "NContent-Transfer-Encoding: binary", "N",
                                    "Nx", "N--b",
                                    "NContent-Type: message/rfc822", "N",
                                    "NSubject: in", "N", "Nin",
                                    "N--b", "NContent-Type: multipart/digest;"
                                    " boundary=d", "N", "N--d", "N", "Nm",
                                    "N--d--", "N--b--", "Nepilogue")),
                        "h1[Content-Type]Content-Type: Multipart/Mixed;"
                        " boundary=b#0\n"
                        "h1[Content-Transfer-Encoding]Content-Transfer-"
                        "Encoding: 8BIT#1\n"
                        "P1:multipart/mixed:1\n"
                        "E\n"
                        "bN:#2\n"
                        "bN:--b#3\n"
                        "B\n"
                        "h2[Content-Type]Content-Type: TEXT/Plain#4\n"
                        "h2[Content-Transfer-Encoding]Content-Transfer-"
                        "Encoding: binary#5\n"
                        "P2:text/plain:2\n"
                        "bN:#6\n"
                        "bN:x#7\n"
                        "bN:--b#8\n"
                        "B\n"
                        "h2[Content-Type]Content-Type: message/rfc822#9\n"
                        "P2:message/rfc822:0:nested\n"
                        "bN:#10\n"
                        "h3[Subject]Subject: in#11\n"
                        "P3:/:0\n"
                        "bN:#12\n"
                        "bN:in#13\n"
                        "bN:--b#14\n"
                        "B\n"
                        "h2[Content-Type]Content-Type: multipart/digest;"
                        " boundary=d#15\n"
                        "P2:multipart/digest:0\n"
                        "bN:#16\n"
                        "bN:--d#17\n"
                        "B\n"
                        "P2:message/rfc822:0:nested\n"
                        "bN:#18\n"
                        "P3:/:0\n"
                        "bN:m#19\n"
                        "bN:--d--#20\n"
                        "B\n"
                        "bN:--b--#21\n"
                        "B\n"
                        "bN:epilogue#22\n"
                        "Z\n");
    log_parts = 0;
}

/* test_part_now - mime_state_part() while a block is read: the encoding
 * as of the last header handed out; defaults after a boundary */
static void
test_part_now(void **state)
{
    MIME_STATE *ms = mime_state_alloc(0, &default_limits, NULL, NULL, NULL,
                                      NULL, NULL, NULL);
    const MIME_PART *part;

    mime_state_update(ms, REC_TYPE_NORM, "Content-Transfer-Encoding: 8bit",
                      31);
    part = mime_state_part(ms);
    assert_int_equal(part->encoding, MIME_ENC_7BIT);   /* still pending */
    mime_state_update(ms, REC_TYPE_NORM, "Content-Type: text/x; a=b", 25);
    part = mime_state_part(ms);
    assert_int_equal(part->header_class, MIME_HDR_PRIMARY);
    assert_int_equal(part->encoding, MIME_ENC_8BIT);
    assert_string_equal(part->type, "");                /* still pending */
    mime_state_update(ms, REC_TYPE_NORM, "", 0);
    part = mime_state_part(ms);
    assert_string_equal(part->type, "text");
    assert_string_equal(part->subtype, "x");
    mime_state_update(ms, REC_TYPE_END, "", 0);
    mime_state_free(ms);
}

/* setup - the log */
static int
setup(void **state)
{
    log_buf = buf_alloc(1024);
    return 0;
}

/* teardown - free it */
static int
teardown(void **state)
{
    buf_free(log_buf);
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple),
        cmocka_unit_test(test_folded),
        cmocka_unit_test(test_split_header),
        cmocka_unit_test(test_truncate),
        cmocka_unit_test(test_no_blank_line),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_multipart),
        cmocka_unit_test(test_nested_multipart),
        cmocka_unit_test(test_message),
        cmocka_unit_test(test_recurse_all),
        cmocka_unit_test(test_digest),
        cmocka_unit_test(test_content_type),
        cmocka_unit_test(test_boundary_pieces),
        cmocka_unit_test(test_nesting),
        cmocka_unit_test(test_8bit_header),
        cmocka_unit_test(test_8bit_body),
        cmocka_unit_test(test_encoding_domain),
        cmocka_unit_test(test_disable_mime),
        cmocka_unit_test(test_errors_once),
        cmocka_unit_test(test_error_text),
        cmocka_unit_test(test_null_callbacks),
        cmocka_unit_test(test_parts),
        cmocka_unit_test(test_part_now),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
