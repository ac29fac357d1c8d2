/* dict_pattern - regexp and pcre tables: parse the rule lines, compile each
 * pattern once through the engine, and answer lookups by walking the rules.
 *
 * Reading a line: "if"/"endif" keyword, "!" marks, the delimited pattern,
 * its flag letters, then the result text. The result is parsed for $n
 * references before the pattern is compiled, so the engine knows whether
 * lookups need group offsets; the references are then checked against the
 * number of groups the pattern has. Peers: dict_rules (the if/endif walk),
 * dict_regsub (result text), regex_guard (the length limit), dict_regexp
 * and dict_pcre (the engines). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "mymalloc.h"
#include "msg.h"
#include "regex_guard.h"
#include "dict_pattern.h"

typedef struct DICT_PATTERN_RULE {
    DICT_RULE_HEAD head;
    void   *code;                       /* compiled by the engine */
    DICT_REGSUB *result;                /* NULL for "if" */
} DICT_PATTERN_RULE;

/* The parts of one rule line (pointers into the line). */
typedef struct DICT_PATTERN_LINE {
    int     is_if;
    int     negate;
    char   *pattern;
    char   *flags;
    char   *result;
} DICT_PATTERN_LINE;

/* dict_pattern_delimited - cut the delimited pattern at *cp; NULL with a
 * warning when the closing delimiter is missing */
static char *
dict_pattern_delimited(DICT_PATTERN *dp, int lineno, char **cp)
{
    int     delim = **cp;
    char   *start = *cp + 1;
    char   *end;

    for (end = start; *end; end++) {
        if (*end == '\\' && end[1] != 0)
            end++;
        else if (*end == delim)
            break;
    }
    if (*end == 0) {
        msg_warn("%s:%d: missing closing delimiter \"%c\": skipping this rule",
                 dp->dict.name, lineno, delim);
        return NULL;
    }
    *end = 0;
    *cp = end + 1;
    return start;
}

/* dict_pattern_split - split a rule line into its parts; -1 with a
 * warning for a line that is not a rule */
static int
dict_pattern_split(DICT_PATTERN *dp, int lineno, char *cp,
                   DICT_PATTERN_LINE *line)
{
    line->is_if = 0;
    if (dict_rules_keyword(&cp) == DICT_RULES_KW_IF)
        line->is_if = 1;
    else if (isalnum((unsigned char) *cp)) {
        msg_warn("%s:%d: unrecognized request: skipping this line",
                 dp->dict.name, lineno);
        return -1;
    }
    line->negate = dict_rules_negation(&cp);
    if (*cp == 0) {
        msg_warn("%s:%d: missing /pattern/: skipping this rule",
                 dp->dict.name, lineno);
        return -1;
    }
    if ((line->pattern = dict_pattern_delimited(dp, lineno, &cp)) == NULL)
        return -1;
    line->flags = cp;
    cp += strcspn(cp, " \t\r\n\v\f");
    if (*cp)
        *cp++ = 0;
    while (isspace((unsigned char) *cp))
        cp++;
    line->result = cp;
    return 0;
}

/* dict_pattern_flags - apply the flag letters to the engine defaults; -1
 * with a warning for an unknown letter */
static int
dict_pattern_flags(DICT_PATTERN *dp, int lineno, const char *letters,
                   unsigned *bits)
{
    const DICT_PATTERN_FLAG *fp;

    *bits = dp->engine->default_flags;
    for (; *letters; letters++) {
        for (fp = dp->engine->flags; fp->letter; fp++)
            if (fp->letter == *letters)
                break;
        if (fp->letter == 0) {
            msg_warn("%s:%d: unknown pattern flag \"%c\": skipping this rule",
                     dp->dict.name, lineno, *letters);
            return -1;
        }
        if (fp->bits == 0)
            msg_warn("%s:%d: ignoring obsolete pattern flag \"%c\"",
                     dp->dict.name, lineno, *letters);
        *bits ^= fp->bits;
    }
    return 0;
}

