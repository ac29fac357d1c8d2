/* sendmail_opts - the sendmail command line, as Postfix's sendmail reads
 * it (observed with Debian's Postfix 3.7 and its sendmail(1) page).
 *
 * Options end at the first argument that is not one (getopt's POSIX
 * mode: "sendmail -ox val -f a b" has the recipients "val", "-f", "a",
 * "b", as with Postfix). Options Postfix ignores are ignored here; modes
 * that need daemons this build does not have are recorded as unavailable
 * and refused by main. Recipient arguments are address lists. */
#include <ctype.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <unistd.h>

#include "hdr_rcpt.h"
#include "msg.h"
#include "mymalloc.h"
#include "sendmail.h"

#define SM_OPTIONS  "+A:B:C:F:GIL:N:O:R:UV:X:b:c:f:h:imno:q::r:tv"

/* sm_opts_fatal - a bad option value: EX_TEMPFAIL, as Postfix */
#define sm_opts_fatal(...)  msg_fatal_status(EX_TEMPFAIL, __VA_ARGS__)

/* sm_opts_unavailable - a mode that needs a daemon we do not have */
static void
sm_opts_unavailable(SM_OPTS *opts, const char *option, const char *needs)
{
    opts->mode = SM_MODE_UNAVAILABLE;
    opts->unavailable = option;
    opts->needs = needs;
}

/* sm_opts_notify - -N: "never", or a list of success, failure, delay */
static int
sm_opts_notify(const char *value)
{
    char   *copy = mystrdup(value);
    char   *cp = copy;
    char   *word;
    int     flags = 0;

    while ((word = mystrtok(&cp, ", \t")) != NULL) {
        if (strcasecmp(word, "never") == 0)
            flags |= SM_NOTIFY_NEVER;
        else if (strcasecmp(word, "success") == 0)
            flags |= SM_NOTIFY_SUCCESS;
        else if (strcasecmp(word, "failure") == 0)
            flags |= SM_NOTIFY_FAILURE;
        else if (strcasecmp(word, "delay") == 0)
            flags |= SM_NOTIFY_DELAY;
        else
            flags = -1;
        if (flags < 0)
            break;
    }
    myfree(copy);
    if (flags <= 0 || ((flags & SM_NOTIFY_NEVER) && flags != SM_NOTIFY_NEVER))
        sm_opts_fatal("bad -N option value: %s", value);
    return flags;
}

/* sm_opts_envid - -V: printable ASCII without spaces, at most 100 */
static const char *
sm_opts_envid(const char *value)
{
    size_t  len = strlen(value);

    for (size_t i = 0; i < len; i++)
        if (value[i] <= ' ' || value[i] > '~' || value[i] == '+'
            || value[i] == '=')
            len = 0;
    if (len == 0 || len > SM_ENVID_MAX)
        sm_opts_fatal("bad -V option value: %s", value);
    return value;
}

/* sm_opts_body - -B: 7BIT or 8BITMIME */
static const char *
sm_opts_body(const char *value)
{
    if (strcasecmp(value, "8BITMIME") == 0)
        return "8bit";
    if (strcasecmp(value, "7BIT") == 0)
        return "7bit";
    sm_opts_fatal("-B option needs 7BIT or 8BITMIME");
}

/* sm_opts_sender - -f, -r: the address in an address ("Name <a@x>"),
 * or the null sender ("<>", "") */
static char *
sm_opts_sender(const char *value)
{
    ARGV   *found = argv_alloc(1);
    char   *sender;

    hdr_rcpt_parse(value, strlen(value), found);
    sender = mystrdup(found->argc > 0 ? found->argv[0] : "");
    argv_free(found);
    return sender;
}

