/* fuzz_smtpd_session - libFuzzer harness for a whole smtpd session.
 *
 * The input is what a client sends: smtpd serves it over a socketpair
 * (a thread writes the input, then ends its half, and reads and drops
 * the replies) with the settings and the stand-in cleanup service of
 * fuzz_smtpd.h, so that every command, pipelining, DATA with its dot
 * and bare LF handling, BDAT, XCLIENT and XFORWARD run as for a network
 * client. The first byte picks smtpd_forbid_bare_newline (bit 0:
 * reject). Only crashes, leaks, sanitizer reports and hangs are
 * failures. Seeds: tests/fuzz/corpus/fuzz_smtpd_session/ (real
 * sessions: pipelining, BDAT, the smuggling sequences of issue 7). */
#include <poll.h>

#include "fuzz_smtpd.h"

/* The client's side of the socketpair. */
typedef struct FUZZ_PEER {
    int     fd;
    const uint8_t *data;
    size_t  left;
} FUZZ_PEER;

/* fuzz_peer_write - send what the socket takes; at the end, end our
 * half */
static void
fuzz_peer_write(FUZZ_PEER *peer)
{
    ssize_t n = send(peer->fd, peer->data, peer->left, MSG_DONTWAIT);

    if (n > 0) {
        peer->data += n;
        peer->left -= (size_t) n;
    } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
        peer->left = 0;
    }
    if (peer->left == 0)
        (void) shutdown(peer->fd, SHUT_WR);
}

/* fuzz_peer - the client (a thread): send the input, drop the replies,
 * until smtpd closes its end */
static void *
fuzz_peer(void *arg)
{
    FUZZ_PEER *peer = arg;
    char    buf[4096];
    struct pollfd pfd = {.fd = peer->fd};

    if (peer->left == 0)
        (void) shutdown(peer->fd, SHUT_WR);
    for (;;) {
        pfd.events = POLLIN | (peer->left > 0 ? POLLOUT : 0);
        if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
            break;
        if ((pfd.revents & POLLOUT) && peer->left > 0)
            fuzz_peer_write(peer);
        if ((pfd.revents & (POLLIN | POLLHUP | POLLERR))
            && recv(peer->fd, buf, sizeof(buf), MSG_DONTWAIT) == 0)
            break;
    }
    return NULL;
}

/* LLVMFuzzerTestOneInput - one session */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FUZZ_PEER peer;
    pthread_t thread;
    STREAM *client;
    int     sv[2];

    if (size < 1)
        return 0;
    fuzz_smtpd_setup();
    smtpd_settings.bare_newline = (data[0] & 1) ? SMTPD_BARE_LF_REJECT :
        SMTPD_BARE_LF_NORMALIZE;
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        abort();
    peer = (FUZZ_PEER) {sv[1], data + 1, size - 1};
    if (pthread_create(&thread, NULL, fuzz_peer, &peer) != 0)
        abort();
    client = stream_fdopen(sv[0]);
    smtpd_service(client, "smtp", NULL);
    (void) stream_close(client);
    (void) pthread_join(thread, NULL);
    (void) close(sv[1]);
    return 0;
}
