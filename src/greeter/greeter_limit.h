/* greeter_limit - how many idle sessions one client may have in greeter.
 *
 * greeter holds at most smtpd_client_connection_count_limit sessions per
 * client address, except for clients in smtpd_client_event_limit_exceptions
 * (matched by address; greeter knows no names) and when master.cf has no
 * anvil service (then smtpd has no limits either). A connection over the
 * limit is handed to smtpd ungreeted, where anvil's limit applies as for a
 * plain smtpd; so one client holds at most twice the limit. */
#ifndef GREETER_LIMIT_H
#define GREETER_LIMIT_H

/* greeter_limit_init - read the settings (after the privilege drop) */
void    greeter_limit_init(void);

/* greeter_limit_enter - count a new session of the client on fd: 1,
 * counted (*addr: its address, for greeter_limit_leave; the caller frees
 * it); 0, no limit applies (*addr NULL); -1, the client has its limit of
 * sessions already (*addr NULL). The address is only looked up when a
 * limit is in force. */
int     greeter_limit_enter(int fd, char **addr);

/* greeter_limit_leave - a session of addr that was counted ended */
void    greeter_limit_leave(const char *addr);

#endif
