/* smtp_conf - the settings of the SMTP or LMTP personality.
 *
 * The program name (argv[0]'s last component, as Postfix decides) or
 * the master.cf service name "lmtp" selects LMTP and the lmtp_*
 * parameters; otherwise SMTP with smtp_*. One table pairs each setting
 * with its two parameters. Peers: smtp.c (which calls this from
 * post_init), everything that reads smtp_conf. */
#include <stddef.h>
#include <string.h>

#include "mail_params.h"
#include "smtp.h"

SMTP_CONF smtp_conf;

/* LMTP has no smtp_never_send_ehlo: always LHLO. */
static int smtp_conf_no = 0;

#define SMTP_CONF_INT(field, smtp, lmtp) \
    {offsetof(SMTP_CONF, field), &var_##smtp, &var_##lmtp}

static const struct {
    size_t  offset;                     /* an int in SMTP_CONF */
    const int *smtp;
    const int *lmtp;
} smtp_conf_ints[] = {
    SMTP_CONF_INT(connect_timeout, smtp_connect_timeout, lmtp_connect_timeout),
    SMTP_CONF_INT(helo_timeout, smtp_helo_timeout, lmtp_lhlo_timeout),
    SMTP_CONF_INT(mail_timeout, smtp_mail_timeout, lmtp_mail_timeout),
    SMTP_CONF_INT(rcpt_timeout, smtp_rcpt_timeout, lmtp_rcpt_timeout),
    SMTP_CONF_INT(data_init_timeout, smtp_data_init_timeout,
                  lmtp_data_init_timeout),
    SMTP_CONF_INT(data_xfer_timeout, smtp_data_xfer_timeout,
                  lmtp_data_xfer_timeout),
    SMTP_CONF_INT(data_done_timeout, smtp_data_done_timeout,
                  lmtp_data_done_timeout),
    SMTP_CONF_INT(quit_timeout, smtp_quit_timeout, lmtp_quit_timeout),
    SMTP_CONF_INT(line_limit, smtp_line_length_limit, lmtp_line_length_limit),
    SMTP_CONF_INT(session_limit, smtp_mx_session_limit,
                  lmtp_mx_session_limit),
    SMTP_CONF_INT(skip_5xx_greeting, smtp_skip_5xx_greeting,
                  lmtp_skip_5xx_greeting),
    {offsetof(SMTP_CONF, never_send_ehlo), &var_smtp_never_send_ehlo,
     &smtp_conf_no},
    SMTP_CONF_INT(rset_timeout, smtp_rset_timeout, lmtp_rset_timeout),
    SMTP_CONF_INT(cache_on_demand, smtp_connection_cache_on_demand,
                  lmtp_connection_cache_on_demand),
    SMTP_CONF_INT(cache_time_limit, smtp_connection_cache_time_limit,
                  lmtp_connection_cache_time_limit),
    SMTP_CONF_INT(reuse_time_limit, smtp_connection_reuse_time_limit,
                  lmtp_connection_reuse_time_limit),
    SMTP_CONF_INT(reuse_count_limit, smtp_connection_reuse_count_limit,
                  lmtp_connection_reuse_count_limit),
};

/* smtp_conf_init - choose the personality and read its settings */
void
smtp_conf_init(const char *service, const char *program)
{
    const char *base = strrchr(program, '/');
    bool    lmtp;

    base = base ? base + 1 : program;
    lmtp = strcmp(base, "lmtp") == 0 || strcmp(service, "lmtp") == 0;
    smtp_conf.lmtp = lmtp;
    smtp_conf.service = service;
    smtp_conf.proto = lmtp ? "lmtp" : "smtp";
    mail_queue_conf_params(&smtp_conf.queue);
    smtp_conf.helo_name = lmtp ? var_lmtp_lhlo_name : var_smtp_helo_name;
    smtp_conf.fallback_relay = lmtp ? var_lmtp_fallback_relay
        : var_smtp_fallback_relay;
    smtp_conf.cache_dest = lmtp ? var_lmtp_connection_cache_destinations
        : var_smtp_connection_cache_destinations;
    for (size_t i = 0; i < sizeof(smtp_conf_ints) / sizeof(smtp_conf_ints[0]);
         i++)
        *(int *) ((char *) &smtp_conf + smtp_conf_ints[i].offset) =
            lmtp ? *smtp_conf_ints[i].lmtp : *smtp_conf_ints[i].smtp;
    if (smtp_conf.line_limit < 0)
        smtp_conf.line_limit = 0;
    if (smtp_conf.session_limit <= 0)
        smtp_conf.session_limit = 1;
}
