/* smtpd_check_tls - the restrictions that look at the client certificate.
 *
 * Model: Postfix 3.7's permit_tls_clientcerts, permit_tls_all_clientcerts
 * and check_ccert_access (smtpd_check.c). The keys are the certificate's
 * fingerprint, then its public key's fingerprint, both with
 * smtpd_tls_fingerprint_digest ("AB:CD:..."). permit_tls_clientcerts
 * wants a fingerprint listed in relay_clientcerts; permit_tls_all_clientcerts
 * any certificate whose chain verified to smtpd_tls_CAfile/CApath;
 * check_ccert_access applies access(5) actions to any certificate the
 * client presented (trusted or not: the fingerprint itself is checked),
 * named in replies by its CN ("<CN>: Client certificate rejected: ..."). */
#include <stdio.h>

#include "mail_params.h"
#include "maps.h"
#include "msg.h"
#include "smtpd_check.h"
#include "smtpd_tls.h"

#define SMTPD_NAME_CCERT    "Client certificate"

static MAPS *smtpd_relay_ccerts;

/* smtpd_check_tls_init - open relay_clientcerts */
void
smtpd_check_tls_init(void)
{
    if (*var_relay_clientcerts)
        smtpd_relay_ccerts = maps_create("relay_clientcerts",
                                         var_relay_clientcerts,
                                         DICT_FLAG_DEFAULT);
}

/* smtpd_check_ccert - the client's certificate facts, or NULL */
static const TLS_SESS *
smtpd_check_ccert(SMTPD_CHECK *check)
{
    const TLS_SESS *sess = smtpd_tls_session(check->state);

    return sess && (sess->peer_status & TLS_CERT_PRESENT) ? sess : NULL;
}

/* smtpd_check_tls_clientcerts - permit_tls_clientcerts */
int
smtpd_check_tls_clientcerts(SMTPD_CHECK *check, const char *unused)
{
    const TLS_SESS *sess = smtpd_check_ccert(check);
    const char *prints[2];

    if (sess == NULL || smtpd_relay_ccerts == NULL)
        return SMTPD_CHECK_DUNNO;
    prints[0] = sess->peer_cert_fprint;
    prints[1] = sess->peer_pkey_fprint;
    for (int i = 0; i < 2; i++) {
        if (prints[i] == NULL)
            continue;
        if (maps_find(smtpd_relay_ccerts, prints[i], 0))
            return SMTPD_CHECK_OK;
        if (smtpd_relay_ccerts->error) {
            msg_warn("relay_clientcerts: lookup error for fingerprint "
                     "'%s', pkey fingerprint %s", sess->peer_cert_fprint,
                     sess->peer_pkey_fprint ? sess->peer_pkey_fprint : "");
            return smtpd_check_server_error(check);
        }
    }
    return SMTPD_CHECK_DUNNO;
}

/* smtpd_check_tls_all_clientcerts - permit_tls_all_clientcerts */
int
smtpd_check_tls_all_clientcerts(SMTPD_CHECK *check, const char *unused)
{
    const TLS_SESS *sess = smtpd_check_ccert(check);

    return sess && (sess->peer_status & TLS_CERT_TRUSTED) ?
        SMTPD_CHECK_OK : SMTPD_CHECK_DUNNO;
}

/* smtpd_check_ccert_access - check_ccert_access type:table */
int
smtpd_check_ccert_access(SMTPD_CHECK *check, const char *table)
{
    const TLS_SESS *sess = smtpd_check_ccert(check);
    const char *prints[2];
    bool    found = false;
    int     status = SMTPD_CHECK_DUNNO;

    if (sess == NULL)
        return SMTPD_CHECK_DUNNO;
    prints[0] = sess->peer_cert_fprint;
    prints[1] = sess->peer_pkey_fprint;
    for (int i = 0; i < 2 && !found && status == SMTPD_CHECK_DUNNO; i++)
        if (prints[i])
            status = smtpd_check_access_host(check, table,
                                             sess->peer_CN ? sess->peer_CN :
                                             "", SMTPD_NAME_CCERT, prints[i],
                                             NULL, &found);
    return status;
}

/* smtpd_tls_policy_attrs - the TLS attributes of a policy request */
SMTPD_TLS_ATTRS
smtpd_tls_policy_attrs(const SMTPD_STATE *state)
{
    const TLS_SESS *sess = smtpd_tls_session(state);
    bool    trusted = sess && (sess->peer_status & TLS_CERT_TRUSTED);
    SMTPD_TLS_ATTRS a = {"", "", "", "", "", "", "0"};

    if (sess == NULL)
        return a;
    a.subject = trusted && sess->peer_CN ? sess->peer_CN : "";
    a.issuer = trusted && sess->issuer_CN ? sess->issuer_CN : "";
    a.cert_fprint = sess->peer_cert_fprint ? sess->peer_cert_fprint : "";
    a.pkey_fprint = sess->peer_pkey_fprint ? sess->peer_pkey_fprint : "";
    a.protocol = sess->protocol;
    a.cipher = sess->cipher_name;
    snprintf(a.keysize, sizeof(a.keysize), "%d", sess->cipher_usebits);
    return a;
}
