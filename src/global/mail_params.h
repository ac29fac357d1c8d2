/* mail_params - the C variables generated from mail_params.def.
 *
 * After mail_params_init() every var_<name> holds the expanded, converted
 * and range-checked value of its parameter. */
#ifndef MAIL_PARAMS_H
#define MAIL_PARAMS_H

#include <stdbool.h>

#define POSTERN_VERSION "0.1.0"

#define PF_DYNAMIC      (1<<0)          /* default computed at run time */
#define PF_READONLY     (1<<1)          /* not settable in main.cf */

typedef enum {
    PARAM_TYPE_STR, PARAM_TYPE_RAW, PARAM_TYPE_INT, PARAM_TYPE_LONG,
    PARAM_TYPE_BOOL, PARAM_TYPE_TIME, PARAM_TYPE_SIZE,
} PARAM_TYPE;

typedef struct PARAM_INFO {
    const char *name;
    PARAM_TYPE type;
    const char *def;                    /* built-in default text */
    long    min, max;                   /* 0, 0: no bounds */
    int     flags;
    void   *var;                        /* char **, int * or long * */
} PARAM_INFO;

#define PARAM_CTYPE_STR   char *
#define PARAM_CTYPE_RAW   char *
#define PARAM_CTYPE_INT   int
#define PARAM_CTYPE_BOOL  int
#define PARAM_CTYPE_TIME  int
#define PARAM_CTYPE_LONG  long
#define PARAM_CTYPE_SIZE  long
#define PARAM(type, name, def, min, max, flags) \
    extern PARAM_CTYPE_##type var_##name;
#include "mail_params.def"
#undef PARAM

extern const PARAM_INFO param_table[];  /* sorted by name */
extern const int param_table_size;

/* param_info - table entry for a name, or NULL */
const PARAM_INFO *param_info(const char *name);

/* param_default - the default text of a parameter (computed for dynamic
 * ones), or NULL for an unknown name */
const char *param_default(const char *name);

/* mail_params_init - fill every var_<name> from the current configuration
 * (see mail_conf.h); a bad value is fatal: "main.cf:LINE: ..." */
void    mail_params_init(void);

#endif
