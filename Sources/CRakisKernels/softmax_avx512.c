#include "rakis_kernels.h"
#include "math_paths.h"
#include <math.h>

// The softmax of deterministic_math.c, eight rows at a time. Its running sum is a chain of
// double additions in column order that no lane of one row can shorten, so the lanes hold eight
// rows instead: lane r adds row r's terms in the same order as the one-row code does, and each
// step is one vector addition. The scratch is column-major (column s of the eight rows at 8·s).
//
// The maximum is found along the row, sixteen columns at a time. NaNs are skipped as the scalar
// rule skips them; the one thing that can differ is the sign of a zero maximum (the scalar rule
// keeps the last of +0 and -0), and it changes nothing downstream: x - (±0) differs only for
// x = ∓0, both widen to a zero whose exp is exactly 1.

#if defined(__x86_64__)
#include <immintrin.h>

enum { LANES = RAKIS_SOFTMAX_ROWS_AT_ONCE };

#define TARGET __attribute__((target("avx512f")))

// Writes row / divisor to out and answers its maximum.
TARGET static float scale_and_find_maximum(const float *row, int n, float divisor, float *out) {
    __m512 maximum = _mm512_set1_ps(-INFINITY), by = _mm512_set1_ps(divisor);
    int s = 0;
    for (; s + 16 <= n; s += 16) {
        __m512 scaled = _mm512_div_ps(_mm512_loadu_ps(row + s), by);
        _mm512_storeu_ps(out + s, scaled);
        maximum = _mm512_max_ps(scaled, maximum);  // a NaN in `scaled` gives `maximum` back
    }
    float result = _mm512_reduce_max_ps(maximum);
    for (; s < n; s++) {
        float scaled = row[s] / divisor;
        out[s] = scaled;
        if (scaled >= result) result = scaled;
    }
    return result;
}

TARGET void rakis_softmax_rows_avx512(const float *scores, int rows, int n, float divisor, float *probabilities, int ldp, double *scratch) {
    for (int t0 = 0; t0 < rows; t0 += LANES) {
        int lanes = rows - t0 < LANES ? rows - t0 : LANES;
        for (int lane = 0; lane < LANES; lane++) {
            if (lane >= lanes) {
                for (int s = 0; s < n; s++) scratch[(long)s * LANES + lane] = 0;
                continue;
            }
            float *out = probabilities + (long)(t0 + lane) * ldp;
            float maximum = scale_and_find_maximum(scores + (long)(t0 + lane) * n, n, divisor, out);
            for (int s = 0; s < n; s++) scratch[(long)s * LANES + lane] = (double)(out[s] - maximum);
        }
        rakis_exp_many_avx512(scratch, scratch, (long)n * LANES);
        __m512d total = _mm512_setzero_pd();
        for (int s = 0; s < n; s++) total = _mm512_add_pd(total, _mm512_loadu_pd(scratch + (long)s * LANES));
        for (int s = 0; s < n; s++) _mm512_storeu_pd(scratch + (long)s * LANES, _mm512_div_pd(_mm512_loadu_pd(scratch + (long)s * LANES), total));
        for (int lane = 0; lane < lanes; lane++) {
            float *out = probabilities + (long)(t0 + lane) * ldp;
            for (int s = 0; s < n; s++) out[s] = (float)scratch[(long)s * LANES + lane];
        }
    }
}
#endif
