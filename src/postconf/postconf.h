/* postconf - internal interface between the files of the postconf command.
 *
 * postconf.c parses the command line into a PCF_OPTS and calls one of the
 * mode functions; each file implements one concern: main.cf printing
 * (postconf_main.c), main.cf editing (postconf_edit.c), master.cf printing
 * (postconf_master.c) and the generated documentation (postconf_docs.c). */
#ifndef POSTCONF_H
#define POSTCONF_H

#include <stdbool.h>

#include "argv.h"
#include "master_conf.h"

typedef struct PCF_OPTS {
    bool    defaults;                   /* -d */
    bool    nondefault;                 /* -n */
    bool    hide_name;                  /* -h */
    bool    expand;                     /* -x */
    bool    fold;                       /* -f */
    ARGV   *overrides;                  /* -o name=value */
} PCF_OPTS;

/* Which edit postconf_edit_main() makes. */
typedef enum {
    PCF_EDIT_SET,                       /* -e name=value */
    PCF_EDIT_REMOVE,                    /* -X name */
    PCF_EDIT_COMMENT,                   /* -# name */
} PCF_EDIT_MODE;

/* postconf_main.c */
void    pcf_read_main(const PCF_OPTS *opts, bool need_file);
void    pcf_show_main(const PCF_OPTS *opts, char **names);
void    pcf_print_param(const PCF_OPTS *opts, const char *name,
                        const char *value);

/* postconf_edit.c */
void    pcf_edit_main(PCF_EDIT_MODE mode, char **args);

/* postconf_master.c */
MASTER_CONF *pcf_read_master(bool need_file);
ARGV   *pcf_master_settings(void);
void    pcf_show_master_entries(const PCF_OPTS *opts, char **selectors);
void    pcf_show_master_fields(const PCF_OPTS *opts, char **selectors);
void    pcf_show_master_params(const PCF_OPTS *opts, char **selectors);

/* postconf_docs.c */
void    pcf_show_docs(const char *mode);

#endif
