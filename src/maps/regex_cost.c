/* regex_cost - combine the cost summaries of pattern parts (see
 * regex_cost.h for what is counted and why).
 *
 * In a sequence "a b", every node of a whose closure reaches a's exit
 * also gets b's entry closure; so does the part after each open anchor
 * of a, and if b cannot match empty those anchors' parts end there and
 * are priced. A branch node reaches the entries of both alternatives. A
 * loop node ("a*") is reached again from a's exit, so what reaches a's
 * exit also gets a's entry closure once more; if a matches empty, that
 * is a cycle through a's entry closure. Repeat counts go through
 * repeated squaring of the sequence operation, which is associative. */
#include <stddef.h>
#include "regex_cost.h"

/* Closure set entries (8 bytes, kept twice) worth one node (a tree node
 * and an automaton node, some 300 bytes). */
#define REGEX_COST_CLOSURE_PER_NODE 8

/* Growth of an anchor's price per further anchor or empty cycle in its
 * part (measured: 1.1 to 1.8). */
#define REGEX_COST_GROWTH       2

const REGEX_COST regex_cost_empty = {.walk = {.paths = 1}, .nullable = 1};
const REGEX_COST regex_cost_char = {
    .nodes = 1, .closure = 1, .reach = 1, .walk = {.entry = 1, .sum = 1},
};
const REGEX_COST regex_cost_epsilon = {
    .nodes = 1, .closure = 1, .reach = 1, .exits = 1,
    .walk = {1, 1, 1, 1}, .nullable = 1,
};
const REGEX_COST regex_cost_anchor = {
    .nodes = 1, .closure = 1, .reach = 1, .anchors = 1, .exits = 1,
    .open = {.count = 1}, .walk = {1, 1, 1, 1}, .nullable = 1,
};

/* regex_cost_add - saturating a + b */
uint64_t
regex_cost_add(uint64_t a, uint64_t b)
{
    uint64_t sum;

    return __builtin_add_overflow(a, b, &sum) ? UINT64_MAX : sum;
}

/* regex_cost_mul - saturating a * b */
static uint64_t
regex_cost_mul(uint64_t a, uint64_t b)
{
    uint64_t product;

    return __builtin_mul_overflow(a, b, &product) ? UINT64_MAX : product;
}

/* regex_cost_max - the larger */
static uint64_t
regex_cost_max(uint64_t a, uint64_t b)
{
    return a > b ? a : b;
}

/* regex_cost_price - what glibc spends on anchors whose part is known:
 * a copy of the part, more for empty cycles and further anchors in it */
static uint64_t
regex_cost_price(const REGEX_COST_OPEN *open)
{
    uint64_t cycle = regex_cost_add(open->cycle, 1);
    uint64_t exponent;
    uint64_t price;

    if (open->count == 0)
        return 0;
    price = regex_cost_mul(open->count, regex_cost_add(open->reach, 1));
    price = regex_cost_mul(price, regex_cost_mul(cycle, cycle));
    exponent = regex_cost_add(open->anchors, open->empties);
    for (uint64_t i = 0; i < exponent && price < UINT64_MAX; i++)
        price = regex_cost_mul(price, REGEX_COST_GROWTH);
    return price;
}

/* regex_cost_extend - open anchors whose parts go on into the entry
 * closure of next */
static REGEX_COST_OPEN
regex_cost_extend(REGEX_COST_OPEN open, const REGEX_COST *next)
{
    if (open.count == 0)
        return open;
    open.reach = regex_cost_add(open.reach, next->reach);
    open.cycle = regex_cost_max(open.cycle, next->cycle);
    open.anchors = regex_cost_add(open.anchors, next->anchors);
    open.empties = regex_cost_add(open.empties, next->empties);
    return open;
}

/* regex_cost_merge - two groups of open anchors as one (upper bound) */
static REGEX_COST_OPEN
regex_cost_merge(REGEX_COST_OPEN a, REGEX_COST_OPEN b)
{
    REGEX_COST_OPEN r;

    r.count = regex_cost_add(a.count, b.count);
    r.reach = regex_cost_max(a.reach, b.reach);
    r.cycle = regex_cost_max(a.cycle, b.cycle);
    r.anchors = regex_cost_max(a.anchors, b.anchors);
    r.empties = regex_cost_max(a.empties, b.empties);
    return r;
}

/* regex_cost_walk_concat - paths through a and then b */
static REGEX_COST_WALK
regex_cost_walk_concat(const REGEX_COST_WALK *a, const REGEX_COST_WALK *b)
{
    REGEX_COST_WALK r;

    r.entry = regex_cost_add(a->entry, regex_cost_mul(a->paths, b->entry));
    r.paths = regex_cost_mul(a->paths, b->paths);
    r.sum = regex_cost_add(regex_cost_add(a->sum, b->sum),
                           regex_cost_mul(a->exits, b->entry));
    r.exits = regex_cost_add(b->exits, regex_cost_mul(a->exits, b->paths));
    return r;
}

/* regex_cost_walk_branch - a branch node before the walks a and b (b
 * NULL: the branch that skips a) */
static REGEX_COST_WALK
regex_cost_walk_branch(const REGEX_COST_WALK *a, const REGEX_COST_WALK *b)
{
    static const REGEX_COST_WALK skip = {.paths = 1};
    REGEX_COST_WALK r;

    if (b == NULL)
        b = &skip;
    r.entry = regex_cost_add(regex_cost_add(a->entry, b->entry), 1);
    r.paths = regex_cost_add(a->paths, b->paths);
    r.sum = regex_cost_add(regex_cost_add(a->sum, b->sum), r.entry);
    r.exits = regex_cost_add(regex_cost_add(a->exits, b->exits), r.paths);
    return r;
}

