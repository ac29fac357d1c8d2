/* msg - logging with five levels of fixed meaning.
 *
 * Formats a message once and hands it to every output channel. With no
 * channel registered, text goes to stderr so that nothing is lost. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "msg.h"
#include "msg_output.h"

int     msg_verbose = 0;

#define MSG_MAX_OUTPUT  4
#define MSG_TEXT_MAX    4096

static MSG_OUTPUT_FN msg_outputs[MSG_MAX_OUTPUT];
static int msg_output_count;
static MSG_CLEANUP_FN msg_cleanup_fn;
static int msg_error_count;
static int msg_error_max = 13;
static int msg_in_fatal;
static int msg_fatal_delay;

/* msg_output_add - register a channel (duplicates are ignored) */
void
msg_output_add(MSG_OUTPUT_FN fn)
{
    for (int i = 0; i < msg_output_count; i++)
        if (msg_outputs[i] == fn)
            return;
    if (msg_output_count >= MSG_MAX_OUTPUT)
        msg_panic("msg_output_add: too many output channels");
    msg_outputs[msg_output_count++] = fn;
}

/* msg_output_remove - unregister a channel */
void
msg_output_remove(MSG_OUTPUT_FN fn)
{
    for (int i = 0; i < msg_output_count; i++) {
        if (msg_outputs[i] == fn) {
            memmove(msg_outputs + i, msg_outputs + i + 1,
                    (msg_output_count - i - 1) * sizeof(msg_outputs[0]));
            msg_output_count--;
            return;
        }
    }
}

/* msg_output_reset - unregister every channel */
void
msg_output_reset(void)
{
    msg_output_count = 0;
}

/* msg_level_prefix - the text that Postfix puts before a message */
const char *
msg_level_prefix(enum msg_level level)
{
    static const char *const prefix[] = {
        "", "warning: ", "error: ", "fatal: ", "panic: ",
    };

    return prefix[level];
}

/* msg_printable - see msg.h */
void
msg_printable(char *text, size_t len)
{
    unsigned char *cp = (unsigned char *) text;
    unsigned char *end = cp + len;

    for (; cp < end; cp++) {
        if (*cp >= ' ' && *cp < 0x7f)
            continue;
        if (*cp >= 0xc2 && *cp <= 0xfe && cp + 1 < end
            && (cp[1] & 0xc0) == 0x80) {
            while (cp + 1 < end && (cp[1] & 0xc0) == 0x80)
                cp++;
            continue;
        }
        *cp = '?';
    }
}

/* msg_vprintf - format once, send to every channel */
void
msg_vprintf(enum msg_level level, const char *fmt, va_list ap)
{
    char    text[MSG_TEXT_MAX];
    int     saved_errno = errno;

    vsnprintf(text, sizeof(text), fmt, ap);
    /* Logged text comes from peers; never log control bytes raw. */
    msg_printable(text, strlen(text));
    if (msg_output_count == 0)
        fprintf(stderr, "%s%s\n", msg_level_prefix(level), text);
    for (int i = 0; i < msg_output_count; i++)
        msg_outputs[i] (level, text);
    errno = saved_errno;
}

/* msg_info - log an informational message */
void
msg_info(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    msg_vprintf(MSG_INFO, fmt, ap);
    va_end(ap);
}

/* msg_warn - log a recoverable problem */
void
msg_warn(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    msg_vprintf(MSG_WARN, fmt, ap);
    va_end(ap);
}

/* msg_error - log a counted problem; too many end the process */
void
msg_error(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    msg_vprintf(MSG_ERROR, fmt, ap);
    va_end(ap);
    if (++msg_error_count >= msg_error_max)
        msg_fatal("too many errors - program terminated");
}

/* msg_error_limit - set the error count limit */
void
msg_error_limit(int limit)
{
    msg_error_max = limit;
}

/* msg_cleanup - set the function that runs before a fatal exit */
MSG_CLEANUP_FN
msg_cleanup(MSG_CLEANUP_FN fn)
{
    MSG_CLEANUP_FN old = msg_cleanup_fn;

    msg_cleanup_fn = fn;
    return old;
}

/* msg_fatal_sleep - pause before a fatal exit (daemons: slow a restart loop) */
void
msg_fatal_sleep(int seconds)
{
    msg_fatal_delay = seconds;
}

/* msg_vfatal - log once, run the cleanup hook once, exit */
static void MSG_NORETURN MSG_PRINTF(2, 0)
msg_vfatal(int status, const char *fmt, va_list ap)
{
    if (msg_in_fatal++ == 0) {
        msg_vprintf(MSG_FATAL, fmt, ap);
        if (msg_cleanup_fn)
            msg_cleanup_fn();
    }
    if (msg_fatal_delay > 0)
        sleep(msg_fatal_delay);
    _exit(status);
}

/* msg_fatal_status - log, clean up, exit with the given status */
void
msg_fatal_status(int status, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    msg_vfatal(status, fmt, ap);
}

/* msg_fatal - log, clean up, exit 1 */
void
msg_fatal(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    msg_vfatal(1, fmt, ap);
}

/* msg_panic - log a broken invariant and abort */
void
msg_panic(const char *fmt, ...)
{
    va_list ap;

    if (msg_in_fatal++ == 0) {
        va_start(ap, fmt);
        msg_vprintf(MSG_PANIC, fmt, ap);
        va_end(ap);
    }
    abort();
}