/* dict_pattern_result - parse a rule's result text; NULL with a warning
 * when it is malformed or not allowed here */
static DICT_REGSUB *
dict_pattern_result(DICT_PATTERN *dp, int lineno,
                    const DICT_PATTERN_LINE *line, BUF *why)
{
    DICT_REGSUB *rs;
    const char *problem = NULL;

    if (*line->result == 0)
        msg_warn("%s:%d: no replacement text: using empty string",
                 dp->dict.name, lineno);
    if ((rs = dict_regsub_parse(line->result, why)) == NULL)
        problem = buf_str(why);
    else if (dict_regsub_max(rs) > 0 && line->negate)
        problem = "$number in the result of a negated pattern";
    else if (dict_regsub_max(rs) > 0
             && (dp->dict.flags & DICT_FLAG_NO_REGSUB))
        problem = "$number substitution is not allowed in this table";
    if (problem == NULL)
        return rs;
    msg_warn("%s:%d: %s: skipping this rule", dp->dict.name, lineno, problem);
    if (rs)
        dict_regsub_free(rs);
    return NULL;
}

/* dict_pattern_admit - the length limit, then the engine's own check;
 * 0, or -1 with a warning */
static int
dict_pattern_admit(DICT_PATTERN *dp, int lineno, const char *pattern,
                   unsigned bits, BUF *why)
{
    if (regex_guard_length(pattern, why) == 0
        && (dp->engine->check == NULL
            || dp->engine->check(dp, pattern, bits, why) == 0))
        return 0;
    msg_warn("%s:%d: %s: skipping this rule", dp->dict.name, lineno,
             buf_str(why));
    return -1;
}

/* dict_pattern_compile - compile the pattern and check the result's group
 * references against it; 0, or -1 with a warning */
static int
dict_pattern_compile(DICT_PATTERN *dp, int lineno,
                     const DICT_PATTERN_LINE *line, unsigned bits,
                     DICT_PATTERN_RULE *rule, BUF *why)
{
    int     want = rule->result ? dict_regsub_max(rule->result) : 0;
    int     groups = 0;

    if (dict_pattern_admit(dp, lineno, line->pattern, bits, why) < 0)
        return -1;
    rule->code = dp->engine->compile(dp, line->pattern, bits, want, &groups,
                                     why);
    if (rule->code == NULL) {
        msg_warn("%s:%d: bad regular expression: %s: skipping this rule",
                 dp->dict.name, lineno, buf_str(why));
        return -1;
    }
    if (want > groups) {
        msg_warn("%s:%d: out of range replacement index \"%d\""
                 " (the pattern has %d group%s): skipping this rule",
                 dp->dict.name, lineno, want, groups, groups == 1 ? "" : "s");
        dp->engine->free_code(dp, rule->code);
        return -1;
    }
    if (want > dp->max_want)
        dp->max_want = want;
    return 0;
}

/* dict_pattern_rule - turn a split rule line into a rule */
static void
dict_pattern_rule(DICT_PATTERN *dp, int lineno, const DICT_PATTERN_LINE *line,
                  BUF *why)
{
    DICT_PATTERN_RULE rule;
    unsigned bits;

    if (dict_pattern_flags(dp, lineno, line->flags, &bits) < 0)
        return;
    memset(&rule, 0, sizeof(rule));
    rule.head.is_if = line->is_if;
    rule.head.negate = line->negate;
    rule.head.lineno = lineno;
    if (line->is_if && *line->result)
        msg_warn("%s:%d: ignoring extra text after IF: \"%s\""
                 " (do not indent the lines between IF and ENDIF)",
                 dp->dict.name, lineno, line->result);
    if (!line->is_if
        && (rule.result = dict_pattern_result(dp, lineno, line, why)) == NULL)
        return;
    if (dict_pattern_compile(dp, lineno, line, bits, &rule, why) < 0) {
        if (rule.result)
            dict_regsub_free(rule.result);
        return;
    }
    dict_rules_add(dp->rules, &rule);
}

