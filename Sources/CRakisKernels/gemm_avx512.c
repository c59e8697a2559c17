#include "rakis_kernels.h"
#include "gemm_paths.h"
#include <stddef.h>
#include <stdlib.h>

// Recipe version 2's matrix product on AVX-512: the same chains as gemm.c (each output one chain
// of fused multiply-adds along the depth, from +0, bias added last), with one 16-lane register
// holding a whole panel's outputs. A tile is up to 12 rows × two panels (32 outputs): per step
// two weight vectors, one broadcast per row, 24 accumulators of the 32 registers. A slice of 13
// to 24 rows (a short text alone) is one tall tile of one panel instead, so the weights, which
// then come from memory rather than cache, pass through the core once and not twice. The tile's
// rows are first copied depth-major (element (i, k) at k·MR + i), so every broadcast is a fixed
// offset from one pointer.

#if defined(__x86_64__)
#include <immintrin.h>

enum { PANEL = RAKIS_PANEL_WIDTH, MR_MAX = 12, TALL_MAX = 24 };

// Lanes past `valid` (the last panel of a layer whose width is not a multiple of 16) are neither
// read from the bias nor stored.
__attribute__((target("avx512f"), always_inline))
static inline void store_panel(const __m512 *c, int mr, const float *bias, int valid, float *y, int ldy) {
    __mmask16 mask = valid >= PANEL ? (__mmask16)0xFFFF : (__mmask16)((1u << valid) - 1);
    __m512 b = bias ? _mm512_maskz_loadu_ps(mask, bias) : _mm512_setzero_ps();
    _Pragma("clang loop unroll(full)")
    for (int i = 0; i < mr; i++) _mm512_mask_storeu_ps(y + (size_t)i * ldy, mask, _mm512_add_ps(c[i], b));
}

// MR and NP are literals at every call, so the loops over rows unroll (forced: left to itself
// clang keeps twelve rows' accumulators on the stack) and the accumulators stay in registers.
__attribute__((target("avx512f"), always_inline))
static inline void tile(const float *xp, const int MR, const int NP, int in, const float *panel,
                        const float *bias, int valid0, int valid1, float *y, int ldy) {
    __m512 c0[TALL_MAX], c1[MR_MAX];
    _Pragma("clang loop unroll(full)")
    for (int i = 0; i < MR; i++) { c0[i] = _mm512_setzero_ps(); if (NP == 2) c1[i] = _mm512_setzero_ps(); }
    const float *second = panel + (size_t)in * PANEL;
    for (int k = 0; k < in; k++) {
        __m512 w0 = _mm512_loadu_ps(panel + (size_t)k * PANEL);
        __m512 w1 = NP == 2 ? _mm512_loadu_ps(second + (size_t)k * PANEL) : w0;
        _Pragma("clang loop unroll(full)")
        for (int i = 0; i < MR; i++) {
            __m512 xi = _mm512_set1_ps(xp[(size_t)k * MR + i]);
            c0[i] = _mm512_fmadd_ps(xi, w0, c0[i]);
            if (NP == 2) c1[i] = _mm512_fmadd_ps(xi, w1, c1[i]);
        }
    }
    store_panel(c0, MR, bias, valid0, y, ldy);
    if (NP == 2) store_panel(c1, MR, bias ? bias + PANEL : NULL, valid1, y + PANEL, ldy);
}

#define TILE_CASE(mr) \
    case mr: \
        if (np == 2) tile(xp, mr, 2, in, panel, bias, valid0, valid1, y, ldy); \
        else tile(xp, mr, 1, in, panel, bias, valid0, 0, y, ldy); \
        break;

#define TALL_CASE(mr) case mr: tile(xp, mr, 1, in, panel, bias, valid0, 0, y, ldy); break;

// A tile of `mr` rows: one panel for more than 12 rows, else `np` panels.
__attribute__((target("avx512f")))
static void tile_any(const float *xp, int mr, int np, int in, const float *panel, const float *bias,
                     int valid0, int valid1, float *y, int ldy) {
    switch (mr) {
    TALL_CASE(24) TALL_CASE(23) TALL_CASE(22) TALL_CASE(21) TALL_CASE(20) TALL_CASE(19)
    TALL_CASE(18) TALL_CASE(17) TALL_CASE(16) TALL_CASE(15) TALL_CASE(14) TALL_CASE(13)
    TILE_CASE(12) TILE_CASE(11) TILE_CASE(10) TILE_CASE(9) TILE_CASE(8) TILE_CASE(7)
    TILE_CASE(6) TILE_CASE(5) TILE_CASE(4) TILE_CASE(3) TILE_CASE(2)
    default: TILE_CASE(1)
    }
}

static int smaller(int a, int b) { return a < b ? a : b; }

// Rows r0 ..< r1 of x, tile by tile of `tile_rows`, each depth-major with its own row count as stride.
static void pack_rows(const float *x, int ldx, int r0, int r1, int in, int tile_rows, float *xp) {
    for (int r = r0; r < r1; r += tile_rows) {
        int mr = smaller(r1 - r, tile_rows);
        float *tile = xp + (size_t)(r - r0) * in;
        for (int i = 0; i < mr; i++) {
            const float *row = x + (size_t)(r + i) * ldx;
            for (int k = 0; k < in; k++) tile[(size_t)k * mr + i] = row[k];
        }
    }
}

// The copied rows live in a buffer per thread that only grows (to at most an L2-sized chunk, about
// 200 KB), so a product allocates nothing once its thread has run one of that size.
static float *packed_rows_buffer(size_t floats) {
    static _Thread_local float *buffer = NULL;
    static _Thread_local size_t capacity = 0;
    if (floats > capacity) {
        free(buffer);
        buffer = malloc(sizeof(float) * floats);
        if (buffer == NULL) abort();
        capacity = floats;
    }
    return buffer;
}

void rakis_gemm_avx512(const float *x, int rows, int ldx, int in, const float *packed, const float *bias,
                       int first_panel, int panel_count, int out, float *y, int ldy) {
    // Rows go in chunks whose inputs stay in L2 while every panel of the slice passes over them.
    int chunk = (192 * 1024) / (in * 4 + 1);
    chunk = chunk < MR_MAX ? MR_MAX : chunk / MR_MAX * MR_MAX;
    float *xp = packed_rows_buffer((size_t)smaller(chunk, rows) * (size_t)in);
    int end_panel = first_panel + panel_count;
    for (int r0 = 0; r0 < rows; r0 += chunk) {
        int r1 = smaller(r0 + chunk, rows);
        int tall = r1 - r0 > MR_MAX && r1 - r0 <= TALL_MAX;
        int tile_rows = tall ? r1 - r0 : MR_MAX;
        pack_rows(x, ldx, r0, r1, in, tile_rows, xp);
        for (int p = first_panel, np; p < end_panel; p += np) {
            np = tall || end_panel - p < 2 ? 1 : 2;
            const float *panel = packed + (size_t)p * in * PANEL;
            int o0 = p * PANEL;
            int valid0 = smaller(out - o0, PANEL), valid1 = np == 2 ? smaller(out - o0 - PANEL, PANEL) : 0;
            for (int r = r0; r < r1; r += tile_rows) {
                tile_any(xp + (size_t)(r - r0) * in, smaller(r1 - r, tile_rows), np, in, panel, bias ? bias + o0 : NULL,
                         valid0, valid1, y + (size_t)r * ldy + o0, ldy);
            }
        }
    }
}
#endif
