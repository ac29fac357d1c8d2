/* bounce_template - the words of the notices, in one place.
 *
 * Each kind of notice has a template with the fields of Postfix's
 * bounce templates (man 5 bounce): the charset of the text, the From:
 * and Subject: headers, the subject of postmaster copies, and the text
 * that opens the human-readable part (postmaster copies leave it out).
 * The headers and subjects are Postfix's, because people and programs
 * recognise notices by them; the text is Postern's own.
 * bounce_template_file replaces them (bounce_template_file.c).
 *
 * The text may refer to main.cf parameters ($myhostname) and, as in
 * Postfix's templates, to $delay_warning_time_UNIT and
 * $maximal_queue_lifetime_UNIT (the time in whole UNITs: seconds,
 * minutes, hours, days, weeks). Postern adds $..._text forms that pick
 * the largest unit that fits exactly ("4 hours", "90 minutes"), so a
 * short delay_warning_time does not read "0 hour(s)". */
#include <string.h>

#include "bounce.h"
#include "mac_expand.h"
#include "mail_conf.h"

#define BOUNCE_TEXT_OPENING \
    "This message was generated automatically by the mail system at\n" \
    "$myhostname.\n\n"

#define BOUNCE_TEXT_HELP \
    "If you need help, write to the postmaster of this site and include\n" \
    "this report.\n"

#define BOUNCE_FROM     "Mail Delivery System <MAILER-DAEMON>"

static const BOUNCE_TEMPLATE bounce_templates[] = {
    [BOUNCE_NOTICE_FAILURE] = {
        "utf-8", BOUNCE_FROM,
        "Undelivered Mail Returned to Sender",
        "Postmaster Copy: Undelivered Mail",
        BOUNCE_TEXT_OPENING
        "Your message could not be delivered to one or more of its\n"
        "recipients. They are listed below with the reasons. Your message,\n"
        "or its header when it is large, is attached.\n\n"
        BOUNCE_TEXT_HELP,
        "Undelivered Message", "Undelivered Message Headers",
    },
    [BOUNCE_NOTICE_DELAY] = {
        "utf-8", BOUNCE_FROM,
        "Delayed Mail (still being retried)",
        "Postmaster Warning: Delayed Mail",
        BOUNCE_TEXT_OPENING
        "*** This is only a warning: you do not need to send your message\n"
        "*** again.\n\n"
        "Your message has not yet reached the recipients listed below. It\n"
        "has been waiting for more than $delay_warning_time_text.\n\n"
        "The mail system keeps trying until the message is\n"
        "$maximal_queue_lifetime_text old, and will tell you if it has to\n"
        "give up.\n\n"
        BOUNCE_TEXT_HELP,
        "Undelivered Message", "Undelivered Message Headers",
    },
    [BOUNCE_NOTICE_SUCCESS] = {
        "utf-8", BOUNCE_FROM,
        "Successful Mail Delivery Report",
        "Successful Mail Delivery Report",
        BOUNCE_TEXT_OPENING
        "Your message was delivered to the recipients listed below. Where\n"
        "it went into a mailbox, delivery is complete. Where it was handed\n"
        "on to another system, that system may still report a problem.\n",
        "Message", "Message Headers",
    },
    [BOUNCE_NOTICE_VERIFY] = {
        "utf-8", BOUNCE_FROM,
        "Mail Delivery Status Report",
        "Mail Delivery Status Report",
        BOUNCE_TEXT_OPENING
        "Here is the delivery report that you asked for.\n",
        "Message", "Message Headers",
    },
};

/* Time units, largest first. */
static const struct {
    const char *name;                   /* the template suffix */
    const char *word;                   /* singular, for the _text form */
    long    seconds;
} bounce_units[] = {
    {"weeks", "week", 7 * 86400},
    {"days", "day", 86400},
    {"hours", "hour", 3600},
    {"minutes", "minute", 60},
    {"seconds", "second", 1},
};

#define BOUNCE_UNITS    (sizeof(bounce_units) / sizeof(bounce_units[0]))

/* Expansion state: the settings, and room for one computed value. */
typedef struct BOUNCE_EXPAND {
    const BOUNCE_CONF *conf;
    BUF    *value;
} BOUNCE_EXPAND;

/* bounce_template_builtin - the built-in template of a kind */
const BOUNCE_TEMPLATE *
bounce_template_builtin(BOUNCE_NOTICE_KIND kind)
{
    return &bounce_templates[kind];
}

/* bounce_template - the template of a kind: bounce_template_file's, or
 * the built-in one */
const BOUNCE_TEMPLATE *
bounce_template(BOUNCE_NOTICE_KIND kind)
{
    const BOUNCE_TEMPLATE *t = bounce_template_loaded(kind);

    return t ? t : &bounce_templates[kind];
}

/* bounce_time_text - seconds in the largest unit that fits exactly */
static void
bounce_time_text(BUF *bp, long seconds)
{
    size_t  i;

    for (i = 0; i < BOUNCE_UNITS - 1; i++)
        if (seconds >= bounce_units[i].seconds
            && seconds % bounce_units[i].seconds == 0)
            break;
    seconds /= bounce_units[i].seconds;
    buf_sprintf(bp, "%ld %s%s", seconds, bounce_units[i].word,
                seconds == 1 ? "" : "s");
}

/* bounce_time_value - name is PREFIX_UNIT or PREFIX_text for one of the
 * two time parameters: its value into bp; false for other names */
static bool
bounce_time_value(BUF *bp, const BOUNCE_CONF *conf, const char *name)
{
    static const char *const prefixes[] = {
        "delay_warning_time_", "maximal_queue_lifetime_",
    };
    long    values[] = {conf->delay_warning_time, conf->max_queue_lifetime};

    for (size_t p = 0; p < 2; p++) {
        size_t  len = strlen(prefixes[p]);

        if (strncmp(name, prefixes[p], len) != 0)
            continue;
        if (strcmp(name + len, "text") == 0) {
            bounce_time_text(bp, values[p]);
            return true;
        }
        for (size_t i = 0; i < BOUNCE_UNITS; i++) {
            if (strcmp(name + len, bounce_units[i].name) == 0) {
                buf_sprintf(bp, "%ld", values[p] / bounce_units[i].seconds);
                return true;
            }
        }
    }
    return false;
}

/* bounce_expand_lookup - mac_expand() callback */
static const char *
bounce_expand_lookup(const char *name, void *ctx)
{
    BOUNCE_EXPAND *ex = ctx;

    if (bounce_time_value(ex->value, ex->conf, name))
        return buf_str(ex->value);
    return mail_conf_lookup(name);
}

/* bounce_template_expand - text with $name expanded */
int
bounce_template_expand(BUF *result, const BOUNCE_CONF *conf,
                       const char *text, BUF *why)
{
    BOUNCE_EXPAND ex = {conf, buf_alloc(20)};
    int     ret;

    ret = mac_expand(result, text, bounce_expand_lookup, NULL, &ex, why);
    buf_free(ex.value);
    return ret;
}
