/* regex_guard - estimate what regcomp() would build for a POSIX pattern,
 * and refuse patterns that are too long or too costly.
 *
 * The estimate follows how glibc compiles: "r*" adds a loop node, "r?" a
 * branch node, "r+" becomes "r r*", "r{m}" m copies of r, "r{m,}" m
 * copies and "r*", "r{m,n}" m copies and n-m optional copies ("r{0,0}"
 * removes r). Groups add an open and a close node, alternation a branch
 * node, anchors and word boundaries are nodes that read no character.
 *
 * Each part of the pattern is summarized by a REGEX_COST: how many nodes
 * it has, whether it can match the empty string, how many of its nodes
 * are reachable from its entry without reading a character ("reach"),
 * how many of its nodes reach its exit that way ("exits"), and the sum
 * over its nodes of their reachable sets ("closure", what glibc stores
 * per node). Putting two parts in sequence, alternation and repetition
 * combine these numbers exactly as the reachable sets combine; "n
 * copies" uses repeated squaring, so "a{32767}" costs a few steps. All
 * arithmetic saturates at UINT64_MAX.
 *
 * The scanner reads the pattern once, left to right, with one frame per
 * open group; it never recurses. */
#include <stdlib.h>
#include <string.h>
#include "mymalloc.h"
#include "regex_guard.h"

/* Closure set entries (8 bytes each, twice) that weigh as much as one
 * node (a tree node and an automaton node, some 300 bytes). */
#define REGEX_GUARD_CLOSURE_PER_NODE 8

/* glibc's RE_DUP_MAX: larger repeat counts are errors. */
#define REGEX_GUARD_DUP_MAX     0x7fff

/* Repeat upper bound for "no upper bound". */
#define REGEX_GUARD_UNBOUNDED   (-1)

typedef struct REGEX_COST {
    uint64_t nodes;
    uint64_t closure;                   /* sum of per-node reachable sets */
    uint64_t reach;                     /* nodes reachable from the entry */
    uint64_t exits;                     /* nodes that reach the exit */
    int     nullable;                   /* can match the empty string */
} REGEX_COST;

/* One group being read (frame 0 is the whole pattern). */
typedef struct REGEX_FRAME {
    REGEX_COST alt;                     /* the alternatives before the last | */
    int     has_alt;
    REGEX_COST seq;                     /* the current branch before atom */
    REGEX_COST atom;                    /* what a repetition would apply to */
    int     has_atom;
} REGEX_FRAME;

/* The state of one scan. */
typedef struct REGEX_SCAN {
    int     extended;                   /* REG_EXTENDED syntax */
    REGEX_FRAME *frames;                /* [0..depth] */
    int     depth;                      /* open groups */
    uint64_t dropped;                   /* nodes built, then dropped */
} REGEX_SCAN;

static const REGEX_COST regex_guard_empty = {0, 0, 0, 0, 1};
static const REGEX_COST regex_guard_char = {1, 1, 1, 0, 0};
static const REGEX_COST regex_guard_anchor = {1, 1, 1, 1, 1};

/* regex_guard_add - saturating a + b */
static uint64_t
regex_guard_add(uint64_t a, uint64_t b)
{
    uint64_t sum;

    return __builtin_add_overflow(a, b, &sum) ? UINT64_MAX : sum;
}

/* regex_guard_mul - saturating a * b */
static uint64_t
regex_guard_mul(uint64_t a, uint64_t b)
{
    uint64_t product;

    return __builtin_mul_overflow(a, b, &product) ? UINT64_MAX : product;
}

/* regex_guard_concat - a followed by b: what reaches a's exit without
 * reading also reaches b's entry set */
static REGEX_COST
regex_guard_concat(REGEX_COST a, REGEX_COST b)
{
    REGEX_COST r;

    r.nodes = regex_guard_add(a.nodes, b.nodes);
    r.closure = regex_guard_add(regex_guard_add(a.closure, b.closure),
                                regex_guard_mul(a.exits, b.reach));
    r.reach = a.nullable ? regex_guard_add(a.reach, b.reach) : a.reach;
    r.exits = b.nullable ? regex_guard_add(a.exits, b.exits) : b.exits;
    r.nullable = a.nullable && b.nullable;
    return r;
}

