/* util.c - error message store, allocation with fault injection, clock. */
#define _DEFAULT_SOURCE /* madvise's MADV_HUGEPAGE (Linux) */
#include "util.h"

#include <errno.h>
#include <limits.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define ZP_MSG_MAX 1024

static char error_msg[ZP_MSG_MAX];
static long alloc_count;
static long alloc_fail_at;

int zp_fail(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(error_msg, sizeof error_msg, fmt, ap);
    va_end(ap);
    return code;
}

void zp_error_prefix(const char *fmt, ...)
{
    char joined[ZP_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(joined, sizeof joined, fmt, ap);
    va_end(ap);
    if (len >= 0 && (size_t)len < sizeof joined) {
        size_t room = sizeof joined - (size_t)len - 1, tail = strlen(error_msg);
        size_t copy = tail < room ? tail : room;
        memcpy(joined + len, error_msg, copy);
        joined[(size_t)len + copy] = '\0';
    }
    memcpy(error_msg, joined, sizeof error_msg);
}

const char *zp_error_message(void) { return error_msg[0] ? error_msg : "unknown error"; }
void zp_error_clear(void) { error_msg[0] = '\0'; }

static int injected_failure(void)
{
    alloc_count++;
    if (alloc_fail_at > 0 && alloc_count == alloc_fail_at) {
        zp_fail(ZP_ERUNTIME, "out of memory (injected failure of allocation %ld)", alloc_count);
        return 1;
    }
    return 0;
}

/* Blocks of at least HUGE_PAGE_MIN bytes ask for transparent huge pages (Linux with THP in its
 * "madvise" mode, the default of many distributions). A first touch of a 4 KB page cost about
 * 10 us on the project's VM (15% of a distributed run on micro-1M), and the engine's scattered
 * reads miss the TLB less on 2 MB pages: micro-1M, k = 64, run --engine dist 6.8 -> 5.9 s on one
 * rank, 4.4 -> 3.6 s on two (docs/scaling.md). Advice only: where it is refused, nothing changes. */
#define HUGE_PAGE ((uintptr_t)2 << 20)
#define HUGE_PAGE_MIN ((size_t)4 << 20)

static void *advise_huge_pages(void *p, size_t size)
{
#ifdef MADV_HUGEPAGE
    if (p && size >= HUGE_PAGE_MIN) {
        uintptr_t b = ((uintptr_t)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
        uintptr_t e = ((uintptr_t)p + size) & ~(HUGE_PAGE - 1);
        if (e > b)
            (void)madvise((void *)b, (size_t)(e - b), MADV_HUGEPAGE);
    }
#else
    (void)size;
#endif
    return p;
}

void *zp_malloc(size_t size)
{
    if (injected_failure())
        return NULL;
    void *p = advise_huge_pages(malloc(size ? size : 1), size);
    if (!p)
        zp_fail(ZP_ERUNTIME, "out of memory (%zu bytes)", size);
    return p;
}

void *zp_calloc(size_t count, size_t size)
{
    if (injected_failure())
        return NULL;
    void *p;
    if (count && size && count <= SIZE_MAX / size && count * size >= HUGE_PAGE_MIN) {
        /* zeroed after the advice: calloc may clear (touch) the pages before it */
        p = advise_huge_pages(malloc(count * size), count * size);
        if (p)
            memset(p, 0, count * size);
    } else {
        p = calloc(count ? count : 1, size ? size : 1);
    }
    if (!p)
        zp_fail(ZP_ERUNTIME, "out of memory (%zu x %zu bytes)", count, size);
    return p;
}

void *zp_realloc(void *ptr, size_t size)
{
    if (injected_failure())
        return NULL;
    void *p = advise_huge_pages(realloc(ptr, size ? size : 1), size);
    if (!p)
        zp_fail(ZP_ERUNTIME, "out of memory (%zu bytes)", size);
    return p;
}

char *zp_strdup(const char *s)
{
    size_t len = strlen(s) + 1;
    char *p = zp_malloc(len);
    if (p)
        memcpy(p, s, len);
    return p;
}

void zp_free(void *ptr) { free(ptr); }

void zp_alloc_fail_at(long n)
{
    alloc_count = 0;
    alloc_fail_at = n;
}

long zp_alloc_count(void) { return alloc_count; }

double zp_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void zp_join_args(int argc, char **argv, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < argc && used + 2 < size; i++) {
        int n = snprintf(buf + used, size - used, "%s%s", i ? " " : "", argv[i]);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

int zp_check_output_path(const char *path, int may_exist, const char *advice)
{
    char dir[4096];
    struct stat sb;
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *(slash == dir ? slash + 1 : slash) = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return zp_fail(ZP_EIO, "%s: folder '%s' does not exist", path, dir);
    if (access(dir, W_OK) != 0)
        return zp_fail(ZP_EIO, "%s: folder '%s' is not writable", path, dir);
    if (!may_exist && stat(path, &sb) == 0)
        return zp_fail(ZP_EIO, "%s: exists (%s)", path, advice);
    return ZP_OK;
}

int zp_parse_long(const char *text, long long lo, long long hi, const char *opt,
                      long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || *end || end == text || v < lo || v > hi)
        return zp_fail(ZP_EUSAGE, "%s: expected a whole number in [%lld, %lld], got '%s'", opt,
                       lo, hi, text);
    *out = v;
    return ZP_OK;
}

int zp_parse_double(const char *text, double lo, double hi, const char *opt, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || *end || end == text || !(v >= lo && v <= hi))
        return zp_fail(ZP_EUSAGE, "%s: expected a number in [%g, %g], got '%s'", opt, lo, hi,
                       text);
    *out = v;
    return ZP_OK;
}

const char *zp_format_number(char *buf, double v)
{
    /* the shortest text that reads back exactly: 100 as "100" (not "1e+02"), 1e9 as "1e+09" */
    char text[ZP_NUMBER_TEXT];
    snprintf(buf, ZP_NUMBER_TEXT, "%.17g", v);
    for (int digits = 1; digits <= 17; digits++) {
        snprintf(text, sizeof text, "%.*g", digits, v);
        if (strtod(text, NULL) == v && strlen(text) < strlen(buf))
            strcpy(buf, text);
    }
    return buf;
}

static int input_too_large(const char *path)
{
    return zp_fail(ZP_EINPUT, "%s: larger than %zu MiB (the input limit; give large problems "
                   "as a .graph or CSV input)", path, ZP_MAX_INPUT_BYTES >> 20);
}

int zp_read_file(const char *path, char **buf, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return zp_fail(ZP_EIO, "%s: cannot open: %s", path, strerror(errno));
    int rc = ZP_OK;
    size_t cap = 1 << 16, used = 0;
    char *data = NULL;
    struct stat st;
    /* a regular file's size is known: refuse it before reading it */
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size > ZP_MAX_INPUT_BYTES)
        ZP_CHECK(input_too_large(path));
    if (!(data = zp_malloc(cap)))
        ZP_CHECK(ZP_ERUNTIME);
    for (;;) {
        if (used + 1 >= cap) {
            /* room for one byte past the limit, to tell a file of exactly the limit */
            size_t bigger_cap = ZP_MIN(cap * 2, ZP_MAX_INPUT_BYTES + 2);
            char *bigger = zp_realloc(data, bigger_cap);
            if (!bigger)
                ZP_CHECK(ZP_ERUNTIME);
            data = bigger;
            cap = bigger_cap;
        }
        size_t got = fread(data + used, 1, cap - used - 1, f);
        used += got;
        if (used > ZP_MAX_INPUT_BYTES)
            ZP_CHECK(input_too_large(path));
        /* callers refuse a NUL byte; reading on would only delay that (think /dev/zero) */
        if (got == 0 || memchr(data + used - got, '\0', got))
            break;
    }
    if (ferror(f))
        ZP_CHECK(zp_fail(ZP_EIO, "%s: cannot read: %s", path, strerror(errno)));
    data[used] = '\0';
    *buf = data;
    *len = used;
    data = NULL;
out:
    zp_free(data);
    fclose(f);
    return rc;
}

/* Apps + adjacency entries above which freed memory stays in the heap (712a5ef: the 1M-app
 * bench runs spent seconds of system time in page faults without it). */
#define KEEP_FREED_MEMORY_SIZE 4e6

void zp_release_freed_memory(void)
{
#ifdef __GLIBC__
    (void)malloc_trim(0);
#endif
}

void zp_keep_freed_memory(double size)
{
#ifdef __GLIBC__
    if (size > KEEP_FREED_MEMORY_SIZE) {
        mallopt(M_MMAP_MAX, 0);
        mallopt(M_TRIM_THRESHOLD, INT_MAX);
    }
#else
    (void)size;
#endif
}
