/* mail_params - the parameter table and the var_<name> variables.
 *
 * mail_params.def is included twice with different PARAM() definitions:
 * once to define the C variables, once to build param_table[] (sorted by
 * name, as the .def file is). Dynamic defaults (host name, domain, local
 * networks, run-time identity) are computed here on first use. The loader
 * takes raw text from mail_conf.c, expands it and converts it with conv.c;
 * a bad value is a fatal configuration error naming main.cf:LINE. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <ifaddrs.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "argv.h"
#include "buf.h"
#include "conv.h"
#include "mail_conf.h"
#include "mail_params.h"
#include "msg.h"
#include "mymalloc.h"

#define PARAM(type, name, def, min, max, flags) \
    PARAM_CTYPE_##type var_##name;
#include "mail_params.def"
#undef PARAM

const PARAM_INFO param_table[] = {
#define PARAM(type, name, def, min, max, flags) \
    {#name, PARAM_TYPE_##type, def, min, max, flags, (void *) &var_##name},
#include "mail_params.def"
#undef PARAM
};

const int param_table_size = sizeof(param_table) / sizeof(param_table[0]);

/* param_info - binary search of the sorted table */
const PARAM_INFO *
param_info(const char *name)
{
    int     lo = 0, hi = param_table_size - 1;

    while (lo <= hi) {
        int     mid = (lo + hi) / 2;
        int     cmp = strcmp(name, param_table[mid].name);

        if (cmp == 0)
            return &param_table[mid];
        if (cmp < 0)
            hi = mid - 1;
        else
            lo = mid + 1;
    }
    return NULL;
}

/* mail_params_hostname - this host's name, fully qualified if possible */
static const char *
mail_params_hostname(void)
{
    static char *hostname;
    char    host[256];
    struct addrinfo hints, *res;

    if (hostname)
        return hostname;
    if (gethostname(host, sizeof(host) - 1) < 0 || host[0] == 0)
        snprintf(host, sizeof(host), "localhost");
    host[sizeof(host) - 1] = 0;
    if (strchr(host, '.') == NULL) {
        memset(&hints, 0, sizeof(hints));
        hints.ai_flags = AI_CANONNAME;
        hints.ai_socktype = SOCK_STREAM;
        if (getaddrinfo(host, NULL, &hints, &res) == 0) {
            if (res->ai_canonname && strchr(res->ai_canonname, '.'))
                snprintf(host, sizeof(host), "%s", res->ai_canonname);
            freeaddrinfo(res);
        }
    }
    /* As Postfix: a name without a dot gets the default domain. */
    if (strchr(host, '.') == NULL)
        snprintf(host + strlen(host), sizeof(host) - strlen(host),
                 ".localdomain");
    for (char *cp = host; *cp; cp++)
        *cp = (char) tolower((unsigned char) *cp);
    hostname = mystrdup(host);
    return hostname;
}

/* mail_params_domain - $myhostname minus its first label */
static const char *
mail_params_domain(void)
{
    static char *from_host;
    static char *domain;
    static bool busy;                   /* myhostname = $mydomain */
    const char *raw = mail_conf_lookup("myhostname");
    BUF    *host = buf_alloc(64);
    BUF    *why = buf_alloc(64);
    const char *dot;
    int     status = -1;

    if (raw && !busy) {
        busy = true;
        status = mail_conf_expand(host, raw, why);
        busy = false;
    }
    if (status < 0)
        buf_strcpy(host, mail_params_hostname());
    if (from_host == NULL || strcmp(from_host, buf_str(host)) != 0) {
        myfree(from_host);
        myfree(domain);
        from_host = mystrdup(buf_str(host));
        dot = strchr(from_host, '.');
        domain = mystrdup(dot && dot[1] ? dot + 1 : "localdomain");
    }
    buf_free(host);
    buf_free(why);
    return domain;
}

/* mail_params_prefix - bits set in a netmask */
static int
mail_params_prefix(const unsigned char *mask, size_t len)
{
    int     bits = 0;

    for (size_t i = 0; i < len; i++)
        for (int b = 7; b >= 0 && (mask[i] >> b & 1); b--)
            bits++;
    return bits;
}

