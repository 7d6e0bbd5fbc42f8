/* stopsig.h - stop requests by signal for the long commands (sweep, run). SIGTERM (Slurm's
 * warning before it kills a job, and what mpirun forwards), SIGINT and SIGUSR1 (a batch step's
 * --signal) only set a flag; the command reads it at its natural points, agrees on it between
 * the ranks, saves what it has and exits with ZP_ESTOPPED. One installation at a time. */
#ifndef ZP_STOPSIG_H
#define ZP_STOPSIG_H

/* Exit status of a command stopped by a signal: what it had is saved (a sweep resumes with
 * --resume). The other statuses are util.h's ZP_* codes 0..4. */
#define ZP_ESTOPPED 5

/* Clears any earlier request and catches SIGTERM, SIGINT and SIGUSR1 (SA_RESTART), keeping the
 * handlers they had for stopsig_restore. */
void stopsig_install(void);
/* Gives the signals back the handlers they had before stopsig_install. */
void stopsig_restore(void);
/* The signal of the last stop request received since stopsig_install, 0 if none. Cheap (one
 * read of a volatile sig_atomic_t): fine inside loops. */
int stopsig_requested(void);
/* "SIGTERM", "SIGINT", "SIGUSR1", or "a signal" for any other number. */
const char *stopsig_name(int sig);

#endif
