/* jsonin.c - validated JSON input (see jsonin.h). */
#include "jsonin.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

int json_error(const char *file, const char *path, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return zp_fail(ZP_EINPUT, "%s: %s: %s", file, path[0] ? path : "(top level)", msg);
}

void json_child_path(char *out, const char *parent, const char *key)
{
    snprintf(out, ZP_JSON_PATH, "%s%s%s", parent, parent[0] ? "." : "", key);
}

void json_index_path(char *out, const char *parent, int64_t i)
{
    snprintf(out, ZP_JSON_PATH, "%s[%lld]", parent, (long long)i);
}

int json_check_keys(const char *file, const char *path, const cJSON *obj,
                    const char *const *allowed)
{
    for (const cJSON *c = obj->child; c; c = c->next) {
        int known = 0;
        for (const char *const *a = allowed; *a && !known; a++)
            known = strcmp(*a, c->string) == 0;
        if (!known)
            return json_error(file, path, "unknown key \"%s\"", c->string);
        for (const cJSON *d = obj->child; d != c; d = d->next)
            if (strcmp(d->string, c->string) == 0)
                return json_error(file, path, "key \"%s\" given twice", c->string);
    }
    return ZP_OK;
}

int json_expect_object(const char *file, const char *path, const cJSON *node)
{
    return cJSON_IsObject(node) ? ZP_OK : json_error(file, path, "expected an object");
}

int json_number(const char *file, const char *path, const cJSON *node, double lo, double hi,
                int integer, double *out)
{
    const char *kind = integer ? " whole" : "";
    if (!cJSON_IsNumber(node))
        return json_error(file, path, "expected a%s number", kind);
    if (!isfinite(node->valuedouble))
        return json_error(file, path, "expected a%s number, got one too large for a double",
                          kind);
    double v = node->valuedouble;
    char got[ZP_NUMBER_TEXT], low[ZP_NUMBER_TEXT], high[ZP_NUMBER_TEXT];
    /* as many digits as tell the value from the limit: 1.0000001e15 is not "1e+15" */
    zp_format_number(got, v);
    if (integer && v != floor(v))
        return json_error(file, path, "expected a whole number, got %s", got);
    if (v < lo || v > hi) /* whole numbers in full: %g would print 2147483646 as 2.14748e+09 */
        return integer ? json_error(file, path, "expected a number in [%.0f, %.0f], got %.0f", lo,
                                    hi, v)
                       : json_error(file, path, "expected a number in [%s, %s], got %s",
                                    zp_format_number(low, lo), zp_format_number(high, hi), got);
    *out = v;
    return ZP_OK;
}

/* ---- strict scan ------------------------------------------------------------------------------
 * cJSON accepts more than JSON and changes some of what it accepts: it keeps every copy of a
 * key (a reader then sees the first one), cuts a string at \u0000, takes any byte <= 32 as
 * white space, numbers with leading zeros ("007") and raw control characters in strings, and
 * copies invalid UTF-8 through to the output file. Instead of patching it, one pass over the
 * text refuses these with the JSON path and line:col before cJSON builds the tree; the scan
 * leaves plain syntax errors (a missing comma, a truncated file) to cJSON, whose messages the
 * users and tests know. The scan keeps only the keys of the objects still open. */

#define SCAN_DEPTH 1000 /* cJSON's nesting limit: deeper input is left for it to refuse */
#define SCAN_SYNTAX (-1) /* not JSON syntax at all: cJSON reports it */

typedef struct {
    size_t off, len; /* the decoded key in the arena */
    const char *at;  /* its opening quote */
} scan_key;

typedef struct {
    int object;
    int64_t index;     /* array: element being scanned */
    int64_t first_key; /* object: its first entry in keys */
    int64_t key;       /* object: entry of the member being scanned, -1 before the first */
} scan_frame;

typedef struct {
    const char *file, *text, *p, *end;
    const char *syntax; /* where the text stopped being JSON */
    int depth, in_key;
    scan_frame frames[SCAN_DEPTH + 1];
    scan_key *keys;
    int64_t nkeys, capkeys;
    char *arena;
    size_t used, cap;
} scanner;

