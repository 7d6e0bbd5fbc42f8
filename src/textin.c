/* textin.c - the shared streaming line reader (see textin.h). Lines are handed out in place
 * from a buffer refilled by large freads, so million-line inputs cost no per-line allocation. */
#include "textin.h"

#include <errno.h>
#include <string.h>

#include "util.h"

#define CHUNK ((size_t)4 << 20)
#define TOKEN_SHOWN 40 /* characters of a bad token quoted in a message */

int reader_open(line_reader *r, const char *path)
{
    memset(r, 0, sizeof *r);
    r->path = path;
    r->f = fopen(path, "rb");
    if (!r->f)
        return zp_fail(ZP_EIO, "%s: cannot open: %s", path, strerror(errno));
    r->cap = CHUNK;
    r->buf = zp_malloc(r->cap);
    return r->buf ? ZP_OK : ZP_ERUNTIME;
}

int reader_seek(line_reader *r, int64_t pos, long line)
{
    if (fseeko(r->f, (off_t)pos, SEEK_SET) != 0)
        return zp_fail(ZP_EIO, "%s: cannot seek: %s", r->path, strerror(errno));
    r->start = r->scan = r->end = 0;
    r->eof = 0;
    r->line = line;
    r->pos = pos;
    return ZP_OK;
}

void reader_close(line_reader *r)
{
    if (r->f)
        fclose(r->f);
    zp_free(r->buf);
    r->f = NULL;
    r->buf = NULL;
}

/* Moves the unfinished line to the front and reads behind it; the buffer only grows when one
 * line is longer than about half of it (a hub's adjacency line can be megabytes). */
static int reader_fill(line_reader *r)
{
    size_t pending = r->end - r->start;
    if (r->start > 0) {
        memmove(r->buf, r->buf + r->start, pending);
        r->start = 0;
        r->end = pending;
    }
    if (r->cap - r->end < CHUNK / 2) {
        /* only a line without end grows the buffer: a device or pipe of NULs or of one endless
         * line is refused here instead of filling memory */
        if (memchr(r->buf, '\0', r->end))
            return zp_fail(ZP_EINPUT, "%s:%ld: NUL byte in a text file", r->path, r->line + 1);
        if (r->cap >= ZP_MAX_INPUT_BYTES)
            return zp_fail(ZP_EINPUT, "%s:%ld: a line longer than %zu MiB (the input limit)",
                           r->path, r->line + 1, ZP_MAX_INPUT_BYTES >> 20);
        char *bigger = zp_realloc(r->buf, r->cap * 2);
        if (!bigger)
            return ZP_ERUNTIME;
        r->buf = bigger;
        r->cap *= 2;
    }
    size_t got = fread(r->buf + r->end, 1, r->cap - 1 - r->end, r->f);
    if (got == 0) {
        if (ferror(r->f))
            return zp_fail(ZP_EIO, "%s: %s", r->path, strerror(errno));
        r->eof = 1;
    }
    r->end += got;
    return ZP_OK;
}

/* Hands out the next line without its newline (and a CR before it), or *line = NULL at the
 * end. A NUL byte is an input error: the tokenizers stop at NUL and would skip the rest. */
int reader_next(line_reader *r, char **line, size_t *len)
{
    for (;;) {
        char *base = r->buf + r->start;
        size_t avail = r->end - r->start;
        char *nl = memchr(base + r->scan, '\n', avail - r->scan);
        if (nl || (r->eof && avail > 0)) {
            size_t n = nl ? (size_t)(nl - base) : avail;
            r->start += nl ? n + 1 : n;
            r->pos += (int64_t)(nl ? n + 1 : n);
            r->scan = 0;
            r->line++;
            if (n > 0 && base[n - 1] == '\r')
                n--;
            if (memchr(base, '\0', n))
                return zp_fail(ZP_EINPUT, "%s:%ld: NUL byte in a text file", r->path, r->line);
            base[n] = '\0';
            *line = base;
            *len = n;
            return ZP_OK;
        }
        if (r->eof) {
            *line = NULL;
            *len = 0;
            return ZP_OK;
        }
        r->scan = avail;
        int rc = reader_fill(r);
        if (rc != ZP_OK)
            return rc;
    }
}

/* ---- integer tokens ----------------------------------------------------------------------- */

int text_bad_int(const line_reader *r, const char *tok, const char *end, const char *what)
{
    if (end > tok) /* an integer, but too large */
        return zp_fail(ZP_EINPUT, "%s:%ld: %s %.*s is too large (limit 2^53)", r->path, r->line,
                       what, (int)ZP_MIN(end - tok, TOKEN_SHOWN), tok);
    int n = 0;
    while (tok[n] && !text_is_blank(tok[n]) && n < TOKEN_SHOWN)
        n++;
    return zp_fail(ZP_EINPUT, "%s:%ld: %s: expected an integer, found '%.*s'", r->path, r->line,
                   what, n, tok);
}

/* text_next_int for a token that must be there. */
int text_need_int(const line_reader *r, char **s, const char *what, int64_t *value)
{
    int found = 0;
    int rc = text_next_int(r, s, what, value, &found);
    if (rc == ZP_OK && !found)
        rc = zp_fail(ZP_EINPUT, "%s:%ld: missing %s", r->path, r->line, what);
    return rc;
}

/* Name of a problem read from path: the file name without directories and extension. */
char *text_name_from_path(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    char *name = zp_strdup(base);
    if (name) {
        char *dot = strrchr(name, '.');
        if (dot && dot != name)
            *dot = '\0';
    }
    return name;
}

/* Grows *ptr (elements of size elem) so that it holds at least need elements. */
int text_grow_array(void **ptr, int64_t *cap, int64_t need, size_t elem)
{
    if (need <= *cap)
        return ZP_OK;
    int64_t c = *cap > 0 ? *cap : 1024;
    while (c < need)
        c *= 2;
    void *bigger = zp_realloc(*ptr, (size_t)c * elem);
    if (!bigger)
        return ZP_ERUNTIME;
    *ptr = bigger;
    *cap = c;
    return ZP_OK;
}