/* regex_guard_alternate - a|b: a branch node that reaches both entries */
static REGEX_COST
regex_guard_alternate(REGEX_COST a, REGEX_COST b)
{
    REGEX_COST r;

    r.nodes = regex_guard_add(regex_guard_add(a.nodes, b.nodes), 1);
    r.reach = regex_guard_add(regex_guard_add(a.reach, b.reach), 1);
    r.closure = regex_guard_add(regex_guard_add(a.closure, b.closure),
                                r.reach);
    r.nullable = a.nullable || b.nullable;
    r.exits = regex_guard_add(regex_guard_add(a.exits, b.exits),
                              r.nullable ? 1 : 0);
    return r;
}

/* regex_guard_optional - a? (loop 0: "a?"; loop 1: "a*", whose exits
 * lead back to the entry node as well) */
static REGEX_COST
regex_guard_optional(REGEX_COST a, int loop)
{
    REGEX_COST r;

    r.nodes = regex_guard_add(a.nodes, 1);
    r.reach = regex_guard_add(a.reach, 1);
    r.closure = regex_guard_add(a.closure, r.reach);
    if (loop)
        r.closure = regex_guard_add(r.closure,
                                    regex_guard_mul(a.exits, r.reach));
    r.exits = regex_guard_add(a.exits, 1);
    r.nullable = 1;
    return r;
}

/* regex_guard_power - count copies of a in sequence */
static REGEX_COST
regex_guard_power(REGEX_COST a, long count)
{
    REGEX_COST r = regex_guard_empty;

    for (; count > 0; count >>= 1) {
        if (count & 1)
            r = regex_guard_concat(r, a);
        a = regex_guard_concat(a, a);
    }
    return r;
}

/* regex_guard_repeat - a{min,max} as glibc expands it */
static REGEX_COST
regex_guard_repeat(REGEX_COST a, long min, long max)
{
    REGEX_COST r = regex_guard_power(a, min);

    if (max == REGEX_GUARD_UNBOUNDED)
        return regex_guard_concat(r, regex_guard_optional(a, 1));
    if (max > min)
        r = regex_guard_concat(r, regex_guard_power(
                                   regex_guard_optional(a, 0), max - min));
    return r;
}

/* regex_guard_number - digits at *cpp, capped above RE_DUP_MAX; -1 when
 * there are none */
static long
regex_guard_number(const char **cpp)
{
    const char *cp = *cpp;
    long    n = -1;

    for (; *cp >= '0' && *cp <= '9'; cp++) {
        n = (n < 0 ? 0 : n * 10) + (*cp - '0');
        if (n > REGEX_GUARD_DUP_MAX)
            n = REGEX_GUARD_DUP_MAX + 1;
    }
    *cpp = cp;
    return n;
}

/* regex_guard_interval - parse "m}", "m,}", ",n}", "m,n}" (after the
 * opening brace; "\}" in basic syntax) into *min, *max; 0 when it is not
 * an interval (regcomp() will then reject the pattern) */
static int
regex_guard_interval(const char **cpp, int extended, long *min, long *max)
{
    const char *cp = *cpp;

    *min = regex_guard_number(&cp);
    *max = *min;
    if (*cp == ',') {
        cp++;
        *max = regex_guard_number(&cp);
        if (*min < 0)
            *min = 0;
    } else if (*min < 0) {
        return 0;
    }
    if (!extended && *cp == '\\')
        cp++;
    if (*cp != '}')
        return 0;
    *cpp = cp + 1;
    if (*max >= 0 && *max < *min)
        *max = *min;
    return 1;
}

/* regex_guard_bracket - skip a bracket expression (cp is past its "[");
 * "]" first is a member, "[:class:]", "[=e=]" and "[.c.]" hold their own
 * "]" */
