#include "rakis_kernels.h"
#include "erf_polynomials.h"
#include "exp_constants.h"
#include "math_paths.h"

// The AVX2 forms of exp and erf in deterministic_math.c, eight lanes at a time: the same
// operations in the same order (a lane not taken by a mask gets what the AVX2 form's blend
// gives it), so every lane gives the scalar's bits.

#if defined(__x86_64__)
#include <immintrin.h>

#define TARGET __attribute__((target("avx512f")))

TARGET static __m512d sign_bits(void) { return _mm512_set1_pd(-0.0); }

TARGET static __m512d bitwise_or(__m512d a, __m512d b) {
    return _mm512_castsi512_pd(_mm512_or_si512(_mm512_castpd_si512(a), _mm512_castpd_si512(b)));
}

TARGET static __m512d bitwise_and(__m512d a, __m512d b) {
    return _mm512_castsi512_pd(_mm512_and_si512(_mm512_castpd_si512(a), _mm512_castpd_si512(b)));
}

TARGET static __m512d bitwise_xor(__m512d a, __m512d b) {
    return _mm512_castsi512_pd(_mm512_xor_si512(_mm512_castpd_si512(a), _mm512_castpd_si512(b)));
}

TARGET static __m512d round_half_away(__m512d y) {
    __m512d truncated = _mm512_roundscale_pd(y, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
    __m512d fraction = _mm512_abs_pd(_mm512_sub_pd(y, truncated));
    __mmask8 half_or_more = _mm512_cmp_pd_mask(fraction, _mm512_set1_pd(0.5), _CMP_GE_OQ);
    __m512d step = bitwise_or(bitwise_and(y, sign_bits()), _mm512_set1_pd(1.0));
    return _mm512_add_pd(truncated, _mm512_maskz_mov_pd(half_or_more, step));
}

// exp of lanes in [-700, 700], where 2^n is a normal number and one multiplication scales exactly.
TARGET static __m512d exp8(__m512d x) {
    __m512d n = round_half_away(_mm512_mul_pd(x, _mm512_set1_pd(log2e)));
    __m512d r = _mm512_sub_pd(_mm512_sub_pd(x, _mm512_mul_pd(n, _mm512_set1_pd(ln2_high))), _mm512_mul_pd(n, _mm512_set1_pd(ln2_low)));
    #define C(k) _mm512_set1_pd(taylor[k])
    __m512d r2 = _mm512_mul_pd(r, r), r4 = _mm512_mul_pd(r2, r2), r8 = _mm512_mul_pd(r4, r4);
    __m512d q0 = _mm512_add_pd(_mm512_add_pd(C(0), _mm512_mul_pd(C(1), r)), _mm512_mul_pd(_mm512_add_pd(C(2), _mm512_mul_pd(C(3), r)), r2));
    __m512d q1 = _mm512_add_pd(_mm512_add_pd(C(4), _mm512_mul_pd(C(5), r)), _mm512_mul_pd(_mm512_add_pd(C(6), _mm512_mul_pd(C(7), r)), r2));
    __m512d q2 = _mm512_add_pd(_mm512_add_pd(C(8), _mm512_mul_pd(C(9), r)), _mm512_mul_pd(C(10), r2));
    #undef C
    __m512d sum = _mm512_add_pd(_mm512_add_pd(q0, _mm512_mul_pd(q1, r4)), _mm512_mul_pd(q2, r8));
    __m512i biased = _mm512_add_epi64(_mm512_cvtepi32_epi64(_mm512_cvtpd_epi32(n)), _mm512_set1_epi64(1023));
    return _mm512_mul_pd(sum, _mm512_castsi512_pd(_mm512_slli_epi64(biased, 52)));
}

TARGET static int in_exp8_range(__m512d x) {
    __mmask8 above = _mm512_cmp_pd_mask(x, _mm512_set1_pd(-700.0), _CMP_GE_OQ);
    __mmask8 below = _mm512_cmp_pd_mask(x, _mm512_set1_pd(700.0), _CMP_LE_OQ);
    return (above & below) == 0xFF;
}

// The erf pieces' coefficients by power: for coefficient k, its value in pieces 0–7, 8–15 and
// 16–23, so that a lane's coefficient is a permutation across registers rather than a gather
// (the values are the table's, so the bits are the same).
typedef struct { __m512d low[9], middle[9], high[9]; } ErfCoefficients;

TARGET static void load_erf_coefficients(ErfCoefficients *table) {
    const double *base = &rakis_erf_polynomials[0][0];
    __m256i first = _mm256_setr_epi32(0, 9, 18, 27, 36, 45, 54, 63);
    for (int k = 0; k < 9; k++) {
        table->low[k] = _mm512_i32gather_pd(first, base + k, 8);
        table->middle[k] = _mm512_i32gather_pd(first, base + 8 * 9 + k, 8);
        table->high[k] = _mm512_i32gather_pd(first, base + 16 * 9 + k, 8);
    }
}

// erf of lanes that are not NaN.
TARGET static __m512d erf8(__m512d x, const ErfCoefficients *table) {
    __m512d a = _mm512_abs_pd(x);
    __mmask8 large = _mm512_cmp_pd_mask(a, _mm512_set1_pd(6.0), _CMP_GE_OQ);
    __m512d clamped = _mm512_mask_blend_pd(large, a, _mm512_setzero_pd());
    __m256i piece = _mm512_cvttpd_epi32(_mm512_mul_pd(clamped, _mm512_set1_pd(4.0)));
    __m512d t = _mm512_sub_pd(clamped, _mm512_mul_pd(_mm512_add_pd(_mm512_cvtepi32_pd(piece), _mm512_set1_pd(0.5)), _mm512_set1_pd(0.25)));
    __m512i index = _mm512_cvtepi32_epi64(piece);
    __mmask8 in_high = _mm512_cmpge_epi64_mask(index, _mm512_set1_epi64(16));
    #define C(k) _mm512_mask_blend_pd(in_high, _mm512_permutex2var_pd(table->low[k], index, table->middle[k]), \
                                      _mm512_permutexvar_pd(index, table->high[k]))
    __m512d t2 = _mm512_mul_pd(t, t), t4 = _mm512_mul_pd(t2, t2);
    __m512d q0 = _mm512_add_pd(_mm512_add_pd(C(0), _mm512_mul_pd(C(1), t)), _mm512_mul_pd(_mm512_add_pd(C(2), _mm512_mul_pd(C(3), t)), t2));
    __m512d q1 = _mm512_add_pd(_mm512_add_pd(C(4), _mm512_mul_pd(C(5), t)), _mm512_mul_pd(_mm512_add_pd(C(6), _mm512_mul_pd(C(7), t)), t2));
    __m512d result = _mm512_add_pd(_mm512_add_pd(q0, _mm512_mul_pd(q1, t4)), _mm512_mul_pd(C(8), _mm512_mul_pd(t4, t4)));
    #undef C
    result = _mm512_mask_blend_pd(large, result, _mm512_set1_pd(1.0));
    __mmask8 negative = _mm512_cmp_pd_mask(x, _mm512_setzero_pd(), _CMP_LT_OQ);
    return _mm512_mask_blend_pd(negative, result, bitwise_xor(result, sign_bits()));
}

