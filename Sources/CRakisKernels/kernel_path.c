#include "rakis_kernels.h"
#include <stdlib.h>

// Which path every kernel takes: decided once per process.
int rakis_kernels_avx2(void) {
#if defined(__x86_64__)
    // Read once per process (every thread computes the same answer, so the race is harmless).
    static volatile int decided = -1;
    if (decided < 0) {
        const char *portable = getenv("RAKIS_PORTABLE_KERNELS");
        int forced = portable != NULL && portable[0] == '1';
        decided = !forced && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? 1 : 0;
    }
    return decided;
#else
    return 0;
#endif
}
