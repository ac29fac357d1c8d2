/* regex_cost - the arithmetic of regex_guard's estimate: what glibc's
 * regcomp() builds for a part of a POSIX pattern, and how parts combine.
 *
 * glibc turns a pattern into a tree, copying the tree of a repeated part
 * for "r+" ("r r*"), "r{m}" (m copies), "r{m,}" (m copies and "r*") and
 * "r{m,n}" (m copies and n-m optional ones), then into an automaton in
 * which some nodes read no character: branch ("|", "?"), loop ("*"),
 * group open and close, and anchors (^ $ \< \> \b \B \` \'). For every
 * node it stores the set of nodes reachable without reading ("closure"),
 * quadratic in long chains of optional parts; and for every anchor it
 * copies the part of the automaton reachable after it, once per path,
 * under the anchor's condition, which grows with the size of that part,
 * with the length of the cycles in it that read nothing (a loop around a
 * part that matches empty; cubic) and with the number of such cycles and
 * of further anchors in it (exponential). And where a loop goes around a part that can match
 * empty, the closure search cannot reuse what it found before and walks
 * every path, which is exponential in a row of optional parts that can
 * match empty themselves ("(a?{1,5}){8}(a?{1,5})*").
 *
 * A REGEX_COST summarizes one part: its node count; whether it matches
 * the empty string; the nodes, anchors and empty cycles reachable from
 * its entry without reading, and the longest such cycle; how many
 * nodes reach its exit that way; the sum of all closure sizes; and for
 * the anchors whose reachable part is still open (they reach the exit)
 * their count and the largest such part so far, while the anchors whose
 * part is complete are priced in "penalty"; the same walk counted path
 * by path; and whether there is such a cycle at all.
 * The combinations are exact for node counts and closures and an upper
 * bound for the anchor copies. Every value saturates at UINT64_MAX.
 *
 * Peer: regex_guard.c, which scans the pattern and asks these questions. */
#ifndef REGEX_COST_H
#define REGEX_COST_H
#include <stdint.h>

/* The anchors whose reachable part continues past the exit. */
typedef struct REGEX_COST_OPEN {
    uint64_t count;
    uint64_t reach;                     /* largest part after one of them */
    uint64_t cycle;                     /* longest empty cycle in one */
    uint64_t anchors;                   /* most anchors in such a part */
    uint64_t empties;                   /* most empty cycles in one */
} REGEX_COST_OPEN;

/* The closure search walked without memory, path by path: glibc does
 * that for nodes from which an unfinished empty cycle is reached. */
typedef struct REGEX_COST_WALK {
    uint64_t entry;                     /* visits walking from the entry */
    uint64_t paths;                     /* empty paths from entry to exit */
    uint64_t sum;                       /* visits walking from every node */
    uint64_t exits;                     /* empty paths from every node */
} REGEX_COST_WALK;

typedef struct REGEX_COST {
    uint64_t nodes;
    uint64_t closure;                   /* sum of per-node closure sizes */
    uint64_t reach;                     /* nodes in the entry's closure */
    uint64_t cycle;                     /* longest cycle in that closure */
    uint64_t anchors;                   /* anchors in the entry's closure */
    uint64_t empties;                   /* empty cycles in that closure */
    uint64_t exits;                     /* nodes whose closure has the exit */
    uint64_t penalty;                   /* anchors with a complete part */
    REGEX_COST_OPEN open;
    REGEX_COST_WALK walk;
    int     cycles;                     /* has a loop around an empty match */
    int     nullable;                   /* matches the empty string */
} REGEX_COST;

/* Repeat upper bound "none" for regex_cost_repeat(). */
#define REGEX_COST_UNBOUNDED    (-1)

extern const REGEX_COST regex_cost_empty;     /* nothing */
extern const REGEX_COST regex_cost_char;      /* reads a character */
extern const REGEX_COST regex_cost_epsilon;   /* a group's open or close */
extern const REGEX_COST regex_cost_anchor;    /* a condition node */

/* regex_cost_add - saturating a + b */
uint64_t regex_cost_add(uint64_t a, uint64_t b);

/* regex_cost_concat - a followed by b */
REGEX_COST regex_cost_concat(REGEX_COST a, REGEX_COST b);

/* regex_cost_alternate - a|b */
REGEX_COST regex_cost_alternate(REGEX_COST a, REGEX_COST b);

/* regex_cost_repeat - a{min,max}; max REGEX_COST_UNBOUNDED for "a{min,}";
 * a{0,0} is empty */
REGEX_COST regex_cost_repeat(REGEX_COST a, long min, long max);

/* regex_cost_total - the estimate for a whole pattern, in units of about
 * one node's worth of memory and time */
uint64_t regex_cost_total(const REGEX_COST *whole);

#endif