/* mail_params_net - append one interface network in mynetworks form */
static void
mail_params_net(BUF *nets, const struct ifaddrs *ifa, bool subnet)
{
    char    text[INET6_ADDRSTRLEN];
    unsigned char addr[16];
    const unsigned char *mask = NULL;
    size_t  len;
    int     family = ifa->ifa_addr->sa_family;
    int     bits;

    if (family == AF_INET) {
        len = 4;
        memcpy(addr, &((struct sockaddr_in *) ifa->ifa_addr)->sin_addr, len);
        if (addr[0] == 127)
            return;                     /* covered by 127.0.0.0/8 */
        if (ifa->ifa_netmask)
            mask = (unsigned char *)
                &((struct sockaddr_in *) ifa->ifa_netmask)->sin_addr;
    } else {
        len = 16;
        memcpy(addr, &((struct sockaddr_in6 *) ifa->ifa_addr)->sin6_addr, len);
        if (IN6_IS_ADDR_LOOPBACK((struct in6_addr *) addr)
            || IN6_IS_ADDR_LINKLOCAL((struct in6_addr *) addr))
            return;                     /* ::1 listed; link-local is scoped */
        if (ifa->ifa_netmask)
            mask = (unsigned char *)
                &((struct sockaddr_in6 *) ifa->ifa_netmask)->sin6_addr;
    }
    bits = (int) len * 8;
    if (subnet && mask) {
        bits = mail_params_prefix(mask, len);
        for (size_t i = 0; i < len; i++)
            addr[i] &= mask[i];
    }
    inet_ntop(family, addr, text, sizeof(text));
    if (family == AF_INET)
        buf_sprintf_append(nets, " %s/%d", text, bits);
    else
        buf_sprintf_append(nets, " [%s]/%d", text, bits);
}

/* mail_params_networks - mynetworks from mynetworks_style */
static const char *
mail_params_networks(void)
{
    static char *networks;
    static char *for_style;
    static bool busy;                   /* mynetworks_style = $mynetworks */
    const char *raw = mail_conf_lookup("mynetworks_style");
    BUF    *style = buf_alloc(16);
    BUF    *why = buf_alloc(64);
    struct ifaddrs *ifap;
    BUF    *nets;
    int     status = -1;

    if (raw && !busy) {
        busy = true;
        status = mail_conf_expand(style, raw, why);
        busy = false;
    }
    if (status < 0 || buf_len(style) == 0)
        buf_strcpy(style, "host");
    buf_free(why);
    if (for_style && strcmp(for_style, buf_str(style)) == 0) {
        buf_free(style);
        return networks;
    }
    myfree(for_style);
    myfree(networks);
    for_style = buf_export(style);
    nets = buf_alloc(128);
    buf_strcpy(nets, "127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128");
    if (getifaddrs(&ifap) == 0) {
        for (struct ifaddrs *ifa = ifap; ifa; ifa = ifa->ifa_next) {
            if (ifa->ifa_addr == NULL
                || (ifa->ifa_addr->sa_family != AF_INET
                    && ifa->ifa_addr->sa_family != AF_INET6))
                continue;
            mail_params_net(nets, ifa, strcasecmp(for_style, "host") != 0);
        }
        freeifaddrs(ifap);
    }
    networks = buf_export(nets);
    return networks;
}

/* param_default - default text of a parameter, computed when dynamic */
const char *
param_default(const char *name)
{
    const PARAM_INFO *info = param_info(name);
    static char pid_text[32];

    if (info == NULL)
        return NULL;
    if ((info->flags & PF_DYNAMIC) == 0)
        return info->def;
    if (strcmp(name, "config_directory") == 0)
        return mail_conf_dir();
    if (strcmp(name, "myhostname") == 0)
        return mail_params_hostname();
    if (strcmp(name, "mydomain") == 0)
        return mail_params_domain();
    if (strcmp(name, "mynetworks") == 0)
        return mail_params_networks();
    if (strcmp(name, "process_name") == 0)
        return program_invocation_short_name;
    if (strcmp(name, "process_id") == 0) {
        snprintf(pid_text, sizeof(pid_text), "%ld", (long) getpid());
        return pid_text;
    }
    return info->def;                   /* service_name: set at run time */
}

