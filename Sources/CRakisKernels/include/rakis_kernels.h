#ifndef RAKIS_KERNELS_H
#define RAKIS_KERNELS_H

#include <stddef.h>

/// Outputs per packed panel of weights.
#define RAKIS_PANEL_WIDTH 16

/// Floats needed to pack the weights of a layer with `in` inputs and `out` outputs.
size_t rakis_packed_count(int in, int out);

/// Packs weights into panels of RAKIS_PANEL_WIDTH outputs, depth-major within each panel, zero
/// past `out`. Weight (output o, input k) is read at w[o * stride_out + k * stride_in]: PyTorch's
/// [out, in] layout is (in, 1); a transposed matrix is (1, its row length).
void rakis_pack_panels(const float *w, int in, int out, long stride_out, long stride_in, float *packed);

/// y[r * ldy + o] = chain + bias[o] for every row r < rows and output o < out, where chain starts
/// at +0 and becomes fma(x[r * ldx + k], w(o, k), chain) for k = 0, 1, …, in − 1 in order (one
/// rounding per step). `bias` may be NULL (then +0 is added). `packed` comes from
/// rakis_pack_panels.
///
/// Each output's chain is the same whatever the number of rows, their position, the tiling, the
/// thread or the CPU: a fused multiply-add is exactly rounded by IEEE 754, so the AVX2+FMA path
/// and the portable path (C's fmaf) give the same bits.
void rakis_gemm(const float *x, int rows, int ldx, int in, const float *packed, const float *bias, int out, float *y, int ldy);

/// Panels `first_panel ..< first_panel + panel_count` only (outputs 16·first_panel onwards): the
/// same bits as rakis_gemm gives for those outputs, so a layer can be split across threads.
void rakis_gemm_panels(const float *x, int rows, int ldx, int in, const float *packed, const float *bias,
                       int first_panel, int panel_count, int out, float *y, int ldy);

/// The portable path alone, for tests that compare it with the vector path.
void rakis_gemm_portable(const float *x, int rows, int ldx, int in, const float *packed, const float *bias, int out, float *y, int ldy);

/// 1 when the AVX2+FMA path is in use: on a CPU that has it, unless the environment variable
/// RAKIS_PORTABLE_KERNELS is 1 (every kernel then takes its portable path; the bits are the same).
int rakis_kernels_avx2(void);

/// The CPUs this process may run on (its affinity mask: `taskset -c 0` makes it 1).
int rakis_usable_cpus(void);

/// exp and erf from IEEE-754 additions, multiplications and divisions in a fixed order (the C
/// library's differ between versions and CPUs in the last bit): the same bits on every node.
double rakis_exp(double x);
double rakis_erf(double x);

/// GELU with the exact error function (PyTorch's default `gelu`), in place, computed in double:
/// four lanes at a time with AVX2, else one by one; the same bits either way.
void rakis_gelu(float *x, long count);
void rakis_gelu_portable(float *x, long count);

/// y[i] = rakis_exp(x[i]), four lanes at a time with AVX2 (in place is fine); the same bits.
void rakis_exp_many(const double *x, double *y, long count);

/// Row t of `probabilities` (rows of `ldp` floats; only the first `n` are written) is the
/// softmax of row t of `scores` (rows of `n` floats) divided by `divisor`, with exp in double.
/// `scratch` holds `n` doubles.
void rakis_softmax_rows(const float *scores, int rows, int n, float divisor, float *probabilities, int ldp, double *scratch);

/// Layer normalisation of each row of `width` floats in place, the statistics in double.
void rakis_layer_norm(float *x, int rows, int width, const float *gamma, const float *beta, double epsilon);

#endif
