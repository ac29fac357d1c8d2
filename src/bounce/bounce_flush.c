/* bounce_flush - tell the fast flush service about a deferral.
 *
 * Postfix's agents and qmgr call flush_add(domain, queue_id) in
 * defer_append() after each recipient they defer, when the recipient's
 * domain matches $fast_flush_domains (the check is in the client, so
 * that other domains cost no connection); the flush service logs the
 * queue id for ETRN / "sendmail -qR" / "postqueue -s" (src/flush/).
 * Postern does it in the one place every deferral passes: the defer
 * service's append (bounce_append.c), after the defer log record is on
 * disk, so agents, qmgr and anything added later get it without code of
 * their own. A failure is logged as Postfix's agents log it ("QID: flush
 * service failure") and changes nothing else: the recipient is deferred
 * either way, and the deferred queue run still delivers it. */
#include <string.h>

#include "bounce.h"
#include "flush_clnt.h"
#include "mail_params.h"
#include "match_list.h"
#include "msg.h"

/* bounce_flush_domains - $fast_flush_domains, parsed once; NULL when the
 * list is empty or broken (the reason logged once) */
static MATCH_LIST *
bounce_flush_domains(void)
{
    static MATCH_LIST *list;
    static int done;
    BUF    *why;

    if (done)
        return list;
    done = 1;
    if (*var_fast_flush_domains == 0)
        return NULL;
    why = buf_alloc(100);
    if ((list = match_list_create("fast_flush_domains", MATCH_DOMAIN,
                                  var_fast_flush_domains,
                                  MATCH_FLAG_PARENT_STYLE, why)) == NULL)
        msg_warn("%s", buf_str(why));
    buf_free(why);
    return list;
}

/* bounce_flush_add - log queue_id for the domain of recipient */
void
bounce_flush_add(const char *queue_id, const char *recipient)
{
    const char *domain = strrchr(recipient, '@');
    MATCH_LIST *list = bounce_flush_domains();
    BUF    *why;
    BUF    *path;
    int     match;

    if (list == NULL || domain == NULL || *++domain == 0)
        return;
    why = buf_alloc(100);
    if ((match = match_list_match(list, domain, NULL, why)) < 0)
        msg_warn("fast_flush_domains: %s", buf_str(why));
    if (match > 0) {
        path = buf_alloc(100);
        buf_sprintf(path, "public/%s", var_flush_service_name);
        if (flush_add(buf_str(path), domain, queue_id, var_ipc_timeout, why)
            != FLUSH_STAT_OK) {
            if (buf_len(why) && msg_verbose)
                msg_info("%s", buf_str(why));
            msg_warn("%s: %s service failure", queue_id,
                     var_flush_service_name);
        }
        buf_free(path);
    }
    buf_free(why);
}
