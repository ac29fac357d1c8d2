/* verify_probe - queue an address probe through cleanup.
 *
 * The records are those Postfix 3.7's verify daemon sends (observed,
 * docs/verify.md): cleanup flags "map ok" (address mappings apply, as
 * for real mail), the arrival time, "log_message_origin=local",
 * "trace_flags=256" (DEL_REQ_FLAG_MTA_VRFY: the agents only report what
 * they would do, to this service), the sender, the address, and a
 * content of only the Received: and Date: headers. qmgr and the agents
 * do the rest; the agents' answers come back as update requests. */
#include <sys/time.h>
#include <string.h>
#include <time.h>

#include "cleanup_clnt.h"
#include "deliver_request.h"
#include "mail_date.h"
#include "mail_params.h"
#include "rec_stream.h"
#include "rec_type.h"
#include "verify.h"

/* verify_probe_records - everything after the greeting; 0 or -1 */
static int
verify_probe_records(STREAM *sp, const char *queue_id, const char *sender,
                     const char *addr)
{
    struct timeval now;
    BUF    *date = buf_alloc(40);
    int     ret;

    gettimeofday(&now, NULL);
    ret = rec_printf(sp, REC_TYPE_TIME, "%ld %ld", (long) now.tv_sec,
                     (long) now.tv_usec) < 0
        || rec_puts(sp, REC_TYPE_ATTR, "log_message_origin=local") < 0
        || rec_printf(sp, REC_TYPE_ATTR, "trace_flags=%d",
                      DEL_REQ_FLAG_MTA_VRFY) < 0
        || rec_puts(sp, REC_TYPE_FROM, sender) < 0
        || rec_puts(sp, REC_TYPE_RCPT, addr) < 0
        || rec_puts(sp, REC_TYPE_MESG, "") < 0
        || rec_printf(sp, REC_TYPE_NORM, "Received: by %s (%s)",
                      var_myhostname, var_mail_name) < 0
        || rec_printf(sp, REC_TYPE_NORM, "\tid %s; %s", queue_id,
                      mail_date(date, now.tv_sec)) < 0
        || rec_printf(sp, REC_TYPE_NORM, "Date: %s", buf_str(date)) < 0
        || rec_puts(sp, REC_TYPE_XTRA, "") < 0
        || rec_puts(sp, REC_TYPE_END, "") < 0 ? -1 : 0;
    buf_free(date);
    return ret;
}

/* verify_probe_sender - the probe sender: $address_verify_sender, ""
 * for "<>"; with $address_verify_sender_ttl, the number of whole TTLs
 * since the epoch in Postfix's base 31 digits goes at the end of the
 * local part (double-bounceJR91@example.com), so that the sender changes
 * now and then, as in Postfix */
static void
verify_probe_sender(BUF *sender, time_t now)
{
    static const char digits[] = "0123456789BCDFGHJKLMNPQRSTVWXYZ";
    const char *at = strrchr(var_address_verify_sender, '@');
    char    num[32];
    size_t  len = sizeof(num) - 1;
    unsigned long count;

    buf_reset(sender);
    if (strcmp(var_address_verify_sender, "<>") == 0
        || *var_address_verify_sender == 0)
        return;
    if (var_address_verify_sender_ttl <= 0 || at == NULL)
        at = var_address_verify_sender + strlen(var_address_verify_sender);
    buf_append(sender, var_address_verify_sender,
               (size_t) (at - var_address_verify_sender));
    if (var_address_verify_sender_ttl > 0) {
        num[len] = 0;
        for (count = (unsigned long) now / var_address_verify_sender_ttl;
             count != 0 && len > 0; count /= 31)
            num[--len] = digits[count % 31];
        buf_strcat(sender, num + len);
    }
    buf_strcat(sender, at);
}

/* verify_probe - one probe message */
int
verify_probe(const char *addr, BUF *why)
{
    BUF    *path = buf_alloc(30);
    BUF    *sender = buf_alloc(100);
    CLEANUP_CLNT *cc;
    int     ret = -1;

    buf_sprintf(path, "public/%s", var_cleanup_service_name);
    verify_probe_sender(sender, time(NULL));
    if ((cc = cleanup_open(buf_str(path), var_ipc_timeout,
                           CLEANUP_FLAG_MAP_OK, why)) != NULL) {
        if (verify_probe_records(cleanup_stream(cc), cleanup_queue_id(cc),
                                 buf_str(sender), addr) < 0) {
            buf_strcpy(why, "lost connection to cleanup");
            cleanup_abort(cc);
        } else {
            ret = cleanup_close(cc, why) == 0 ? 0 : -1;
        }
    }
    buf_free(path);
    buf_free(sender);
    return ret;
}
