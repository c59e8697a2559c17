#include "rakis_kernels.h"
#include <math.h>
#include <stddef.h>
#include <stdlib.h>

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
static inline __m128 reduce4x8(__m256 a0, __m256 a1, __m256 a2, __m256 a3) {
    // hadd pairs neighbours, so two rounds give (l0+l1)+(l2+l3) and (l4+l5)+(l6+l7) of each
    // accumulator in the low and high halves; adding the halves completes reduce8's tree.
    __m256 u = _mm256_hadd_ps(_mm256_hadd_ps(a0, a1), _mm256_hadd_ps(a2, a3));
    return _mm_add_ps(_mm256_castps256_ps128(u), _mm256_extractf128_ps(u, 1));
}

// Three rows by four outputs at a time: twelve accumulators, each weight vector loaded once for
// three rows and each input vector once for four outputs, over row blocks whose inputs stay in
// L2. Every output still has its own eight-lane accumulator, so its reduction order is the
// portable path's.
__attribute__((target("avx2,fma")))
static void linear_avx2(const float *x, int rows, int in, const float *w, const float *bias, int out, float *y, int ldy) {
    int block = (256 * 1024) / (in * 4);
    block = block < 3 ? 3 : block / 3 * 3;
    for (int r0 = 0; r0 < rows; r0 += block) {
        int r1 = r0 + block < rows ? r0 + block : rows;
        int o = 0;
        for (; o + 4 <= out; o += 4) {
            const float *w0 = w + (size_t)o * in, *w1 = w0 + in, *w2 = w1 + in, *w3 = w2 + in;
            __m128 b = bias ? _mm_loadu_ps(bias + o) : _mm_setzero_ps();
            int r = r0;
            for (; r + 3 <= r1; r += 3) {
                const float *xa = x + (size_t)r * in, *xb = xa + in, *xc = xb + in;
                __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
                __m256 b0 = a0, b1 = a0, b2 = a0, b3 = a0;
                __m256 c0 = a0, c1 = a0, c2 = a0, c3 = a0;
                for (int k = 0; k < in; k += 8) {
                    __m256 va = _mm256_loadu_ps(xa + k), vb = _mm256_loadu_ps(xb + k), vc = _mm256_loadu_ps(xc + k);
                    __m256 v = _mm256_loadu_ps(w0 + k);
                    a0 = _mm256_fmadd_ps(va, v, a0); b0 = _mm256_fmadd_ps(vb, v, b0); c0 = _mm256_fmadd_ps(vc, v, c0);
                    v = _mm256_loadu_ps(w1 + k);
                    a1 = _mm256_fmadd_ps(va, v, a1); b1 = _mm256_fmadd_ps(vb, v, b1); c1 = _mm256_fmadd_ps(vc, v, c1);
                    v = _mm256_loadu_ps(w2 + k);
                    a2 = _mm256_fmadd_ps(va, v, a2); b2 = _mm256_fmadd_ps(vb, v, b2); c2 = _mm256_fmadd_ps(vc, v, c2);
                    v = _mm256_loadu_ps(w3 + k);
                    a3 = _mm256_fmadd_ps(va, v, a3); b3 = _mm256_fmadd_ps(vb, v, b3); c3 = _mm256_fmadd_ps(vc, v, c3);
                }
                float *ya = y + (size_t)r * ldy + o;
                _mm_storeu_ps(ya, _mm_add_ps(b, reduce4x8(a0, a1, a2, a3)));
                _mm_storeu_ps(ya + ldy, _mm_add_ps(b, reduce4x8(b0, b1, b2, b3)));
                _mm_storeu_ps(ya + 2 * (size_t)ldy, _mm_add_ps(b, reduce4x8(c0, c1, c2, c3)));
            }
            for (; r < r1; r++) {
                const float *xr = x + (size_t)r * in;
                __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
                for (int k = 0; k < in; k += 8) {
                    __m256 xv = _mm256_loadu_ps(xr + k);
                    a0 = _mm256_fmadd_ps(xv, _mm256_loadu_ps(w0 + k), a0);
                    a1 = _mm256_fmadd_ps(xv, _mm256_loadu_ps(w1 + k), a1);
                    a2 = _mm256_fmadd_ps(xv, _mm256_loadu_ps(w2 + k), a2);
                    a3 = _mm256_fmadd_ps(xv, _mm256_loadu_ps(w3 + k), a3);
                }
                _mm_storeu_ps(y + (size_t)r * ldy + o, _mm_add_ps(b, reduce4x8(a0, a1, a2, a3)));
            }
        }
        for (; o < out; o++) {
            const float *wo = w + (size_t)o * in;
            for (int r = r0; r < r1; r++) {
                const float *xr = x + (size_t)r * in;
                __m256 a = _mm256_setzero_ps();
                for (int k = 0; k < in; k += 8) a = _mm256_fmadd_ps(_mm256_loadu_ps(xr + k), _mm256_loadu_ps(wo + k), a);
                __m256 z = _mm256_setzero_ps();
                y[(size_t)r * ldy + o] = _mm_cvtss_f32(_mm_add_ps(_mm_set_ss(bias ? bias[o] : 0.0f), reduce4x8(a, z, z, z)));
            }
        }
    }
}
#endif

int rakis_kernels_avx2(void) {
#if defined(__x86_64__)
    // Read once per process (every thread computes the same answer, so the race is harmless).
    static volatile int decided = -1;
    if (decided < 0) {
        const char *portable = getenv("RAKIS_PORTABLE_KERNELS");
        int forced = portable != NULL && portable[0] == '1';
        decided = !forced && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? 1 : 0;
    }
    return decided;
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
