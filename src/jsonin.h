/* jsonin.h - reading validated JSON input (cJSON trees) with one style of message for every
 * file zoneplace reads (configs, their "perf" section, sweep files):
 *     FILE: JSON.PATH: what is wrong
 * where JSON.PATH is "apps[3].demand.cpu", or "(top level)". Each function returns ZP_OK or
 * ZP_EINPUT with the message set (util.h). */
#ifndef ZP_JSONIN_H
#define ZP_JSONIN_H

#include <cJSON.h>
#include <stddef.h>
#include <stdint.h>

/* Room for a JSON path in messages (longer paths are cut). */
#define ZP_JSON_PATH 256

/* ZP_EINPUT with "file: path: <formatted text>". */
int json_error(const char *file, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* out = parent.key (key alone under the top level "") and parent[i]; out holds ZP_JSON_PATH. */
void json_child_path(char *out, const char *parent, const char *key);
void json_index_path(char *out, const char *parent, int64_t i);

/* Refuses a key of obj that is not in allowed (NULL-terminated), or one given twice (cJSON
 * keeps both, and silently reading the first would lose what the user wrote second). */
int json_check_keys(const char *file, const char *path, const cJSON *obj,
                    const char *const *allowed);

int json_expect_object(const char *file, const char *path, const cJSON *node);

/* node (at path) as a finite number in [lo, hi], a whole one when integer is set. */
int json_number(const char *file, const char *path, const cJSON *node, double lo, double hi,
                int integer, double *out);

/* Parses text[0..len) (a NUL must follow it) into *root; malformed JSON or a NUL byte inside
 * is ZP_EINPUT "file:line:col: malformed JSON" (or "... NUL byte in a text file"). Text that
 * is not strict JSON (RFC 8259) is refused as "file:line:col: JSON.PATH: what", also where
 * cJSON would take it: a key given twice in any object (compared decoded), invalid escapes,
 * \u0000, lone surrogates, raw control characters (in strings, or outside them other than
 * space, tab, CR, LF), numbers with leading zeros or otherwise outside the JSON grammar
 * ("1."), invalid UTF-8. */
int json_parse(const char *file, const char *text, size_t len, cJSON **root);

#endif
