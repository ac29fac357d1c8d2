/* hdr_rcpt - recipients from message headers (sendmail -t) and addresses
 * from address lists (sendmail's command line).
 *
 * hdr_rcpt_parse() reads an RFC 5322 address list the way a mail user
 * agent writes one: "a@x, Name <b@y>, "Quoted Name" <c@z> (comment),
 * group: d@w, e@v;", with tok822_parse (see tok822.h for the rules, as
 * observed from Postfix's cleanup). Each address is appended in internal
 * form: the part in angle brackets if there is one, otherwise the words
 * outside comments, without quotes or white space ('"a b"@x' becomes
 * 'a b@x'). This is what Postfix's cleanup records as the original
 * recipient: no rewriting is done here, so a source route stays
 * ("<@r1,@r2:a@x>" gives "@r1,@r2:a@x"; trivial-rewrite's rules, see
 * rewrite_addr.h, drop it later) and an unclosed '<' stays part of the
 * address. Empty addresses ("<>", ",,", "team:;") are skipped.
 *
 * A HDR_RCPT collects the header lines of a message (folded lines
 * included) until the first line that is not a header, and returns the
 * addresses of To:, Cc: and Bcc:, or of Resent-To:, Resent-Cc: and
 * Resent-Bcc: when any of those was present (the message was resent,
 * so the Resent- headers name its recipients). Header names ignore case.
 * Library code: nothing here exits. */
#ifndef HDR_RCPT_H
#define HDR_RCPT_H

#include <stdbool.h>
#include <stddef.h>

#include "argv.h"

typedef struct HDR_RCPT HDR_RCPT;

/* hdr_rcpt_parse - append the addresses in an address list to out */
void    hdr_rcpt_parse(const char *text, size_t len, ARGV *out);

/* hdr_rcpt_create - start collecting header lines */
HDR_RCPT *hdr_rcpt_create(void);

/* hdr_rcpt_line - one physical header line without its line end; false
 * when the line is not part of a header (the header section is over:
 * later calls are ignored). The signature fits REC_TEXT_HDR_FN. */
bool    hdr_rcpt_line(const char *line, size_t len, void *hr);

/* hdr_rcpt_finish - the recipients found (caller frees); frees hr */
ARGV   *hdr_rcpt_finish(HDR_RCPT *hr);

#endif
