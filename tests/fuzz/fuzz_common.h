/* fuzz_common.h - what the libFuzzer harnesses share: the fuzzer's bytes become a file the
 * loaders open by name (a memfd seen through /proc/self/fd, so no disk traffic and no temp
 * files left behind), and the properties every successful load must have. */
#ifndef ZP_FUZZ_COMMON_H
#define ZP_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "problem.h"
#include "util.h"

typedef struct {
    int fd;
    char path[64];
} fuzz_file;

/* Creates (once) an in-memory file; its name stays valid for the whole fuzzing run. */
static inline void fuzz_file_init(fuzz_file *f, const char *name)
{
    if (f->fd > 0)
        return;
    f->fd = memfd_create(name, 0);
    if (f->fd < 0) {
        perror("memfd_create");
        abort();
    }
    snprintf(f->path, sizeof f->path, "/proc/self/fd/%d", f->fd);
}

/* Replaces the file's contents with data[0..size). */
static inline void fuzz_file_set(fuzz_file *f, const uint8_t *data, size_t size)
{
    if (ftruncate(f->fd, 0) != 0) {
        perror("ftruncate");
        abort();
    }
    size_t done = 0;
    while (done < size) {
        ssize_t n = pwrite(f->fd, data + done, size - done, (off_t)done);
        if (n <= 0) {
            perror("pwrite");
            abort();
        }
        done += (size_t)n;
    }
}

/* A loader either succeeds or fails with an input/I/O status and a message naming the file;
 * anything else (a crash, a runtime failure without cause, a malformed message) is a bug. */
static inline void fuzz_check_status(int rc, const char *path)
{
    if (rc == ZP_OK)
        return;
    const char *msg = zp_error_message();
    if ((rc != ZP_EINPUT && rc != ZP_EIO && rc != ZP_EUSAGE) || strstr(msg, path) != msg) {
        fprintf(stderr, "fuzz: status %d with message '%s' (expected 3 or 4 naming %s)\n", rc,
                msg, path);
        abort();
    }
}

/* Properties of every problem a loader accepts: a valid CSR graph and sane counts. */
static inline void fuzz_check_problem(const zp_problem *p)
{
    if (!p || p->n < 1 || p->nres < 0 || !p->xadj || p->xadj[0] != 0 || p->xadj[p->n] < 0 ||
        p->xadj[p->n] % 2 != 0 || p->ndeps < p->xadj[p->n] / 2) {
        fprintf(stderr, "fuzz: accepted problem has inconsistent counts\n");
        abort();
    }
    if (problem_check_graph(p) != ZP_OK) {
        fprintf(stderr, "fuzz: accepted problem fails problem_check_graph: %s\n",
                zp_error_message());
        abort();
    }
    for (int u = 0; u < p->n; u++) {
        if (!p->app_names[u] || !(p->size[u] >= 0))
            abort();
        for (int r = 0; r < p->nres; r++)
            if (!(problem_demand(p, u, r) >= 0))
                abort();
    }
}

#endif
