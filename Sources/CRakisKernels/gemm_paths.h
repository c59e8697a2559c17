#ifndef RAKIS_GEMM_PATHS_H
#define RAKIS_GEMM_PATHS_H

// The matrix product's per-path drivers, behind rakis_gemm's dispatch (internal to the kernels).
void rakis_gemm_avx512(const float *x, int rows, int ldx, int in, const float *packed, const float *bias,
                       int first_panel, int panel_count, int out, float *y, int ldy);

#endif
