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

/* Blank characters of text inputs (space, tab, CR, VT, FF) and helpers on them. */
int text_is_blank(char c);
const char *text_skip_blanks(const char *s);
int text_is_blank_line(const char *s);

/* Integer tokens of the line r last returned: the next blank-separated integer of *s, *s moved
 * past it; *found = 0 when the line has no more tokens. what names the value in messages
 * ("file:line: what: expected an integer, found 'x'"; magnitudes above 2^53 are refused).
 * text_need_int: the token must be there ("missing what"). */
int text_next_int(const line_reader *r, char **s, const char *what, int64_t *value, int *found);
int text_need_int(const line_reader *r, char **s, const char *what, int64_t *value);

/* The name of a problem read from path: the file name without directories and extension
 * (allocated; NULL when out of memory). */
char *text_name_from_path(const char *path);

/* Grows *ptr (elements of size elem, *cap of them) to hold at least need, by doubling. */
int text_grow_array(void **ptr, int64_t *cap, int64_t need, size_t elem);

#endif
