#include "rakis_kernels.h"
#include "erf_polynomials.h"
#include "exp_constants.h"
#include "math_paths.h"
#include <math.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

// Only IEEE-754 additions, multiplications, divisions and square roots in a fixed order, with
// contraction into fused multiply-adds off (-ffp-contract=off): the C library's exp and erf
// differ between versions and CPUs in the last bit, these do not.

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

double rakis_gelu_one(double value) { return (0.5 * value) * (1 + rakis_erf(value * 0.70710678118654752440)); }

#if defined(__x86_64__)
// The same operations as rakis_exp and rakis_erf, four lanes at a time; IEEE-754 arithmetic is
// the same in a vector lane as in a scalar register, so every lane gives the scalar's bits.

__attribute__((target("avx2")))
static __m256d round_half_away(__m256d y) {
    __m256d truncated = _mm256_round_pd(y, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
    __m256d sign = _mm256_set1_pd(-0.0);
    __m256d half_or_more = _mm256_cmp_pd(_mm256_andnot_pd(sign, _mm256_sub_pd(y, truncated)), _mm256_set1_pd(0.5), _CMP_GE_OQ);
    __m256d step = _mm256_or_pd(_mm256_and_pd(y, sign), _mm256_set1_pd(1.0));
    return _mm256_add_pd(truncated, _mm256_and_pd(half_or_more, step));
}

// exp of lanes in [-700, 700], where 2^n is a normal number and one multiplication scales exactly.
__attribute__((target("avx2")))
static __m256d exp4(__m256d x) {
    __m256d n = round_half_away(_mm256_mul_pd(x, _mm256_set1_pd(log2e)));
    __m256d r = _mm256_sub_pd(_mm256_sub_pd(x, _mm256_mul_pd(n, _mm256_set1_pd(ln2_high))), _mm256_mul_pd(n, _mm256_set1_pd(ln2_low)));
    #define C(k) _mm256_set1_pd(taylor[k])
    __m256d r2 = _mm256_mul_pd(r, r), r4 = _mm256_mul_pd(r2, r2), r8 = _mm256_mul_pd(r4, r4);
    __m256d q0 = _mm256_add_pd(_mm256_add_pd(C(0), _mm256_mul_pd(C(1), r)), _mm256_mul_pd(_mm256_add_pd(C(2), _mm256_mul_pd(C(3), r)), r2));
    __m256d q1 = _mm256_add_pd(_mm256_add_pd(C(4), _mm256_mul_pd(C(5), r)), _mm256_mul_pd(_mm256_add_pd(C(6), _mm256_mul_pd(C(7), r)), r2));
    __m256d q2 = _mm256_add_pd(_mm256_add_pd(C(8), _mm256_mul_pd(C(9), r)), _mm256_mul_pd(C(10), r2));
    #undef C
    __m256d sum = _mm256_add_pd(_mm256_add_pd(q0, _mm256_mul_pd(q1, r4)), _mm256_mul_pd(q2, r8));
    __m256i exponent = _mm256_slli_epi64(_mm256_add_epi64(_mm256_cvtepi32_epi64(_mm256_cvtpd_epi32(n)), _mm256_set1_epi64x(1023)), 52);
    return _mm256_mul_pd(sum, _mm256_castsi256_pd(exponent));
}

__attribute__((target("avx2")))
static int in_exp4_range(__m256d x) {
    __m256d inside = _mm256_and_pd(_mm256_cmp_pd(x, _mm256_set1_pd(-700.0), _CMP_GE_OQ), _mm256_cmp_pd(x, _mm256_set1_pd(700.0), _CMP_LE_OQ));
    return _mm256_movemask_pd(inside) == 0xF;
}

// erf of lanes that are not NaN.
__attribute__((target("avx2")))
static __m256d erf4(__m256d x) {
    __m256d sign = _mm256_set1_pd(-0.0);
    __m256d a = _mm256_andnot_pd(sign, x);
    __m256d large = _mm256_cmp_pd(a, _mm256_set1_pd(6.0), _CMP_GE_OQ);
    __m256d clamped = _mm256_blendv_pd(a, _mm256_setzero_pd(), large);
    __m128i piece = _mm256_cvttpd_epi32(_mm256_mul_pd(clamped, _mm256_set1_pd(4.0)));
    __m256d t = _mm256_sub_pd(clamped, _mm256_mul_pd(_mm256_add_pd(_mm256_cvtepi32_pd(piece), _mm256_set1_pd(0.5)), _mm256_set1_pd(0.25)));
    __m128i row = _mm_mullo_epi32(piece, _mm_set1_epi32(9));
    const double *base = &rakis_erf_polynomials[0][0];
    #define C(k) _mm256_i32gather_pd(base + (k), row, 8)
    __m256d t2 = _mm256_mul_pd(t, t), t4 = _mm256_mul_pd(t2, t2);
    __m256d q0 = _mm256_add_pd(_mm256_add_pd(C(0), _mm256_mul_pd(C(1), t)), _mm256_mul_pd(_mm256_add_pd(C(2), _mm256_mul_pd(C(3), t)), t2));
    __m256d q1 = _mm256_add_pd(_mm256_add_pd(C(4), _mm256_mul_pd(C(5), t)), _mm256_mul_pd(_mm256_add_pd(C(6), _mm256_mul_pd(C(7), t)), t2));
    __m256d result = _mm256_add_pd(_mm256_add_pd(q0, _mm256_mul_pd(q1, t4)), _mm256_mul_pd(C(8), _mm256_mul_pd(t4, t4)));
    #undef C
    result = _mm256_blendv_pd(result, _mm256_set1_pd(1.0), large);
    __m256d negative = _mm256_cmp_pd(x, _mm256_setzero_pd(), _CMP_LT_OQ);
    return _mm256_blendv_pd(result, _mm256_xor_pd(result, sign), negative);
}

__attribute__((target("avx2")))
static void gelu_avx2(float *x, long count) {
    long i = 0;
    for (; i + 4 <= count; i += 4) {
        __m256d v = _mm256_cvtps_pd(_mm_loadu_ps(x + i));
        if (_mm256_movemask_pd(_mm256_cmp_pd(v, v, _CMP_UNORD_Q)) != 0) {
            for (long j = i; j < i + 4; j++) x[j] = (float)rakis_gelu_one((double)x[j]);
            continue;
        }
        __m256d e = erf4(_mm256_mul_pd(v, _mm256_set1_pd(0.70710678118654752440)));
        __m256d g = _mm256_mul_pd(_mm256_mul_pd(_mm256_set1_pd(0.5), v), _mm256_add_pd(_mm256_set1_pd(1.0), e));
        _mm_storeu_ps(x + i, _mm256_cvtpd_ps(g));
    }
    for (; i < count; i++) x[i] = (float)rakis_gelu_one((double)x[i]);
}

__attribute__((target("avx2")))
static void exp_many_avx2(const double *x, double *y, long count) {
    long i = 0;
    for (; i + 4 <= count; i += 4) {
        __m256d v = _mm256_loadu_pd(x + i);
        if (in_exp4_range(v)) {
            _mm256_storeu_pd(y + i, exp4(v));
        } else {
            for (long j = i; j < i + 4; j++) y[j] = rakis_exp(x[j]);
        }
    }
    for (; i < count; i++) y[i] = rakis_exp(x[i]);
}
#endif

static int narrowed(int path) {
    int widest = rakis_kernels_widest_path();
    return path < widest ? path : widest;
}

void rakis_gelu_on(int path, float *x, long count) {
#if defined(__x86_64__)
    switch (narrowed(path)) {
    case RAKIS_PATH_AVX512: rakis_gelu_avx512(x, count); return;
    case RAKIS_PATH_AVX2: gelu_avx2(x, count); return;
    default: break;
    }
#else
    (void)path;
#endif
    for (long i = 0; i < count; i++) x[i] = (float)rakis_gelu_one((double)x[i]);
}

void rakis_gelu(float *x, long count) { rakis_gelu_on(rakis_kernels_path(), x, count); }

void rakis_exp_many_on(int path, const double *x, double *y, long count) {
#if defined(__x86_64__)
    switch (narrowed(path)) {
    case RAKIS_PATH_AVX512: rakis_exp_many_avx512(x, y, count); return;
    case RAKIS_PATH_AVX2: exp_many_avx2(x, y, count); return;
    default: break;
    }
#else
    (void)path;
#endif
    for (long i = 0; i < count; i++) y[i] = rakis_exp(x[i]);
}

void rakis_exp_many(const double *x, double *y, long count) { rakis_exp_many_on(rakis_kernels_path(), x, y, count); }

void rakis_softmax_rows_on(int path, const float *scores, int rows, int n, float divisor, float *probabilities, int ldp, double *scratch) {
#if defined(__x86_64__)
    if (narrowed(path) == RAKIS_PATH_AVX512) {
        rakis_softmax_rows_avx512(scores, rows, n, divisor, probabilities, ldp, scratch);
        return;
    }
#endif
    for (int t = 0; t < rows; t++) {
        const float *row = scores + (long)t * n;
        float *out = probabilities + (long)t * ldp;
        float maximum = -INFINITY;
        for (int s = 0; s < n; s++) {
            float scaled = row[s] / divisor;
            out[s] = scaled;
            if (scaled >= maximum) maximum = scaled;
        }
        for (int s = 0; s < n; s++) scratch[s] = (double)(out[s] - maximum);
        rakis_exp_many_on(path, scratch, scratch, n);
        double total = 0;
        for (int s = 0; s < n; s++) total = total + scratch[s];
        for (int s = 0; s < n; s++) out[s] = (float)(scratch[s] / total);
    }
}

void rakis_softmax_rows(const float *scores, int rows, int n, float divisor, float *probabilities, int ldp, double *scratch) {
    rakis_softmax_rows_on(rakis_kernels_path(), scores, rows, n, divisor, probabilities, ldp, scratch);
}

void rakis_layer_norm_on(int path, float *x, int rows, int width, const float *gamma, const float *beta, double epsilon) {
#if defined(__x86_64__)
    if (narrowed(path) == RAKIS_PATH_AVX512) {
        rakis_layer_norm_avx512(x, rows, width, gamma, beta, epsilon);
        return;
    }
#else
    (void)path;
#endif
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

void rakis_layer_norm(float *x, int rows, int width, const float *gamma, const float *beta, double epsilon) {
    rakis_layer_norm_on(rakis_kernels_path(), x, rows, width, gamma, beta, epsilon);
}
