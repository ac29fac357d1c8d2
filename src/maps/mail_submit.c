/* mail_submit - the submitting user and authorized_submit_users (here in
 * src/maps because it is built on match_list).
 *
 * Shared by sendmail and postdrop so that both refuse a user with the
 * same words, as Postfix's do. See mail_submit.h. */
#include <errno.h>
#include <pwd.h>

#include "mail_submit.h"
#include "match_list.h"

/* mail_submit_login - the login name of uid */
int
mail_submit_login(uid_t uid, BUF *login, BUF *why)
{
    struct passwd *pw;

    errno = 0;
    if ((pw = getpwuid(uid)) == NULL) {
        if (errno)
            buf_sprintf(why, "getpwuid %ld: %m", (long) uid);
        else
            buf_sprintf(why, "no login name found for user ID %ld",
                        (long) uid);
        return -1;
    }
    buf_strcpy(login, pw->pw_name);
    return 0;
}

/* mail_submit_check - whether login may submit mail */
int
mail_submit_check(const char *patterns, const char *login, uid_t uid,
                  BUF *why)
{
    MATCH_LIST *list;
    int     status;

    if ((list = match_list_create("authorized_submit_users", MATCH_STRING,
                                  patterns, 0, why)) == NULL)
        return -1;
    status = match_list_match(list, login, NULL, why);
    match_list_free(list);
    if (status > 0)
        return 0;
    if (status == 0)
        buf_sprintf(why, "User %s(%ld) is not allowed to submit mail",
                    login, (long) uid);
    return -1;
}
