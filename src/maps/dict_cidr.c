/* dict_cidr - "cidr:/path" tables: rules that match IPv4 and IPv6
 * addresses against networks, as described in Postfix's cidr_table(5).
 *
 *      network/prefix  result          address in the network
 *      address         result          that address (/32 or /128)
 *      !pattern        result          address not in the network
 *      if pattern ... endif            (also "if !pattern"), nesting
 *
 * An address may be written in [brackets], with the prefix inside or after
 * them. A network must have no bits set after its prefix. Every rule is
 * checked when the file is read; a bad one is reported as "PATH:LINE: ..."
 * (msg_warn) and skipped. Lookup keys are address strings; anything else
 * is not found. A rule of one family never applies to a key of the other,
 * not even negated and not for IPv4-mapped IPv6 keys (as in Postfix).
 *
 * Patterns are parsed and matched by cidr_match (binary networks, no
 * allocation per lookup). Peers: dict_rules (the rule list and if/endif
 * blocks), cidr_match. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "mymalloc.h"
#include "msg.h"
#include "dict_types.h"
#include "dict_rules.h"
#include "cidr_match.h"

typedef struct DICT_CIDR_RULE {
    DICT_RULE_HEAD head;
    CIDR_MATCH net;                     /* the network of the pattern */
    char   *result;                     /* NULL for "if" */
} DICT_CIDR_RULE;

typedef struct DICT_CIDR {
    DICT    dict;
    DICT_RULES *rules;
    unsigned char key[CIDR_MATCH_ADDR_MAX];     /* the current lookup key */
    int     key_len;
} DICT_CIDR;

/* dict_cidr_line - one logical line of the table */
static void
dict_cidr_line(void *ctx, int lineno, char *cp, BUF *why)
{
    DICT_CIDR *dc = ctx;
    DICT_CIDR_RULE rule;
    int     kw = dict_rules_keyword(&cp);
    char   *result = NULL;

    if (kw == DICT_RULES_KW_ENDIF) {
        if (*cp)
            msg_warn("%s:%d: garbage after ENDIF: skipping this line",
                     dc->dict.name, lineno);
        else
            dict_rules_endif(dc->rules, lineno);
        return;
    }
    memset(&rule, 0, sizeof(rule));
    rule.head.is_if = kw == DICT_RULES_KW_IF;
    rule.head.negate = dict_rules_negation(&cp);
    rule.head.lineno = lineno;
    if (!rule.head.is_if) {
        result = cp + strcspn(cp, " \t\r\n\v\f");
        if (*result)
            *result++ = 0;
        while (isspace((unsigned char) *result))
            result++;
    }
    if (*cp == 0)
        msg_warn("%s:%d: no address pattern: skipping this rule",
                 dc->dict.name, lineno);
    else if (cidr_match_parse(&rule.net, cp, why) < 0)
        msg_warn("%s:%d: %s: skipping this rule", dc->dict.name, lineno,
                 buf_str(why));
    else if (result != NULL && *result == 0)
        msg_warn("%s:%d: no lookup result: skipping this rule",
                 dc->dict.name, lineno);
    else {
        rule.result = result ? mystrdup(result) : NULL;
        dict_rules_add(dc->rules, &rule);
    }
}

/* dict_cidr_match - is the key in the rule's network; -1 when the rule is
 * for the other address family */
static int
dict_cidr_match(const void *ptr, void *ctx)
{
    const DICT_CIDR_RULE *rule = ptr;
    const DICT_CIDR *dc = ctx;

    return cidr_match_execute(&rule->net, dc->key, dc->key_len);
}

/* dict_cidr_lookup - the result of the first rule that fires */
static const char *
dict_cidr_lookup(DICT *dict, const char *key)
{
    DICT_CIDR *dc = (DICT_CIDR *) dict;
    const DICT_CIDR_RULE *rule;

    if ((dc->key_len = cidr_match_addr(key, dc->key)) == 0)
        return NULL;
    rule = dict_rules_match(dc->rules, dict_cidr_match, dc);
    return rule ? rule->result : NULL;
}

/* dict_cidr_free_rule - free what one rule owns */
static void
dict_cidr_free_rule(void *ptr, void *ctx)
{
    DICT_CIDR_RULE *rule = ptr;

    (void) ctx;
    free(rule->result);
}

/* dict_cidr_close - free the rules */
static void
dict_cidr_close(DICT *dict)
{
    DICT_CIDR *dc = (DICT_CIDR *) dict;

    dict_rules_each(dc->rules, dict_cidr_free_rule, NULL);
    dict_rules_free(dc->rules);
    dict_free(dict);
}

/* dict_cidr_open - read a cidr table */
static DICT *
dict_cidr_open(const char *path, int open_flags, int dict_flags, BUF *why)
{
    DICT_CIDR *dc;

    dc = (DICT_CIDR *) dict_alloc(&dict_type_cidr, path, sizeof(*dc),
                                  open_flags, dict_flags | DICT_FLAG_PATTERN);
    dc->dict.lookup = dict_cidr_lookup;
    dc->dict.close = dict_cidr_close;
    dc->rules = dict_rules_alloc(path, sizeof(DICT_CIDR_RULE));
    if (!dict_rules_inline(path))
        dict_watch(&dc->dict, path);
    if (dict_rules_load(dc->rules, "cidr", path, open_flags, dict_cidr_line,
                        dc, why) < 0) {
        dict_cidr_close(&dc->dict);
        return NULL;
    }
    return &dc->dict;
}

const DICT_TYPE dict_type_cidr = {
    .name = "cidr",
    .flags = DICT_TYPE_FILE,
    .open = dict_cidr_open,
};
