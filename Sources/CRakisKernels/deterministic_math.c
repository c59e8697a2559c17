#include "rakis_kernels.h"
#include "erf_polynomials.h"
#include <math.h>

// Only IEEE-754 additions, multiplications, divisions and square roots in a fixed order, with
// contraction into fused multiply-adds off (-ffp-contract=off): the C library's exp and erf
// differ between versions and CPUs in the last bit, these do not.

static const double ln2_high = 6.93147180369123816490e-01;
static const double ln2_low = 1.90821492927058770002e-10;
static const double log2e = 1.44269504088896338700e+00;
// 1/k! for k = 0...10, each as ((1/1)/2)/.../k.
static const double taylor[11] = {
    0x1.0000000000000p+0, 0x1.0000000000000p+0, 0x1.0000000000000p-1, 0x1.5555555555555p-3, 0x1.5555555555555p-5,
    0x1.1111111111111p-7, 0x1.6c16c16c16c17p-10, 0x1.a01a01a01a01ap-13, 0x1.a01a01a01a01ap-16, 0x1.71de3a556c734p-19,
    0x1.27e4fb7789f5dp-22,
};

// value × 2^n, exactly, also when the result is subnormal.
static double scale_by_power_of_two(double value, int n) {
    while (n > 1000) { value = value * 0x1p1000; n -= 1000; }
    while (n < -1000) { value = value * 0x1p-1000; n += 1000; }
    return value * ldexp(1.0, n);
}

double rakis_exp(double x) {
    if (isnan(x)) return x;
    if (x > 709.78) return INFINITY;
    if (x < -745.13) return 0;
    double n = round(x * log2e);  // halves away from zero; exact
    double r = (x - n * ln2_high) - n * ln2_low;  // |r| <= ln2 / 2
    // Taylor polynomial to r^10 / 10! (relative error below 3e-13, far under float precision),
    // by Estrin's scheme: short dependency chains, fixed order.
    const double *c = taylor;
    double r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
    double q0 = (c[0] + c[1] * r) + (c[2] + c[3] * r) * r2;
    double q1 = (c[4] + c[5] * r) + (c[6] + c[7] * r) * r2;
    double q2 = (c[8] + c[9] * r) + c[10] * r2;
    return scale_by_power_of_two((q0 + q1 * r4) + q2 * r8, (int)n);
}

double rakis_erf(double x) {
    double a = fabs(x);
    if (!(a < 6)) return isnan(x) ? x : (x < 0 ? -1.0 : 1.0);
    int piece = (int)(a * 4);
    double t = a - ((double)piece + 0.5) * 0.25;
    const double *c = rakis_erf_polynomials[piece];
    double t2 = t * t, t4 = t2 * t2;
    double q0 = (c[0] + c[1] * t) + (c[2] + c[3] * t) * t2;
    double q1 = (c[4] + c[5] * t) + (c[6] + c[7] * t) * t2;
    double result = (q0 + q1 * t4) + c[8] * (t4 * t4);
    return x < 0 ? -result : result;
}

void rakis_gelu(float *x, long count) {
    for (long i = 0; i < count; i++) {
        double value = (double)x[i];
        x[i] = (float)((0.5 * value) * (1 + rakis_erf(value * 0.70710678118654752440)));
    }
}

void rakis_softmax_rows(const float *scores, int rows, int n, float divisor, float *probabilities, int ldp, double *scratch) {
    for (int t = 0; t < rows; t++) {
        const float *row = scores + (long)t * n;
        float *out = probabilities + (long)t * ldp;
        float maximum = -INFINITY;
        for (int s = 0; s < n; s++) {
            float scaled = row[s] / divisor;
            out[s] = scaled;
            if (scaled >= maximum) maximum = scaled;
        }
        double total = 0;
        for (int s = 0; s < n; s++) {
            scratch[s] = rakis_exp((double)(out[s] - maximum));
            total = total + scratch[s];
        }
        for (int s = 0; s < n; s++) out[s] = (float)(scratch[s] / total);
    }
}

void rakis_layer_norm(float *x, int rows, int width, const float *gamma, const float *beta, double epsilon) {
    for (int t = 0; t < rows; t++) {
        float *row = x + (long)t * width;
        double sum = 0;
        for (int i = 0; i < width; i++) sum = sum + (double)row[i];
        double mean = sum / (double)width;
        double squares = 0;
        for (int i = 0; i < width; i++) {
            double centred = (double)row[i] - mean;
            squares = squares + centred * centred;
        }
        double inverse = 1 / sqrt(squares / (double)width + epsilon);
        for (int i = 0; i < width; i++) {
            row[i] = (float)((((double)row[i] - mean) * inverse) * (double)gamma[i] + (double)beta[i]);
        }
    }
}
