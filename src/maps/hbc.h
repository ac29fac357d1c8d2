/* hbc - header and body checks: the lookup-and-decide part of cleanup's
 * content inspection (header_checks, mime_header_checks,
 * nested_header_checks, body_checks; man 5 header_checks).
 *
 * cleanup hands each logical header and each body line to
 * hbc_check_header or hbc_check_body, gets back what the table says
 * (an HBC_ACTION), applies it to its own state, and logs it with
 * hbc_log_action. This module only chooses the table, looks the text up
 * and parses the result; it keeps no per-message state.
 *
 * Behaviour and wording follow Debian's Postfix 3.7 cleanup as observed
 * (docs/content-checks.md):
 *  - A table result is "ACTION optional text"; the action word is case
 *    insensitive and ends at white space or the end of the result. OK is
 *    the same as DUNNO. DEFER and unknown words are warned about
 *    ("unknown command in header_checks map: TEXT") and the line is
 *    passed unchanged, as after DUNNO.
 *  - REJECT text may start with an enhanced status code "D.S.S" (class
 *    2, 4 or 5, one to three digits each, then white space or the end);
 *    without one "5.7.1" is used, and without text the reply is
 *    "5.7.1 message content rejected". A class 2 code is warned about
 *    and becomes class 4. SMTP reply codes ("550") are not recognized.
 *  - Bad arguments are warned about and the line passed unchanged.
 *  - A table that fails makes the message fail: cleanup defers it.
 *
 * Warnings name the table by the title of its MAPS, which must be the
 * parameter name ("header_checks"); hbc_tables_create does that.
 * Library code: nothing here exits. */
#ifndef HBC_H
#define HBC_H
#include <stdbool.h>

#include "buf.h"
#include "maps.h"

/* What a table result asks for. */
typedef enum HBC_CODE {
    HBC_DUNNO,                          /* no match, DUNNO, OK, bad action */
    HBC_REJECT,                         /* reject; text is the reply */
    HBC_WARN,                           /* log "warning:" */
    HBC_INFO,                           /* log "info:" */
    HBC_HOLD,                           /* put the message on hold */
    HBC_DISCARD,                        /* claim delivery, drop it */
    HBC_PASS,                           /* stop all content inspection */
    HBC_IGNORE,                         /* delete the line, silently */
    HBC_STRIP,                          /* delete the line, log "strip:" */
    HBC_REPLACE,                        /* replace the line with text */
    HBC_PREPEND,                        /* insert text before the line */
    HBC_REDIRECT,                       /* send to text (user@domain) */
    HBC_FILTER,                         /* content filter text
                                         * (transport:destination) */
    HBC_BCC,                            /* add text as a BCC recipient */
} HBC_CODE;

/* A parsed table result. REJECT, DISCARD and PASS end all header and
 * body inspection of the message; the other actions go on with the next
 * line. */
typedef struct HBC_ACTION {
    HBC_CODE code;
    BUF    *text;                       /* argument or optional text ("" if
                                         * none); REJECT: "D.S.S text" */
    bool    defer;                      /* REJECT with a class 4 code */
} HBC_ACTION;

/* Which part of the message a line belongs to (hbc_parse, hbc_log). */
#define HBC_WHAT_HEADER     0
#define HBC_WHAT_BODY       1

/* Header classes, as the MIME parser reports them. */
#define HBC_CLASS_PRIMARY   1           /* the message's own headers */
#define HBC_CLASS_MULTIPART 2           /* headers of a multipart part */
#define HBC_CLASS_NESTED    3           /* headers of an attached message */

/* The four tables; NULL where the parameter is empty. */
typedef struct HBC_TABLES {
    MAPS   *header_checks;
    MAPS   *mime_header_checks;
    MAPS   *nested_header_checks;
    MAPS   *body_checks;
} HBC_TABLES;

/* The parameter values the tables come from (expanded main.cf values). */
typedef struct HBC_SETTINGS {
    const char *header_checks;          /* default "" */
    const char *mime_header_checks;     /* default "$header_checks" */
    const char *nested_header_checks;   /* default "$header_checks" */
    const char *body_checks;            /* default "" */
    int     dict_flags;                 /* DICT_FLAG_DEFAULT */
} HBC_SETTINGS;

/* Who the message came from, for the log line. */
typedef struct HBC_LOG_CTX {
    const char *client;                 /* "name[addr]", NULL: "local" */
    const char *sender;                 /* NULL: not shown; "" is <> */
    const char *recipient;              /* the last one so far, or NULL */
    const char *proto;                  /* "ESMTP", or NULL */
    const char *helo;                   /* or NULL */
} HBC_LOG_CTX;

/* hbc_action_alloc - an action with an empty text; hbc_action_free */
HBC_ACTION *hbc_action_alloc(void);
void    hbc_action_free(HBC_ACTION *act);

/* hbc_tables_create - open the tables of the non-empty settings (titled
 * with their parameter names; tables that cannot be opened fail every
 * lookup, see maps.h); hbc_tables_free closes them */
HBC_TABLES *hbc_tables_create(const HBC_SETTINGS *settings);
void    hbc_tables_free(HBC_TABLES *tables);

/* hbc_parse - parse the table result value for a header or body line
 * (what) of the table titled title into act. Returns 0; 1 when act is
 * usable but why holds a warning to log (a class 2 REJECT code); -1 when
 * the result is unusable: act is DUNNO and why holds the warning that
 * Postfix logs (unknown command, missing or bad argument). */
int     hbc_parse(const char *value, const char *title, int what,
                  HBC_ACTION *act, BUF *why);

/* hbc_check_header - look up one logical header (without its final
 * newline) in the table of its class: mime_header_checks for MIME
 * headers (is_mime) and for every header of a multipart part,
 * nested_header_checks for the other headers of attached messages,
 * header_checks for the other primary headers. Each header is looked up
 * in exactly one table, also when several parameters name the same
 * tables. Returns 0 with act set (HBC_DUNNO when nothing applies; table
 * content problems are logged with msg_warn), or -1 when the table
 * failed, with "TITLE map lookup problem -- message not accepted, try
 * again later" in why: cleanup logs "QUEUE_ID: " and that as a warning
 * and answers with a temporary failure. */
int     hbc_check_header(const HBC_TABLES *tables, int header_class,
                         bool is_mime, const char *header, HBC_ACTION *act,
                         BUF *why);

/* hbc_check_body - the same for one body line in body_checks */
int     hbc_check_body(const HBC_TABLES *tables, const char *line,
                       HBC_ACTION *act, BUF *why);

/* hbc_log - format Postfix's log line for an action into out:
 * "QUEUE_ID: WORD: WHAT LINE from CLIENT; from=<S> to=<R> proto=P
 * helo=<H>: TEXT" with LINE cut to 200 bytes, the parts that ctx lacks
 * left out, ": TEXT" only when text is non-empty, and every byte that is
 * neither printable ASCII nor part of a UTF-8 sequence shown as '?' */
void    hbc_log(BUF *out, const char *queue_id, const char *action_word,
                int what, const char *line, const HBC_LOG_CTX *ctx,
                const char *text);

/* hbc_log_word - the word an action is logged with ("reject",
 * "warning", ...), or NULL for actions that are not logged (DUNNO,
 * IGNORE) */
const char *hbc_log_word(HBC_CODE code);

/* hbc_log_action - log act with msg_info as cleanup does (nothing for
 * actions that are not logged) */
void    hbc_log_action(const char *queue_id, const HBC_ACTION *act, int what,
                       const char *line, const HBC_LOG_CTX *ctx);

#endif
