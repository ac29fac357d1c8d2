/* dict_pcre - "pcre:/path" tables: rules with Perl-compatible regular
 * expressions (PCRE2), as described in Postfix's pcre_table(5).
 *
 * The rule syntax, if/endif blocks and $n results are dict_pattern's; this
 * file is the engine. Flags toggle PCRE2 options: i CASELESS (default on),
 * m MULTILINE, s DOTALL (default on), x EXTENDED, A ANCHORED, E
 * DOLLAR_ENDONLY, U UNGREEDY; X (PCRE1's EXTRA) no longer exists and is
 * ignored with a warning. Keys are matched as bytes (no UTF mode). One
 * match data block per table, sized for the widest result, serves every
 * lookup.
 *
 * Every match runs under limits, so a pattern with catastrophic
 * backtracking costs a "matching failed" warning, not minutes or
 * gigabytes: DICT_PCRE_MATCH_LIMIT backtracking steps (some 10 ms), a
 * backtracking depth of DICT_PCRE_DEPTH_LIMIT and DICT_PCRE_HEAP_LIMIT of
 * memory for it. A linear scan of the longest header Postfix hands to
 * header_checks (100 KB) stays well inside all three. A pattern may lower
 * them with (*LIMIT_MATCH=n) and friends, never raise them. Compiling is
 * bounded by the pattern length limit (dict_pattern) and by PCRE2's own
 * limits on nesting and compiled size. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include "msg.h"
#include "dict_types.h"
#include "dict_pattern.h"

#define DICT_PCRE_MATCH_LIMIT   1000000
#define DICT_PCRE_DEPTH_LIMIT   100000
#define DICT_PCRE_HEAP_LIMIT    32768   /* KiB */

typedef struct DICT_PCRE {
    DICT_PATTERN pat;
    pcre2_match_context *mctx;          /* the limits */
    pcre2_match_data *md;
    int     last_rc;                    /* pcre2_match() of the last match */
} DICT_PCRE;

static const DICT_PATTERN_FLAG dict_pcre_flags[] = {
    {'i', PCRE2_CASELESS},
    {'m', PCRE2_MULTILINE},
    {'s', PCRE2_DOTALL},
    {'x', PCRE2_EXTENDED},
    {'A', PCRE2_ANCHORED},
    {'E', PCRE2_DOLLAR_ENDONLY},
    {'U', PCRE2_UNGREEDY},
    {'X', 0},
    {0, 0},
};

/* dict_pcre_error - the library's text for an error code */
static void
dict_pcre_error(int err, BUF *why)
{
    PCRE2_UCHAR text[256];

    if (pcre2_get_error_message(err, text, sizeof(text)) < 0)
        buf_sprintf_append(why, "error %d", err);
    else
        buf_strcat(why, (const char *) text);
}

/* dict_pcre_compile - pcre2_compile() with the rule's options */
static void *
dict_pcre_compile(DICT_PATTERN *dp, const char *pattern, unsigned flags,
                  int want, int *groups, BUF *why)
{
    pcre2_code *code;
    int     err;
    PCRE2_SIZE offset;
    uint32_t count;

    code = pcre2_compile((PCRE2_SPTR) pattern, PCRE2_ZERO_TERMINATED, flags,
                         &err, &offset, NULL);
    if (code == NULL) {
        buf_sprintf(why, "at offset %zu: ", (size_t) offset);
        dict_pcre_error(err, why);
        return NULL;
    }
    if (pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &count) != 0)
        count = 0;
    *groups = (int) count;
    return code;
}

/* dict_pcre_prepare - one match data block and one set of limits for
 * every lookup */
static void
dict_pcre_prepare(DICT_PATTERN *dp, int max_want)
{
    DICT_PCRE *dpc = (DICT_PCRE *) dp;

    if ((dpc->md = pcre2_match_data_create((uint32_t) max_want + 1, NULL))
        == NULL || (dpc->mctx = pcre2_match_context_create(NULL)) == NULL)
        msg_fatal("dict_pcre: out of memory");
    pcre2_set_match_limit(dpc->mctx, DICT_PCRE_MATCH_LIMIT);
    pcre2_set_depth_limit(dpc->mctx, DICT_PCRE_DEPTH_LIMIT);
    pcre2_set_heap_limit(dpc->mctx, DICT_PCRE_HEAP_LIMIT);
}

/* dict_pcre_match - pcre2_match() the whole key */
static int
dict_pcre_match(DICT_PATTERN *dp, const void *code, const char *key,
                BUF *why)
{
    DICT_PCRE *dpc = (DICT_PCRE *) dp;
    int     rc;

    rc = pcre2_match(code, (PCRE2_SPTR) key, PCRE2_ZERO_TERMINATED, 0, 0,
                     dpc->md, dpc->mctx);
    if (rc >= 0) {
        dpc->last_rc = rc;
        return 1;
    }
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    buf_reset(why);
    dict_pcre_error(rc, why);
    return -1;
}

/* dict_pcre_group - text of group n of the last match */
static const char *
dict_pcre_group(void *ctx, int n, size_t *len)
{
    DICT_PCRE *dpc = ctx;
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(dpc->md);

    /* rc 0: the vector was too small and holds what fits (n always does). */
    if (dpc->last_rc > 0 && n >= dpc->last_rc)
        return NULL;
    if (ov[2 * n] == PCRE2_UNSET || ov[2 * n + 1] < ov[2 * n])
        return NULL;
    *len = ov[2 * n + 1] - ov[2 * n];
    return dpc->pat.key + ov[2 * n];
}

/* dict_pcre_free_code - free one compiled pattern */
static void
dict_pcre_free_code(DICT_PATTERN *dp, void *code)
{
    pcre2_code_free(code);
}

/* dict_pcre_close - free the match data and the limits */
static void
dict_pcre_close(DICT_PATTERN *dp)
{
    DICT_PCRE *dpc = (DICT_PCRE *) dp;

    pcre2_match_data_free(dpc->md);
    pcre2_match_context_free(dpc->mctx);
}

static const DICT_PATTERN_ENGINE dict_pcre_engine = {
    .flags = dict_pcre_flags,
    .default_flags = PCRE2_CASELESS | PCRE2_DOTALL,
    .dict_size = sizeof(DICT_PCRE),
    .compile = dict_pcre_compile,
    .prepare = dict_pcre_prepare,
    .match = dict_pcre_match,
    .group = dict_pcre_group,
    .free_code = dict_pcre_free_code,
    .close = dict_pcre_close,
};

/* dict_pcre_open - read a pcre table */
static DICT *
dict_pcre_open(const char *name, int open_flags, int dict_flags, BUF *why)
{
    return dict_pattern_open(&dict_type_pcre, &dict_pcre_engine, name,
                             open_flags, dict_flags, why);
}

const DICT_TYPE dict_type_pcre = {
    .name = "pcre",
    .flags = DICT_TYPE_FILE,
    .open = dict_pcre_open,
};
