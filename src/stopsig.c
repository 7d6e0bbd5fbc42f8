/* stopsig.c - the stop-request flag set by SIGTERM, SIGINT and SIGUSR1 (see stopsig.h). */
#include "stopsig.h"

#include <signal.h>
#include <string.h>

static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig) { stop_signal = sig; }

static const int stop_signals[] = {SIGTERM, SIGINT, SIGUSR1};
#define NSTOP ((int)(sizeof stop_signals / sizeof stop_signals[0]))

static struct sigaction saved[NSTOP];

void stopsig_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    stop_signal = 0;
    for (int i = 0; i < NSTOP; i++)
        sigaction(stop_signals[i], &sa, &saved[i]);
}

void stopsig_restore(void)
{
    for (int i = 0; i < NSTOP; i++)
        sigaction(stop_signals[i], &saved[i], NULL);
}

int stopsig_requested(void) { return stop_signal; }

const char *stopsig_name(int sig)
{
    return sig == SIGTERM ? "SIGTERM" : sig == SIGINT ? "SIGINT" : sig == SIGUSR1 ? "SIGUSR1"
                                                                                 : "a signal";
}
