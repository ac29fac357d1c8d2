/* dict_regexp - "regexp:/path" tables: rules with POSIX regular
 * expressions (regex.h), as described in Postfix's regexp_table(5).
 *
 * The rule syntax, if/endif blocks and $n results are dict_pattern's; this
 * file is the engine. Flags toggle: i (case-insensitive, default on), x
 * (extended syntax, default on), m (newline-sensitive ^ and $, default
 * off). A pattern whose result uses no group is compiled with REG_NOSUB,
 * and regexec() fills only as many offsets as the result uses. Before
 * regcomp() sees a pattern, regex_guard estimates what it would build and
 * refuses one that would take more than some megabytes (glibc expands
 * stacked and nested repetitions into copies). */
#include <regex.h>
#include <stdlib.h>
#include "mymalloc.h"
#include "dict_types.h"
#include "dict_pattern.h"
#include "regex_guard.h"

typedef struct DICT_REGEXP {
    DICT_PATTERN pat;
    regmatch_t *pmatch;                 /* offsets of the last match */
} DICT_REGEXP;

typedef struct DICT_REGEXP_CODE {
    regex_t re;
    size_t  nmatch;                     /* offsets a lookup needs (0: none) */
} DICT_REGEXP_CODE;

static const DICT_PATTERN_FLAG dict_regexp_flags[] = {
    {'i', REG_ICASE},
    {'x', REG_EXTENDED},
    {'m', REG_NEWLINE},
    {0, 0},
};

/* dict_regexp_error - the library's text for an error code */
static void
dict_regexp_error(int err, const regex_t *re, BUF *why)
{
    size_t  len = regerror(err, re, NULL, 0);
    char   *text = mymalloc(len);

    regerror(err, re, text, len);
    buf_strcpy(why, text);
    free(text);
}

/* dict_regexp_check - refuse a pattern that regcomp() would blow up */
static int
dict_regexp_check(DICT_PATTERN *dp, const char *pattern, unsigned flags,
                  BUF *why)
{
    return regex_guard_posix(pattern, (flags & REG_EXTENDED) != 0, why);
}

/* dict_regexp_compile - regcomp() with the rule's flags */
static void *
dict_regexp_compile(DICT_PATTERN *dp, const char *pattern, unsigned flags,
                    int want, int *groups, BUF *why)
{
    DICT_REGEXP_CODE *code = mymalloc(sizeof(*code));
    int     err;

    if (want == 0)
        flags |= REG_NOSUB;
    if ((err = regcomp(&code->re, pattern, (int) flags)) != 0) {
        dict_regexp_error(err, &code->re, why);
        free(code);
        return NULL;
    }
    code->nmatch = want ? (size_t) want + 1 : 0;
    *groups = (int) code->re.re_nsub;
    return code;
}

/* dict_regexp_prepare - room for the offsets of the widest result */
static void
dict_regexp_prepare(DICT_PATTERN *dp, int max_want)
{
    DICT_REGEXP *dr = (DICT_REGEXP *) dp;

    dr->pmatch = mycalloc((size_t) max_want + 1, sizeof(*dr->pmatch));
}

/* dict_regexp_match - regexec() the whole key */
static int
dict_regexp_match(DICT_PATTERN *dp, const void *ptr, const char *key,
                  BUF *why)
{
    DICT_REGEXP *dr = (DICT_REGEXP *) dp;
    const DICT_REGEXP_CODE *code = ptr;
    int     err;

    err = regexec(&code->re, key, code->nmatch,
                  code->nmatch ? dr->pmatch : NULL, 0);
    if (err == 0)
        return 1;
    if (err == REG_NOMATCH)
        return 0;
    dict_regexp_error(err, &code->re, why);
    return -1;
}

/* dict_regexp_group - text of group n of the last match */
static const char *
dict_regexp_group(void *ctx, int n, size_t *len)
{
    DICT_REGEXP *dr = ctx;
    const regmatch_t *m = dr->pmatch + n;

    if (m->rm_so < 0 || m->rm_eo < m->rm_so)
        return NULL;
    *len = (size_t) (m->rm_eo - m->rm_so);
    return dr->pat.key + m->rm_so;
}

/* dict_regexp_free_code - regfree() one pattern */
static void
dict_regexp_free_code(DICT_PATTERN *dp, void *ptr)
{
    DICT_REGEXP_CODE *code = ptr;

    regfree(&code->re);
    free(code);
}

/* dict_regexp_close - free the offsets */
static void
dict_regexp_close(DICT_PATTERN *dp)
{
    free(((DICT_REGEXP *) dp)->pmatch);
}

static const DICT_PATTERN_ENGINE dict_regexp_engine = {
    .flags = dict_regexp_flags,
    .default_flags = REG_ICASE | REG_EXTENDED,
    .dict_size = sizeof(DICT_REGEXP),
    .check = dict_regexp_check,
    .compile = dict_regexp_compile,
    .prepare = dict_regexp_prepare,
    .match = dict_regexp_match,
    .group = dict_regexp_group,
    .free_code = dict_regexp_free_code,
    .close = dict_regexp_close,
};

/* dict_regexp_open - read a regexp table */
static DICT *
dict_regexp_open(const char *name, int open_flags, int dict_flags, BUF *why)
{
    return dict_pattern_open(&dict_type_regexp, &dict_regexp_engine, name,
                             open_flags, dict_flags, why);
}

const DICT_TYPE dict_type_regexp = {
    .name = "regexp",
    .flags = DICT_TYPE_FILE,
    .open = dict_regexp_open,
};