static const char *
regex_guard_bracket(const char *cp)
{
    const char *end;
    char    close[3];

    if (*cp == '^')
        cp++;
    if (*cp == ']')
        cp++;
    while (*cp && *cp != ']') {
        if (*cp == '[' && (cp[1] == ':' || cp[1] == '=' || cp[1] == '.')) {
            close[0] = cp[1];
            close[1] = ']';
            close[2] = 0;
            if ((end = strstr(cp + 2, close)) == NULL)
                return cp + strlen(cp);
            cp = end + 2;
        } else {
            cp++;
        }
    }
    return *cp ? cp + 1 : cp;
}

/* regex_guard_atom - a new atom in the current frame; the previous one
 * joins the branch */
static void
regex_guard_atom(REGEX_SCAN *scan, REGEX_COST atom)
{
    REGEX_FRAME *f = scan->frames + scan->depth;

    if (f->has_atom)
        f->seq = regex_guard_concat(f->seq, f->atom);
    f->atom = atom;
    f->has_atom = 1;
}

/* regex_guard_branch - "|": the current branch becomes an alternative */
static void
regex_guard_branch(REGEX_SCAN *scan)
{
    REGEX_FRAME *f = scan->frames + scan->depth;
    REGEX_COST branch = f->seq;

    if (f->has_atom)
        branch = regex_guard_concat(branch, f->atom);
    f->alt = f->has_alt ? regex_guard_alternate(f->alt, branch) : branch;
    f->has_alt = 1;
    f->seq = regex_guard_empty;
    f->has_atom = 0;
}

/* regex_guard_finish - the cost of the current frame's whole content */
static REGEX_COST
regex_guard_finish(REGEX_SCAN *scan)
{
    REGEX_FRAME *f = scan->frames + scan->depth;
    REGEX_COST branch = f->seq;

    if (f->has_atom)
        branch = regex_guard_concat(branch, f->atom);
    return f->has_alt ? regex_guard_alternate(f->alt, branch) : branch;
}

/* regex_guard_open - "(": a frame for a new group; -1 when groups nest
 * too deep */
static int
regex_guard_open(REGEX_SCAN *scan)
{
    REGEX_FRAME *f;

    if (scan->depth >= REGEX_GUARD_MAX_DEPTH)
        return -1;
    f = scan->frames + ++scan->depth;
    memset(f, 0, sizeof(*f));
    f->seq = regex_guard_empty;
    return 0;
}

/* regex_guard_close - close the innermost group: open and close nodes
 * around its content, an atom of the enclosing frame */
static void
regex_guard_close(REGEX_SCAN *scan)
{
    REGEX_COST body = regex_guard_finish(scan);

    scan->depth--;
    body = regex_guard_concat(regex_guard_concat(regex_guard_anchor, body),
                              regex_guard_anchor);
    regex_guard_atom(scan, body);
}

/* regex_guard_dup - a repetition operator; without an atom it is an
 * ordinary character. glibc builds the copies before a later "{0}" can
 * drop them, and frees them only at the end: dropped nodes still count. */
static void
regex_guard_dup(REGEX_SCAN *scan, long min, long max)
{
    REGEX_FRAME *f = scan->frames + scan->depth;

    if (!f->has_atom) {
        regex_guard_atom(scan, regex_guard_char);
        return;
    }
    if (max == 0)
        scan->dropped = regex_guard_add(scan->dropped, f->atom.nodes);
    f->atom = regex_guard_repeat(f->atom, min, max);
}

/* regex_guard_escape - the atom or operator of "\c" (cp is past the
 * backslash); the position after it, NULL when groups nest too deep */
