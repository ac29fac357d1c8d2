/* postern_qshape - "postern qshape": the age by domain histogram of mail
 * queues, in the table format of Postfix's qshape(1) (a Perl script in
 * Postfix; here a subcommand of the control command, docs/qshape.md).
 *
 * Usage: postern [-c config_dir] qshape [-s] [-p] [-m min_subdomains]
 *        [-l] [-b bucket_count] [-t bucket_time] [-w terminal_width]
 *        [-n top_domains] [queue_name ...]
 *
 * The default queues are incoming and active. The first line holds the
 * column heads ("T", then the upper age bound of each bucket in minutes:
 * 5 10 20 40 80 160 320 640 1280 1280+ by default); then "TOTAL" and one
 * line per domain, most addresses first (equal counts: shorter names
 * first, then by name, where qshape leaves the order to Perl's hash).
 * Each column is as wide as its head or its total needs plus one space
 * (at least 3); the domain column fills the rest of the width (at least
 * 18; longer names keep their end, after a '+'). Differences from
 * qshape: queue names only (no absolute paths), -n applies whether or
 * not the output is a terminal, and there is no interim output (-N) or
 * screen clearing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "mail_params.h"
#include "msg.h"
#include "mymalloc.h"
#include "postern.h"
#include "postern_qshape.h"

#define QSHAPE_USAGE    "usage: postern [-c config_dir] qshape [-s] [-p] " \
    "[-m min_subdomains] [-l] [-b bucket_count] [-t bucket_time] " \
    "[-w terminal_width] [-n top_domains] [queue_name ...]"

#define QSHAPE_DOMAIN_MIN   18          /* qshape's $dwidth */

/* The columns: head text and width. */
typedef struct QSHAPE_COLS {
    char  **heads;
    int    *widths;
    int     domain_width;
} QSHAPE_COLS;

/* qshape_row - the row of name, made when missing */
QSHAPE_ROW *
qshape_row(QSHAPE *qs, const char *name)
{
    QSHAPE_ROW *row;

    if ((row = htable_find(qs->rows, name)) == NULL) {
        row = mymalloc(sizeof(*row));
        row->counts = mycalloc(qs->opts->buckets + 1, sizeof(long));
        row->subdomains = 0;
        htable_enter(qs->rows, name, row);
    }
    return row;
}

/* qshape_row_free - HTABLE_FREE_FN for rows */
static void
qshape_row_free(void *ptr)
{
    QSHAPE_ROW *row = ptr;

    myfree(row->counts);
    myfree(row);
}

/* qshape_number - a positive option value, or the default */
static int
qshape_number(const char *arg, int min, int dflt)
{
    char   *end;
    long    val = strtol(arg, &end, 10);

    if (*end != 0 || end == arg)
        msg_fatal("%s", QSHAPE_USAGE);
    return val > min && val < 100000 ? (int) val : dflt;
}

/* qshape_options - the options; the index of the first queue name */
static int
qshape_options(int argc, char **argv, QSHAPE_OPTS *opts)
{
    int     ch;

    *opts = (QSHAPE_OPTS) {.buckets = 10, .tick = 5, .width = 80,
    .minsub = 5};
    optind = 1;
    while ((ch = getopt(argc, argv, "spm:lb:t:w:n:N:")) != -1) {
        switch (ch) {
        case 's': opts->senders = true; break;
        case 'p': opts->parents = true; break;
        case 'l': opts->linear = true; break;
        case 'm': opts->minsub = qshape_number(optarg, 0, 5); break;
        case 'b': opts->buckets = qshape_number(optarg, 0, 10); break;
        case 't': opts->tick = qshape_number(optarg, 0, 5); break;
        case 'w': opts->width = qshape_number(optarg, 80, 80); break;
        case 'n': opts->top = qshape_number(optarg, 0, 0); break;
        case 'N': break;
        default: msg_fatal("%s", QSHAPE_USAGE);
        }
    }
    return optind;
}

