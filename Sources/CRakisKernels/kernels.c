#include "rakis_kernels.h"
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
        for (int j = 0; j < 8; j++) {
            float product = a[k + j] * b[k + j];
            lanes[j] = lanes[j] + product;
        }
    }
    return reduce8(lanes);
}

static void linear_portable(const float *x, int rows, int in, const float *w, const float *bias, int out, float *y) {
    for (int o = 0; o < out; o++) {
        const float *wo = w + (size_t)o * in;
        float b = bias ? bias[o] : 0.0f;
        for (int r = 0; r < rows; r++) {
            y[(size_t)r * out + o] = b + dot_portable(x + (size_t)r * in, wo, in);
        }
    }
}

#if defined(__x86_64__)
__attribute__((target("avx2")))
static inline float reduce256(__m256 v) {
    float lanes[8];
    _mm256_storeu_ps(lanes, v);
    return reduce8(lanes);
}

// Four outputs of one row at a time: the row is loaded once for four weight rows.
__attribute__((target("avx2")))
static void linear_avx2(const float *x, int rows, int in, const float *w, const float *bias, int out, float *y) {
    int o = 0;
    for (; o + 4 <= out; o += 4) {
        const float *w0 = w + (size_t)o * in, *w1 = w0 + in, *w2 = w1 + in, *w3 = w2 + in;
        for (int r = 0; r < rows; r++) {
            const float *xr = x + (size_t)r * in;
            __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
            for (int k = 0; k < in; k += 8) {
                __m256 xv = _mm256_loadu_ps(xr + k);
                a0 = _mm256_add_ps(a0, _mm256_mul_ps(xv, _mm256_loadu_ps(w0 + k)));
                a1 = _mm256_add_ps(a1, _mm256_mul_ps(xv, _mm256_loadu_ps(w1 + k)));
                a2 = _mm256_add_ps(a2, _mm256_mul_ps(xv, _mm256_loadu_ps(w2 + k)));
                a3 = _mm256_add_ps(a3, _mm256_mul_ps(xv, _mm256_loadu_ps(w3 + k)));
            }
            float *yr = y + (size_t)r * out + o;
            yr[0] = (bias ? bias[o] : 0.0f) + reduce256(a0);
            yr[1] = (bias ? bias[o + 1] : 0.0f) + reduce256(a1);
            yr[2] = (bias ? bias[o + 2] : 0.0f) + reduce256(a2);
            yr[3] = (bias ? bias[o + 3] : 0.0f) + reduce256(a3);
        }
    }
    for (; o < out; o++) {
        const float *wo = w + (size_t)o * in;
        for (int r = 0; r < rows; r++) {
            const float *xr = x + (size_t)r * in;
            __m256 a = _mm256_setzero_ps();
            for (int k = 0; k < in; k += 8) a = _mm256_add_ps(a, _mm256_mul_ps(_mm256_loadu_ps(xr + k), _mm256_loadu_ps(wo + k)));
            y[(size_t)r * out + o] = (bias ? bias[o] : 0.0f) + reduce256(a);
        }
    }
}
#endif

int rakis_kernels_avx2(void) {
#if defined(__x86_64__)
    return __builtin_cpu_supports("avx2") ? 1 : 0;
#else
    return 0;
#endif
}

void rakis_linear(const float *x, int rows, int in, const float *w, const float *bias, int out, float *y) {
#if defined(__x86_64__)
    if (rakis_kernels_avx2()) {
        linear_avx2(x, rows, in, w, bias, out, y);
        return;
    }
#endif
    linear_portable(x, rows, in, w, bias, out, y);
}
