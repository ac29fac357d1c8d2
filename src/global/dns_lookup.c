/* dns_lookup - DNS queries through c-ares, blocking, with Postfix's
 * result classes and error texts.
 *
 * One c-ares channel per process, opened at the first lookup with the
 * servers of /etc/resolv.conf or of $dns_servers. A query runs until
 * its callback fires: the loop polls the channel's sockets and hands
 * them to ares_process_fd, with ares_timeout bounding each wait. The
 * reply is parsed by c-ares (ares_parse_mx_reply, ares_parse_a_reply,
 * ares_parse_aaaa_reply, ares_parse_txt_reply_ext; NS and PTR records by
 * walking the answer section with ares_expand_name); a reply with only a
 * CNAME for the name is followed with a new query for the target. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>

#include <ares.h>

#include "argv.h"
#include "dns_lookup.h"
#include "mail_params.h"
#include "msg.h"
#include "mymalloc.h"
#include "valid_hostname.h"

#define DNS_CNAME_LIMIT 10              /* links followed, as Postfix */
#define DNS_TIMEOUT_MS  5000            /* per try, glibc's RES_TIMEOUT */
#define DNS_TRIES       2               /* glibc's RES_DFLRETRY */
#define DNS_CNAME_NEXT  1               /* dns_follow: query the target */
#define DNS_TXT_MAX     4096            /* TXT bytes kept per record */

/* The outcome of one query, filled by the c-ares callback. */
typedef struct DNS_ANSWER {
    int     done;
    int     status;                     /* ARES_xxx */
    unsigned char *buf;                 /* reply copy, or NULL */
    int     len;
} DNS_ANSWER;

static ares_channel dns_channel;
static int dns_channel_ok;

/* dns_type_name - "MX", "A", "AAAA", "TXT", "NS", "PTR", "CNAME" */
const char *
dns_type_name(int type)
{
    switch (type) {
    case DNS_TYPE_A:
        return "A";
    case DNS_TYPE_AAAA:
        return "AAAA";
    case DNS_TYPE_MX:
        return "MX";
    case DNS_TYPE_TXT:
        return "TXT";
    case DNS_TYPE_NS:
        return "NS";
    case DNS_TYPE_PTR:
        return "PTR";
    case DNS_TYPE_CNAME:
        return "CNAME";
    default:
        return "unknown";
    }
}

/* dns_reverse_name - the reverse labels of a numeric address */
int
dns_reverse_name(const char *addr, BUF *name)
{
    unsigned char bytes[sizeof(struct in6_addr)];

    buf_reset(name);
    if (inet_pton(AF_INET, addr, bytes) == 1) {
        for (int i = 3; i >= 0; i--)
            buf_sprintf_append(name, "%u.", bytes[i]);
        return AF_INET;
    }
    if (inet_pton(AF_INET6, addr, bytes) == 1) {
        for (int i = (int) sizeof(bytes) - 1; i >= 0; i--)
            buf_sprintf_append(name, "%x.%x.", bytes[i] & 0xf, bytes[i] >> 4);
        return AF_INET6;
    }
    return -1;
}

/* dns_gai_text - getaddrinfo's words for a result */
const char *
dns_gai_text(int result, const BUF *why)
{
    switch (result) {
    case DNS_NOTFOUND:
        return strstr(buf_str(why), "no data record") ?
            "No address associated with hostname"
            : "Name or service not known";
    case DNS_RETRY:
        return "Temporary failure in name resolution";
    default:
        return "Non-recoverable failure in name resolution";
    }
}

/* dns_rr_list_free - release the records of list, leave it empty */
void
dns_rr_list_free(DNS_RR_LIST *list)
{
    for (size_t i = 0; i < list->count; i++) {
        myfree(list->rr[i].host);
        myfree(list->rr[i].text);
    }
    myfree(list->rr);
    list->rr = NULL;
    list->count = 0;
}

