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
    SMTP_CONF_INT(sasl_enable, smtp_sasl_auth_enable, lmtp_sasl_auth_enable),
    SMTP_CONF_INT(sasl_soft_bounce, smtp_sasl_auth_soft_bounce,
                  lmtp_sasl_auth_soft_bounce),
    SMTP_CONF_INT(sender_auth, smtp_sender_dependent_authentication,
                  lmtp_sender_dependent_authentication),
};

#define SMTP_CONF_STR(field, smtp, lmtp) \
    {offsetof(SMTP_CONF, field), &var_##smtp, &var_##lmtp}

static const struct {
    size_t  offset;                     /* a const char * in SMTP_CONF */
    char  **smtp;
    char  **lmtp;
} smtp_conf_strs[] = {
    SMTP_CONF_STR(helo_name, smtp_helo_name, lmtp_lhlo_name),
    SMTP_CONF_STR(fallback_relay, smtp_fallback_relay, lmtp_fallback_relay),
    SMTP_CONF_STR(cache_dest, smtp_connection_cache_destinations,
                  lmtp_connection_cache_destinations),
    SMTP_CONF_STR(sasl_passwd_maps, smtp_sasl_password_maps,
                  lmtp_sasl_password_maps),
    SMTP_CONF_STR(sasl_mech_filter, smtp_sasl_mechanism_filter,
                  lmtp_sasl_mechanism_filter),
    SMTP_CONF_STR(sasl_sec_opts, smtp_sasl_security_options,
                  lmtp_sasl_security_options),
    SMTP_CONF_STR(sasl_tls_sec_opts, smtp_sasl_tls_security_options,
                  lmtp_sasl_tls_security_options),
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
    for (size_t i = 0; i < sizeof(smtp_conf_strs) / sizeof(smtp_conf_strs[0]);
         i++)
        *(const char **) ((char *) &smtp_conf + smtp_conf_strs[i].offset) =
            lmtp ? *smtp_conf_strs[i].lmtp : *smtp_conf_strs[i].smtp;
    for (size_t i = 0; i < sizeof(smtp_conf_ints) / sizeof(smtp_conf_ints[0]);
         i++)
        *(int *) ((char *) &smtp_conf + smtp_conf_ints[i].offset) =
            lmtp ? *smtp_conf_ints[i].lmtp : *smtp_conf_ints[i].smtp;
    if (smtp_conf.line_limit < 0)
        smtp_conf.line_limit = 0;
    if (smtp_conf.session_limit <= 0)
        smtp_conf.session_limit = 1;
}