static void text_position(const char *text, const char *at, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (const char *c = text; c < at; c++) {
        if (*c == '\n') {
            ++*line;
            *col = 1;
        } else {
            ++*col;
        }
    }
}

/* A key's decoded text; "" while the arena is empty (only empty keys so far: no pointer
 * arithmetic on NULL). */
static const char *key_text(const scanner *sc, const scan_key *k)
{
    return sc->arena ? sc->arena + k->off : "";
}

/* The path of the value inside the first depth containers. */
static void scan_path(const scanner *sc, int depth, char *out)
{
    char part[ZP_JSON_PATH];
    out[0] = '\0';
    for (int d = 0; d < depth; d++) {
        const scan_frame *f = &sc->frames[d];
        strcpy(part, out);
        if (!f->object) {
            json_index_path(out, part, f->index);
        } else if (f->key >= 0) {
            const scan_key *k = &sc->keys[f->key];
            char name[ZP_JSON_PATH];
            snprintf(name, sizeof name, "%.*s", (int)ZP_MIN(k->len, sizeof name - 1),
                     key_text(sc, k));
            json_child_path(out, part, name);
        }
    }
}

static int scan_fail_at(scanner *sc, const char *at, int depth, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int scan_fail_at(scanner *sc, const char *at, int depth, const char *fmt, ...)
{
    char msg[256], path[ZP_JSON_PATH];
    int line, col;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    text_position(sc->text, at, &line, &col);
    scan_path(sc, depth, path);
    return zp_fail(ZP_EINPUT, "%s:%d:%d: %s: %s", sc->file, line, col,
                   path[0] ? path : "(top level)", msg);
}

/* A defect of the value being scanned (of its object, inside a key). */
#define scan_fail(sc, at, ...) scan_fail_at(sc, at, (sc)->depth - (sc)->in_key, __VA_ARGS__)

static int scan_syntax(scanner *sc)
{
    sc->syntax = sc->p;
    return SCAN_SYNTAX;
}

static int scan_blank(scanner *sc)
{
    for (; sc->p < sc->end; sc->p++) {
        unsigned char c = (unsigned char)*sc->p;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
            continue;
        if (c < 0x20)
            return scan_fail(sc, sc->p, "control character U+%04X outside a string (JSON "
                             "allows space, tab, CR and LF)", c);
        break;
    }
    return ZP_OK;
}

static int arena_put(scanner *sc, const char *bytes, size_t n)
{
    if (sc->used + n > sc->cap) {
        size_t cap = ZP_MAX(sc->cap * 2, sc->used + n + 256);
        char *bigger = zp_realloc(sc->arena, cap);
        if (!bigger)
            return ZP_ERUNTIME;
        sc->arena = bigger;
        sc->cap = cap;
    }
    memcpy(sc->arena + sc->used, bytes, n);
    sc->used += n;
    return ZP_OK;
}

/* Length of the well-formed UTF-8 sequence at s (RFC 3629: no overlong forms, no surrogates,
 * nothing above U+10FFFF), or 0. */
static int utf8_length(const unsigned char *s, const unsigned char *end)
{
    unsigned char c = s[0];
    int n;
    unsigned char lo = 0x80, hi = 0xBF; /* range of the second byte */
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3, lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4, lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    else
        return 0;
    if (end - s < n || s[1] < lo || s[1] > hi)
        return 0;
    for (int i = 2; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return n;
}

static int hex4(const char *s, const char *end, unsigned *out)
{
    *out = 0;
    if (end - s < 4)
        return 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
                     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
                                            : 16u;
        if (d == 16)
            return 0;
        *out = *out * 16 + d;
    }
    return 1;
}

/* Appends the code point's UTF-8 bytes to the arena (keys only). */
static int put_code_point(scanner *sc, unsigned cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | cp >> 6), b[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | cp >> 12), b[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        b[0] = (char)(0xF0 | cp >> 18), b[1] = (char)(0x80 | (cp >> 12 & 0x3F));
        b[2] = (char)(0x80 | (cp >> 6 & 0x3F)), b[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return arena_put(sc, b, n);
}

/* A \uXXXX escape at sc->p (on the backslash), with the second half of a surrogate pair. */
static int scan_unicode(scanner *sc, int keep)
{
    const char *at = sc->p;
    unsigned cp, low;
    if (!hex4(at + 2, sc->end, &cp))
        return scan_fail(sc, at, "invalid \\u escape (expected 4 hex digits)");
    sc->p += 6;
    if (cp >= 0xDC00 && cp <= 0xDFFF)
        return scan_fail(sc, at, "invalid \\u escape: \\u%04X is the second half of a "
                         "surrogate pair without its first", cp);
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (sc->end - sc->p < 6 || sc->p[0] != '\\' || sc->p[1] != 'u' ||
            !hex4(sc->p + 2, sc->end, &low) || low < 0xDC00 || low > 0xDFFF)
            return scan_fail(sc, at, "invalid \\u escape: \\u%04X is the first half of a "
                             "surrogate pair without its second", cp);
        sc->p += 6;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    if (cp == 0)
        return scan_fail(sc, at, "\\u0000 (a NUL character) in a string");
    return keep ? put_code_point(sc, cp) : ZP_OK;
}

static int scan_escape(scanner *sc, int keep)
{
    static const char plain[] = "\"\\/bfnrt", decoded[] = "\"\\/\b\f\n\r\t";
    if (sc->p + 1 >= sc->end)
        return scan_syntax(sc);
    char e = sc->p[1];
    if (e == 'u')
        return scan_unicode(sc, keep);
    const char *known = e ? strchr(plain, e) : NULL;
    if (!known) {
        unsigned char shown = (unsigned char)e;
        return shown >= 0x20 && shown < 0x7F
                   ? scan_fail(sc, sc->p, "invalid escape \\%c in a string", e)
                   : scan_fail(sc, sc->p, "invalid escape (backslash before byte 0x%02X)", shown);
    }
    sc->p += 2;
    return keep ? arena_put(sc, &decoded[known - plain], 1) : ZP_OK;
}

/* The string at sc->p (on its quote); keep: decode it into the arena (a key). */
static int scan_string(scanner *sc, int keep)
{
    int rc = ZP_OK;
    sc->p++;
    while (rc == ZP_OK) {
        if (sc->p >= sc->end)
            return scan_syntax(sc);
        unsigned char c = (unsigned char)*sc->p;
        if (c == '"') {
            sc->p++;
            return ZP_OK;
        }
        if (c == '\\') {
            rc = scan_escape(sc, keep);
        } else if (c < 0x20) {
            return scan_fail(sc, sc->p, "raw control character U+%04X in a string (write it "
                             "as an escape such as \\n or \\u%04X)", c, c);
        } else {
            int n = c < 0x80 ? 1 : utf8_length((const unsigned char *)sc->p,
                                               (const unsigned char *)sc->end);
            if (n == 0)
                return scan_fail(sc, sc->p, "invalid UTF-8 in a string (byte 0x%02X)", c);
            if (keep)
                rc = arena_put(sc, sc->p, (size_t)n);
            sc->p += n;
        }
    }
    return rc;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* A number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? over the whole token cJSON reads. */
static int scan_number(scanner *sc)
{
    const char *start = sc->p, *q = sc->p, *end = sc->p;
    while (end < sc->end && (is_digit(*end) || strchr("+-.eE", *end)) && *end)
        end++;
    int len = (int)ZP_MIN(end - start, 40);
    if (q < end && *q == '-')
        q++;
    if (q + 1 < end && *q == '0' && is_digit(q[1]))
        return scan_fail(sc, start, "number %.*s has a leading zero", len, start);
    int ok = q < end && is_digit(*q);
    while (q < end && is_digit(*q))
        q++;
    if (ok && q < end && *q == '.') {
        ok = ++q < end && is_digit(*q);
        while (q < end && is_digit(*q))
            q++;
    }
    if (ok && q < end && (*q == 'e' || *q == 'E')) {
        q++;
        if (q < end && (*q == '+' || *q == '-'))
            q++;
        ok = q < end && is_digit(*q);
        while (q < end && is_digit(*q))
            q++;
    }
    if (!ok || q != end)
        return scan_fail(sc, start, "'%.*s' is not a JSON number", len, start);
    sc->p = end;
    return ZP_OK;
}

static int scan_value(scanner *sc);

static int scan_push(scanner *sc, int object)
{
    if (sc->depth == SCAN_DEPTH)
        return scan_syntax(sc);
    sc->frames[sc->depth++] = (scan_frame){object, 0, sc->nkeys, -1};
    sc->p++;
    return scan_blank(sc);
}

typedef struct {
    const char *s;
    size_t len;
    const char *at;
} key_view;

static int cmp_key_view(const void *a, const void *b)
{
    const key_view *x = a, *y = b;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    int c = memcmp(x->s, y->s, x->len);
    return c ? c : (x->at > y->at) - (x->at < y->at);
}

/* The closing object's keys: the first key given a second time, in text order. */
static int check_duplicates(scanner *sc, const scan_frame *f)
{
    int64_t n = sc->nkeys - f->first_key;
    if (n < 2)
        return ZP_OK;
    int rc = ZP_OK;
    key_view *v = NULL;
    ZP_ALLOC(v, n);
    for (int64_t i = 0; i < n; i++) {
        const scan_key *k = &sc->keys[f->first_key + i];
        v[i] = (key_view){key_text(sc, k), k->len, k->at};
    }
    qsort(v, (size_t)n, sizeof *v, cmp_key_view);
    const key_view *dup = NULL;
    for (int64_t i = 1; i < n; i++)
        if (v[i].len == v[i - 1].len && memcmp(v[i].s, v[i - 1].s, v[i].len) == 0 &&
            (!dup || v[i].at < dup->at))
            dup = &v[i];
    if (dup)
        rc = scan_fail_at(sc, dup->at, sc->depth - 1, "key \"%.*s\" given twice",
                          (int)ZP_MIN(dup->len, 200), dup->s);
out:
    zp_free(v);
    return rc;
}

static int scan_pop(scanner *sc)
{
    scan_frame *f = &sc->frames[sc->depth - 1];
    int rc = f->object ? check_duplicates(sc, f) : ZP_OK;
    if (rc != ZP_OK)
        return rc;
    if (f->object && sc->nkeys > f->first_key)
        sc->used = sc->keys[f->first_key].off;
    sc->nkeys = f->object ? f->first_key : sc->nkeys;
    sc->depth--;
    sc->p++;
    return ZP_OK;
}

static int scan_key_of(scanner *sc, scan_frame *f)
{
    int rc = ZP_OK;
    if (sc->p >= sc->end || *sc->p != '"')
        return scan_syntax(sc);
    if (sc->nkeys == sc->capkeys) {
        int64_t cap = sc->capkeys ? 2 * sc->capkeys : 64;
        scan_key *bigger = zp_realloc(sc->keys, sizeof *bigger * (size_t)cap);
        if (!bigger)
            return ZP_ERUNTIME;
        sc->keys = bigger;
        sc->capkeys = cap;
    }
    scan_key *k = &sc->keys[sc->nkeys];
    k->off = sc->used;
    k->at = sc->p;
    sc->in_key = 1;
    rc = scan_string(sc, 1);
    sc->in_key = 0;
    if (rc != ZP_OK)
        return rc;
    k->len = sc->used - k->off;
    f->key = sc->nkeys++;
    ZP_CHECK(scan_blank(sc));
    if (sc->p >= sc->end || *sc->p != ':')
        return scan_syntax(sc);
    sc->p++;
out:
    return rc;
}

/* An object or array at sc->p; its members one after the other. */
static int scan_container(scanner *sc, int object)
{
    int rc = ZP_OK;
    char close = object ? '}' : ']';
    ZP_CHECK(scan_push(sc, object));
    scan_frame *f = &sc->frames[sc->depth - 1];
    if (sc->p < sc->end && *sc->p == close)
        return scan_pop(sc);
    for (;;) {
        if (object)
            ZP_CHECK(scan_key_of(sc, f));
        ZP_CHECK(scan_value(sc));
        f->key = -1; /* between members, a defect belongs to the object */
        ZP_CHECK(scan_blank(sc));
        if (sc->p < sc->end && *sc->p == close)
            return scan_pop(sc);
        if (sc->p >= sc->end || *sc->p != ',')
            return scan_syntax(sc);
        sc->p++;
        f->index++;
        ZP_CHECK(scan_blank(sc));
    }
out:
    return rc;
}

static int scan_literal(scanner *sc, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(sc->end - sc->p) < n || memcmp(sc->p, word, n) != 0)
        return scan_syntax(sc);
    sc->p += n;
    return ZP_OK;
}

static int scan_value(scanner *sc)
{
    int rc = scan_blank(sc);
    if (rc != ZP_OK)
        return rc;
    if (sc->p >= sc->end)
        return scan_syntax(sc);
    switch (*sc->p) {
    case '{':
        return scan_container(sc, 1);
    case '[':
        return scan_container(sc, 0);
    case '"':
        return scan_string(sc, 0);
    case 't':
        return scan_literal(sc, "true");
    case 'f':
        return scan_literal(sc, "false");
    case 'n':
        return scan_literal(sc, "null");
    default:
        return *sc->p == '-' || is_digit(*sc->p) ? scan_number(sc) : scan_syntax(sc);
    }
}

/* ZP_OK (JSON, or a syntax error left in sc->syntax for cJSON) or ZP_EINPUT / ZP_ERUNTIME. */
static int strict_scan(const char *file, const char *text, size_t len, const char **syntax)
{
    scanner *sc = zp_calloc(1, sizeof *sc);
    if (!sc)
        return ZP_ERUNTIME;
    sc->file = file;
    sc->text = sc->p = text;
    sc->end = text + len;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) /* a byte order mark, as cJSON */
        sc->p += 3;
    int rc = scan_value(sc);
    if (rc == ZP_OK)
        rc = scan_blank(sc);
    if (rc == ZP_OK && sc->p < sc->end)
        rc = scan_syntax(sc);
    *syntax = sc->syntax;
    if (rc == SCAN_SYNTAX)
        rc = ZP_OK;
    zp_free(sc->keys);
    zp_free(sc->arena);
    zp_free(sc);
    return rc;
}

int json_parse(const char *file, const char *text, size_t len, cJSON **root)
{
    const char *end = NULL, *syntax = NULL;
    /* cJSON stops at a NUL byte, even inside a string ("A\0B" would silently become "A") */
    const char *nul = memchr(text, '\0', len);
    int line, col;
    *root = NULL;
    if (nul) {
        text_position(text, nul, &line, &col);
        return zp_fail(ZP_EINPUT, "%s:%d:%d: NUL byte in a text file", file, line, col);
    }
    int rc = strict_scan(file, text, len, &syntax);
    if (rc != ZP_OK)
        return rc;
    /* the length counts the terminating NUL, which cJSON requires to see */
    *root = cJSON_ParseWithLengthOpts(text, len + 1, &end, 1);
    if (*root && !syntax)
        return ZP_OK;
    if (*root) { /* not JSON, though cJSON took it */
        cJSON_Delete(*root);
        *root = NULL;
        end = syntax;
    }
    if (!end || end < text || end > text + len)
        end = text + len;
    text_position(text, end, &line, &col);
    return zp_fail(ZP_EINPUT, "%s:%d:%d: malformed JSON%s", file, line, col,
                   end >= text + len ? " (unexpected end of file)" : "");
}
