/* greeter_limit - idle sessions per client address (greeter_limit.h). */
#include <stdbool.h>
#include <stdint.h>
#include <unistd.h>

#include "buf.h"
#include "greeter_limit.h"
#include "htable.h"
#include "mail_params.h"
#include "match_list.h"
#include "msg.h"
#include "mymalloc.h"
#include "sock.h"

#define GREETER_ANVIL_SERVICE   "private/anvil"

static HTABLE *greeter_limit_counts;    /* addr -> count (>= 1) */
static MATCH_LIST *greeter_limit_exceptions;
static bool greeter_limit_on;           /* a limit, and anvil */
static BUF *greeter_limit_peer;         /* the client being counted */
static BUF *greeter_limit_port;

/* greeter_limit_init - read the settings (after the privilege drop) */
void
greeter_limit_init(void)
{
    BUF    *why;

    greeter_limit_on = var_smtpd_client_connection_count_limit > 0
        && access(GREETER_ANVIL_SERVICE, F_OK) == 0;
    if (!greeter_limit_on)
        return;
    why = buf_alloc(100);
    greeter_limit_exceptions =
        match_list_create("smtpd_client_event_limit_exceptions",
                          MATCH_NAMADR,
                          var_smtpd_client_event_limit_exceptions,
                          MATCH_FLAG_PARENT_STYLE, why);
    if (greeter_limit_exceptions == NULL)
        msg_fatal("%s", buf_str(why));
    buf_free(why);
    greeter_limit_counts = htable_create(100);
    greeter_limit_peer = buf_alloc(50);
    greeter_limit_port = buf_alloc(10);
}

/* greeter_limit_enter - count a session of the client on fd, if it may
 * have one more */
int
greeter_limit_enter(int fd, char **addr)
{
    const char *peer;
    HTABLE_INFO *entry;
    intptr_t count;

    *addr = NULL;
    if (!greeter_limit_on)
        return 0;
    sock_peer_addr(fd, greeter_limit_peer, greeter_limit_port);
    peer = buf_str(greeter_limit_peer);
    if (match_list_match(greeter_limit_exceptions, NULL, peer, NULL) != 0)
        return 0;
    if ((entry = htable_locate(greeter_limit_counts, peer)) == NULL) {
        (void) htable_enter(greeter_limit_counts, peer, (void *) 1);
    } else if ((count = (intptr_t) entry->value)
               >= var_smtpd_client_connection_count_limit) {
        return -1;
    } else {
        entry->value = (void *) (count + 1);
    }
    *addr = mystrdup(peer);
    return 1;
}

/* greeter_limit_leave - a session of addr that was counted ended */
void
greeter_limit_leave(const char *addr)
{
    HTABLE_INFO *entry;

    if (greeter_limit_counts == NULL
        || (entry = htable_locate(greeter_limit_counts, addr)) == NULL)
        return;
    if ((intptr_t) entry->value > 1)
        entry->value = (void *) ((intptr_t) entry->value - 1);
    else
        htable_delete(greeter_limit_counts, addr, NULL);
}
