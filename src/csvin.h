/* csvin.h - CSV inputs as real data comes: RFC 4180 records (quoted fields, CRLF, quoted line
 * breaks) parsed by Debian's libcsv on top of the shared line reader, columns found by header
 * name with aliases, and the microservice reader (services.csv + calls.csv) built on them.
 *
 * Errors are "file:line: message" (ZP_EINPUT), the line being where the record starts; a file
 * that cannot be opened or read is ZP_EIO "file: ...". */
#ifndef ZP_CSVIN_H
#define ZP_CSVIN_H

#include <stdint.h>
#include <stdio.h>

#include "problem.h"

/* ---- records ---------------------------------------------------------------------------- */

typedef struct csv_records csv_records;

/* Opens path for reading records; *out is NULL on failure. */
int csvrec_open(csv_records **out, const char *path);
void csvrec_close(csv_records **c);

/* The next record (blank lines skipped): *got = 0 at the end of the file. Its fields stay valid
 * until the next call: csvrec_field(c, i) for i < csvrec_count(c), blanks around unquoted
 * fields trimmed. */
int csvrec_next(csv_records *c, int *got);
int csvrec_count(const csv_records *c);
const char *csvrec_field(const csv_records *c, int i);
long csvrec_line(const csv_records *c); /* line where the last record starts */
const char *csvrec_path(const csv_records *c);

/* A column role of a layout: its canonical name first, then aliases (header names compare
 * without regard to case), NULL-terminated. */
typedef struct {
    const char *role; /* what --column calls it */
    const char *const *names;
    int required;
} csv_role;

/* An explicit "--column role=header" mapping. */
typedef struct {
    char role[16];
    const char *column; /* points into the command line */
} csv_mapping;

#define CSVIN_MAX_MAPPINGS 16
#define CSVIN_NOTE 256

/* Reads the header record and maps roles to field indices: colof[r] is the field of role r or
 * -1 (absent optional role). Mappings whose role is not in roles are ignored (another file's).
 * Header fields that fill no role go to ignored (comma-separated names, cut at CSVIN_NOTE).
 * usage is the header shape shown in messages, e.g. "'caller,callee[,weight]'". */
int csvrec_header(csv_records *c, const csv_role *roles, int nroles, const csv_mapping *map,
                  int nmap, const char *usage, int *colof, char *ignored);

/* A number cell: decimal (no hex, inf or nan) in [0, ZP_MAX_NUMBER] (util.h). */
int csvrec_number(const csv_records *c, const char *text, const char *column, double *value);

/* ---- services.csv + calls.csv ------------------------------------------------------------- */

typedef struct {
    int missing_error; /* --missing error: an empty resource cell is an input error */
    int nmap;
    csv_mapping map[CSVIN_MAX_MAPPINGS]; /* --column role=header */
} csvin_options;

/* What the reader ignored or defaulted, for the notes on stderr. */
typedef struct {
    char ignored[2][CSVIN_NOTE]; /* extra columns of services.csv and calls.csv */
    int64_t missing_cells;       /* empty resource cells read as 0 */
    long first_missing_line;
    int64_t default_weights; /* empty weight cells read as 1 */
    int64_t zero_weights;    /* calls of weight 0, kept at no cost */
    int64_t *app_lines;      /* [n] line of each service in services.csv (zp_free it) */
} csvin_report;

void csvin_options_default(csvin_options *o);
/* Adds "role=header" from --column (ZP_EUSAGE when malformed or the role is unknown). */
int csvin_add_mapping(csvin_options *o, const char *arg);
/* Parses --missing zero|error (ZP_EUSAGE otherwise). */
int csvin_parse_missing(csvin_options *o, const char *arg);

/* Reads services.csv (roles name, cpu, ram, optional disk: resources "cpu" in millicores, "ram"
 * and "disk" in MiB) and calls.csv (roles caller, callee, optional weight, default 1): see
 * README "Large inputs" for the aliases. rep may be NULL. */
int csvin_read(const char *services_path, const char *calls_path, const csvin_options *opt,
               zp_problem **out, csvin_report *rep);
void csvin_report_free(csvin_report *rep);
/* One "zoneplace: note: ..." line per thing ignored or defaulted. */
void csvin_report_print(FILE *f, const csvin_report *rep, const char *services_path,
                        const char *calls_path);

#endif