/* dns_servers_csv - $dns_servers as the comma list c-ares wants */
static char *
dns_servers_csv(const char *servers)
{
    ARGV   *list = argv_split(servers, LIST_DELIM);
    BUF    *csv = buf_alloc(64);

    for (int i = 0; i < list->argc; i++)
        buf_sprintf_append(csv, "%s%s", i ? "," : "", list->argv[i]);
    argv_free(list);
    return buf_export(csv);
}

/* dns_channel_open - the process's channel; 0, or -1 with why */
static int
dns_channel_open(BUF *why)
{
    struct ares_options opts;
    int     status;
    char   *csv;

    if (dns_channel_ok)
        return 0;
    if ((status = ares_library_init(ARES_LIB_INIT_ALL)) != ARES_SUCCESS) {
        buf_sprintf(why, "Name service initialization failure: %s",
                    ares_strerror(status));
        return -1;
    }
    memset(&opts, 0, sizeof(opts));
    opts.timeout = DNS_TIMEOUT_MS;
    opts.tries = DNS_TRIES;
    opts.flags = ARES_FLAG_NOSEARCH;
    status = ares_init_options(&dns_channel, &opts, ARES_OPT_TIMEOUTMS
                               | ARES_OPT_TRIES | ARES_OPT_FLAGS);
    if (status != ARES_SUCCESS) {
        buf_sprintf(why, "Name service initialization failure: %s",
                    ares_strerror(status));
        return -1;
    }
    if (var_dns_servers != NULL && *var_dns_servers != 0) {
        csv = dns_servers_csv(var_dns_servers);
        status = ares_set_servers_ports_csv(dns_channel, csv);
        myfree(csv);
        if (status != ARES_SUCCESS) {
            buf_sprintf(why, "Name service initialization failure: "
                        "bad dns_servers value \"%s\": %s", var_dns_servers,
                        ares_strerror(status));
            ares_destroy(dns_channel);
            return -1;
        }
    }
    dns_channel_ok = 1;
    return 0;
}

/* dns_callback - keep the outcome of a query */
static void
dns_callback(void *arg, int status, int timeouts, unsigned char *abuf,
             int alen)
{
    DNS_ANSWER *answer = arg;

    (void) timeouts;
    answer->done = 1;
    answer->status = status;
    if (abuf != NULL && alen > 0) {
        answer->buf = mymemdup(abuf, (size_t) alen);
        answer->len = alen;
    }
}

