/* mail_conf - main.cf: reading, overriding, expanding.
 *
 * The configuration is a table of name -> raw text. main.cf fills it;
 * -o overrides and run-time settings (service_name, ...) replace entries;
 * lookups fall back to the built-in defaults of mail_params.def. Values are
 * expanded when they are used (lazy expansion, mac_expand.h), so a
 * reference to a parameter set later still works.
 *
 * main.cf syntax: "name = value"; a line that starts with white space
 * continues the previous one; a line whose first non-blank character is #
 * is a comment; blank lines are ignored; trailing white space is dropped.
 * A continuation joins the previous line with one space; comment and blank
 * lines inside a continued entry are skipped. When a name appears twice the
 * last one wins. Read-only parameters (PF_READONLY) ignore main.cf text. */
#ifndef MAIL_CONF_H
#define MAIL_CONF_H

#include "argv.h"
#include "buf.h"

#define MAIN_CF         "main.cf"
#define MASTER_CF       "master.cf"

/* The configuration directory: -c DIR, else $MAIL_CONFIG, else the
 * compiled-in default. */
void    mail_conf_set_dir(const char *dir);
const char *mail_conf_dir(void);
const char *mail_conf_main_path(void);  /* DIR/main.cf */

/* mail_conf_read - read DIR/main.cf into the table; errors are fatal */
void    mail_conf_read(void);

/* mail_conf_read_file - read one file in main.cf syntax; 0, or -1 with
 * "path:LINE: what is wrong" in why */
int     mail_conf_read_file(const char *path, BUF *why);

/* mail_conf_update - set a value (an -o override or a run-time value) */
void    mail_conf_update(const char *name, const char *value);

/* mail_conf_override - apply "name=value" (white space around = allowed);
 * 0, or -1 with the reason in why */
int     mail_conf_override(const char *assignment, BUF *why);

/* mail_conf_lookup - raw text: main.cf/override, else the default, else NULL */
const char *mail_conf_lookup(const char *name);

/* mail_conf_lookup_set - raw text only if set in main.cf or by override */
const char *mail_conf_lookup_set(const char *name);

/* mail_conf_line - line of name in main.cf (0 if not from main.cf) */
int     mail_conf_line(const char *name);

/* mail_conf_path - the file that set name (main.cf or another file given
 * to mail_conf_read_file), NULL for defaults, overrides, run-time values */
const char *mail_conf_path(const char *name);

/* mail_conf_expand - append the expansion of text to result; 0, or -1
 * with the reason in why */
int     mail_conf_expand(BUF *result, const char *text, BUF *why);

/* mail_conf_eval - expanded value of a parameter (static buffer,
 * valid until the next call), NULL if undefined; a syntax error is fatal */
const char *mail_conf_eval(const char *name);

/* mail_conf_names - every name set in main.cf or by override, sorted;
 * NULL-terminated array for the caller to myfree() */
const char **mail_conf_names(void);

/* mail_conf_unused - names set in a file that are not parameters and that
 * no value refers to ($name, ${name...}, $(name)); more holds further texts
 * to search (the "name=value" of master.cf -o options). Caller frees. */
ARGV   *mail_conf_unused(const ARGV *more);

/* mail_conf_warn_unused - warn "PATH:LINE: unused parameter: name=value"
 * for each of those; returns how many */
int     mail_conf_warn_unused(const ARGV *more);

/* mail_conf_reset - forget everything (tests, reload) */
void    mail_conf_reset(void);

#endif
