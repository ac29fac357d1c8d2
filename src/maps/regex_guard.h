/* regex_guard - refuse regular expressions that would cost too much to
 * compile, before they are handed to the regex library.
 *
 * glibc's regcomp() expands every bounded or "+" repetition by copying
 * the parse tree of what it repeats, so stacked or nested repetitions
 * ("u++++++++++++++++++++", "((a{1,1000}){1,1000}){1,1000}") multiply
 * its size; it stores for each node the set of nodes reachable without
 * reading a character, which is quadratic in long chains of optional
 * parts ("a{0,30000}"); and it copies what follows an anchor, which
 * explodes when loops or more anchors follow ("\<x*****...",
 * "x(\<|\>){8}*"). Such a pattern takes gigabytes or minutes.
 * regex_guard_posix_cost() walks a POSIX pattern (basic or extended
 * syntax) without building it and prices all of this in one number
 * (regex_cost.h); regex_guard_posix() compares it with a limit that
 * realistic table rules stay far below. Group nesting is limited too:
 * the library parses it by recursion.
 *
 * Peers: regex_cost.c (the arithmetic), dict_regexp.c (the caller),
 * dict_pattern.c (the length limit, shared with pcre tables). */
#ifndef REGEX_GUARD_H
#define REGEX_GUARD_H
#include <stdint.h>
#include "buf.h"

/* Longest pattern of a regexp or pcre rule, in bytes. */
#define REGEX_GUARD_MAX_LENGTH  32768

/* Highest cost estimate a POSIX pattern may have. Measured with glibc
 * 2.36, a unit is at most about 200 bytes of compiled regex and 1 us of
 * regcomp(), so an admitted pattern takes at most some 20 MB and 0.1 s
 * (thousands of random hostile patterns under the limit stayed below
 * 10 MB and 0.15 s); ordinary table rules cost tens to a few thousand. */
#define REGEX_GUARD_MAX_COST    100000

/* Deepest nesting of groups in a POSIX pattern. */
#define REGEX_GUARD_MAX_DEPTH   250

/* regex_guard_length - 0, or -1 with *why when the pattern is longer than
 * REGEX_GUARD_MAX_LENGTH */
int     regex_guard_length(const char *pattern, BUF *why);

/* regex_guard_posix_cost - estimated size of the compiled pattern (nodes,
 * plus the epsilon-closure sets weighted to the same unit); UINT64_MAX
 * when groups nest deeper than REGEX_GUARD_MAX_DEPTH. extended selects
 * REG_EXTENDED syntax. A malformed pattern gets some estimate: regcomp()
 * rejects it anyway. */
uint64_t regex_guard_posix_cost(const char *pattern, int extended);

/* regex_guard_posix - 0, or -1 with *why when the estimate exceeds
 * REGEX_GUARD_MAX_COST */
int     regex_guard_posix(const char *pattern, int extended, BUF *why);

#endif
