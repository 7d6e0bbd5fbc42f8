/* util.h - the one error idiom, checked allocation and small helpers shared by every module.
 *
 * Every fallible function returns an int status (ZP_OK or one of the ZP_E* codes, which are
 * also the process exit codes). The function that detects a failure records a one-line message
 * with zp_fail(); callers propagate the status with ZP_CHECK and may add context in front with
 * zp_error_prefix(). main() prints zp_error_message() once. assert() is for internal invariants
 * only, never for user input. */
#ifndef ZP_UTIL_H
#define ZP_UTIL_H

#include <stddef.h>
#include <stdint.h>

enum {
    ZP_OK = 0,
    ZP_ERUNTIME = 1, /* failure while running (out of memory, internal error) */
    ZP_EUSAGE = 2,   /* bad command line */
    ZP_EINPUT = 3,   /* invalid input file */
    ZP_EIO = 4       /* file system or HDF5 failure */
};

/* Records "message" (printf-style) as the current error and returns code. */
int zp_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Puts "prefix" (printf-style) in front of the current error message. */
void zp_error_prefix(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *zp_error_message(void);
void zp_error_clear(void);

/* Propagates a non-zero status to the function's single cleanup label `out`,
 * which must be preceded by a declared `int rc`. */
#define ZP_CHECK(expr)                                                                             \
    do {                                                                                           \
        int zp_rc_ = (expr);                                                                       \
        if (zp_rc_ != ZP_OK) {                                                                     \
            rc = zp_rc_;                                                                           \
            goto out;                                                                              \
        }                                                                                          \
    } while (0)

/* Allocation that fails cleanly. On failure they record "out of memory" and return NULL.
 * zp_alloc_fail_at(n) makes the n-th allocation from now fail (0 disables): used by the tests
 * that walk every failure path of the loader. */
void *zp_malloc(size_t size);
void *zp_calloc(size_t count, size_t size);
void *zp_realloc(void *ptr, size_t size);
char *zp_strdup(const char *s);
void zp_free(void *ptr);
void zp_alloc_fail_at(long n);
long zp_alloc_count(void);

/* Allocates count elements of type into *ptr or jumps to out with ZP_ERUNTIME. */
#define ZP_ALLOC(ptr, count)                                                                       \
    do {                                                                                           \
        (ptr) = zp_calloc((size_t)(count) > 0 ? (size_t)(count) : 1, sizeof(*(ptr)));              \
        if (!(ptr)) {                                                                              \
            rc = ZP_ERUNTIME;                                                                      \
            goto out;                                                                              \
        }                                                                                          \
    } while (0)

/* Refuses an output path whose folder is missing or not writable, or which exists unless
 * may_exist; advice completes "PATH: exists (...)". ZP_EIO with the message. Outputs are checked
 * before any work, so that a run never fails at its end for a typo. */
int zp_check_output_path(const char *path, int may_exist, const char *advice);

/* ---- input limits: the same for every reader (JSON configs and sweep files, METIS .graph,
 * CSV), so that one model never sees a number one format would have refused. */

/* Largest demand, capacity, dependency weight, migration size or distance: sums over millions
 * of apps stay finite and far from 2^63 when converted, and 1 + ZP_MAX_NUMBER is still a
 * distinct double (weights of 1 do not vanish next to the largest one in a sum of two). */
#define ZP_MAX_NUMBER 1e15
/* Most apps (vertices, services) of one input: app ids are int. */
#define ZP_MAX_APPS (INT32_MAX - 1)
/* Most bytes of a file read whole (a config, a sweep file) and of one line of a streamed input
 * (.graph, CSV): a pipe or device that never ends is refused instead of filling memory. */
#define ZP_MAX_INPUT_BYTES ((size_t)1 << 30)

/* Writes v into buf (at least ZP_NUMBER_TEXT bytes) with the fewest digits that read back as
 * exactly v: a refused 1.0000001e15 prints as such, not as "1e+15". */
#define ZP_NUMBER_TEXT 32
const char *zp_format_number(char *buf, double v);

/* Reads a whole file into *buf (NUL-terminated, zp_free it), its length in *len. A NUL byte
 * inside shows as strlen(*buf) < *len, and the read stops soon after it (no text file holds
 * one: /dev/zero is refused at once). ZP_EIO "path: cannot open: ..." / "cannot read: ...";
 * ZP_EINPUT "path: larger than ... (the input limit)" above ZP_MAX_INPUT_BYTES. */
int zp_read_file(const char *path, char **buf, size_t *len);

/* Command-line values: text must be a whole number (a number) in [lo, hi]; otherwise ZP_EUSAGE
 * with "opt: expected ...". */
int zp_parse_long(const char *text, long long lo, long long hi, const char *opt, long long *out);
int zp_parse_double(const char *text, double lo, double hi, const char *opt, double *out);

/* The command line argv[0..argc-1] joined by spaces into buf (cut at size), for the outputs'
 * provenance (root attribute command_line). */
void zp_join_args(int argc, char **argv, char *buf, size_t size);

/* Wall-clock seconds since an arbitrary origin (monotonic). */
double zp_now(void);

/* The multilevel levels of a large problem allocate and free hundreds of MB again and again;
 * glibc gives such blocks back to the kernel at once (mmap), so each reuse costs page faults
 * (seconds of system time at 1M apps). For a problem of size apps + adjacency entries above a
 * few million, freed memory stays in the heap for reuse (no higher peak). */
void zp_keep_freed_memory(double size);
/* Gives the pages of freed heap memory back to the system (glibc: malloc_trim), for a phase
 * after which the freed blocks are too large to be reused whole. */
void zp_release_freed_memory(void);

/* Number of decimal-formatted characters helpers. */
#define ZP_MIN(a, b) ((a) < (b) ? (a) : (b))
#define ZP_MAX(a, b) ((a) > (b) ? (a) : (b))

/* Asks for the cache line of addr ahead of a random read: loops over a vertex's neighbours
 * issue the misses of a whole row at once instead of one after the other. */
#if defined(__GNUC__)
#define ZP_PREFETCH(addr) __builtin_prefetch(addr)
#else
#define ZP_PREFETCH(addr) ((void)(addr))
#endif

#endif