/* mail_params_where - "path:LINE: " when name came from a file */
static const char *
mail_params_where(const char *name, BUF *where)
{
    const char *path = mail_conf_path(name);

    buf_reset(where);
    if (path)
        buf_sprintf(where, "%s:%d: ", path, mail_conf_line(name));
    return buf_str(where);
}

/* mail_params_number - convert by type; the message names what is wrong */
static const char *
mail_params_number(const PARAM_INFO *info, const char *text, long *val)
{
    bool    flag;
    int     unit;
    size_t  len;

    switch (info->type) {
    case PARAM_TYPE_INT:
        if (conv_long(text, val) < 0 || *val < INT_MIN || *val > INT_MAX)
            return "bad numerical configuration";
        return NULL;
    case PARAM_TYPE_LONG:
        return conv_long(text, val) < 0 ? "bad numerical configuration" : NULL;
    case PARAM_TYPE_SIZE:
        return conv_size(text, val) < 0 ? "bad numerical configuration" : NULL;
    case PARAM_TYPE_BOOL:
        if (conv_bool(text, &flag) < 0)
            return "bad boolean configuration";
        *val = flag;
        return NULL;
    case PARAM_TYPE_TIME:
        len = strlen(info->def);
        unit = len && isalpha((unsigned char) info->def[len - 1]) ?
            info->def[len - 1] : 's';
        if (conv_time(text, unit, val) < 0 || *val > INT_MAX)
            return "bad time configuration";
        return NULL;
    default:
        msg_panic("mail_params_number: bad type %d for %s",
                  info->type, info->name);
    }
}

/* mail_params_set - convert, check and store one parameter */
static void
mail_params_set(const PARAM_INFO *info, const char *text, BUF *where)
{
    const char *problem;
    long    val;

    if (info->type == PARAM_TYPE_STR || info->type == PARAM_TYPE_RAW) {
        char  **var = info->var;

        myfree(*var);
        *var = mystrdup(text);
        return;
    }
    if ((problem = mail_params_number(info, text, &val)) != NULL)
        msg_fatal("%s%s: %s = %s", mail_params_where(info->name, where),
                  problem, info->name, text);
    if ((info->min || info->max) && val < info->min)
        msg_fatal("%sinvalid %s parameter value %ld < %ld",
                  mail_params_where(info->name, where), info->name,
                  val, info->min);
    if (info->max && val > info->max)
        msg_fatal("%sinvalid %s parameter value %ld > %ld",
                  mail_params_where(info->name, where), info->name,
                  val, info->max);
    if (info->type == PARAM_TYPE_LONG || info->type == PARAM_TYPE_SIZE)
        *(long *) info->var = val;
    else
        *(int *) info->var = (int) val;
}

/* mail_params_init - fill every var_<name> from the configuration */
void
mail_params_init(void)
{
    BUF    *value = buf_alloc(256);
    BUF    *why = buf_alloc(64);
    BUF    *where = buf_alloc(64);

    for (int i = 0; i < param_table_size; i++) {
        const PARAM_INFO *info = &param_table[i];
        const char *raw = mail_conf_lookup(info->name);

        if (raw == NULL)
            raw = "";
        buf_reset(value);
        if (info->type == PARAM_TYPE_RAW) {
            buf_strcpy(value, raw);
        } else if (mail_conf_expand(value, raw, why) < 0) {
            msg_fatal("%s%s = %s: %s", mail_params_where(info->name, where),
                      info->name, raw, buf_str(why));
        }
        mail_params_set(info, buf_str(value), where);
    }
    buf_free(value);
    buf_free(why);
    buf_free(where);
}
