#include "rakis_kernels.h"
#include <math.h>
#include <stddef.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

// The reduction tree shared by both paths: ((l0+l1)+(l2+l3)) + ((l4+l5)+(l6+l7)).
static inline float reduce8(const float l[8]) {
    return ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]));
}

static float dot_portable(const float *a, const float *b, int n) {
    float lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (int k = 0; k < n; k += 8) {
        for (int j = 0; j < 8; j++) lanes[j] = fmaf(a[k + j], b[k + j], lanes[j]);
    }
    return reduce8(lanes);
}

static void linear_portable_ld(const float *x, int rows, int in, const float *w, const float *bias, int out, float *y, int ldy) {
    for (int o = 0; o < out; o++) {
        const float *wo = w + (size_t)o * in;
        float b = bias ? bias[o] : 0.0f;
        for (int r = 0; r < rows; r++) {
            y[(size_t)r * ldy + o] = b + dot_portable(x + (size_t)r * in, wo, in);
        }
    }
}

#if defined(__x86_64__)
__attribute__((target("avx2,fma")))
static inline float reduce256(__m256 v) {
    float lanes[8];
    _mm256_storeu_ps(lanes, v);
    return reduce8(lanes);
}

static inline float bias_at(const float *bias, int o) { return bias ? bias[o] : 0.0f; }

// Four outputs of two rows at a time, with fused multiply-adds: each weight row is loaded once for two input rows and
// each input row once for four weight rows. Every output still has its own accumulator, so
// its reduction order is the same as in the portable path.
__attribute__((target("avx2,fma")))
static void linear_avx2(const float *x, int rows, int in, const float *w, const float *bias, int out, float *y, int ldy) {
    int o = 0;
    for (; o + 4 <= out; o += 4) {
        const float *w0 = w + (size_t)o * in, *w1 = w0 + in, *w2 = w1 + in, *w3 = w2 + in;
        int r = 0;
        for (; r + 2 <= rows; r += 2) {
            const float *xa = x + (size_t)r * in, *xb = xa + in;
            __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
            __m256 b0 = _mm256_setzero_ps(), b1 = _mm256_setzero_ps(), b2 = _mm256_setzero_ps(), b3 = _mm256_setzero_ps();
            for (int k = 0; k < in; k += 8) {
                __m256 va = _mm256_loadu_ps(xa + k), vb = _mm256_loadu_ps(xb + k);
                __m256 v0 = _mm256_loadu_ps(w0 + k), v1 = _mm256_loadu_ps(w1 + k);
                a0 = _mm256_fmadd_ps(va, v0, a0);
                b0 = _mm256_fmadd_ps(vb, v0, b0);
                a1 = _mm256_fmadd_ps(va, v1, a1);
                b1 = _mm256_fmadd_ps(vb, v1, b1);
                __m256 v2 = _mm256_loadu_ps(w2 + k), v3 = _mm256_loadu_ps(w3 + k);
                a2 = _mm256_fmadd_ps(va, v2, a2);
                b2 = _mm256_fmadd_ps(vb, v2, b2);
                a3 = _mm256_fmadd_ps(va, v3, a3);
                b3 = _mm256_fmadd_ps(vb, v3, b3);
            }
            float *ya = y + (size_t)r * ldy + o, *yb = ya + ldy;
            ya[0] = bias_at(bias, o) + reduce256(a0); ya[1] = bias_at(bias, o + 1) + reduce256(a1);
            ya[2] = bias_at(bias, o + 2) + reduce256(a2); ya[3] = bias_at(bias, o + 3) + reduce256(a3);
            yb[0] = bias_at(bias, o) + reduce256(b0); yb[1] = bias_at(bias, o + 1) + reduce256(b1);
            yb[2] = bias_at(bias, o + 2) + reduce256(b2); yb[3] = bias_at(bias, o + 3) + reduce256(b3);
        }
        for (; r < rows; r++) {
            const float *xr = x + (size_t)r * in;
            __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
            for (int k = 0; k < in; k += 8) {
                __m256 xv = _mm256_loadu_ps(xr + k);
                a0 = _mm256_fmadd_ps(xv, _mm256_loadu_ps(w0 + k), a0);
                a1 = _mm256_fmadd_ps(xv, _mm256_loadu_ps(w1 + k), a1);
                a2 = _mm256_fmadd_ps(xv, _mm256_loadu_ps(w2 + k), a2);
                a3 = _mm256_fmadd_ps(xv, _mm256_loadu_ps(w3 + k), a3);
            }
            float *yr = y + (size_t)r * ldy + o;
            yr[0] = bias_at(bias, o) + reduce256(a0); yr[1] = bias_at(bias, o + 1) + reduce256(a1);
            yr[2] = bias_at(bias, o + 2) + reduce256(a2); yr[3] = bias_at(bias, o + 3) + reduce256(a3);
        }
    }
    for (; o < out; o++) {
        const float *wo = w + (size_t)o * in;
        for (int r = 0; r < rows; r++) {
            const float *xr = x + (size_t)r * in;
            __m256 a = _mm256_setzero_ps();
            for (int k = 0; k < in; k += 8) a = _mm256_fmadd_ps(_mm256_loadu_ps(xr + k), _mm256_loadu_ps(wo + k), a);
            y[(size_t)r * ldy + o] = (bias ? bias[o] : 0.0f) + reduce256(a);
        }
    }
}
#endif

int rakis_kernels_avx2(void) {
#if defined(__x86_64__)
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? 1 : 0;
#else
    return 0;
#endif
}

void rakis_linear_portable(const float *x, int rows, int in, const float *w, const float *bias, int out, float *y) {
    linear_portable_ld(x, rows, in, w, bias, out, y, out);
}

void rakis_linear_columns(const float *x, int rows, int in, const float *w, const float *bias, int first, int count, float *y, int ldy) {
    const float *wslice = w + (size_t)first * in;
    const float *bslice = bias ? bias + first : NULL;
    float *yslice = y + first;
#if defined(__x86_64__)
    if (rakis_kernels_avx2()) {
        linear_avx2(x, rows, in, wslice, bslice, count, yslice, ldy);
        return;
    }
#endif
    linear_portable_ld(x, rows, in, wslice, bslice, count, yslice, ldy);
}

void rakis_linear(const float *x, int rows, int in, const float *w, const float *bias, int out, float *y) {
    rakis_linear_columns(x, rows, in, w, bias, 0, out, y, out);
}