TARGET void rakis_gelu_avx512(float *x, long count) {
    ErfCoefficients table;
    load_erf_coefficients(&table);
    long i = 0;
    for (; i + 8 <= count; i += 8) {
        __m512d v = _mm512_cvtps_pd(_mm256_loadu_ps(x + i));
        if (_mm512_cmp_pd_mask(v, v, _CMP_UNORD_Q) != 0) {
            for (long j = i; j < i + 8; j++) x[j] = (float)rakis_gelu_one((double)x[j]);
            continue;
        }
        __m512d e = erf8(_mm512_mul_pd(v, _mm512_set1_pd(0.70710678118654752440)), &table);
        __m512d g = _mm512_mul_pd(_mm512_mul_pd(_mm512_set1_pd(0.5), v), _mm512_add_pd(_mm512_set1_pd(1.0), e));
        _mm256_storeu_ps(x + i, _mm512_cvtpd_ps(g));
    }
    for (; i < count; i++) x[i] = (float)rakis_gelu_one((double)x[i]);
}

TARGET void rakis_exp_many_avx512(const double *x, double *y, long count) {
    long i = 0;
    for (; i + 8 <= count; i += 8) {
        __m512d v = _mm512_loadu_pd(x + i);
        if (in_exp8_range(v)) {
            _mm512_storeu_pd(y + i, exp8(v));
        } else {
            for (long j = i; j < i + 8; j++) y[j] = rakis_exp(x[j]);
        }
    }
    for (; i < count; i++) y[i] = rakis_exp(x[i]);
}
#endif
