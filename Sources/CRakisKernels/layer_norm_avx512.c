#include "rakis_kernels.h"
#include "math_paths.h"

// The layer norm of deterministic_math.c, eight rows at a time: each row's sums are chains of
// double additions in column order that no lane of one row can shorten, so the lanes hold eight
// rows (gathered a column at a time) and lane r adds row r's terms in the one-row code's order.
// The last step, element by element, runs along each row; every lane does the same operations.

#if defined(__x86_64__)
#include <immintrin.h>

#define TARGET __attribute__((target("avx512f,avx2")))

TARGET static void normalise_row(float *row, int width, double mean, double inverse, const float *gamma, const float *beta) {
    __m512d m = _mm512_set1_pd(mean), inv = _mm512_set1_pd(inverse);
    int i = 0;
    for (; i + 8 <= width; i += 8) {
        __m512d x = _mm512_cvtps_pd(_mm256_loadu_ps(row + i));
        __m512d scaled = _mm512_mul_pd(_mm512_mul_pd(_mm512_sub_pd(x, m), inv), _mm512_cvtps_pd(_mm256_loadu_ps(gamma + i)));
        _mm256_storeu_ps(row + i, _mm512_cvtpd_ps(_mm512_add_pd(scaled, _mm512_cvtps_pd(_mm256_loadu_ps(beta + i)))));
    }
    for (; i < width; i++) row[i] = (float)((((double)row[i] - mean) * inverse) * (double)gamma[i] + (double)beta[i]);
}

TARGET void rakis_layer_norm_avx512(float *x, int rows, int width, const float *gamma, const float *beta, double epsilon) {
    int t0 = 0;
    for (; t0 + 8 <= rows; t0 += 8) {
        float *first = x + (long)t0 * width;
        __m256i starts = _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32(width));
        __m512d sum = _mm512_setzero_pd();
        for (int i = 0; i < width; i++) sum = _mm512_add_pd(sum, _mm512_cvtps_pd(_mm256_i32gather_ps(first + i, starts, 4)));
        __m512d mean = _mm512_div_pd(sum, _mm512_set1_pd((double)width));
        __m512d squares = _mm512_setzero_pd();
        for (int i = 0; i < width; i++) {
            __m512d centred = _mm512_sub_pd(_mm512_cvtps_pd(_mm256_i32gather_ps(first + i, starts, 4)), mean);
            squares = _mm512_add_pd(squares, _mm512_mul_pd(centred, centred));
        }
        __m512d variance = _mm512_add_pd(_mm512_div_pd(squares, _mm512_set1_pd((double)width)), _mm512_set1_pd(epsilon));
        __m512d inverse = _mm512_div_pd(_mm512_set1_pd(1.0), _mm512_sqrt_pd(variance));
        double means[8], inverses[8];
        _mm512_storeu_pd(means, mean);
        _mm512_storeu_pd(inverses, inverse);
        for (int lane = 0; lane < 8; lane++) normalise_row(first + (long)lane * width, width, means[lane], inverses[lane], gamma, beta);
    }
    if (t0 < rows) rakis_layer_norm_on(RAKIS_PATH_AVX2, x + (long)t0 * width, rows - t0, width, gamma, beta, epsilon);
}
#endif
