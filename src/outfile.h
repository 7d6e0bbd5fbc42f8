/* outfile.h - how outputs reach their final names (the HDF5 file, the summary JSON, generated
 * inputs). Every output is written under a temporary name of its own, NAME.partial.<pid>.<hex>,
 * created new (O_EXCL: an existing file or symlink there is never opened, let alone written
 * through), and renamed over NAME only when complete, so that NAME is either absent, the previous
 * version or the whole new one, and two processes writing the same NAME never share a file.
 * Files published together (an HDF5 file and its summary JSON) are renamed one after the other
 * while holding a lock on the folder of the first, so that two runs never interleave their pairs;
 * the second is renamed last. */
#ifndef ZP_OUTFILE_H
#define ZP_OUTFILE_H

#include <stddef.h>

/* A new temporary name for path: NAME.partial.<pid>.<16 hex digits> (zp_free it). Not created. */
int zp_temp_name(const char *path, char **tmp);
/* Creates a new empty file under a temporary name for path (O_EXCL, O_NOFOLLOW) and returns its
 * name (zp_free it) and, when fd is not NULL, a descriptor open for writing (else it is closed).
 * ZP_EIO "TMP: cannot create: <OS error>". */
int zp_temp_create(const char *path, char **tmp, int *fd);
/* Writes text and a newline to a new temporary file for path, flushed to the disk; *tmp gets its
 * name. On failure nothing is left. ZP_EIO "TMP: cannot write: <OS error>". */
int zp_temp_write(const char *path, const char *text, char **tmp);

/* Copies the file from into a new temporary file for path; *tmp gets its name. ZP_EIO. */
int zp_temp_copy(const char *from, const char *path, char **tmp);
/* The same, but a hard link under the temporary name stands for the copy where the file system
 * allows: either way *tmp keeps from's present content when from is later replaced by a rename
 * (outputs are never written in place). */
int zp_temp_snapshot(const char *from, const char *path, char **tmp);

/* Renames tmp[i] to path[i], i = 0..n-1 in order, under a lock on the folder of path[0]; a
 * path[i] with replace[i] = 0 must not exist (checked for all under the lock before any rename,
 * then link() refuses one that appeared meanwhile): "PATH: exists (advice)". On failure the
 * temporary files not yet renamed are removed. ZP_EIO. */
int zp_publish(const char *const *tmp, const char *const *path, int n, const int *replace,
               const char *advice);

/* Whether a and b name the same file (the same folder, resolved, and the same name). */
int zp_same_output(const char *a, const char *b);

#endif
