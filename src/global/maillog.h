/* maillog - set up a program's logging the way Postfix does.
 *
 * With maillog_file empty, messages go to syslog with the tag
 * "$syslog_name/SERVICE" and facility $syslog_facility. With maillog_file
 * set, each line is formatted as Postfix writes it
 * ("Mon DD HH:MM:SS host SYSLOG_NAME/SERVICE[PID]: text") and sent as a
 * datagram to the postlog service ($queue_directory/public/$postlog_service_name
 * or private/), which appends it to the file; when postlogd cannot be
 * reached the line is appended to the file directly. */
#ifndef MAILLOG_H
#define MAILLOG_H

/* maillog_init - after mail_params_init(); service is the program or
 * service name ("master", "smtpd", "postconf"). If also_stderr, messages
 * are copied to stderr ("postconf: warning: ..."). */
void    maillog_init(const char *service, int also_stderr);

/* maillog_format - the log line without the newline (for postlogd,
 * the postlog command and tests) */
struct BUF;
void    maillog_format(struct BUF *line, const char *tag, int pid,
                       const char *text);

#endif
