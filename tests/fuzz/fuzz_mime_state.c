/* fuzz_mime_state - libFuzzer harness for the message content parser.
 *
 * The first input byte picks the options (its low 7 bits are the
 * MIME_OPT_* bits) and the second the limits (small ones, so that
 * truncation, the nesting limit and cut boundaries happen; or Postfix's
 * defaults). The rest is content: '\n' ends an 'N' record and a 0x1f byte
 * ends an 'L' record; what follows the last separator is an 'L' record.
 * Besides crashes, leaks and sanitizer reports, these are failures: a
 * body record that is not the input at its offset with its type, a
 * header that does not start at a line, head_end not exactly once
 * before any body record, anything after body_end or body_end not once.
 * Seeds: tests/fuzz/corpus/fuzz_mime_state/. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mime_state.h"
#include "mymalloc.h"
#include "rec_type.h"

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_LSEP   0x1f                /* ends an 'L' record */

/* What the callbacks saw. */
typedef struct FUZZ_STATE {
    BUF    *content;                    /* the records, '\n' after 'N' */
    char   *line_starts;                /* 1 at each offset a line starts */
    int     head_ends;
    int     body_ends;
    off_t   next_body;                  /* no body record before this */
} FUZZ_STATE;

/* fuzz_head_out - a header starts at a line, before the body records
 * that follow it */
static void
fuzz_head_out(void *ctx, int header_class, const HEADER_OPTS *opts,
              BUF *header, off_t offset)
{
    FUZZ_STATE *fs = ctx;

    if (fs->body_ends || offset < 0
        || (size_t) offset >= buf_len(fs->content)
        || fs->line_starts[offset] != 1)
        abort();
    if (header_class == MIME_HDR_PRIMARY && fs->head_ends)
        abort();
    if (header_class != MIME_HDR_PRIMARY && !fs->head_ends)
        abort();
    buf_truncate(header, 0);
}

/* fuzz_head_end - exactly once */
static void
fuzz_head_end(void *ctx)
{
    FUZZ_STATE *fs = ctx;

    if (fs->head_ends++ || fs->body_ends)
        abort();
}

/* fuzz_body_out - the input at its offset, in order */
static void
fuzz_body_out(void *ctx, int rec_type, const char *text, size_t len,
              off_t offset)
{
    FUZZ_STATE *fs = ctx;
    size_t  end = (size_t) offset + len + (rec_type == REC_TYPE_NORM);

    if (!fs->head_ends || fs->body_ends || offset < fs->next_body
        || end > buf_len(fs->content)
        || (len > 0 && memcmp(buf_str(fs->content) + offset, text, len))
        || (rec_type == REC_TYPE_NORM
            && buf_str(fs->content)[offset + len] != '\n'))
        abort();
    fs->next_body = offset + len;
}

/* fuzz_body_end - exactly once, at the end */
static void
fuzz_body_end(void *ctx)
{
    FUZZ_STATE *fs = ctx;

    if (fs->body_ends++ || fs->head_ends != 1)
        abort();
}

/* fuzz_err_print - a known code with text */
static void
fuzz_err_print(void *ctx, int err_code, const char *text, size_t len)
{
    if (strcmp(mime_state_error(err_code), "unknown MIME error") == 0)
        abort();
}

/* fuzz_limits - small limits, or Postfix's defaults */
static MIME_LIMITS
fuzz_limits(int bits)
{
    MIME_LIMITS limits = {102400, 100, 2048};

    if (bits & 0x80) {
        limits.header_size_limit = 1 + (bits & 0x1f) * 4;
        limits.mime_nesting_limit = 1 + ((bits >> 5) & 0x03);
        limits.mime_boundary_length_limit = 1 + (bits & 0x07);
    }
    return limits;
}

/* fuzz_records - the content records of the input */
static void
fuzz_records(MIME_STATE *ms, FUZZ_STATE *fs, const char *text, size_t len)
{
    size_t  start = 0;
    int     type;

    for (size_t i = 0; i <= len; i++) {
        if (i < len && text[i] != '\n' && text[i] != FUZZ_LSEP)
            continue;
        if (i == len && i == start)
            break;
        type = (i < len && text[i] == '\n') ? REC_TYPE_NORM : REC_TYPE_CONT;
        if (buf_len(fs->content) == 0 || buf_last(fs->content) == '\n')
            fs->line_starts[buf_len(fs->content)] = 1;
        buf_append(fs->content, text + start, i - start);
        if (type == REC_TYPE_NORM)
            buf_addch(fs->content, '\n');
        mime_state_update(ms, type, text + start, i - start);
        start = i + 1;
    }
}

/* LLVMFuzzerTestOneInput - one input */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FUZZ_STATE fs = {0};
    MIME_LIMITS limits;
    MIME_STATE *ms;

    if (size < 2)
        return 0;
    limits = fuzz_limits(data[1]);
    fs.content = buf_alloc(size + 1);
    fs.line_starts = mycalloc(size + 1, 1);
    ms = mime_state_alloc(data[0] & 0x7f, &limits, fuzz_head_out,
                          fuzz_head_end, fuzz_body_out, fuzz_body_end,
                          fuzz_err_print, &fs);
    fuzz_records(ms, &fs, (const char *) data + 2, size - 2);
    mime_state_update(ms, REC_TYPE_END, "", 0);
    if (fs.body_ends != 1)
        abort();
    mime_state_free(ms);
    buf_free(fs.content);
    myfree(fs.line_starts);
    return 0;
}
