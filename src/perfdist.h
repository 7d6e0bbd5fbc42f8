/* perfdist.h - the probability side of the response-time model (perfmodel.h): response times
 * that are mixtures of sums of independent exponential stages (hypoexponential, with equal
 * rates allowed), their survival function and exact percentiles, the paper's Eq. 4 bound, the
 * Erlang C probability of an M/M/c server, and Kingman's exponential bound on the FCFS waiting
 * time of a link carrying requests of several mean sizes. Plain C, no allocation. */
#ifndef ZP_PERFDIST_H
#define ZP_PERFDIST_H

/* Most stages of one branch: link wait, link transmission, server wait, server service. */
#define ZP_STAGES_MAX 4

/* A response time: a fixed shift plus, with probability weight[b], the sum of the independent
 * exponential stages rate[b][0..nstages[b]) (rates > 0, in 1/s; equal rates are fine). */
typedef struct {
    double shift;
    int nbranch; /* 1 or 2 */
    double weight[2];
    int nstages[2];
    double rate[2][ZP_STAGES_MAX];
} zp_rtime;

/* P(R > t). */
double rtime_survival(const zp_rtime *r, double t);
/* The phi-quantile of R (0 < phi < 1), solved to the last bits of a double on the survival function:
 * the smallest t with P(R > t) <= 1 - phi. */
double rtime_quantile(const zp_rtime *r, double phi);
/* Mean of R. */
double rtime_mean(const zp_rtime *r);

/* The paper's Eq. 4, 2 delta - ln(1 - sqrt(phi)) / alpha with 1/alpha = m1 + m2 (the means of
 * two exponential parts): an upper bound of the phi-quantile of shift + Exp + Exp for every
 * phi, since each part stays below its sqrt(phi)-quantile with probability sqrt(phi). */
double rtime_paper_bound(double shift, double m1, double m2, double phi);

/* Erlang C: the probability that a request waits in an M/M/c queue with offered load
 * a = lambda/mu < c. */
double erlang_c(int c, double a);

/* Kingman's exponent theta of an FCFS queue fed by n Poisson classes (rate lambda[i]) whose
 * service times are exponential of rate c[i]: the root in (0, min c) of
 * sum lambda[i] c[i] / (c[i] - theta) = sum lambda[i] + theta. P(wait > t) <= exp(-theta t).
 * Needs sum lambda[i]/c[i] < 1. */
double kingman_theta(const double *lambda, const double *c, int n);

#endif
