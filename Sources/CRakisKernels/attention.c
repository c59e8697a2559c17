#include "rakis_kernels.h"
#include <stdlib.h>

// Self-attention of one sequence, head by head (docs/embedding-recipe.md, section 5), with its
// intermediate buffers in storage per thread that only grows: after a thread's longest sequence,
// a call allocates nothing.

typedef struct {
    float *keys, *values, *scores, *probabilities;
    double *scratch;
    size_t rows;
} AttentionBuffers;

static void *grown(void *buffer, size_t bytes) {
    free(buffer);
    void *fresh = malloc(bytes > 0 ? bytes : 1);
    if (fresh == NULL) abort();
    return fresh;
}

// Buffers for a sequence of n rows and heads of d dimensions (d is fixed per model, so sizing by
// the longest n seen with that d is enough; a larger d regrows everything).
static AttentionBuffers *buffers_for(int n, int d) {
    static _Thread_local AttentionBuffers buffers = {0};
    static _Thread_local int sized_for_d = 0;
    if ((size_t)n > buffers.rows || d > sized_for_d) {
        size_t rows = (size_t)n > buffers.rows ? (size_t)n : buffers.rows;
        int depth = d > sized_for_d ? d : sized_for_d;
        buffers.keys = grown(buffers.keys, sizeof(float) * rakis_packed_count(depth, (int)rows));
        buffers.values = grown(buffers.values, sizeof(float) * rakis_packed_count((int)rows, depth));
        buffers.scores = grown(buffers.scores, sizeof(float) * rows * rows);
        buffers.probabilities = grown(buffers.probabilities, sizeof(float) * rows * rows);
        buffers.scratch = grown(buffers.scratch, sizeof(double) * RAKIS_SOFTMAX_ROWS_AT_ONCE * rows);
        buffers.rows = rows;
        sized_for_d = depth;
    }
    return &buffers;
}

void rakis_attention(const float *q, const float *k, const float *v, int n, int ld, int d, int first_head, int head_count,
                     float divisor, float *context) {
    if (n <= 0 || head_count <= 0) return;
    AttentionBuffers *b = buffers_for(n, d);
    for (int head = first_head; head < first_head + head_count; head++) {
        long offset = (long)head * d;
        // Key s is output s of QKᵀ, its dimensions the depth; V's dimensions are the outputs of
        // P·V and its rows the depth.
        rakis_pack_panels(k + offset, d, n, ld, 1, b->keys);
        rakis_gemm(q + offset, n, ld, d, b->keys, NULL, n, b->scores, n);
        rakis_softmax_rows(b->scores, n, n, divisor, b->probabilities, n, b->scratch);
        rakis_pack_panels(v + offset, n, d, 1, ld, b->values);
        rakis_gemm(b->probabilities, n, n, n, b->values, NULL, d, context + offset, ld);
    }
}
