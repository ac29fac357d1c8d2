/* mac_expand - expand $name references in configuration text.
 *
 * Forms: $name, ${name}, $(name), $$ (a literal $),
 *   ${name?text}   text when name is defined and not empty,
 *   ${name:text}   text when name is undefined or empty,
 *   ${name?{a}:{b}} a when name is defined and not empty, else b,
 *   ${name?{a}} and ${name:{b}} as the first two with braces.
 * Values found are expanded recursively (lazy expansion: the lookup sees
 * the raw text). Nesting deeper than MAC_EXPAND_DEPTH is an error (it
 * catches "a = $a"). Undefined names expand to nothing; the undef
 * callback, if any, is told about each one. */
#ifndef MAC_EXPAND_H
#define MAC_EXPAND_H

#include "buf.h"

#define MAC_EXPAND_DEPTH        100

/* lookup: raw value of name, or NULL when undefined */
typedef const char *(*MAC_LOOKUP_FN) (const char *name, void *ctx);
typedef void (*MAC_UNDEF_FN) (const char *name, void *ctx);

/* mac_expand - append the expansion of text to result; 0, or -1 with the
 * reason in why (syntax error, nesting too deep) */
int     mac_expand(BUF *result, const char *text, MAC_LOOKUP_FN lookup,
                   MAC_UNDEF_FN undef, void *ctx, BUF *why);

#endif
