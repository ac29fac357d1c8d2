/* smtp_pass - what greeter(8) tells smtpd with a client it hands over.
 *
 * greeter sends the 220 greeting itself, holds the session while the
 * client is silent, and passes the connection to the smtpd "pass"
 * service (fd_pass.h) with one of these tags when the client speaks,
 * leaves, or stays silent too long. A descriptor passed with tag 0 (by
 * another program) has not been greeted: smtpd greets it as usual. */
#ifndef SMTP_PASS_H
#define SMTP_PASS_H

#define SMTP_PASS_GREETED       'G'     /* greeted; the client then spoke
                                         * or hung up */
#define SMTP_PASS_EARLY         'E'     /* ... but it had spoken before
                                         * the greeting was sent */
#define SMTP_PASS_SILENT        'T'     /* greeted; silent for
                                         * smtpd_timeout */

#endif
