/* dict_rules - the ordered rule list of the pattern tables (regexp, pcre,
 * cidr), with "if PATTERN" ... "endif" blocks that nest.
 *
 * Each table type defines its own rule struct whose first member is a
 * DICT_RULE_HEAD and hands rules to dict_rules_add() as it parses its file.
 * An "if" rule opens a block that dict_rules_endif() closes; blocks still
 * open at the end of the file are closed by dict_rules_finish() with a
 * warning, as Postfix does. At lookup time dict_rules_match() walks the list
 * in order, asking the type whether a rule's pattern matches the key, and
 * jumps over the body of an "if" whose condition is false. The module also
 * reads the table (a file, or inline rules) and parses the "if", "endif"
 * and "!" words, which all three types spell the same way.
 *
 * Peers: dict_pattern.c (regexp and pcre), dict_cidr.c. */
#ifndef DICT_RULES_H
#define DICT_RULES_H
#include <stddef.h>
#include "buf.h"

typedef struct DICT_RULE_HEAD {
    unsigned char is_if;                /* "if": the rules up to skip depend */
    unsigned char negate;               /* "!": fires when the pattern fails */
    int     lineno;                     /* line in the table file */
    size_t  skip;                       /* is_if: first rule after "endif" */
} DICT_RULE_HEAD;

typedef struct DICT_RULES DICT_RULES;

/* dict_rules_alloc - an empty list of rules of rule_size bytes each (a
 * struct that starts with DICT_RULE_HEAD); path names the file in messages */
DICT_RULES *dict_rules_alloc(const char *path, size_t rule_size);

/* dict_rules_add - append a copy of rule; a rule with head.is_if set opens
 * a block */
void    dict_rules_add(DICT_RULES *rules, const void *rule);

/* dict_rules_endif - close the innermost open block; without one, warn
 * "PATH:LINE: ..." and return -1 */
int     dict_rules_endif(DICT_RULES *rules, int lineno);

/* dict_rules_finish - at the end of the file: close every block that is
 * still open, warning "PATH:LINE: IF has no matching ENDIF" for each */
void    dict_rules_finish(DICT_RULES *rules);

/* DICT_RULES_MATCH_FN - does rule's pattern match the key of this lookup:
 * 1 yes, 0 no, -1 it could not be decided (the rule is passed over, as is
 * the body of such an "if") */
typedef int (*DICT_RULES_MATCH_FN) (const void *rule, void *ctx);

/* dict_rules_match - the first rule (never an "if") that fires, or NULL */
const void *dict_rules_match(const DICT_RULES *rules,
                             DICT_RULES_MATCH_FN match, void *ctx);

/* dict_rules_count - how many rules the list holds */
size_t  dict_rules_count(const DICT_RULES *rules);

/* DICT_RULES_EACH_FN - called with one rule (to free what it points to) */
typedef void (*DICT_RULES_EACH_FN) (void *rule, void *ctx);

/* dict_rules_each - call fn for every rule, in order */
void    dict_rules_each(const DICT_RULES *rules, DICT_RULES_EACH_FN fn,
                        void *ctx);

void    dict_rules_free(DICT_RULES *rules);

/* Reading the table. */

/* DICT_RULES_LINE_FN - parse one logical line (modifiable) of the table;
 * scratch is a buffer for error texts */
typedef void (*DICT_RULES_LINE_FN) (void *ctx, int lineno, char *line,
                                    BUF *scratch);

/* dict_rules_load - read a table: name is a file path or, when it starts
 * with "{", inline rules "{ rule }, { rule } ..." (Postfix 3.7's
 * "type:{ {rule}, ... }" form), one line each. Every logical line (see
 * readlline.h) goes to line_fn, then dict_rules_finish() runs. 0, or -1
 * with *why: the file cannot be read, the inline text is malformed, or
 * open_flags ask for writing (these tables are read-only). */
int     dict_rules_load(DICT_RULES *rules, const char *type, const char *name,
                        int open_flags, DICT_RULES_LINE_FN line_fn, void *ctx,
                        BUF *why);

/* dict_rules_inline - name holds inline rules rather than a file path */
int     dict_rules_inline(const char *name);

/* Line parsing helpers shared by the table types. */
#define DICT_RULES_KW_NONE   0
#define DICT_RULES_KW_IF     1
#define DICT_RULES_KW_ENDIF  2

/* dict_rules_keyword - recognize "if" or "endif" (any case, not followed by
 * a letter or digit) at *cp; on success move *cp past it and the blanks
 * that follow */
int     dict_rules_keyword(char **cp);

/* dict_rules_negation - skip any number of "!" (each may be followed by
 * blanks) at *cp; the result says whether their count is odd */
int     dict_rules_negation(char **cp);

#endif
