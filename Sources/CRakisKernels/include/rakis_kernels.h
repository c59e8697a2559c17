#ifndef RAKIS_KERNELS_H
#define RAKIS_KERNELS_H

/// y[r * out + o] = bias[o] + dot(x[r * in ...], w[o * in ...]) for every row r and output o:
/// a linear layer with PyTorch's [out, in] weight layout. `bias` may be NULL.
///
/// Every output is one dot product reduced in a fixed order (eight lanes over k, each lane a
/// chain of fused multiply-adds, then a fixed pairwise tree), whatever the number of rows, the
/// blocking or the CPU. A fused multiply-add is exactly rounded by IEEE 754, so the AVX2+FMA
/// path and the portable path (C's fmaf) give the same bits. `in` must be a multiple of 8.
void rakis_linear(const float *x, int rows, int in, const float *w, const float *bias, int out, float *y);

/// Outputs `first ..< first + count` only, into rows of `ldy` floats: the same bits as
/// `rakis_linear` gives for those outputs, so a layer can be split across threads.
void rakis_linear_columns(const float *x, int rows, int in, const float *w, const float *bias, int first, int count, float *y, int ldy);

/// The portable path alone, for tests that compare it with the vector path.
void rakis_linear_portable(const float *x, int rows, int in, const float *w, const float *bias, int out, float *y);

/// 1 when the AVX2+FMA path is in use: on a CPU that has it, unless the environment variable
/// RAKIS_PORTABLE_KERNELS is 1 (every kernel then takes its portable path; the bits are the same).
int rakis_kernels_avx2(void);

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
