/* cleanup_extracted - records after the content ('X'), and the end.
 *
 * The client's extracted records are recipients taken from the headers
 * (sendmail -t) and attributes. At the end cleanup adds the blind copies
 * of always_bcc and the BCC action, then the end record; the size record
 * at the start of the file is filled in. */
#include <string.h>

#include "cleanup.h"
#include "cleanup_user.h"
#include "mail_params.h"
#include "rec_type.h"

/* cleanup_extracted - one record after 'X' */
void
cleanup_extracted(CLEANUP_STATE *state, int type, const char *data,
                  size_t len)
{
    if (cleanup_recipient_record(state, type, data))
        return;
    switch (type) {
    case REC_TYPE_FLGS:
        cleanup_extra_flags(state, data);
        break;
    case REC_TYPE_ATTR:
    case REC_TYPE_FILT:
    case REC_TYPE_RDR:
    case REC_TYPE_RRTO:
    case REC_TYPE_ERTO:
        if (strlen(data) != len)
            cleanup_error(state, CLEANUP_STAT_BAD, NULL);
        else
            cleanup_out(state, type, data, len);
        break;
    default:
        cleanup_error(state, CLEANUP_STAT_BAD, NULL);
        break;
    }
}

/* cleanup_extracted_bcc - the recipients that get a blind copy */
static void
cleanup_extracted_bcc(CLEANUP_STATE *state)
{
    int     i;

    if ((state->flags & CLEANUP_FLAG_BCC_OK) && *var_always_bcc)
        cleanup_addr_bcc(state, var_always_bcc);
    if (state->bcc != NULL)
        for (i = 0; i < state->bcc->argc; i++)
            cleanup_addr_bcc(state, state->bcc->argv[i]);
}

/* cleanup_extracted_end - the 'E' record: finish the file */
void
cleanup_extracted_end(CLEANUP_STATE *state)
{
    cleanup_extracted_bcc(state);
    /* The size record's last field: SMTPUTF8 requested by the client
     * (Postfix's SMTPUTF8_FLAG_REQUESTED), which the SMTP client needs. */
    if (cleanup_writing(state)
        && queue_file_out_end(&state->out, state->qmgr_flags,
                              (state->flags & CLEANUP_FLAG_SMTPUTF8) ?
                              1 : 0) < 0)
        cleanup_error(state, CLEANUP_STAT_WRITE, NULL);
}
