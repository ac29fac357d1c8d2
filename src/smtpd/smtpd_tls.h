/* smtpd_tls - what other smtpd files ask of the TLS session.
 *
 * smtpd.h declares the session hooks; this header adds the questions:
 * the TLS session's facts (NULL in plaintext; TLS is active exactly when
 * state->tls != NULL) for the restrictions and the policy service, and
 * the encrypt level's refusal of commands before STARTTLS; the
 * restrictions on client certificates. */
#ifndef SMTPD_TLS_H
#define SMTPD_TLS_H

#include <stdbool.h>

#include "smtpd.h"
#include "tls.h"

/* smtpd_tls_session - the TLS session's facts, or NULL */
const TLS_SESS *smtpd_tls_session(const SMTPD_STATE *state);

/* smtpd_tls_proto_suffix - "S" after the protocol name of Received:
 * (before smtpd_sasl_proto_suffix's "A") under TLS, else "" */
const char *smtpd_tls_proto_suffix(const SMTPD_STATE *state);

/* smtpd_tls_required - smtpd_tls_security_level = encrypt (which, as in
 * Postfix, also keeps AUTH back until TLS is active) */
bool    smtpd_tls_required(void);

/* smtpd_tls_refuse - smtpd_tls_security_level = encrypt: true after it
 * replied "530 5.7.0 Must issue a STARTTLS command first" to a command
 * that needs TLS (all but HELO EHLO STARTTLS NOOP QUIT XCLIENT) */
bool    smtpd_tls_refuse(SMTPD_STATE *state, SMTPD_CMD_ID id);

/* smtpd_check_tls.c: the client certificate restrictions
 * (permit_tls_clientcerts, permit_tls_all_clientcerts, check_ccert_access;
 * SMTPD_CHECK_FN shape), and the opening of relay_clientcerts */
void    smtpd_check_tls_init(void);
int     smtpd_check_tls_clientcerts(SMTPD_CHECK *check, const char *unused);
int     smtpd_check_tls_all_clientcerts(SMTPD_CHECK *check,
                                        const char *unused);
int     smtpd_check_ccert_access(SMTPD_CHECK *check, const char *table);

/* smtpd_tls_policy_attrs - the policy service's ccert_* and encryption_*
 * attributes as Postfix 3.7 sends them: "" (keysize "0") in plaintext;
 * the subject and issuer only for a trusted certificate */
typedef struct SMTPD_TLS_ATTRS {
    const char *subject;
    const char *issuer;
    const char *cert_fprint;
    const char *pkey_fprint;
    const char *protocol;
    const char *cipher;
    char    keysize[12];
} SMTPD_TLS_ATTRS;

SMTPD_TLS_ATTRS smtpd_tls_policy_attrs(const SMTPD_STATE *state);

#endif
