/* qmgr_flow - the inflow tokens that let cleanup take new mail.
 *
 * cleanup takes one token per message and waits up to $in_flow_delay
 * when there is none (mail_flow.h). qmgr hands out a token for each
 * message it takes from incoming, so intake follows delivery; once
 * incoming is drained the pipe is topped up to $default_process_limit,
 * so an idle system accepts a burst without delay, and anything above
 * that is taken back so tokens do not pile up. */
#include "mail_flow.h"
#include "mail_params.h"
#include "qmgr.h"

/* qmgr_flow_tokens - after a feed that took new_mail from incoming */
void
qmgr_flow_tokens(int new_mail, bool incoming_drained)
{
    ssize_t count;

    if (var_in_flow_delay <= 0 || (count = mail_flow_count()) < 0)
        return;
    if (count < var_default_process_limit) {
        if (new_mail > 0)
            (void) mail_flow_put((size_t) new_mail);
        else if (incoming_drained)
            (void) mail_flow_put((size_t) (var_default_process_limit
                                           - count));
    } else if (count > var_default_process_limit) {
        (void) mail_flow_get((size_t) (count - var_default_process_limit));
    }
}
