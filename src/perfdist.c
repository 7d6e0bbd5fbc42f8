/* perfdist.c - survival functions and percentiles of response times made of exponential stages
 * (perfdist.h). Two stages use a closed form that stays exact for equal rates; more stages use
 * the exponential of the phase-type generator, which has no division by rate differences. */
#include "perfdist.h"

#include <math.h>

/* Bisection ends when the bracket is this small relative to its upper end (the last bits of a
 * double; MAX_STEPS ends it where rounding stalls). */
#define REL_TOL 1e-15
#define MAX_STEPS 400
/* Taylor terms of exp(A) once ||A|| <= 1/2 (the error term is below 1e-20). */
#define TAYLOR_TERMS 18

/* (1 - e^-y) / y, 1 at y = 0, without cancellation. */
static double one_minus_exp_over(double y)
{
    return y < 1e-300 ? 1.0 : -expm1(-y) / y;
}

/* P(Exp(a) + Exp(b) > t) as e^-at (1 + a t (1 - e^-(b-a)t) / ((b-a)t)) with a <= b: every term
 * is positive, so equal or close rates lose nothing. */
static double hypo2_survival(double a, double b, double t)
{
    if (a > b) {
        double tmp = a;
        a = b;
        b = tmp;
    }
    return exp(-a * t) * (1.0 + a * t * one_minus_exp_over((b - a) * t));
}

static void mat_mul(int n, double a[ZP_STAGES_MAX][ZP_STAGES_MAX],
                    double b[ZP_STAGES_MAX][ZP_STAGES_MAX], double out[ZP_STAGES_MAX][ZP_STAGES_MAX])
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double s = 0;
            for (int l = 0; l < n; l++)
                s += a[i][l] * b[l][j];
            out[i][j] = s;
        }
}

/* P(sum of the stages > t): the first row of exp(T t) summed, where T is the generator of the
 * stages in series (-r_i on the diagonal, r_i above it); scaling and squaring of a Taylor sum. */
static double hypo_survival_expm(const double *rate, int n, double t)
{
    double norm = 0, a[ZP_STAGES_MAX][ZP_STAGES_MAX] = {{0}}, e[ZP_STAGES_MAX][ZP_STAGES_MAX],
           term[ZP_STAGES_MAX][ZP_STAGES_MAX], tmp[ZP_STAGES_MAX][ZP_STAGES_MAX];
    for (int i = 0; i < n; i++)
        norm = fmax(norm, 2.0 * rate[i] * t);
    int squarings = norm > 0.5 ? (int)ceil(log2(norm / 0.5)) : 0;
    double scale = ldexp(t, -squarings);
    for (int i = 0; i < n; i++) {
        a[i][i] = -rate[i] * scale;
        if (i + 1 < n)
            a[i][i + 1] = rate[i] * scale;
    }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            e[i][j] = term[i][j] = i == j;
    for (int k = 1; k <= TAYLOR_TERMS; k++) {
        mat_mul(n, term, a, tmp);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                term[i][j] = tmp[i][j] / k;
                e[i][j] += term[i][j];
            }
    }
    for (int s = 0; s < squarings; s++) {
        mat_mul(n, e, e, tmp);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                e[i][j] = tmp[i][j];
    }
    double sum = 0;
    for (int j = 0; j < n; j++)
        sum += e[0][j];
    return fmin(1.0, fmax(0.0, sum));
}

static double stages_survival(const double *rate, int n, double t)
{
    if (t <= 0)
        return 1.0;
    if (n == 0)
        return 0.0;
    if (n == 1)
        return exp(-rate[0] * t);
    if (n == 2)
        return hypo2_survival(rate[0], rate[1], t);
    return hypo_survival_expm(rate, n, t);
}

double rtime_survival(const zp_rtime *r, double t)
{
    double s = 0;
    for (int b = 0; b < r->nbranch; b++)
        s += r->weight[b] * stages_survival(r->rate[b], r->nstages[b], t - r->shift);
    return s;
}

double rtime_mean(const zp_rtime *r)
{
    double m = 0;
    for (int b = 0; b < r->nbranch; b++)
        for (int i = 0; i < r->nstages[b]; i++)
            m += r->weight[b] / r->rate[b][i];
    return r->shift + m;
}

double rtime_quantile(const zp_rtime *r, double phi)
{
    double tail = 1.0 - phi, lo = 0, hi = fmax(rtime_mean(r) - r->shift, 1e-300);
    for (int i = 0; i < MAX_STEPS && rtime_survival(r, r->shift + hi) > tail; i++) {
        lo = hi;
        hi *= 2;
    }
    for (int i = 0; i < MAX_STEPS && hi - lo > REL_TOL * hi; i++) {
        double mid = 0.5 * (lo + hi);
        if (rtime_survival(r, r->shift + mid) > tail)
            lo = mid;
        else
            hi = mid;
    }
    return r->shift + hi;
}

double rtime_paper_bound(double shift, double m1, double m2, double phi)
{
    return shift - log1p(-sqrt(phi)) * (m1 + m2);
}

double erlang_c(int c, double a)
{
    double b = 1.0; /* Erlang B by its stable recursion */
    for (int k = 1; k <= c; k++)
        b = a * b / (k + a * b);
    return c * b / (c - a * (1.0 - b));
}

/* sum lambda c / (c - theta) - sum lambda - theta: negative below the root, + infinity at min c. */
static double kingman_f(const double *lambda, const double *c, int n, double theta)
{
    double f = -theta;
    for (int i = 0; i < n; i++)
        f += lambda[i] * c[i] / (c[i] - theta) - lambda[i];
    return f;
}

double kingman_theta(const double *lambda, const double *c, int n)
{
    double cmin = INFINITY;
    for (int i = 0; i < n; i++)
        cmin = fmin(cmin, c[i]);
    double lo = 0, hi = cmin;
    for (int i = 0; i < MAX_STEPS && hi - lo > REL_TOL * hi; i++) {
        double mid = 0.5 * (lo + hi);
        if (kingman_f(lambda, c, n, mid) < 0)
            lo = mid;
        else
            hi = mid;
    }
    return lo; /* the lower end: a smaller exponent keeps the bound conservative */
}
