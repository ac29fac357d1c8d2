/* msg - logging with five levels of fixed meaning.
 *
 * info:  normal events.
 * warn:  recoverable problems, usually a peer or data problem.
 * error: counted problems; too many end the process.
 * fatal: environment or configuration problems: run the cleanup hook,
 *        exit 1 (master throttles the service).
 * panic: a broken invariant: abort().
 *
 * Text goes to every registered output channel (stderr, syslog, the
 * maillog_file through postlogd); see msg_output.h. */
#ifndef MSG_H
#define MSG_H

#include <stdarg.h>
#include <stddef.h>

#define MSG_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define MSG_NORETURN     __attribute__((noreturn))

enum msg_level {
    MSG_INFO, MSG_WARN, MSG_ERROR, MSG_FATAL, MSG_PANIC
};

extern int msg_verbose;                 /* -v count */

void msg_info(const char *fmt, ...) MSG_PRINTF(1, 2);
void msg_warn(const char *fmt, ...) MSG_PRINTF(1, 2);
void msg_error(const char *fmt, ...) MSG_PRINTF(1, 2);
void msg_fatal(const char *fmt, ...) MSG_PRINTF(1, 2) MSG_NORETURN;
void msg_fatal_status(int status, const char *fmt, ...) MSG_PRINTF(2, 3) MSG_NORETURN;
void msg_panic(const char *fmt, ...) MSG_PRINTF(1, 2) MSG_NORETURN;
/* msg_printable - replace with '?' each byte that is neither printable
 * ASCII nor part of a UTF-8 sequence (a lead byte 0xc2-0xfe and the
 * continuation bytes after it), as Postfix shows peer text in its logs;
 * every log line goes through it */
void msg_printable(char *text, size_t len);
void msg_vprintf(enum msg_level level, const char *fmt, va_list ap) MSG_PRINTF(2, 0);

/* msg_cleanup - function that fatal runs before exit (e.g. remove a temp file) */
typedef void (*MSG_CLEANUP_FN) (void);
MSG_CLEANUP_FN msg_cleanup(MSG_CLEANUP_FN fn);

/* msg_fatal_sleep - seconds to pause before a fatal exit (default 0) */
void msg_fatal_sleep(int seconds);

/* msg_error_limit - how many msg_error() calls before the process ends */
void msg_error_limit(int limit);

#endif
