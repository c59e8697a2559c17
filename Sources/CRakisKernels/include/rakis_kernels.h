#ifndef RAKIS_KERNELS_H
#define RAKIS_KERNELS_H

#include <stddef.h>

/// Outputs per packed panel of weights.
#define RAKIS_PANEL_WIDTH 16

/// The kernels' paths, narrowest first. Every path computes the same bits; the widest the CPU
/// has is taken unless the environment narrows it (rakis_kernels_path).
#define RAKIS_PATH_PORTABLE 0
#define RAKIS_PATH_AVX2 1
#define RAKIS_PATH_AVX512 2

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
/// thread or the CPU: a fused multiply-add is exactly rounded by IEEE 754, so the AVX-512 path,
/// the AVX2+FMA path and the portable path (C's fmaf) give the same bits.
void rakis_gemm(const float *x, int rows, int ldx, int in, const float *packed, const float *bias, int out, float *y, int ldy);

/// Panels `first_panel ..< first_panel + panel_count` only (outputs 16·first_panel onwards): the
/// same bits as rakis_gemm gives for those outputs, so a layer can be split across threads.
void rakis_gemm_panels(const float *x, int rows, int ldx, int in, const float *packed, const float *bias,
                       int first_panel, int panel_count, int out, float *y, int ldy);

/// rakis_gemm on one path (narrowed to what the CPU has), for tests that compare the paths.
void rakis_gemm_on(int path, const float *x, int rows, int ldx, int in, const float *packed, const float *bias, int out, float *y, int ldy);

/// The path every kernel takes in this process: the widest the CPU has (AVX-512, else AVX2 with
/// FMA, else portable), unless the environment narrows it: RAKIS_KERNELS=avx2 or portable, or
/// RAKIS_PORTABLE_KERNELS=1. The bits are the same on every path.
int rakis_kernels_path(void);

/// The widest path this CPU has, whatever the environment says.
int rakis_kernels_widest_path(void);

/// "AVX-512", "AVX2 with FMA" or "portable".
const char *rakis_kernels_path_name(int path);

/// Runs body(context, 0) on the calling thread and body(context, 1) on a helper thread at once,
/// and returns when both are done. The helper is one thread per process; while another caller
/// holds it, both parts run here one after the other (so two workers never wait on each other).
void rakis_run_in_two(void (*body)(void *context, int part), void *context);

/// A forward pass begins or ends (any model, any thread): the helper thread is only worth using
/// while fewer passes run than the process has CPUs.
void rakis_pass_began(void);
void rakis_pass_ended(void);

/// Whether a pass may split a layer with rakis_run_in_two now: the process may run on more than
/// one CPU (read once; `taskset -c 0` makes it one) and fewer passes run than it has CPUs. With
/// every CPU busy on a pass of its own, a split only adds a thread competing for the cores.
int rakis_may_split(void);

/// The CPUs this process may run on (its affinity mask: `taskset -c 0` makes it 1).
int rakis_usable_cpus(void);

/// exp and erf from IEEE-754 additions, multiplications and divisions in a fixed order (the C
/// library's differ between versions and CPUs in the last bit): the same bits on every node.
double rakis_exp(double x);
double rakis_erf(double x);

/// GELU with the exact error function (PyTorch's default `gelu`), in place, computed in double:
/// eight lanes at a time with AVX-512, four with AVX2, else one by one; the same bits on each.
void rakis_gelu(float *x, long count);
void rakis_gelu_on(int path, float *x, long count);

/// y[i] = rakis_exp(x[i]), eight or four lanes at a time (in place is fine); the same bits.
void rakis_exp_many(const double *x, double *y, long count);
void rakis_exp_many_on(int path, const double *x, double *y, long count);

/// Rows the softmax takes at once: its scratch holds this many times `n` doubles.
#define RAKIS_SOFTMAX_ROWS_AT_ONCE 8

/// Row t of `probabilities` (rows of `ldp` floats; only the first `n` are written) is the
/// softmax of row t of `scores` (rows of `n` floats) divided by `divisor`, with exp in double.
/// `scratch` holds RAKIS_SOFTMAX_ROWS_AT_ONCE · `n` doubles.
void rakis_softmax_rows(const float *scores, int rows, int n, float divisor, float *probabilities, int ldp, double *scratch);
void rakis_softmax_rows_on(int path, const float *scores, int rows, int n, float divisor, float *probabilities, int ldp, double *scratch);

/// Self-attention of one sequence of `n` rows for heads first_head ..< first_head + head_count of
/// `d` dimensions each: per head, scores = QKᵀ (the chains of rakis_gemm over the head's
/// dimensions), the softmax of each row divided by `divisor`, then P·V into the head's columns of
/// `context`. q, k, v and context are rows of `ld` floats starting at the sequence's first row.
/// Its buffers are per thread and only grow, so a call allocates nothing once the thread has seen
/// a sequence as long.
void rakis_attention(const float *q, const float *k, const float *v, int n, int ld, int d, int first_head, int head_count,
                     float divisor, float *context);

/// Layer normalisation of each row of `width` floats in place, the statistics in double.
void rakis_layer_norm(float *x, int rows, int width, const float *gamma, const float *beta, double epsilon);
void rakis_layer_norm_on(int path, float *x, int rows, int width, const float *gamma, const float *beta, double epsilon);

#endif
