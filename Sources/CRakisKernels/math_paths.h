#ifndef RAKIS_MATH_PATHS_H
#define RAKIS_MATH_PATHS_H

// The element-wise kernels' AVX-512 forms, behind the dispatch in deterministic_math.c (internal
// to the kernels). Each falls back to the scalar functions below for lanes outside its range.
void rakis_gelu_avx512(float *x, long count);
void rakis_exp_many_avx512(const double *x, double *y, long count);
void rakis_softmax_rows_avx512(const float *scores, int rows, int n, float divisor, float *probabilities, int ldp, double *scratch);
void rakis_layer_norm_avx512(float *x, int rows, int width, const float *gamma, const float *beta, double epsilon);
double rakis_gelu_one(double value);

#endif