/* sm_opts_mode - -b */
static void
sm_opts_mode(SM_OPTS *opts, const char *value)
{
    if (strcmp(value, "m") == 0)
        opts->mode = SM_MODE_ENQUEUE;
    else if (strcmp(value, "i") == 0)
        opts->mode = SM_MODE_NEWALIASES;
    else if (strcmp(value, "s") == 0)
        opts->mode = SM_MODE_SMTPD;
    else if (strcmp(value, "p") == 0)
        opts->mode = SM_MODE_MAILQ;
    else if (strcmp(value, "v") == 0) {
        opts->mode = SM_MODE_ENQUEUE;
        opts->verify = true;
    }
    else if (strcmp(value, "d") == 0 || strcmp(value, "l") == 0)
        sm_opts_unavailable(opts, "-bd", "\"postern start\" instead");
    else if (strcmp(value, "h") != 0 && strcmp(value, "H") != 0)
        sm_opts_fatal("unsupported: -b%s", value);
}

/* sm_opts_queue - -q: flush the queue, -qRsite a site, -qIid a message
 * (postqueue -f, -s, -i do it); -qINTERVAL is ignored */
static void
sm_opts_queue(SM_OPTS *opts, const char *value)
{
    if (value && isdigit((unsigned char) *value))
        return;
    if (value && *value == 'R')
        opts->mode = SM_MODE_FLUSH_SITE;
    else if (value && *value == 'I')
        opts->mode = SM_MODE_FLUSH_ID;
    else if (value && *value)
        sm_opts_fatal("-q%s is not supported", value);
    else
        opts->mode = SM_MODE_FLUSH;
    opts->queue_arg = value && *value ? value + 1 : NULL;
}

/* sm_opts_verp - -X: -XV[xy] is VERP; any other -X (log file) ignored */
static void
sm_opts_verp(SM_OPTS *opts, const char *value)
{
    if (*value != 'V')
        return;
    opts->verp = value[1] ? value + 1 : SM_VERP_DEFAULT;
    if (strlen(opts->verp) != 2)
        sm_opts_fatal("-XV option needs two delimiter characters");
}

/* sm_opts_one - one option with its value */
static void
sm_opts_one(SM_OPTS *opts, int ch, const char *value)
{
    switch (ch) {
    case 'B': opts->encoding = sm_opts_body(value); break;
    case 'C': case 'c': opts->config = value; break;
    case 'F': myfree(opts->fullname); opts->fullname = mystrdup(value); break;
    case 'G': opts->gateway = true; break;
    case 'I': opts->mode = SM_MODE_NEWALIASES; break;
    case 'N': opts->notify = sm_opts_notify(value); break;
    case 'R':
        if (strcasecmp(value, "full") == 0)
            opts->ret = SM_RET_FULL;
        else if (strcasecmp(value, "hdrs") == 0)
            opts->ret = SM_RET_HDRS;
        else
            sm_opts_fatal("-R option needs full or hdrs");
        break;
    case 'V': opts->envid = sm_opts_envid(value); break;
    case 'X': sm_opts_verp(opts, value); break;
    case 'b': sm_opts_mode(opts, value); break;
    case 'f': case 'r':
        myfree(opts->sender);
        opts->sender = sm_opts_sender(value);
        break;
    case 'i': opts->dot_ends = false; break;
    case 'n': sm_opts_fatal("-n option not supported");
    case 'o':
        if (strcmp(value, "i") == 0)
            opts->dot_ends = false;
        break;
    case 'q': sm_opts_queue(opts, value); break;
    case 't': opts->extract = true; break;
    case 'v': msg_verbose++; break;
    case 'A': case 'L': case 'O': case 'U': case 'h': case 'm':
        break;                                  /* ignored, as Postfix */
    default:
        sm_opts_fatal("usage: sendmail [options] [recipient ...]");
    }
}

/* sendmail_opts_parse - parse the command line into opts */
void
sendmail_opts_parse(SM_OPTS *opts, int argc, char **argv)
{
    int     ch;

    memset(opts, 0, sizeof(*opts));
    opts->dot_ends = true;
    opts->rcpt = argv_alloc(4);
    while ((ch = getopt(argc, argv, SM_OPTIONS)) != -1)
        sm_opts_one(opts, ch, optarg);
    for (int i = optind; i < argc; i++)
        hdr_rcpt_parse(argv[i], strlen(argv[i]), opts->rcpt);
}

/* sendmail_opts_free - release what parsing allocated */
void
sendmail_opts_free(SM_OPTS *opts)
{
    myfree(opts->sender);
    myfree(opts->fullname);
    argv_free(opts->rcpt);
}
