/* textin.h - the streaming line reader every text input shares (METIS graphs, partition files,
 * CSV, Prometheus text): big fread chunks, lines handed out in place, 1-based line numbers for
 * "file:line: message" errors. */
#ifndef ZP_TEXTIN_H
#define ZP_TEXTIN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct {
    FILE *f;
    const char *path;
    char *buf;
    size_t cap;   /* one spare byte is always kept for the NUL after an unterminated last line */
    size_t start; /* first byte of the next line */
    size_t scan;  /* bytes after start already known to hold no newline */
    size_t end;   /* end of the bytes read */
    int eof;
    long line; /* number of the line last returned, 1-based */
    int64_t pos; /* file offset of the next line */
} line_reader;

/* Opens path (ZP_EIO "path: cannot open: ..."); path must outlive the reader. */
int reader_open(line_reader *r, const char *path);
void reader_close(line_reader *r);

/* Moves r to byte offset pos of its file (the start of a line), whose line number is line + 1.
 * ZP_EIO when the file cannot seek. */
int reader_seek(line_reader *r, int64_t pos, long line);

/* Hands out the next line without its newline (and a CR before it), writable and
 * NUL-terminated, or *line = NULL at the end. A NUL byte inside is ZP_EINPUT "file:line". */
int reader_next(line_reader *r, char **line, size_t *len);

/* Blank characters of text inputs (space, tab, CR, VT, FF) and helpers on them (inline: the
 * tokenizers call them per character). */
static inline int text_is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static inline const char *text_skip_blanks(const char *s)
{
    while (text_is_blank(*s))
        s++;
    return s;
}

static inline int text_is_blank_line(const char *s) { return *text_skip_blanks(s) == '\0'; }

/* Integer tokens of the line r last returned: the next blank-separated integer of *s, *s moved
 * past it; *found = 0 when the line has no more tokens. what names the value in messages
 * ("file:line: what: expected an integer, found 'x'"; magnitudes above 2^53 are refused).
 * text_need_int: the token must be there ("missing what"). Hand-written and inline because
 * strtoll per token is the bottleneck of a 150 MB file; text_bad_int reports the token tok,
 * whose digits end at end (end == tok: it is not an integer). */
int text_bad_int(const line_reader *r, const char *tok, const char *end, const char *what);

static inline int text_next_int(const line_reader *r, char **s, const char *what, int64_t *value,
                                int *found)
{
    char *p = (char *)text_skip_blanks(*s);
    *found = 0;
    if (!*p) {
        *s = p;
        return 0;
    }
    char *tok = p;
    int neg = *p == '-';
    if (*p == '-' || *p == '+')
        p++;
    uint64_t v = 0;
    int digits = 0, big = 0;
    for (; *p >= '0' && *p <= '9'; p++, digits++) {
        v = v * 10 + (uint64_t)(*p - '0');
        big |= v > ((uint64_t)1 << 53);
    }
    if (!digits || (*p && !text_is_blank(*p)))
        return text_bad_int(r, tok, tok, what);
    if (big)
        return text_bad_int(r, tok, p, what);
    *value = neg ? -(int64_t)v : (int64_t)v;
    *found = 1;
    *s = p;
    return 0;
}

int text_need_int(const line_reader *r, char **s, const char *what, int64_t *value);

/* The name of a problem read from path: the file name without directories and extension
 * (allocated; NULL when out of memory). */
char *text_name_from_path(const char *path);

/* Grows *ptr (elements of size elem, *cap of them) to hold at least need, by doubling. */
int text_grow_array(void **ptr, int64_t *cap, int64_t need, size_t elem);

#endif