/* dict_pattern_line - one logical line of the table */
static void
dict_pattern_line(void *ctx, int lineno, char *cp, BUF *why)
{
    DICT_PATTERN *dp = ctx;
    DICT_PATTERN_LINE line;
    char   *after = cp;

    if (dict_rules_keyword(&after) == DICT_RULES_KW_ENDIF) {
        if (*after)
            msg_warn("%s:%d: ignoring extra text after ENDIF",
                     dp->dict.name, lineno);
        dict_rules_endif(dp->rules, lineno);
        return;
    }
    if (dict_pattern_split(dp, lineno, cp, &line) == 0)
        dict_pattern_rule(dp, lineno, &line, why);
}

/* dict_pattern_match - ask the engine about one rule */
static int
dict_pattern_match(const void *ptr, void *ctx)
{
    const DICT_PATTERN_RULE *rule = ptr;
    DICT_PATTERN *dp = ctx;
    int     hit;

    if ((hit = dp->engine->match(dp, rule->code, dp->key, dp->why)) < 0)
        msg_warn("%s:%d: matching failed: %s: skipping this rule",
                 dp->dict.name, rule->head.lineno, buf_str(dp->why));
    return hit;
}

/* dict_pattern_lookup - the result of the first rule that fires */
static const char *
dict_pattern_lookup(DICT *dict, const char *key)
{
    DICT_PATTERN *dp = (DICT_PATTERN *) dict;
    const DICT_PATTERN_RULE *rule;
    const char *literal;

    dp->key = key;
    if ((rule = dict_rules_match(dp->rules, dict_pattern_match, dp)) == NULL)
        return NULL;
    if ((literal = dict_regsub_literal(rule->result)) != NULL)
        return literal;
    dict_regsub_expand(rule->result, dp->result, dp->engine->group, dp);
    return buf_str(dp->result);
}

/* dict_pattern_free_rule - free what one rule owns */
static void
dict_pattern_free_rule(void *ptr, void *ctx)
{
    DICT_PATTERN_RULE *rule = ptr;
    DICT_PATTERN *dp = ctx;

    dp->engine->free_code(dp, rule->code);
    if (rule->result)
        dict_regsub_free(rule->result);
}

/* dict_pattern_close - free the rules and the engine's state */
static void
dict_pattern_close(DICT *dict)
{
    DICT_PATTERN *dp = (DICT_PATTERN *) dict;

    dict_rules_each(dp->rules, dict_pattern_free_rule, dp);
    dict_rules_free(dp->rules);
    dp->engine->close(dp);
    buf_free(dp->result);
    buf_free(dp->why);
    dict_free(dict);
}

/* dict_pattern_open - open and read a regexp or pcre table */
DICT   *
dict_pattern_open(const DICT_TYPE *type, const DICT_PATTERN_ENGINE *engine,
                  const char *path, int open_flags, int dict_flags, BUF *why)
{
    DICT_PATTERN *dp;

    dp = (DICT_PATTERN *) dict_alloc(type, path, engine->dict_size,
                                     open_flags,
                                     dict_flags | DICT_FLAG_PATTERN);
    dp->dict.lookup = dict_pattern_lookup;
    dp->dict.close = dict_pattern_close;
    dp->engine = engine;
    dp->rules = dict_rules_alloc(path, sizeof(DICT_PATTERN_RULE));
    dp->result = buf_alloc(64);
    dp->why = buf_alloc(64);
    if (!dict_rules_inline(path))
        dict_watch(&dp->dict, path);
    if (dict_rules_load(dp->rules, type->name, path, open_flags,
                        dict_pattern_line, dp, why) < 0) {
        dict_pattern_close(&dp->dict);
        return NULL;
    }
    engine->prepare(dp, dp->max_want);
    return &dp->dict;
}
