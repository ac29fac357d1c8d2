/* argv - growable, NULL-terminated string arrays and string splitting. */
#ifndef ARGV_H
#define ARGV_H

#include <stddef.h>

typedef struct ARGV {
    char  **argv;                       /* argc strings, then NULL */
    int     argc;
    int     cap;
} ARGV;

ARGV   *argv_alloc(int initial);
void    argv_free(ARGV *ap);
void    argv_add(ARGV *ap, const char *str);
void    argv_addn(ARGV *ap, const char *str, size_t len);
void    argv_insert(ARGV *ap, int where, const char *str);
void    argv_delete(ARGV *ap, int first, int count);
void    argv_truncate(ARGV *ap, int argc);
ARGV   *argv_copy(const ARGV *ap);

/* argv_split - split on any of the delimiter bytes, dropping empty fields */
ARGV   *argv_split(const char *str, const char *delim);

/* mystrtok - next token of *bufp separated by delim bytes, or NULL; modifies
 * the buffer, advances *bufp */
char   *mystrtok(char **bufp, const char *delim);

/* mystrtok_grouped - like mystrtok, but "{ text with, delims }" is one token,
 * returned without the braces and trimmed; *err is set to a message when the
 * braces do not balance */
char   *mystrtok_grouped(char **bufp, const char *delim, const char **err);

/* mystrtok_braced - like mystrtok, but delimiters inside balanced "{ }"
 * anywhere in a token do not split it ("inline:{ a=b, c=d }" is one token,
 * returned with its braces); *err is set when the braces do not balance */
char   *mystrtok_braced(char **bufp, const char *delim, const char **err);

/* Delimiters for Postfix list values: commas and white space. */
#define LIST_DELIM      ", \t\r\n"

#endif
