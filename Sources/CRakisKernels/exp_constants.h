#ifndef RAKIS_EXP_CONSTANTS_H
#define RAKIS_EXP_CONSTANTS_H

// rakis_exp's constants, shared by its scalar and vector forms.
static const double ln2_high = 6.93147180369123816490e-01;
static const double ln2_low = 1.90821492927058770002e-10;
static const double log2e = 1.44269504088896338700e+00;
// 1/k! for k = 0...10, each as ((1/1)/2)/.../k.
static const double taylor[11] = {
    0x1.0000000000000p+0, 0x1.0000000000000p+0, 0x1.0000000000000p-1, 0x1.5555555555555p-3, 0x1.5555555555555p-5,
    0x1.1111111111111p-7, 0x1.6c16c16c16c17p-10, 0x1.a01a01a01a01ap-13, 0x1.a01a01a01a01ap-16, 0x1.71de3a556c734p-19,
    0x1.27e4fb7789f5dp-22,
};

#endif