/* dns_poll_once - wait for the channel's sockets, let c-ares work */
static void
dns_poll_once(void)
{
    ares_socket_t socks[ARES_GETSOCK_MAXNUM];
    struct pollfd pfd[ARES_GETSOCK_MAXNUM];
    struct timeval tv;
    struct timeval *tvp;
    unsigned bits = (unsigned) ares_getsock(dns_channel, socks,
                                            ARES_GETSOCK_MAXNUM);
    nfds_t  n = 0;
    int     ms;
    int     ready;

    for (int i = 0; i < ARES_GETSOCK_MAXNUM; i++) {
        short   events = 0;

        /* c-ares's ARES_GETSOCK_ macros shift a signed 1 into bit 31 */
        if (bits & (1u << i))
            events |= POLLIN;
        if (bits & (1u << (i + ARES_GETSOCK_MAXNUM)))
            events |= POLLOUT;
        if (events == 0)
            continue;
        pfd[n].fd = socks[i];
        pfd[n].events = events;
        pfd[n].revents = 0;
        n++;
    }
    tvp = ares_timeout(dns_channel, NULL, &tv);
    if (n == 0 && tvp == NULL) {
        ares_cancel(dns_channel);               /* nothing left to wait for */
        return;
    }
    ms = tvp ? (int) (tvp->tv_sec * 1000 + (tvp->tv_usec + 999) / 1000)
        : 1000;
    ready = poll(pfd, n, ms);
    if (ready < 0 && errno != EINTR) {
        ares_cancel(dns_channel);
        return;
    }
    if (ready <= 0) {
        ares_process_fd(dns_channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
        return;
    }
    for (nfds_t i = 0; i < n; i++) {
        if (pfd[i].revents == 0)
            continue;
        ares_process_fd(dns_channel,
                        pfd[i].revents & (POLLIN | POLLERR | POLLHUP) ?
                        pfd[i].fd : ARES_SOCKET_BAD,
                        pfd[i].revents & POLLOUT ?
                        pfd[i].fd : ARES_SOCKET_BAD);
    }
}

/* dns_error_text - Postfix's words for a failed query */
static void
dns_error_text(BUF *why, const char *name, int type, const char *what)
{
    buf_sprintf(why, "Host or domain name not found. Name service error "
                "for name=%s type=%s: %s", name, dns_type_name(type), what);
}

/* dns_query - one query; DNS_OK with the reply in answer, or a result
 * with why filled */
static int
dns_query(const char *name, int type, DNS_ANSWER *answer, BUF *why)
{
    memset(answer, 0, sizeof(*answer));
    ares_query(dns_channel, name, ns_c_in, type, dns_callback, answer);
    while (!answer->done)
        dns_poll_once();
    switch (answer->status) {
    case ARES_SUCCESS:
        return DNS_OK;
    case ARES_ENOTFOUND:
        dns_error_text(why, name, type, "Host not found");
        return DNS_NOTFOUND;
    case ARES_ENODATA:
        dns_error_text(why, name, type,
                       "Host found but no data record of requested type");
        return DNS_NOTFOUND;
    case ARES_EFORMERR:
    case ARES_ENOTIMP:
    case ARES_EBADNAME:
        dns_error_text(why, name, type, "Non-recoverable error");
        return DNS_FAIL;
    default:                                    /* SERVFAIL, REFUSED, ... */
        dns_error_text(why, name, type, "Host not found, try again");
        return DNS_RETRY;
    }
}

/* dns_valid_name - whether a name from a reply or a caller is usable:
 * a host name, or (as Postfix tolerates) a numeric one */
static int
dns_valid_name(const char *name)
{
    return valid_hostname(name, false) || valid_hostaddr(name);
}

/* dns_bad_reply - the text for a reply that cannot be used */
static int
dns_bad_reply(BUF *why, const char *name, int type, int result)
{
    buf_sprintf(why, "Name service error for name=%s type=%s: "
                "Malformed or unexpected name server reply",
                name, dns_type_name(type));
    return result;
}

/* dns_add - a new zeroed record at the end of list */
static DNS_RR *
dns_add(DNS_RR_LIST *list, int type)
{
    DNS_RR *rr;

    list->rr = myreallocarray(list->rr, list->count + 1, sizeof(DNS_RR));
    rr = list->rr + list->count++;
    memset(rr, 0, sizeof(*rr));
    rr->type = type;
    return rr;
}

/* dns_parse_mx - the MX records of a reply */
static int
dns_parse_mx(const DNS_ANSWER *answer, const char *name, DNS_RR_LIST *list,
             BUF *why)
{
    struct ares_mx_reply *mx;
    struct ares_mx_reply *head;
    DNS_RR *rr;
    int     status;
    int     result = DNS_OK;

    if ((status = ares_parse_mx_reply(answer->buf, answer->len, &head))
        == ARES_ENODATA)
        return DNS_NOTFOUND;
    if (status != ARES_SUCCESS)
        return dns_bad_reply(why, name, DNS_TYPE_MX, DNS_RETRY);
    for (mx = head; mx != NULL && list->count < DNS_RR_LIMIT; mx = mx->next) {
        if (*mx->host == 0 || strcmp(mx->host, ".") == 0) {
            buf_sprintf(why, "Domain %s does not accept mail (nullMX)", name);
            result = DNS_NULLMX;
            break;
        }
        if (!dns_valid_name(mx->host)) {
            msg_warn("malformed domain name in resource data of MX record "
                     "for %s: %.100s", name, mx->host);
            result = dns_bad_reply(why, name, DNS_TYPE_MX, DNS_INVAL);
            break;
        }
        rr = dns_add(list, DNS_TYPE_MX);
        rr->pref = mx->priority;
        rr->host = mystrdup(mx->host);
    }
    ares_free_data(head);
    if (result == DNS_OK && list->count == 0)
        result = DNS_NOTFOUND;                  /* a CNAME, no MX */
    if (result != DNS_OK)
        dns_rr_list_free(list);
    return result;
}

/* dns_parse_addr - the A or AAAA records of a reply */
static int
dns_parse_addr(const DNS_ANSWER *answer, const char *name, int type,
               DNS_RR_LIST *list, BUF *why)
{
    struct ares_addrttl v4[DNS_RR_LIMIT];
    struct ares_addr6ttl v6[DNS_RR_LIMIT];
    int     count = DNS_RR_LIMIT;
    int     status;

    if (type == DNS_TYPE_A)
        status = ares_parse_a_reply(answer->buf, answer->len, NULL, v4,
                                    &count);
    else
        status = ares_parse_aaaa_reply(answer->buf, answer->len, NULL, v6,
                                       &count);
    if (status == ARES_ENODATA || (status == ARES_SUCCESS && count <= 0))
        return DNS_NOTFOUND;
    if (status != ARES_SUCCESS)
        return dns_bad_reply(why, name, type, DNS_RETRY);
    for (int i = 0; i < count && i < DNS_RR_LIMIT; i++) {
        DNS_RR *rr = dns_add(list, type);

        if (type == DNS_TYPE_A)
            rr->addr.v4 = v4[i].ipaddr;
        else
            memcpy(&rr->addr.v6, &v6[i].ip6addr, sizeof(rr->addr.v6));
    }
    return DNS_OK;
}

/* dns_skip_rr - move *pos past one name and its fixed part; the type
 * and data length in *type, *rdlen; -1 when the reply is short */
static int
dns_skip_rr(const DNS_ANSWER *answer, long *pos, char **owner, int *type,
            int *rdlen, int question)
{
    long    enclen;
    const unsigned char *p;

    if (*pos >= answer->len
        || ares_expand_name(answer->buf + *pos, answer->buf, answer->len,
                            owner, &enclen) != ARES_SUCCESS)
        return -1;
    *pos += enclen;
    if (answer->len - *pos < (question ? 4 : 10)) {
        ares_free_string(*owner);
        return -1;
    }
    p = answer->buf + *pos;
    *type = (p[0] << 8) | p[1];
    *rdlen = question ? 0 : (p[8] << 8) | p[9];
    *pos += question ? 4 : 10;
    if (answer->len - *pos < *rdlen) {
        ares_free_string(*owner);
        return -1;
    }
    return 0;
}

/* dns_find_cname - the target of the CNAME chain for name in a reply,
 * or NULL; caller frees */
static char *
dns_find_cname(const DNS_ANSWER *answer, const char *name)
{
    char   *current = mystrdup(name);
    char   *owner;
    char   *target;
    long    pos = HFIXEDSZ;
    long    enclen;
    int     type;
    int     rdlen;
    int     qdcount;
    int     ancount;

    if (answer->len < HFIXEDSZ) {
        myfree(current);
        return NULL;
    }
    qdcount = (answer->buf[4] << 8) | answer->buf[5];
    ancount = (answer->buf[6] << 8) | answer->buf[7];
    for (int i = 0; i < qdcount + ancount; i++) {
        if (dns_skip_rr(answer, &pos, &owner, &type, &rdlen, i < qdcount) < 0)
            break;
        if (i >= qdcount && type == DNS_TYPE_CNAME && rdlen > 0
            && strcasecmp(owner, current) == 0
            && ares_expand_name(answer->buf + pos, answer->buf, answer->len,
                                &target, &enclen) == ARES_SUCCESS) {
            myfree(current);
            current = mystrdup(target);
            ares_free_string(target);
        }
        ares_free_string(owner);
        pos += rdlen;
    }
    if (strcasecmp(current, name) == 0) {
        myfree(current);
        return NULL;
    }
    return current;
}

/* dns_parse_txt - the TXT records of a reply: the first string of each
 * record (as Postfix 3.7), at most DNS_TXT_MAX bytes of it */
static int
dns_parse_txt(const DNS_ANSWER *answer, const char *name, DNS_RR_LIST *list,
              BUF *why)
{
    struct ares_txt_ext *head;
    int     status;

    if ((status = ares_parse_txt_reply_ext(answer->buf, answer->len, &head))
        == ARES_ENODATA)
        return DNS_NOTFOUND;
    if (status != ARES_SUCCESS)
        return dns_bad_reply(why, name, DNS_TYPE_TXT, DNS_RETRY);
    for (struct ares_txt_ext *txt = head;
         txt != NULL && list->count < DNS_RR_LIMIT; txt = txt->next)
        if (txt->record_start)
            dns_add(list, DNS_TYPE_TXT)->text =
                mystrndup((const char *) txt->txt, txt->length < DNS_TXT_MAX ?
                          txt->length : DNS_TXT_MAX);
    ares_free_data(head);
    return list->count ? DNS_OK : DNS_NOTFOUND;
}

/* dns_parse_names - the NS or PTR records of a reply; their names must
 * be host names */
static int
dns_parse_names(const DNS_ANSWER *answer, const char *name, int type,
                DNS_RR_LIST *list, BUF *why)
{
    char   *owner;
    char   *target;
    long    pos = HFIXEDSZ;
    long    enclen;
    int     rtype;
    int     rdlen;
    int     qdcount;
    int     ancount;

    if (answer->len < HFIXEDSZ)
        return dns_bad_reply(why, name, type, DNS_RETRY);
    qdcount = (answer->buf[4] << 8) | answer->buf[5];
    ancount = (answer->buf[6] << 8) | answer->buf[7];
    for (int i = 0; i < qdcount + ancount && list->count < DNS_RR_LIMIT;
         i++) {
        if (dns_skip_rr(answer, &pos, &owner, &rtype, &rdlen, i < qdcount) < 0)
            break;
        ares_free_string(owner);
        if (i >= qdcount && rtype == type && rdlen > 0
            && ares_expand_name(answer->buf + pos, answer->buf, answer->len,
                                &target, &enclen) == ARES_SUCCESS) {
            if (!valid_hostname(target, false)) {
                msg_warn("malformed domain name in resource data of %s "
                         "record for %s: %.100s", dns_type_name(type), name,
                         target);
                ares_free_string(target);
                dns_rr_list_free(list);
                return dns_bad_reply(why, name, type, DNS_INVAL);
            }
            dns_add(list, type)->host = mystrdup(target);
            ares_free_string(target);
        }
        pos += rdlen;
    }
    return list->count ? DNS_OK : DNS_NOTFOUND;
}

/* dns_parse - the records of type in a reply for name */
static int
dns_parse(const DNS_ANSWER *answer, const char *name, int type,
          DNS_RR_LIST *list, BUF *why)
{
    switch (type) {
    case DNS_TYPE_MX:
        return dns_parse_mx(answer, name, list, why);
    case DNS_TYPE_TXT:
        return dns_parse_txt(answer, name, list, why);
    case DNS_TYPE_NS:
    case DNS_TYPE_PTR:
        return dns_parse_names(answer, name, type, list, why);
    default:
        return dns_parse_addr(answer, name, type, list, why);
    }
}

/* dns_follow - one query for *name; DNS_OK, a result, or DNS_CNAME_NEXT
 * with *name replaced by the CNAME target */
static int
dns_follow(char **name, int type, DNS_RR_LIST *list, BUF *why)
{
    DNS_ANSWER answer;
    char   *target;
    int     result;

    if ((result = dns_query(*name, type, &answer, why)) == DNS_OK
        && (result = dns_parse(&answer, *name, type, list, why))
        == DNS_NOTFOUND) {
        if ((target = dns_find_cname(&answer, *name)) == NULL) {
            dns_error_text(why, *name, type,
                           "Host found but no data record of requested type");
        } else if (!dns_valid_name(target)) {
            msg_warn("malformed domain name in resource data of CNAME "
                     "record for %s: %.100s", *name, target);
            result = dns_bad_reply(why, *name, type, DNS_INVAL);
            myfree(target);
        } else {
            myfree(*name);
            *name = target;
            result = DNS_CNAME_NEXT;
        }
    }
    myfree(answer.buf);
    return result;
}

/* dns_rank - Postfix's precedence of a result (dns.h), greater wins */
static int
dns_rank(int result)
{
    switch (result) {
    case DNS_OK:
        return 5;
    case DNS_RETRY:
        return 4;
    case DNS_INVAL:
        return 3;
    case DNS_FAIL:
        return 2;
    case DNS_NULLMX:
        return 1;
    default:
        return 0;
    }
}

/* dns_stops - whether result is one that stop asks to end at */
static bool
dns_stops(int result, int stop)
{
    return (result == DNS_OK && (stop & DNS_STOP_OK))
        || (result == DNS_INVAL && (stop & DNS_STOP_INVAL))
        || (result == DNS_NULLMX && (stop & DNS_STOP_NULLMX));
}

/* dns_lookup_types - several types, the best result */
int
dns_lookup_types(const char *name, const int *types, int stop,
                 DNS_RR_LIST *list, BUF *why)
{
    DNS_RR_LIST one;
    BUF    *text = buf_alloc(100);
    int     best = DNS_NOTFOUND;
    int     result;

    list->rr = NULL;
    list->count = 0;
    buf_reset(why);
    for (int t = 0; types[t] != 0; t++) {
        buf_reset(text);
        result = dns_lookup(name, types[t], &one, text);
        for (size_t i = 0; i < one.count && list->count < DNS_RR_LIMIT; i++) {
            *dns_add(list, one.rr[i].type) = one.rr[i];
            one.rr[i].host = one.rr[i].text = NULL;
        }
        dns_rr_list_free(&one);
        if (t == 0 || dns_rank(result) >= dns_rank(best)) {
            best = result;
            buf_strcpy(why, buf_str(text));
        }
        if (dns_stops(result, stop))
            break;
    }
    buf_free(text);
    return best;
}

/* dns_lookup_addrs - the addresses of name per inet_protocols */
int
dns_lookup_addrs(const char *name, DNS_RR_LIST *list, BUF *why)
{
    ARGV   *words = argv_split(var_inet_protocols, LIST_DELIM);
    bool    v4 = false;
    bool    v6 = false;
    int     types[3];
    int     n = 0;

    for (int i = 0; i < words->argc; i++) {
        v4 |= strcasecmp(words->argv[i], "all") == 0
            || strcasecmp(words->argv[i], "ipv4") == 0;
        v6 |= strcasecmp(words->argv[i], "all") == 0
            || strcasecmp(words->argv[i], "ipv6") == 0;
    }
    argv_free(words);
    if (v4 || !v6)
        types[n++] = DNS_TYPE_A;
    if (v6 || !v4)
        types[n++] = DNS_TYPE_AAAA;
    types[n] = 0;
    return dns_lookup_types(name, types, 0, list, why);
}

/* dns_lookup - look up records of type for name into list */
int
dns_lookup(const char *name, int type, DNS_RR_LIST *list, BUF *why)
{
    char   *current;
    int     result = DNS_CNAME_NEXT;

    list->rr = NULL;
    list->count = 0;
    if (valid_hostaddr(name) || !valid_hostname(name, false)) {
        buf_sprintf(why, "Name service error for %s: "
                    "invalid host or domain name", name);
        return DNS_NOTFOUND;
    }
    if (dns_channel_open(why) < 0)
        return DNS_RETRY;
    current = mystrdup(name);
    for (int hops = 0; hops < DNS_CNAME_LIMIT && result == DNS_CNAME_NEXT;
         hops++)
        result = dns_follow(&current, type, list, why);
    if (result == DNS_CNAME_NEXT) {
        buf_sprintf(why, "Name server loop for %s", current);
        msg_warn("dns_lookup: Name server loop for %s", current);
        result = DNS_NOTFOUND;
    }
    myfree(current);
    return result;
}
