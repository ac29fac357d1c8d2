/* dsn - the delivery status of one recipient, as an agent reports it.
 *
 * Every delivery result carries an RFC 3463 enhanced status code
 * ("2.0.0", "4.4.1", "5.1.1"), an RFC 3464 action ("delivered",
 * "failed", "delayed", "relayed", "expanded", and for address
 * verification "deliverable"/"undeliverable"), and the human-readable
 * reason that goes into the log line and the notices. When the result
 * came from a remote server, the diagnostic (type "smtp" and the reply
 * text) and the remote MTA (type "dns" and its name) are added; empty
 * strings otherwise. The pointers are borrowed: whoever fills a DSN owns
 * the text. */
#ifndef DSN_H
#define DSN_H

#include <stddef.h>

typedef struct DSN {
    const char *status;                 /* "2.0.0", "4.4.1", "5.1.1" */
    const char *action;                 /* "delivered", "failed", ... */
    const char *reason;                 /* human text, for logs/notices */
    const char *dtype;                  /* diagnostic type: "smtp" or "" */
    const char *dtext;                  /* diagnostic text or "" */
    const char *mtype;                  /* remote MTA type: "dns" or "" */
    const char *mname;                  /* remote MTA name or "" */
} DSN;

/* The DSN NOTIFY bits, as on the wire and in queue files. */
#define DSN_NOTIFY_NEVER        (1<<0)
#define DSN_NOTIFY_SUCCESS      (1<<1)
#define DSN_NOTIFY_FAILURE      (1<<2)
#define DSN_NOTIFY_DELAY        (1<<3)

/* The DSN RET values. */
#define DSN_RET_FULL            1
#define DSN_RET_HDRS            2

/* dsn_class - the class digit of an enhanced status code: '2', '4' or
 * '5'; 0 when status is not a well-formed code */
#define DSN_CLASS(status) \
    (((status)[0] == '2' || (status)[0] == '4' || (status)[0] == '5') \
     && (status)[1] == '.' ? (status)[0] : 0)

/* Room for the longest code, "5.999.999", and its NUL. */
#define DSN_STATUS_SIZE         10

/* dsn_valid - the length of the enhanced status code at the start of
 * text: a class digit 2, 4 or 5, then ".N.N" with 1-3 digits each,
 * followed by the end of text or white space; 0 when there is none */
size_t  dsn_valid(const char *text);

/* dsn_split - split "[X.Y.Z] text", the form of the error(8) and
 * discard(8) next-hop (white space around the code is skipped): the code
 * goes into status (def when text starts with none); returns the text
 * after it, which may be "" */
const char *dsn_split(char status[DSN_STATUS_SIZE], const char *def,
                      const char *text);

#endif
