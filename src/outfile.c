/* outfile.c - temporary output names, publishing by rename under a folder lock (see outfile.h). */
#define _DEFAULT_SOURCE /* flock */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#define TEMP_TRIES 8 /* fresh names tried when one is taken (only by chance, or by an attacker) */

/* 64 random bits: the kernel's, or else the clock and a counter (names stay unique per process
 * through the pid either way). */
static uint64_t random_bits(void)
{
    static uint64_t counter;
    uint64_t v = 0;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        if (read(fd, &v, sizeof v) != (ssize_t)sizeof v)
            v = 0;
        close(fd);
    }
    if (v == 0)
        v = (uint64_t)(zp_now() * 1e9) ^ (++counter * 0x9e3779b97f4a7c15ULL);
    return v;
}

int zp_temp_name(const char *path, char **tmp)
{
    size_t len = strlen(path) + 48;
    if (!(*tmp = zp_malloc(len)))
        return ZP_ERUNTIME;
    snprintf(*tmp, len, "%s.partial.%ld.%016llx", path, (long)getpid(),
             (unsigned long long)random_bits());
    return ZP_OK;
}

int zp_temp_create(const char *path, char **tmp, int *fd)
{
    int rc = ZP_OK, f = -1;
    *tmp = NULL;
    for (int i = 0; i < TEMP_TRIES && f < 0; i++) {
        zp_free(*tmp);
        ZP_CHECK(zp_temp_name(path, tmp));
        f = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (f < 0 && errno != EEXIST)
            break;
    }
    if (f < 0)
        ZP_CHECK(zp_fail(ZP_EIO, "%s: cannot create: %s", *tmp, strerror(errno)));
    if (fd)
        *fd = f;
    else
        close(f);
out:
    if (rc != ZP_OK) {
        zp_free(*tmp);
        *tmp = NULL;
    }
    return rc;
}

/* Writes all of buf to fd. */
static int write_all(int fd, const char *buf, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, buf, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        buf += w, n -= (size_t)w;
    }
    return 0;
}

int zp_temp_write(const char *path, const char *text, char **tmp)
{
    int rc = ZP_OK, fd = -1;
    ZP_CHECK(zp_temp_create(path, tmp, &fd));
    int bad = write_all(fd, text, strlen(text)) != 0 || write_all(fd, "\n", 1) != 0 ||
              fsync(fd) != 0;
    int err = errno;
    bad |= close(fd) != 0;
    if (bad) {
        err = err ? err : errno;
        rc = zp_fail(ZP_EIO, "%s: cannot write: %s", path, strerror(err));
        unlink(*tmp);
        zp_free(*tmp);
        *tmp = NULL;
    }
out:
    return rc;
}

int zp_temp_copy(const char *from, const char *path, char **tmp)
{
    int rc = ZP_OK, fd = -1, in = open(from, O_RDONLY | O_CLOEXEC);
    char buf[1 << 16];
    ssize_t n;
    *tmp = NULL;
    if (in < 0)
        return zp_fail(ZP_EIO, "%s: cannot open: %s", from, strerror(errno));
    ZP_CHECK(zp_temp_create(path, tmp, &fd));
    while ((n = read(in, buf, sizeof buf)) > 0)
        if (write_all(fd, buf, (size_t)n) != 0)
            ZP_CHECK(zp_fail(ZP_EIO, "%s: cannot write: %s", path, strerror(errno)));
    if (n < 0)
        rc = zp_fail(ZP_EIO, "%s: cannot read: %s", from, strerror(errno));
out:
    if (fd >= 0 && close(fd) != 0 && rc == ZP_OK)
        rc = zp_fail(ZP_EIO, "%s: cannot write: %s", path, strerror(errno));
    if (rc != ZP_OK && *tmp) {
        unlink(*tmp);
        zp_free(*tmp);
        *tmp = NULL;
    }
    close(in);
    return rc;
}

int zp_temp_snapshot(const char *from, const char *path, char **tmp)
{
    for (int i = 0; i < TEMP_TRIES; i++) {
        if (zp_temp_name(path, tmp) != ZP_OK)
            return ZP_ERUNTIME;
        if (link(from, *tmp) == 0)
            return ZP_OK;
        int err = errno;
        zp_free(*tmp);
        *tmp = NULL;
        if (err != EEXIST)
            break;
    }
    return zp_temp_copy(from, path, tmp);
}

/* The folder of path (".", "/" or the part before the last slash) into buf. */
static void folder_of(const char *path, char *buf, size_t size)
{
    snprintf(buf, size, "%s", path);
    char *slash = strrchr(buf, '/');
    if (!slash)
        snprintf(buf, size, ".");
    else
        *(slash == buf ? slash + 1 : slash) = '\0';
}

/* Flushes a finished file to the disk before it gets its final name (a crash right after the
 * rename must not show an empty file under it). */
static int sync_file(const char *tmp, const char *path)
{
    int fd = open(tmp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0) {
        int err = errno;
        if (fd >= 0)
            close(fd);
        return zp_fail(ZP_EIO, "%s: cannot write: %s", path, strerror(err));
    }
    close(fd);
    return ZP_OK;
}

/* Moves tmp to path; without replace never over an existing path (a hard link fails if path
 * exists; where links are unsupported, the check made under the lock stands). */
static int rename_one(const char *tmp, const char *path, int replace, const char *advice)
{
    if (!replace) {
        if (link(tmp, path) == 0) {
            unlink(tmp);
            return ZP_OK;
        }
        if (errno == EEXIST)
            return zp_fail(ZP_EIO, "%s: exists (%s)", path, advice);
    }
    if (rename(tmp, path) != 0)
        return zp_fail(ZP_EIO, "%s: cannot rename from %s: %s", path, tmp, strerror(errno));
    return ZP_OK;
}

int zp_publish(const char *const *tmp, const char *const *path, int n, const int *replace,
               const char *advice)
{
    int rc = ZP_OK, done = 0;
    char dir[PATH_MAX];
    struct stat sb;
    folder_of(path[0], dir, sizeof dir);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0)
        flock(dfd, LOCK_EX); /* zoneplace processes publish one pair at a time per folder */
    for (int i = 0; i < n; i++)
        ZP_CHECK(sync_file(tmp[i], path[i]));
    for (int i = 0; i < n; i++)
        if (!replace[i] && lstat(path[i], &sb) == 0)
            ZP_CHECK(zp_fail(ZP_EIO, "%s: exists (%s)", path[i], advice));
    for (; done < n; done++)
        ZP_CHECK(rename_one(tmp[done], path[done], replace[done], advice));
    if (dfd >= 0)
        fsync(dfd); /* the renames themselves reach the disk */
out:
    for (int i = done; i < n; i++)
        unlink(tmp[i]);
    if (dfd >= 0)
        close(dfd); /* drops the lock */
    return rc;
}

int zp_same_output(const char *a, const char *b)
{
    char da[PATH_MAX], db[PATH_MAX], ra[PATH_MAX], rb[PATH_MAX];
    const char *na = strrchr(a, '/'), *nb = strrchr(b, '/');
    na = na ? na + 1 : a;
    nb = nb ? nb + 1 : b;
    if (strcmp(na, nb) != 0)
        return 0;
    folder_of(a, da, sizeof da);
    folder_of(b, db, sizeof db);
    if (!realpath(da, ra) || !realpath(db, rb))
        return strcmp(a, b) == 0;
    return strcmp(ra, rb) == 0;
}
