#include "rakis_kernels.h"
#include "gemm_paths.h"
#include <stddef.h>
#include <math.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

// Recipe version 2's matrix product: every output is one chain of fused multiply-adds along the
// depth, k = 0, 1, 2, … in order, started at +0, with the bias added last. Nothing about the
// chain depends on the rows around it, the tiling, the thread or the CPU, so the microkernel is
// free to compute MR rows × 16 outputs at once as outer products: for each k, one weight vector
// pair and one broadcast input per row.

enum { PANEL = RAKIS_PANEL_WIDTH, MR_MAX = 6 };

size_t rakis_packed_count(int in, int out) {
    return (size_t)((out + PANEL - 1) / PANEL) * (size_t)in * PANEL;
}

void rakis_pack_panels(const float *w, int in, int out, long stride_out, long stride_in, float *packed) {
    int panels = (out + PANEL - 1) / PANEL;
    for (int p = 0; p < panels; p++) {
        float *panel = packed + (size_t)p * in * PANEL;
        for (int k = 0; k < in; k++) {
            for (int j = 0; j < PANEL; j++) {
                int o = p * PANEL + j;
                panel[(size_t)k * PANEL + j] = o < out ? w[(long)o * stride_out + (long)k * stride_in] : 0.0f;
            }
        }
    }
}

// Writes one tile's chains to y, adding the bias last; columns past `out` are padding.
static inline void store_tile(const float *acc, int mr, int o0, int out, const float *bias, float *y, int ldy) {
    int valid = out - o0 < PANEL ? out - o0 : PANEL;
    for (int i = 0; i < mr; i++) {
        for (int j = 0; j < valid; j++) {
            float b = bias ? bias[o0 + j] : 0.0f;
            y[(size_t)i * ldy + o0 + j] = acc[i * PANEL + j] + b;
        }
    }
}

// Each acc[i][j] is its own chain over k in order, as in the vector path.
static void tile_portable(const float *x, int ldx, int mr, int in, const float *panel, float *acc) {
    for (int i = 0; i < mr * PANEL; i++) acc[i] = 0.0f;
    for (int k = 0; k < in; k++) {
        const float *w = panel + (size_t)k * PANEL;
        for (int i = 0; i < mr; i++) {
            float xi = x[(size_t)i * ldx + k];
            for (int j = 0; j < PANEL; j++) acc[i * PANEL + j] = fmaf(xi, w[j], acc[i * PANEL + j]);
        }
    }
}

#if defined(__x86_64__)
// MR is a literal at every call, so the loops over rows unroll and the accumulators stay in
// registers: 2·MR of them, two weight vectors and one broadcast (15 of 16 registers at MR 6).
// A whole panel of valid outputs gets its bias added and stored as vectors; a partial one (the
// last panel of a layer whose width is not a multiple of 16) goes through `acc`.
__attribute__((target("avx2,fma"), always_inline))
static inline void tile_avx2(const float *x, int ldx, const int MR, int in, const float *panel, float *acc,
                             const float *bias, int whole, float *y, int ldy) {
    __m256 c0[MR_MAX], c1[MR_MAX];
    for (int i = 0; i < MR; i++) { c0[i] = _mm256_setzero_ps(); c1[i] = _mm256_setzero_ps(); }
    for (int k = 0; k < in; k++) {
        __m256 w0 = _mm256_loadu_ps(panel + (size_t)k * PANEL), w1 = _mm256_loadu_ps(panel + (size_t)k * PANEL + 8);
        for (int i = 0; i < MR; i++) {
            __m256 xi = _mm256_broadcast_ss(x + (size_t)i * ldx + k);
            c0[i] = _mm256_fmadd_ps(xi, w0, c0[i]);
            c1[i] = _mm256_fmadd_ps(xi, w1, c1[i]);
        }
    }
    if (whole) {
        __m256 b0 = bias ? _mm256_loadu_ps(bias) : _mm256_setzero_ps(), b1 = bias ? _mm256_loadu_ps(bias + 8) : _mm256_setzero_ps();
        for (int i = 0; i < MR; i++) {
            _mm256_storeu_ps(y + (size_t)i * ldy, _mm256_add_ps(c0[i], b0));
            _mm256_storeu_ps(y + (size_t)i * ldy + 8, _mm256_add_ps(c1[i], b1));
        }
        return;
    }
    for (int i = 0; i < MR; i++) { _mm256_storeu_ps(acc + i * PANEL, c0[i]); _mm256_storeu_ps(acc + i * PANEL + 8, c1[i]); }
}