/* qshape_columns - the heads and widths, from the totals */
static void
qshape_columns(const QSHAPE *qs, const QSHAPE_ROW *total, QSHAPE_COLS *cols)
{
    const QSHAPE_OPTS *opts = qs->opts;
    BUF    *text = buf_alloc(20);
    long    t = 0;
    int     len;

    cols->heads = mycalloc(opts->buckets + 1, sizeof(char *));
    cols->widths = mycalloc(opts->buckets + 1, sizeof(int));
    cols->domain_width = opts->width;
    for (int i = 0; i <= opts->buckets; i++) {
        if (i == 0)
            buf_strcpy(text, "T");
        else if (i < opts->buckets)
            buf_sprintf(text, "%ld", t);
        else
            buf_sprintf(text, "%ld+", t);
        len = snprintf(NULL, 0, "%ld", total->counts[i]);
        if ((int) buf_len(text) >= len)
            len = (int) buf_len(text);
        cols->widths[i] = len > 2 ? len + 1 : 3;
        cols->heads[i] = mystrdup(buf_str(text));
        cols->domain_width -= cols->widths[i];
        if (i + 1 < opts->buckets)
            t += (t && !opts->linear) ? t : opts->tick;
    }
    if (cols->domain_width < QSHAPE_DOMAIN_MIN)
        cols->domain_width = QSHAPE_DOMAIN_MIN;
    buf_free(text);
}

/* qshape_print_name - the domain column */
static void
qshape_print_name(const QSHAPE_COLS *cols, const char *name)
{
    int     len = (int) strlen(name), dw = cols->domain_width;

    if (len <= dw)
        printf("%*s", dw, name);
    else if (name[0] == '.')
        printf(".+%s", name + len - dw + 2);
    else
        printf("+%s", name + len - dw + 1);
}

/* qshape_print_row - one domain line */
static void
qshape_print_row(const QSHAPE *qs, const QSHAPE_COLS *cols,
                 const char *name, const QSHAPE_ROW *row)
{
    qshape_print_name(cols, name);
    for (int i = 0; i <= qs->opts->buckets; i++)
        printf("%*ld", cols->widths[i], row->counts[i]);
    printf("\n");
}

/* qshape_compare - most addresses first, then shorter, then by name */
static int
qshape_compare(const void *a, const void *b)
{
    const HTABLE_INFO *x = *(HTABLE_INFO * const *) a;
    const HTABLE_INFO *y = *(HTABLE_INFO * const *) b;
    long    cx = ((QSHAPE_ROW *) x->value)->counts[0];
    long    cy = ((QSHAPE_ROW *) y->value)->counts[0];
    size_t  lx = strlen(x->key), ly = strlen(y->key);

    if (cx != cy)
        return cx > cy ? -1 : 1;
    if (lx != ly)
        return lx < ly ? -1 : 1;
    return strcmp(x->key, y->key);
}

/* qshape_print - the whole table */
static void
qshape_print(QSHAPE *qs)
{
    QSHAPE_COLS cols;
    HTABLE_INFO **list;
    QSHAPE_ROW *row;
    int     shown = 0;

    qshape_columns(qs, qshape_row(qs, QSHAPE_TOTAL), &cols);
    qshape_print_name(&cols, "");
    for (int i = 0; i <= qs->opts->buckets; i++)
        printf("%*s", cols.widths[i], cols.heads[i]);
    printf("\n");
    list = htable_list(qs->rows);
    qsort(list, qs->rows->used, sizeof(*list), qshape_compare);
    for (size_t i = 0; i < qs->rows->used; i++) {
        row = list[i]->value;
        if (list[i]->key[0] == '.' && row->subdomains < qs->opts->minsub)
            continue;
        if (qs->opts->top > 0 && ++shown > qs->opts->top)
            break;
        qshape_print_row(qs, &cols, list[i]->key, row);
    }
    myfree(list);
    for (int i = 0; i <= qs->opts->buckets; i++)
        myfree(cols.heads[i]);
    myfree(cols.heads);
    myfree(cols.widths);
}

/* postern_qshape - "postern qshape [options] [queue ...]" */
int
postern_qshape(char **args)
{
    static char *default_queues[] = {"incoming", "active", NULL};
    QSHAPE_OPTS opts;
    QSHAPE  qs = {.opts = &opts, .rows = htable_create(100),
    .now = time(NULL)};
    int     argc = 1, first, status = 0;
    char  **argv, **queues;

    while (args[argc - 1] != NULL)
        argc++;
    argv = mycalloc(argc + 1, sizeof(char *));
    argv[0] = "qshape";
    memcpy(argv + 1, args, (argc - 1) * sizeof(char *));
    first = qshape_options(argc, argv, &opts);
    if (chdir(var_queue_directory) < 0)
        msg_fatal("chdir %s: %m", var_queue_directory);
    queues = first < argc ? argv + first : default_queues;
    for (; *queues; queues++)
        if (qshape_scan(&qs, *queues) < 0)
            status = 1;
    qshape_print(&qs);
    htable_free(qs.rows, qshape_row_free);
    myfree(argv);
    return fflush(stdout) == 0 ? status : 1;
}
