#ifndef RAKIS_KERNELS_H
#define RAKIS_KERNELS_H

/// y[r * out + o] = bias[o] + dot(x[r * in ...], w[o * in ...]) for every row r and output o:
/// a linear layer with PyTorch's [out, in] weight layout. `bias` may be NULL.
///
/// Every output is one dot product reduced in a fixed order (eight lanes over k, then a fixed
/// pairwise tree), whatever the number of rows, the blocking or the CPU: the AVX2 path uses
/// separate multiplies and adds, never fused ones, so it is bit-identical to the portable path.
/// `in` must be a multiple of 8.
void rakis_linear(const float *x, int rows, int in, const float *w, const float *bias, int out, float *y);

/// 1 when the AVX2 path is in use on this CPU (for the benchmark's report).
int rakis_kernels_avx2(void);

#endif
