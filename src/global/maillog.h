/* maillog - set up a program's logging the way Postfix does.
 *
 * With maillog_file empty, messages go to syslog with the tag
 * "$syslog_name/NAME" and facility $syslog_facility. With maillog_file
 * set, each line is formatted as Postfix writes it
 * ("Mon DD HH:MM:SS host SYSLOG_NAME/NAME[PID]: text") and sent as a
 * datagram to the postlog service
 * ($queue_directory/public/$postlog_service_name), which appends it to
 * the file; when postlogd cannot be reached the line is appended to the
 * file directly if this process may open it (it matches
 * $maillog_file_prefixes and the permissions allow it), else it goes to
 * stderr. See docs/logging.md.
 *
 * NAME is the PROCESS name (the program, argv[0]'s base name: "smtpd"),
 * never the master.cf service name: as in Postfix, a service
 * "submission ... smtpd -o syslog_name=postfix/submission" logs as
 * "postfix/submission/smtpd[PID]". When NAME already starts with
 * "$syslog_name/" (or equals it) it is used as the whole tag.
 *
 * The host is $myhostname as it is (Postfix does the same for
 * maillog_file); the time stamp is local time, "%b %d %H:%M:%S". */
#ifndef MAILLOG_H
#define MAILLOG_H

#include "buf.h"

/* Longest line postlogd writes (longer datagrams are cut). */
#define MAILLOG_LINE_MAX        8192

/* maillog_init - after mail_params_init(); name is the process name
 * ("master", "smtpd", "postconf"; a path is reduced to its base name).
 * Replaces every msg output channel. If also_stderr, messages are copied
 * to stderr ("postconf: warning: ..."). May be called again (reload,
 * -o overrides). */
void    maillog_init(const char *name, int also_stderr);

/* maillog_format - the log line without the newline (for postlogd,
 * the postlog command and tests); uses the host of maillog_init(), else
 * $myhostname, else the system host name */
void    maillog_format(BUF *line, const char *tag, int pid, const char *text);

/* maillog_tag - the syslog tag maillog_init() chose ("postfix/smtpd") */
const char *maillog_tag(void);

/* maillog_set_fd - write this process's own lines straight to fd (used by
 * postlogd, which must not send datagrams to itself); -1 to stop */
void    maillog_set_fd(int fd);

/* maillog_stderr_fallback - whether lines that reach neither postlogd nor
 * the file go to stderr (default on; off for programs that already copy
 * messages to stderr in their own format) */
void    maillog_stderr_fallback(int on);

/* maillog_file_allowed - whether path starts with one of the prefixes
 * (comma or space separated, as maillog_file_prefixes); 0, or -1 with
 * the reason in why */
int     maillog_file_allowed(const char *path, const char *prefixes, BUF *why);

/* maillog_file_open - open path for appending (close-on-exec, created
 * 0600, never through a symlink); "/dev/stdout" duplicates descriptor 1.
 * The descriptor, or -1 with the reason in why. */
int     maillog_file_open(const char *path, BUF *why);

#endif
