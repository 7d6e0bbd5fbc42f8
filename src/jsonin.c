/* jsonin.c - validated JSON input (see jsonin.h). */
#include "jsonin.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
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

int json_parse(const char *file, const char *text, size_t len, cJSON **root)
{
    const char *end = NULL;
    /* cJSON stops at a NUL byte, even inside a string ("A\0B" would silently become "A") */
    const char *nul = memchr(text, '\0', len);
    /* the length counts the terminating NUL, which cJSON requires to see */
    *root = nul ? NULL : cJSON_ParseWithLengthOpts(text, len + 1, &end, 1);
    if (*root)
        return ZP_OK;
    if (nul)
        end = nul;
    else if (!end || end < text || end > text + len)
        end = text + len;
    int line = 1, col = 1;
    for (const char *c = text; c < end; c++) {
        if (*c == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    if (nul)
        return zp_fail(ZP_EINPUT, "%s:%d:%d: NUL byte in a text file", file, line, col);
    return zp_fail(ZP_EINPUT, "%s:%d:%d: malformed JSON%s", file, line, col,
                   end >= text + len ? " (unexpected end of file)" : "");
}
