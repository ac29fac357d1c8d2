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
 * Networks and masks are stored in binary with the host bits cleared, and
 * a lookup compares only the bytes the prefix covers: no allocation per
 * lookup. Peer: dict_rules (the rule list and if/endif blocks). */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "mymalloc.h"
#include "msg.h"
#include "dict_types.h"
#include "dict_rules.h"

typedef struct DICT_CIDR_RULE {
    DICT_RULE_HEAD head;
    unsigned char len;                  /* address bytes: 4 or 16 */
    unsigned char nbytes;               /* bytes the prefix touches */
    unsigned char net[16];              /* network, host bits clear */
    unsigned char mask[16];
    char   *result;                     /* NULL for "if" */
} DICT_CIDR_RULE;

typedef struct DICT_CIDR {
    DICT    dict;
    DICT_RULES *rules;
    unsigned char key[16];              /* the key of the current lookup */
    unsigned char key_len;
} DICT_CIDR;

/* dict_cidr_address - text to binary; the address length, or 0 */
static int
dict_cidr_address(const char *text, unsigned char *addr)
{
    if (inet_pton(AF_INET, text, addr) == 1)
        return 4;
    if (inet_pton(AF_INET6, text, addr) == 1)
        return 16;
    return 0;
}

/* dict_cidr_mask - set the mask and clear host bits of the network;
 * returns whether the network had host bits set */
static int
dict_cidr_mask(DICT_CIDR_RULE *rule, int prefix)
{
    int     host_bits = 0;
    int     i;

    for (i = 0; i < rule->len; i++, prefix -= 8) {
        rule->mask[i] = prefix >= 8 ? 0xff
            : prefix <= 0 ? 0 : (unsigned char) (0xff << (8 - prefix));
        if (rule->net[i] & ~rule->mask[i])
            host_bits = 1;
        rule->net[i] &= rule->mask[i];
        if (rule->mask[i])
            rule->nbytes = (unsigned char) (i + 1);
    }
    return host_bits;
}

/* dict_cidr_prefix - the prefix length text: all digits; -1 otherwise */
static int
dict_cidr_prefix(const char *text)
{
    int     n = 0;

    if (*text == 0)
        return -1;
    for (; *text; text++) {
        if (!isdigit((unsigned char) *text))
            return -1;
        if (n <= 128)
            n = 10 * n + (*text - '0');
    }
    return n;
}

/* dict_cidr_network - "net/prefix" into the rule; -1 with *why */
static int
dict_cidr_network(const char *net, const char *mask, DICT_CIDR_RULE *rule,
                  BUF *why)
{
    char    text[INET6_ADDRSTRLEN];
    int     prefix;

    if ((prefix = dict_cidr_prefix(mask)) < 0) {
        buf_sprintf(why, "bad mask value in \"%s/%s\"", net, mask);
        return -1;
    }
    if ((rule->len = dict_cidr_address(net, rule->net)) == 0) {
        buf_sprintf(why, "bad network value in \"%s/%s\"", net, mask);
        return -1;
    }
    if (prefix > 8 * rule->len) {
        buf_sprintf(why, "bad mask length in \"%s/%s\"", net, mask);
        return -1;
    }
    if (dict_cidr_mask(rule, prefix)) {
        inet_ntop(rule->len == 4 ? AF_INET : AF_INET6, rule->net, text,
                  sizeof(text));
        buf_sprintf(why, "non-null host address bits in \"%s/%s\","
                    " perhaps you should use \"%s/%d\" instead",
                    net, mask, text, prefix);
        return -1;
    }
    return 0;
}

/* dict_cidr_pattern - parse "addr", "addr/len", "[addr]", "[addr]/len" or
 * "[addr/len]" into the rule; -1 with *why */
static int
dict_cidr_pattern(char *pattern, DICT_CIDR_RULE *rule, BUF *why)
{
    char   *net = pattern;
    char   *mask = NULL;
    char   *end;

    if (*pattern == '[') {
        if ((end = strchr(pattern, ']')) == NULL) {
            buf_sprintf(why, "missing ']' character after \"%s\"", pattern);
            return -1;
        }
        if (end[1] != 0 && end[1] != '/') {
            buf_sprintf(why, "garbage after \"%.*s\"",
                        (int) (end - pattern + 1), pattern);
            return -1;
        }
        *end = 0;
        net = pattern + 1;
        mask = end[1] == '/' ? end + 2 : NULL;
    }
    if (mask == NULL && (end = strchr(net, '/')) != NULL) {
        *end = 0;
        mask = end + 1;
    }
    if (mask != NULL)
        return dict_cidr_network(net, mask, rule, why);
    if ((rule->len = dict_cidr_address(net, rule->net)) == 0) {
        buf_sprintf(why, "bad address pattern: \"%s\"", net);
        return -1;
    }
    dict_cidr_mask(rule, 8 * rule->len);
    return 0;
}

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
    else if (dict_cidr_pattern(cp, &rule, why) < 0)
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
    int     i;

    if (rule->len != dc->key_len)
        return -1;
    for (i = 0; i < rule->nbytes; i++)
        if ((dc->key[i] & rule->mask[i]) != rule->net[i])
            return 0;
    return 1;
}

/* dict_cidr_lookup - the result of the first rule that fires */
static const char *
dict_cidr_lookup(DICT *dict, const char *key)
{
    DICT_CIDR *dc = (DICT_CIDR *) dict;
    const DICT_CIDR_RULE *rule;

    if ((dc->key_len = (unsigned char) dict_cidr_address(key, dc->key)) == 0)
        return NULL;
    rule = dict_rules_match(dc->rules, dict_cidr_match, dc);
    return rule ? rule->result : NULL;
}

/* dict_cidr_close - free the rules */
static void
dict_cidr_close(DICT *dict)
{
    DICT_CIDR *dc = (DICT_CIDR *) dict;
    DICT_CIDR_RULE *rule;
    size_t  i;

    for (i = 0; i < dict_rules_count(dc->rules); i++) {
        rule = dict_rules_get(dc->rules, i);
        free(rule->result);
    }
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