__attribute__((target("avx2,fma")))
static void tile_avx2_any(const float *x, int ldx, int mr, int in, const float *panel, float *acc,
                          const float *bias, int whole, float *y, int ldy) {
    switch (mr) {
    case 6: tile_avx2(x, ldx, 6, in, panel, acc, bias, whole, y, ldy); break;
    case 5: tile_avx2(x, ldx, 5, in, panel, acc, bias, whole, y, ldy); break;
    case 4: tile_avx2(x, ldx, 4, in, panel, acc, bias, whole, y, ldy); break;
    case 3: tile_avx2(x, ldx, 3, in, panel, acc, bias, whole, y, ldy); break;
    case 2: tile_avx2(x, ldx, 2, in, panel, acc, bias, whole, y, ldy); break;
    default: tile_avx2(x, ldx, 1, in, panel, acc, bias, whole, y, ldy); break;
    }
}
#endif

static void gemm(const float *x, int rows, int ldx, int in, const float *packed, const float *bias,
                 int first_panel, int panel_count, int out, float *y, int ldy, int path) {
#if defined(__x86_64__)
    if (path == RAKIS_PATH_AVX512) {
        rakis_gemm_avx512(x, rows, ldx, in, packed, bias, first_panel, panel_count, out, y, ldy);
        return;
    }
#endif
    int vector = path == RAKIS_PATH_AVX2;
    // Rows go in chunks whose inputs stay in L2 while every panel of the slice passes over them.
    int chunk = (192 * 1024) / (in * 4 + 1);
    chunk = chunk < MR_MAX ? MR_MAX : chunk / MR_MAX * MR_MAX;
    float acc[MR_MAX * PANEL];
    for (int r0 = 0; r0 < rows; r0 += chunk) {
        int r1 = r0 + chunk < rows ? r0 + chunk : rows;
        for (int p = first_panel; p < first_panel + panel_count; p++) {
            const float *panel = packed + (size_t)p * in * PANEL;
            for (int r = r0; r < r1; r += MR_MAX) {
                int mr = r1 - r < MR_MAX ? r1 - r : MR_MAX;
                const float *xr = x + (size_t)r * ldx;
                int o0 = p * PANEL;
#if defined(__x86_64__)
                if (vector) {
                    int whole = out - o0 >= PANEL;
                    tile_avx2_any(xr, ldx, mr, in, panel, acc, bias ? bias + o0 : NULL, whole, y + (size_t)r * ldy + o0, ldy);
                    if (whole) continue;
                } else {
                    tile_portable(xr, ldx, mr, in, panel, acc);
                }
#else
                (void)vector;
                tile_portable(xr, ldx, mr, in, panel, acc);
#endif
                store_tile(acc, mr, o0, out, bias, y + (size_t)r * ldy, ldy);
            }
        }
    }
}

void rakis_gemm_panels(const float *x, int rows, int ldx, int in, const float *packed, const float *bias,
                       int first_panel, int panel_count, int out, float *y, int ldy) {
    gemm(x, rows, ldx, in, packed, bias, first_panel, panel_count, out, y, ldy, rakis_kernels_path());
}

void rakis_gemm(const float *x, int rows, int ldx, int in, const float *packed, const float *bias, int out, float *y, int ldy) {
    rakis_gemm_panels(x, rows, ldx, in, packed, bias, 0, (out + PANEL - 1) / PANEL, out, y, ldy);
}

void rakis_gemm_on(int path, const float *x, int rows, int ldx, int in, const float *packed, const float *bias, int out, float *y, int ldy) {
    int widest = rakis_kernels_widest_path();
    gemm(x, rows, ldx, in, packed, bias, 0, (out + PANEL - 1) / PANEL, out, y, ldy, path < widest ? path : widest);
}
