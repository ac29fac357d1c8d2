/* fuzz_tok822 - libFuzzer harness for the address tokenizer and parser.
 *
 * The first input byte picks the settings (its bits turn the rewrite
 * rules on and off and choose a token limit); the rest is a header
 * value. It is scanned and parsed, every address is written out,
 * rewritten as cleanup would and put back, and the whole list is
 * written in every form. unquote_822_local(quote_822_local(x)) must
 * give x back. Crashes, leaks, sanitizer reports and a broken round
 * trip are failures. Seeds: tests/fuzz/corpus/fuzz_tok822/. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mymalloc.h"
#include "quote_822_local.h"
#include "rewrite_addr.h"
#include "tok822.h"

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* fuzz_settings - rewrite settings from the bits of one byte */
static REWRITE_ADDR_SETTINGS
fuzz_settings(int bits)
{
    REWRITE_ADDR_SETTINGS settings = {
        (bits & 1) ? "host.example.com" : "host",
        "example.com",
        (bits & 2) ? "remote.example" : "",
        (bits >> 2) & 1, (bits >> 3) & 1, (bits >> 4) & 1, (bits >> 5) & 1,
    };

    return settings;
}

/* fuzz_rewrite - what cleanup does to each address of a header */
static void
fuzz_rewrite(TOK822_LIST *tree, const REWRITE_ADDR_SETTINGS *settings,
             REWRITE_ADDR_CONTEXT context, BUF *a, BUF *b)
{
    for (size_t i = 0; i < tree->count; i++) {
        if (tree->tok[i].type != TOK822_ADDR)
            continue;
        buf_reset(a);
        tok822_internalize(a, tree->tok[i].addr, TOK822_STR_NONE);
        rewrite_addr_internal(settings, context, buf_str(a), b);
        buf_reset(a);
        tok822_externalize(a, tree->tok[i].addr, TOK822_STR_NONE);
        rewrite_addr(settings, context, buf_str(a), b);
        tok822_replace_addr(tree, i, buf_str(b));
    }
}

/* fuzz_round_trip - unquote_822_local must undo quote_822_local */
static void
fuzz_round_trip(const char *text, BUF *a, BUF *b)
{
    quote_822_local(a, text);
    unquote_822_local(b, buf_str(a));
    if (strcmp(buf_str(b), text) != 0)
        abort();
}

/* LLVMFuzzerTestOneInput - one input */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    REWRITE_ADDR_SETTINGS settings;
    TOK822_LIST *list;
    BUF    *a;
    BUF    *b;
    char   *text;
    size_t  limit;

    if (size < 1)
        return 0;
    settings = fuzz_settings(data[0]);
    limit = (data[0] & 0x40) ? 16 : 0;
    a = buf_alloc(100);
    b = buf_alloc(100);
    text = mystrndup((const char *) data + 1, size - 1);
    list = tok822_scan((const char *) data + 1, size - 1, limit);
    tok822_externalize(a, list, TOK822_STR_HEAD);
    tok822_internalize(a, list, TOK822_STR_NONE);
    tok822_free(list);
    list = tok822_parse((const char *) data + 1, size - 1, limit);
    fuzz_rewrite(list, &settings, (data[0] & 0x80) ? REWRITE_ADDR_REMOTE :
                 REWRITE_ADDR_LOCAL, a, b);
    buf_reset(a);
    tok822_externalize(a, list, TOK822_STR_HEAD);
    tok822_internalize(a, list, TOK822_STR_TRNC);
    tok822_free(list);
    fuzz_round_trip(text, a, b);
    myfree(text);
    buf_free(a);
    buf_free(b);
    return 0;
}
