/* postlog - log a line the way Postern's programs do, as Postfix's
 * postlog(1).
 *
 * postlog [-iv] [-c config_dir] [-p priority] [-t tag] [text...]
 *
 * The text of the command line is one record; without text, each line
 * of standard input is one (an empty line too). Records go where every
 * program's messages go (maillog.h): through postlogd to maillog_file,
 * or to syslog; when standard error is a terminal, there as well
 * ("TAG: warning: text"). The tag is "$syslog_name/postlog" unless -t
 * names another, which replaces it as a whole ("-t mytag" logs
 * "mytag[PID]: text"); the process id is always included (-i is
 * accepted and ignored, as in Postfix 3.4 and later). Priorities: info
 * (the default), warn or warning, error, fatal, panic, in any case; a
 * fatal or panic record is followed by a one-second pause, as Postfix's
 * programs pause after such a condition, and postlog still exits 0.
 * Observed with Debian's Postfix 3.7 (docs/queue-tools.md). It may be
 * installed set-gid $setgid_group so that users reach postlogd, and then
 * trusts no environment and no alternate configuration (setid_conf.h).
 * Where Postfix reports a bad -p value only to syslog, postlog says so
 * on stderr too. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "mail_params.h"
#include "maillog.h"
#include "msg.h"
#include "msg_output.h"
#include "mymalloc.h"
#include "setid_conf.h"
#include "stream.h"

#define POSTLOG_USAGE "usage: postlog [-iv] [-c config_dir] " \
    "[-p priority] [-t tag] [text...]"
#define POSTLOG_LINE_MAX    MAILLOG_LINE_MAX
#define POSTLOG_PAUSE       1           /* seconds after fatal, panic */

/* postlog_level - a priority name; its level, or -1 */
static int
postlog_level(const char *name)
{
    static const struct {
        const char *name;
        enum msg_level level;
    } table[] = {
        {"info", MSG_INFO}, {"warn", MSG_WARN}, {"warning", MSG_WARN},
        {"error", MSG_ERROR}, {"fatal", MSG_FATAL}, {"panic", MSG_PANIC},
    };

    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        if (strcasecmp(name, table[i].name) == 0)
            return (int) table[i].level;
    return -1;
}

/* postlog_stderr - the terminal channel: "TAG: warning: text" */
static void
postlog_stderr(enum msg_level level, const char *text)
{
    dprintf(STDERR_FILENO, "%s: %s%s\n", maillog_tag(),
            msg_level_prefix(level), text);
}

/* postlog_emit - one record at a level, without exiting */
static void MSG_PRINTF(2, 3)
postlog_emit(enum msg_level level, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    msg_vprintf(level, fmt, ap);
    va_end(ap);
}

/* postlog_config - a safe directory, main.cf, the tag, the channels */
static void
postlog_config(const char *dir, const char *tag)
{
    BUF    *why = buf_alloc(100);

    if (setid_conf_load(dir, why) < 0)
        msg_fatal("%s", buf_str(why));
    /* A tag equal to $syslog_name is used as it is (maillog.h). */
    if (tag) {
        myfree(var_syslog_name);
        var_syslog_name = mystrdup(tag);
    }
    maillog_init(tag ? tag : "postlog", 0);
    if (isatty(STDERR_FILENO)) {
        maillog_stderr_fallback(0);
        msg_output_add(postlog_stderr);
    }
    buf_free(why);
}

/* postlog_stdin - one record per line of standard input */
static void
postlog_stdin(enum msg_level level)
{
    STREAM *in = stream_fdopen(STDIN_FILENO);
    BUF    *line = buf_alloc(200);

    for (;;) {
        buf_reset(line);
        if (stream_get_line(in, line, POSTLOG_LINE_MAX) == EOF)
            break;
        if (buf_last(line) == '\n')
            buf_truncate(line, buf_len(line) - 1);
        postlog_emit(level, "%s", buf_str(line));
    }
    stream_free(in);
    buf_free(line);
}

/* postlog_args - the command line's text as one record */
static void
postlog_args(enum msg_level level, char **args, int count)
{
    BUF    *text = buf_alloc(200);

    for (int i = 0; i < count; i++) {
        if (i > 0)
            buf_addch(text, ' ');
        buf_strcat(text, args[i]);
    }
    postlog_emit(level, "%s", buf_str(text));
    buf_free(text);
}

/* main - postlog [-iv] [-c config_dir] [-p priority] [-t tag] [text...] */
int
main(int argc, char **argv)
{
    const char *priority = "info";
    const char *tag = NULL;
    char   *dir;
    int     level, err, ch;

    msg_stderr_init("postlog");
    dir = setid_conf_env(&err);
    if (err < 0)
        msg_fatal("cannot set up the environment: %m");
    while ((ch = getopt(argc, argv, "c:ip:t:v")) > 0) {
        switch (ch) {
        case 'c': myfree(dir); dir = mystrdup(optarg); break;
        case 'i': break;
        case 'p': priority = optarg; break;
        case 't': tag = optarg; break;
        case 'v': msg_verbose++; break;
        default: msg_fatal(POSTLOG_USAGE);
        }
    }
    if ((level = postlog_level(priority)) < 0)
        msg_fatal("unknown priority value: %s", priority);
    postlog_config(dir, tag);
    if (optind < argc)
        postlog_args((enum msg_level) level, argv + optind, argc - optind);
    else
        postlog_stdin((enum msg_level) level);
    if (level >= MSG_FATAL)
        sleep(POSTLOG_PAUSE);
    myfree(dir);
    return 0;
}
