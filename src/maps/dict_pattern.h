/* dict_pattern - what the regexp and pcre table types share: reading the
 * table file, the rule syntax, result substitution and the lookup walk.
 *
 * A table is a file of rules, tried in order against the whole key:
 *
 *      /pattern/flags result           result when pattern matches
 *      !/pattern/flags result          result when it does not match
 *      if /pattern/flags               the rules up to "endif" apply only
 *      if !/pattern/flags              when the key matches (does not match)
 *      endif
 *
 * The delimiter is the first character of the pattern ("/" above); any
 * character except a letter or digit may be used (after "!" or "if" any
 * character at all). A backslash protects the character after it and stays
 * in the pattern. Flags are letters that toggle engine options; the result
 * may reference groups with $n, ${n} or $(n) (see dict_regsub.h).
 *
 * The engine (POSIX regex in dict_regexp.c, PCRE2 in dict_pcre.c) supplies
 * compile/match functions and its flag letters; everything else is here.
 * A malformed rule is reported as "PATH:LINE: ..." (msg_warn) and skipped;
 * so is a pattern longer than REGEX_GUARD_MAX_LENGTH (regex_guard.h) or
 * one the engine's check finds too costly to compile. */
#ifndef DICT_PATTERN_H
#define DICT_PATTERN_H
#include "dict.h"
#include "dict_regsub.h"
#include "dict_rules.h"

typedef struct DICT_PATTERN DICT_PATTERN;

/* One flag letter: toggles bits; bits 0 means obsolete (warned, ignored). */
typedef struct DICT_PATTERN_FLAG {
    char    letter;
    unsigned bits;
} DICT_PATTERN_FLAG;

typedef struct DICT_PATTERN_ENGINE {
    const DICT_PATTERN_FLAG *flags;     /* ends with letter 0 */
    unsigned default_flags;
    size_t  dict_size;                  /* type's struct, DICT_PATTERN first */

    /*
     * check - before compile (NULL: none): 0, or -1 with *why when the
     * pattern must not be compiled (it would cost too much).
     */
    int     (*check) (DICT_PATTERN *dp, const char *pattern, unsigned flags,
                              BUF *why);

    /*
     * compile - the compiled pattern, or NULL with *why. want is the highest
     * group the result references (0: lookups need no group offsets);
     * *groups is set to the number of capture groups in the pattern.
     */
    void   *(*compile) (DICT_PATTERN *dp, const char *pattern, unsigned flags,
                                int want, int *groups, BUF *why);
    /* prepare - after the file is read: match state for max_want groups */
    void    (*prepare) (DICT_PATTERN *dp, int max_want);
    /* match - does the key match: 1, 0, or -1 with *why */
    int     (*match) (DICT_PATTERN *dp, const void *code, const char *key,
                              BUF *why);
    /* group - of the last match; ctx is the DICT_PATTERN */
    DICT_REGSUB_GROUP_FN group;
    void    (*free_code) (DICT_PATTERN *dp, void *code);
    /* close - free the match state (also when prepare was not called) */
    void    (*close) (DICT_PATTERN *dp);
} DICT_PATTERN_ENGINE;

struct DICT_PATTERN {
    DICT    dict;                       /* dict.name is the file path */
    const DICT_PATTERN_ENGINE *engine;
    DICT_RULES *rules;
    BUF    *result;                     /* the last substituted result */
    BUF    *why;                        /* match errors */
    const char *key;                    /* the key of the current lookup */
    int     max_want;                   /* highest group any result uses */
};

/* dict_pattern_open - read the table at path; NULL with *why when the file
 * cannot be read or the table is not opened read-only */
DICT   *dict_pattern_open(const DICT_TYPE *type,
                          const DICT_PATTERN_ENGINE *engine,
                          const char *path, int open_flags, int dict_flags,
                          BUF *why);

#endif
