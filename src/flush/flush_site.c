/* flush_site - which sites the service keeps logs for, and their names.
 *
 * A site is eligible when it matches $fast_flush_domains (a domain list,
 * parent style when the list is named in
 * parent_domain_matches_subdomains, as by default: "example.com" then
 * also covers "mail.example.com"). Its log is $queue_directory/flush/NAME
 * where NAME is the site in lower case with every character other than a
 * letter or digit replaced by '_' (Postfix's flush_site_to_path): "/",
 * "." and ".." can never come out of it, so no site names another path.
 * Names are limited to 255 characters (the longest host name; also the
 * longest file name). */
#include <ctype.h>
#include <string.h>

#include "flush.h"
#include "msg.h"

#define FLUSH_SITE_NAME_MAX     255

/* flush_site_ok - whether site is listed in $fast_flush_domains */
int
flush_site_ok(const FLUSH_CONF *conf, const char *site)
{
    BUF    *why = buf_alloc(100);
    int     status;

    if ((status = match_list_match(conf->domains, site, NULL, why)) < 0)
        msg_warn("fast_flush_domains: %s", buf_str(why));
    buf_free(why);
    return status;
}

/* flush_site_name - the log's file name for site */
int
flush_site_name(BUF *name, const char *site)
{
    size_t  len = strlen(site);

    if (len == 0 || len > FLUSH_SITE_NAME_MAX)
        return -1;
    buf_reset(name);
    for (const unsigned char *cp = (const unsigned char *) site; *cp; cp++)
        buf_addch(name, isascii(*cp) && isalnum(*cp) ? tolower(*cp) : '_');
    return 0;
}

/* flush_site_name_ok - whether name could have come from flush_site_name */
int
flush_site_name_ok(const char *name)
{
    size_t  len = strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_");

    return len > 0 && len <= FLUSH_SITE_NAME_MAX && name[len] == 0;
}
