/* regex_guard - scan a POSIX pattern the way glibc's regcomp() parses it,
 * estimate what it would build (regex_cost), and refuse patterns that are
 * too long or would cost too much.
 *
 * The scanner knows both syntaxes: in extended syntax ( ) | * + ? {m,n}
 * are operators; in basic syntax \( \) \| \{m,n\} \+ \? and * are, the
 * others ordinary characters. Bracket expressions ("]" first is a member,
 * "[:class:]", "[=e=]" and "[.c.]" hold their own "]"), escapes, anchors,
 * back-references and GNU's \w \s \b \< and friends are atoms. A
 * repetition with nothing before it is an ordinary character. A
 * malformed pattern gets some estimate: regcomp() refuses it anyway.
 *
 * It reads the pattern once, left to right, with one frame per open group
 * and never recurses. glibc builds the copies of "r{m,n}" before a later
 * "{0}" drops them and frees them only at the end, so dropped nodes
 * still count. */
#include <stdlib.h>
#include <string.h>
#include "mymalloc.h"
#include "regex_cost.h"
#include "regex_guard.h"

/* glibc's RE_DUP_MAX: larger repeat counts are errors. */
#define REGEX_GUARD_DUP_MAX     0x7fff

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
        if ((*max = regex_guard_number(&cp)) < 0)
            *max = REGEX_COST_UNBOUNDED;
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
        f->seq = regex_cost_concat(f->seq, f->atom);
    f->atom = atom;
    f->has_atom = 1;
}

/* regex_guard_finish - the cost of the current frame's whole content */
static REGEX_COST
regex_guard_finish(REGEX_SCAN *scan)
{
    REGEX_FRAME *f = scan->frames + scan->depth;
    REGEX_COST branch = f->seq;

    if (f->has_atom)
        branch = regex_cost_concat(branch, f->atom);
    return f->has_alt ? regex_cost_alternate(f->alt, branch) : branch;
}

/* regex_guard_branch - "|": the current branch becomes an alternative */
static void
regex_guard_branch(REGEX_SCAN *scan)
{
    REGEX_FRAME *f = scan->frames + scan->depth;

    f->alt = regex_guard_finish(scan);
    f->has_alt = 1;
    f->seq = regex_cost_empty;
    f->has_atom = 0;
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
    f->seq = regex_cost_empty;
    return 0;
}

/* regex_guard_close - close the innermost group: open and close nodes
 * around its content, an atom of the enclosing frame */
static void
regex_guard_close(REGEX_SCAN *scan)
{
    REGEX_COST body = regex_guard_finish(scan);

    scan->depth--;
    body = regex_cost_concat(regex_cost_concat(regex_cost_epsilon, body),
                             regex_cost_epsilon);
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
        regex_guard_atom(scan, regex_cost_char);
        return;
    }
    if (max == 0)
        scan->dropped = regex_cost_add(scan->dropped, f->atom.nodes);
    f->atom = regex_cost_repeat(f->atom, min, max);
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
        regex_guard_dup(scan, c == '+', c == '+' ? REGEX_COST_UNBOUNDED : 1);
    else if (basic && c == '|')
        regex_guard_branch(scan);
    else if (basic && c == '(')
        return regex_guard_open(scan) < 0 ? NULL : cp;
    else if (basic && c == ')' && scan->depth > 0)
        regex_guard_close(scan);
    else if (c == 'b' || c == 'B')
        regex_guard_atom(scan, regex_cost_alternate(regex_cost_anchor,
                                                    regex_cost_anchor));
    else if (strchr("<>`'", c) || (c >= '1' && c <= '9'))
        regex_guard_atom(scan, regex_cost_anchor);
    else
        regex_guard_atom(scan, regex_cost_char);
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
        regex_guard_atom(scan, regex_cost_char);
        return regex_guard_bracket(cp);
    }
    if (c == '^' || c == '$')
        regex_guard_atom(scan, regex_cost_anchor);
    else if (c == '*')
        regex_guard_dup(scan, 0, REGEX_COST_UNBOUNDED);
    else if (!scan->extended)
        regex_guard_atom(scan, regex_cost_char);
    else if (c == '+' || c == '?')
        regex_guard_dup(scan, c == '+', c == '+' ? REGEX_COST_UNBOUNDED : 1);
    else if (c == '{' && regex_guard_interval(&cp, 1, &min, &max))
        regex_guard_dup(scan, min, max);
    else if (c == '|')
        regex_guard_branch(scan);
    else if (c == '(')
        return regex_guard_open(scan) < 0 ? NULL : cp;
    else if (c == ')' && scan->depth > 0)
        regex_guard_close(scan);
    else
        regex_guard_atom(scan, regex_cost_char);
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
    return regex_cost_add(regex_cost_total(&total), scan.dropped);
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