static const char *
regex_guard_escape(REGEX_SCAN *scan, const char *cp)
{
    int     basic = !scan->extended;
    long    min;
    long    max;
    int     c = *cp;

    if (c == 0)
        return cp;
    cp++;
    if (basic && c == '{' && regex_guard_interval(&cp, 0, &min, &max))
        regex_guard_dup(scan, min, max);
    else if (basic && (c == '+' || c == '?'))
        regex_guard_dup(scan, c == '+', c == '+' ? REGEX_GUARD_UNBOUNDED : 1);
    else if (basic && c == '|')
        regex_guard_branch(scan);
    else if (basic && c == '(')
        return regex_guard_open(scan) < 0 ? NULL : cp;
    else if (basic && c == ')' && scan->depth > 0)
        regex_guard_close(scan);
    else if (c == 'b' || c == 'B')
        regex_guard_atom(scan, regex_guard_alternate(regex_guard_anchor,
                                                     regex_guard_anchor));
    else if (strchr("<>`'", c) || (c >= '1' && c <= '9'))
        regex_guard_atom(scan, regex_guard_anchor);
    else
        regex_guard_atom(scan, regex_guard_char);
    return cp;
}

/* regex_guard_next - one character or escape of the pattern; the
 * position after it, NULL when groups nest too deep */
static const char *
regex_guard_next(REGEX_SCAN *scan, const char *cp)
{
    long    min;
    long    max;
    int     c = *cp++;

    if (c == '\\')
        return regex_guard_escape(scan, cp);
    if (c == '[') {
        regex_guard_atom(scan, regex_guard_char);
        return regex_guard_bracket(cp);
    }
    if (c == '^' || c == '$')
        regex_guard_atom(scan, regex_guard_anchor);
    else if (c == '*')
        regex_guard_dup(scan, 0, REGEX_GUARD_UNBOUNDED);
    else if (!scan->extended)
        regex_guard_atom(scan, regex_guard_char);
    else if (c == '+' || c == '?')
        regex_guard_dup(scan, c == '+', c == '+' ? REGEX_GUARD_UNBOUNDED : 1);
    else if (c == '{' && regex_guard_interval(&cp, 1, &min, &max))
        regex_guard_dup(scan, min, max);
    else if (c == '|')
        regex_guard_branch(scan);
    else if (c == '(')
        return regex_guard_open(scan) < 0 ? NULL : cp;
    else if (c == ')' && scan->depth > 0)
        regex_guard_close(scan);
    else
        regex_guard_atom(scan, regex_guard_char);
    return cp;
}

/* regex_guard_posix_cost - scan the pattern once */
uint64_t
regex_guard_posix_cost(const char *pattern, int extended)
{
    REGEX_SCAN scan;
    REGEX_COST total;
    const char *cp = pattern;

    memset(&scan, 0, sizeof(scan));
    scan.extended = extended;
    scan.frames = mymalloc((REGEX_GUARD_MAX_DEPTH + 1) * sizeof(*scan.frames));
    scan.depth = -1;
    (void) regex_guard_open(&scan);
    while (cp != NULL && *cp)
        cp = regex_guard_next(&scan, cp);
    if (cp == NULL) {
        free(scan.frames);
        return UINT64_MAX;
    }
    while (scan.depth > 0)
        regex_guard_close(&scan);
    total = regex_guard_finish(&scan);
    free(scan.frames);
    return regex_guard_add(regex_guard_add(total.nodes, scan.dropped),
                           total.closure / REGEX_GUARD_CLOSURE_PER_NODE);
}

/* regex_guard_posix - refuse a pattern whose estimate is over the limit */
int
regex_guard_posix(const char *pattern, int extended, BUF *why)
{
    if (regex_guard_posix_cost(pattern, extended) <= REGEX_GUARD_MAX_COST)
        return 0;
    buf_strcpy(why, "regular expression is too complex");
    return -1;
}

/* regex_guard_length - refuse a pattern longer than the limit */
int
regex_guard_length(const char *pattern, BUF *why)
{
    size_t  len = strlen(pattern);

    if (len <= REGEX_GUARD_MAX_LENGTH)
        return 0;
    buf_sprintf(why, "regular expression is too long (%zu bytes, at most %d)",
                len, REGEX_GUARD_MAX_LENGTH);
    return -1;
}