/* regex_cost_walk_loop - a loop node around the walk a: the paths
 * through a come back to it */
static REGEX_COST_WALK
regex_cost_walk_loop(const REGEX_COST_WALK *a)
{
    REGEX_COST_WALK r;

    r.entry = regex_cost_add(regex_cost_add(a->entry, a->paths), 1);
    r.paths = 1;
    r.sum = regex_cost_add(regex_cost_add(a->sum, r.entry),
                           regex_cost_mul(a->exits, r.entry));
    r.exits = regex_cost_add(a->exits, 1);
    return r;
}

/* regex_cost_concat - a followed by b */
REGEX_COST
regex_cost_concat(REGEX_COST a, REGEX_COST b)
{
    REGEX_COST_OPEN carried = regex_cost_extend(a.open, &b);
    REGEX_COST r;

    r.nodes = regex_cost_add(a.nodes, b.nodes);
    r.closure = regex_cost_add(regex_cost_add(a.closure, b.closure),
                               regex_cost_mul(a.exits, b.reach));
    r.reach = a.nullable ? regex_cost_add(a.reach, b.reach) : a.reach;
    r.cycle = a.nullable ? regex_cost_max(a.cycle, b.cycle) : a.cycle;
    r.anchors = a.nullable ? regex_cost_add(a.anchors, b.anchors) : a.anchors;
    r.empties = a.nullable ? regex_cost_add(a.empties, b.empties) : a.empties;
    r.exits = b.nullable ? regex_cost_add(a.exits, b.exits) : b.exits;
    r.penalty = regex_cost_add(a.penalty, b.penalty);
    if (b.nullable) {
        r.open = regex_cost_merge(carried, b.open);
    } else {
        r.open = b.open;
        r.penalty = regex_cost_add(r.penalty, regex_cost_price(&carried));
    }
    r.walk = regex_cost_walk_concat(&a.walk, &b.walk);
    r.cycles = a.cycles || b.cycles;
    r.nullable = a.nullable && b.nullable;
    return r;
}

/* regex_cost_alternate - a|b: a branch node that reaches both entries */
REGEX_COST
regex_cost_alternate(REGEX_COST a, REGEX_COST b)
{
    REGEX_COST r;

    r.nodes = regex_cost_add(regex_cost_add(a.nodes, b.nodes), 1);
    r.reach = regex_cost_add(regex_cost_add(a.reach, b.reach), 1);
    r.closure = regex_cost_add(regex_cost_add(a.closure, b.closure), r.reach);
    r.cycle = regex_cost_max(a.cycle, b.cycle);
    r.anchors = regex_cost_add(a.anchors, b.anchors);
    r.empties = regex_cost_add(a.empties, b.empties);
    r.nullable = a.nullable || b.nullable;
    r.exits = regex_cost_add(regex_cost_add(a.exits, b.exits),
                             r.nullable ? 1 : 0);
    r.penalty = regex_cost_add(a.penalty, b.penalty);
    r.open = regex_cost_merge(a.open, b.open);
    r.walk = regex_cost_walk_branch(&a.walk, &b.walk);
    r.cycles = a.cycles || b.cycles;
    return r;
}

/* regex_cost_optional - "a?" (a branch node), or with loop set "a*" (a
 * loop node that a's exit leads back to) */
static REGEX_COST
regex_cost_optional(REGEX_COST a, int loop)
{
    REGEX_COST r = a;

    r.nodes = regex_cost_add(a.nodes, 1);
    r.reach = regex_cost_add(a.reach, 1);
    r.closure = regex_cost_add(a.closure, r.reach);
    r.exits = regex_cost_add(a.exits, 1);
    r.nullable = 1;
    if (!loop) {
        r.walk = regex_cost_walk_branch(&a.walk, NULL);
        return r;
    }
    r.walk = regex_cost_walk_loop(&a.walk);
    r.cycles = a.cycles || a.nullable;
    if (a.nullable) {
        r.cycle = regex_cost_max(a.cycle, r.reach);
        r.empties = regex_cost_add(a.empties, 1);
    }
    r.closure = regex_cost_add(r.closure, regex_cost_mul(a.exits, r.reach));
    r.open = regex_cost_extend(a.open, &r);
    return r;
}

/* regex_cost_power - count copies of a in sequence */
static REGEX_COST
regex_cost_power(REGEX_COST a, long count)
{
    REGEX_COST r = regex_cost_empty;

    for (; count > 0; count >>= 1) {
        if (count & 1)
            r = regex_cost_concat(r, a);
        if (count > 1)
            a = regex_cost_concat(a, a);
    }
    return r;
}

/* regex_cost_repeat - a{min,max} as glibc expands it */
REGEX_COST
regex_cost_repeat(REGEX_COST a, long min, long max)
{
    REGEX_COST r = regex_cost_power(a, min);

    if (max == REGEX_COST_UNBOUNDED)
        return regex_cost_concat(r, regex_cost_optional(a, 1));
    if (max > min)
        r = regex_cost_concat(r, regex_cost_power(regex_cost_optional(a, 0),
                                                  max - min));
    return r;
}

/* regex_cost_total - nodes, closures and anchor copies in one number */
uint64_t
regex_cost_total(const REGEX_COST *whole)
{
    uint64_t total;

    total = regex_cost_add(whole->nodes,
                           whole->closure / REGEX_COST_CLOSURE_PER_NODE);
    total = regex_cost_add(total, whole->penalty);
    if (whole->cycles)
        total = regex_cost_add(total, whole->walk.sum
                               / REGEX_COST_CLOSURE_PER_NODE);
    return regex_cost_add(total, regex_cost_price(&whole->open));
}
